"""The process's observability state: settings, metrics, tracing pipeline, start time.

Everything is created lazily on first use from ``AURUM_*`` settings, so importing the shim costs
nothing and an application that never traces never builds a tracer provider. The spec's module-level
names (``REQUEST_LATENCY``, the tracing helpers, the middleware) resolve the current state at call
time, which is what lets :mod:`aurum.observability.testing` swap in an isolated registry or in-memory
spans without re-importing anything.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from aurum.observability.metrics._instruments import AurumMetrics
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.tracing._setup import Tracing, build_tracing, install_global_provider

__all__ = [
    "Runtime",
    "configure",
    "current",
    "get_settings",
    "metrics",
    "swap_metrics",
    "swap_tracing",
    "tracing",
]


@dataclass(slots=True)
class Runtime:
    settings: ObservabilitySettings
    started_at: float = field(default_factory=time.time)
    started_monotonic: float = field(default_factory=time.monotonic)
    metrics: AurumMetrics | None = None
    tracing: Tracing | None = None
    tracing_is_global: bool = False


_lock = threading.RLock()
_current: Runtime | None = None
# prometheus_client refuses to register a metric name twice on one registry, so the metrics on the
# default registry are created once per process and survive reconfiguration.
_default_metrics: AurumMetrics | None = None


def current() -> Runtime:
    global _current  # noqa: PLW0603 - the process-wide state this module exists to hold
    state = _current
    if state is None:
        with _lock:
            if _current is None:
                _current = Runtime(settings=ObservabilitySettings())
            state = _current
    return state


def configure(settings: ObservabilitySettings | None = None) -> Runtime:
    """(Re)build the state from ``settings`` (default: the environment); returns it.

    Call it at start-up, before the first request. The tracing pipeline is rebuilt on next use, except
    one already installed as the global provider, which OpenTelemetry does not let us replace;
    default-registry metrics are kept (see ``_default_metrics``).
    """
    global _current  # noqa: PLW0603 - the process-wide state this module exists to hold
    with _lock:
        previous = _current
        _current = Runtime(settings=settings if settings is not None else ObservabilitySettings())
        if previous is not None and previous.tracing is not None:
            if previous.tracing_is_global:
                _current.tracing, _current.tracing_is_global = previous.tracing, True
            elif previous.tracing.provider is not None:
                previous.tracing.provider.shutdown()
        return _current


def get_settings() -> ObservabilitySettings:
    return current().settings


def metrics() -> AurumMetrics:
    """The metrics of this process (on prometheus_client's default registry unless swapped)."""
    global _default_metrics  # noqa: PLW0603 - created once per process, see above
    state = current()
    found = state.metrics
    if found is None:
        with _lock:
            if state.metrics is None:
                if _default_metrics is None:
                    _default_metrics = AurumMetrics(
                        max_label_sets=state.settings.metrics_max_label_sets,
                        max_tenants=state.settings.metrics_max_tenants,
                    )
                state.metrics = _default_metrics
            found = state.metrics
    return found


def tracing() -> Tracing:
    """The tracing pipeline of this process, built (and made global if none is) on first use."""
    state = current()
    found = state.tracing
    if found is None:
        with _lock:
            if state.tracing is None:
                state.tracing = build_tracing(state.settings)
                if state.settings.tracing_global_provider:
                    state.tracing_is_global = install_global_provider(state.tracing)
            found = state.tracing
    return found


def swap_metrics(new: AurumMetrics | None) -> AurumMetrics | None:
    """Replace the current metrics (``None``: back to the default); returns the previous ones."""
    state = current()
    with _lock:
        previous, state.metrics = state.metrics, new
    return previous


def swap_tracing(new: Tracing | None) -> Tracing | None:
    """Replace the current tracing pipeline (``None``: rebuild lazily); returns the previous one."""
    state = current()
    with _lock:
        previous, state.tracing = state.tracing, new
    return previous
