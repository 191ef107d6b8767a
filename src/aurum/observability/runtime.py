"""The process's default :class:`~aurum.observability.Observability`, and the one in force now.

The default is built on first use from the ``AURUM_*`` settings, on prometheus_client's default
registry and the process's stdout log sink; it is what the spec's module-level API records into
(``REQUEST_LATENCY``, the tracing helpers, ``get_logger``, the middleware and router added without
an ``observability=``). An Observability made active for a context (by the middleware given one, by
``obs.activate()``, or by :mod:`aurum.observability.testing`) takes its place there. The functions
below resolve that at call time, which is why nothing needs re-importing when either changes.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from prometheus_client import REGISTRY

# The module, not the class: the metrics entry point imports this module, and the Observability
# module imports the metrics, so whichever is imported first may find the other half-initialised.
from aurum.observability import _observability
from aurum.observability._active import ACTIVE
from aurum.observability.logs._setup import SINK, configure_logging, is_configured
from aurum.observability.settings import ObservabilitySettings

if TYPE_CHECKING:
    from aurum.observability._observability import Observability
    from aurum.observability.metrics._instruments import AurumMetrics
    from aurum.observability.tracing._setup import Tracing

__all__ = ["configure", "current", "default", "get_settings", "metrics", "tracing"]

_lock = threading.Lock()
_default: Observability | None = None


def _make_default(settings: ObservabilitySettings | None = None) -> Observability:
    global _default  # noqa: PLW0603 - the process-wide default this module exists to hold
    with _lock:
        if _default is None:
            settings = settings if settings is not None else ObservabilitySettings()
            _default = _observability.Observability._process_default(settings, REGISTRY, SINK)
        return _default


def default() -> Observability:
    """The process default (built from the environment on first use)."""
    found = _default
    return found if found is not None else _make_default()


def current() -> Observability:
    """The Observability in force in this context: the active one, else the process default."""
    found = ACTIVE.get()
    if found is None:
        found = _default
        if found is None:
            found = _make_default()
    return found


def configure(settings: ObservabilitySettings | None = None) -> Observability:
    """Apply ``settings`` (default: the environment, read again) to the process default; returns it.

    Before first use this simply sets the settings it will be built with. After it, everything built
    takes the new settings or this raises ``RuntimeError`` (see :meth:`Observability.configure`);
    the process's logging, once installed, is re-applied too (root level, format).
    """
    settings = settings if settings is not None else ObservabilitySettings()
    obs = _default if _default is not None else _make_default(settings)
    if obs.settings is not settings:  # built before (maybe by another thread): apply or raise
        obs.configure(settings)
    if is_configured():
        configure_logging(settings, stream=SINK.stream)
    return obs


# The three accessors below run on every metric, span and log call: they resolve the Observability
# in force inline and read its built components directly, falling back to the building properties.
_active = ACTIVE.get


def get_settings() -> ObservabilitySettings:
    found = _active()
    if found is None:
        found = _default if _default is not None else _make_default()
    return found._settings  # the hot path reads the slot, see above


def metrics() -> AurumMetrics:
    """The metrics in force in this context."""
    found = _active()
    if found is None:
        found = _default if _default is not None else _make_default()
    built = found._metrics  # the hot path reads the slot, see above
    return built if built is not None else found.metrics


def tracing() -> Tracing:
    """The tracing pipeline in force in this context."""
    found = _active()
    if found is None:
        found = _default if _default is not None else _make_default()
    built = found._tracing  # the hot path reads the slot, see above
    return built if built is not None else found.tracing
