"""One application's observability: settings, metrics registry, tracing pipeline, log sink, start time.

An :class:`Observability` is what the middleware, the ``/v1/observability`` router and every helper
record into. The process has a default one (:func:`aurum.observability.runtime.default`, built from
``AURUM_*`` on first use, on prometheus_client's default registry and the process's stdout sink),
which is what the spec's module-level API uses. An application that wants its own passes one
explicitly::

    obs = Observability(ObservabilitySettings(service_name="billing"))
    app.add_middleware(StructuredLoggingMiddleware, observability=obs)
    app.include_router(observability_router(obs))

Within a request of that application (or inside ``with obs.activate():``) the spec's helpers
(``increment_business_transactions``, the tracing helpers, ``get_logger`` lines) record into ``obs``
too: the active one is held in a context variable (:mod:`aurum.observability._active`).

Components are built on first use, so an application that never traces never builds a tracer
provider. :meth:`Observability.configure` applies new settings to the components already built, or
raises when one cannot take them; it never keeps old settings silently.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry

from aurum.observability._active import ACTIVE
from aurum.observability._background import Background
from aurum.observability.logs._setup import LogSink, ensure_configured, renderer
from aurum.observability.metrics._exposition import reading_registry
from aurum.observability.metrics._instruments import AurumMetrics
from aurum.observability.metrics._reading import collect_samples
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.slo._status import evaluate
from aurum.observability.slo_catalog import get_slos
from aurum.observability.tracing._setup import Tracing, build_tracing, install_global_provider

if TYPE_CHECKING:
    from collections.abc import Iterator

    from opentelemetry.sdk.trace import TracerProvider

    from aurum.observability.logs._setup import LineStream
    from aurum.observability.metrics._reading import Sample
    from aurum.observability.performance._models import PerformanceTracking
    from aurum.observability.slo._status import SLOStatusReport
    from aurum.observability.tracing._store import TraceStore

__all__ = ["TRACING_SETTINGS", "Observability"]

TRACING_SETTINGS = (
    "tracing_enabled",
    "tracing_sample_rate",
    "tracing_max_spans_per_trace",
    "tracing_max_traces",
    "tracing_retention_seconds",
    "tracing_store_enabled",
    "tracing_global_provider",
    "service_name",
)
"""The settings a tracing pipeline is built from: changing one rebuilds it."""


def _tracing_changed(previous: ObservabilitySettings, settings: ObservabilitySettings) -> list[str]:
    return [name for name in TRACING_SETTINGS if getattr(settings, name) != getattr(previous, name)]


class Observability:
    """Settings, a metrics registry, a tracing pipeline and a log sink that belong together.

    ``registry`` defaults to a registry of its own (prometheus_client refuses a metric name twice on
    one registry, and the process default holds the global one); ``log_stream`` to stdout. Lines are
    rendered in the settings' ``log_format``, and dropped below their ``log_level`` (on top of the
    standard library's levels, which are process-wide). Safe to share between threads.
    """

    __slots__ = (
        "_background",
        "_derived",
        "_lock",
        "_metrics",
        "_owns_tracing",
        "_registry",
        "_settings",
        "_tracing",
        "_tracing_is_global",
        "log_sink",
        "started_at",
        "started_monotonic",
    )

    def __init__(
        self,
        settings: ObservabilitySettings | None = None,
        *,
        registry: CollectorRegistry | None = None,
        log_stream: LineStream | None = None,
    ) -> None:
        settings = settings if settings is not None else ObservabilitySettings()
        sink = LogSink(log_stream, renderer(settings.log_format), logging.getLevelName(settings.log_level))
        self._assemble(settings, registry if registry is not None else CollectorRegistry(), sink)

    def _assemble(
        self,
        settings: ObservabilitySettings,
        registry: CollectorRegistry,
        sink: LogSink,
        *,
        metrics: AurumMetrics | None = None,
        tracing: Tracing | None = None,
        started: tuple[float, float] | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._settings = settings
        self._registry = registry
        self.log_sink = sink
        self._metrics = metrics
        self._tracing = tracing
        self._owns_tracing = tracing is None  # a pipeline handed in is shut down by whoever built it
        self._tracing_is_global = False
        self.started_at, self.started_monotonic = started or (time.time(), time.monotonic())
        self._derived = False
        self._background = Background(
            lambda: self._settings, self.check_slos, self._samples, registry, self.activate
        )

    @classmethod
    def _process_default(
        cls, settings: ObservabilitySettings, registry: CollectorRegistry, sink: LogSink
    ) -> Observability:
        """The process default: prometheus_client's registry and the process's sink, whose levels are
        the standard library's hierarchy (so the spec's per-logger debug mode works)."""
        obs = cls.__new__(cls)
        obs._assemble(settings, registry, sink)
        return obs

    def _derive(
        self,
        *,
        settings: ObservabilitySettings | None = None,
        metrics: AurumMetrics | None = None,
        tracing: Tracing | None = None,
        log_sink: LogSink | None = None,
    ) -> Observability:
        """A copy sharing every component not given (what :mod:`aurum.observability.testing` builds)."""
        obs = type(self).__new__(type(self))
        obs._assemble(
            settings if settings is not None else self._settings,
            metrics.registry if metrics is not None and metrics.registry is not None else self._registry,
            log_sink if log_sink is not None else self.log_sink,
            metrics=metrics if metrics is not None else self.metrics,
            tracing=tracing if tracing is not None else self.tracing,
            started=(self.started_at, self.started_monotonic),
        )
        # Background tasks stay with the original: a derived copy reports its samples, never runs its own.
        obs._derived, obs._background = True, self._background
        return obs

    # -- components -------------------------------------------------------------------------------
    @property
    def settings(self) -> ObservabilitySettings:
        return self._settings

    @property
    def registry(self) -> CollectorRegistry:
        return self._registry

    @property
    def metrics(self) -> AurumMetrics:
        """Every catalog metric on :attr:`registry`, named with the settings' ``metrics_prefix``."""
        found = self._metrics
        if found is None:
            with self._lock:
                if self._metrics is None:
                    settings = self._settings
                    self._metrics = AurumMetrics(
                        self._registry,
                        prefix=settings.metrics_prefix,
                        max_label_sets=settings.metrics_max_label_sets,
                        max_tenants=settings.metrics_max_tenants,
                    )
                found = self._metrics
        return found

    @property
    def tracing(self) -> Tracing:
        """The tracing pipeline, built (and installed as the global provider if asked) on first use."""
        found = self._tracing
        if found is None:
            with self._lock:
                if self._tracing is None:
                    built = build_tracing(self._settings)
                    if self._settings.tracing_global_provider:
                        self._tracing_is_global = install_global_provider(built)
                    self._tracing = built
                found = self._tracing
        return found

    @property
    def tracer_provider(self) -> TracerProvider | None:
        """The SDK tracer provider; ``None`` when tracing is off."""
        return self.tracing.provider

    @property
    def trace_store(self) -> TraceStore | None:
        """The bounded in-process store behind the trace endpoints; ``None`` when off."""
        return self.tracing.store

    # -- SLOs and performance ----------------------------------------------------------------------
    def _samples(self) -> list[Sample]:
        return collect_samples(reading_registry(self._registry))

    def check_slos(self) -> SLOStatusReport:
        """Every SLO's status now, from Prometheus when configured, else from :attr:`registry`."""
        settings = self._settings
        uptime = time.monotonic() - self.started_monotonic
        return evaluate(get_slos(settings), settings, self._registry, uptime=uptime)

    def performance_tracking(self) -> PerformanceTracking:
        """The background performance samples (none while tracking is off or not started)."""
        return self._background.tracking()

    def start_background(self) -> None:
        """Start the SLO check every ``slo_check_interval`` seconds (unless 0) and performance sampling
        every ``metrics_collection_interval`` seconds (when ``performance_tracking_enabled``). The
        middleware calls this; idempotent; a derived copy (the testing helpers') starts nothing."""
        if not self._derived:
            ensure_configured(self._settings)  # the SLO check's events are log lines
            self._background.start()

    # -- lifecycle --------------------------------------------------------------------------------
    def configure(self, settings: ObservabilitySettings) -> None:
        """Apply ``settings`` to everything already built, or raise ``RuntimeError`` and change nothing.

        Cardinality caps apply to new label sets from now on; the log format and level at once; a
        changed tracing setting rebuilds the pipeline on next use (the trace store starts empty).
        Refused: another ``metrics_prefix`` once the metrics exist (their names are registered), and
        another tracing setting once the provider was installed as OpenTelemetry's global one, which
        cannot be replaced.
        """
        with self._lock:
            previous = self._settings
            self._check_applicable(previous, settings)
            self._settings = settings
            if self._metrics is not None:
                self._metrics.set_limits(
                    max_label_sets=settings.metrics_max_label_sets, max_tenants=settings.metrics_max_tenants
                )
            self._apply_log_settings(settings)
            if not self._derived:
                self._background.apply(previous, settings)
            tracing = self._tracing
            if tracing is not None and not self._tracing_is_global and _tracing_changed(previous, settings):
                if self._owns_tracing and tracing.provider is not None:
                    tracing.provider.shutdown()
                self._tracing, self._owns_tracing = None, True

    def _check_applicable(self, previous: ObservabilitySettings, settings: ObservabilitySettings) -> None:
        if self._metrics is not None and settings.metrics_prefix != previous.metrics_prefix:
            msg = (
                f"metrics_prefix cannot change from {previous.metrics_prefix!r} to {settings.metrics_prefix!r}: "
                "the metrics are registered under the first; create another Observability for the new prefix"
            )
            raise RuntimeError(msg)
        if self._tracing_is_global:
            changed = _tracing_changed(previous, settings)
            if changed:
                msg = (
                    f"cannot change {', '.join(changed)}: the tracer provider is OpenTelemetry's global "
                    "one, which cannot be replaced; configure tracing before its first use"
                )
                raise RuntimeError(msg)

    def _apply_log_settings(self, settings: ObservabilitySettings) -> None:
        self.log_sink.render = renderer(settings.log_format)
        if self.log_sink.level != logging.NOTSET:
            self.log_sink.level = logging.getLevelName(settings.log_level)

    @contextmanager
    def activate(self) -> Iterator[Observability]:
        """Make this the Observability the spec's helpers record into, for the current context (this
        thread or task, and the tasks and thread-pool calls that copy its context)."""
        token = ACTIVE.set(self)
        try:
            yield self
        finally:
            ACTIVE.reset(token)

    def shutdown(self) -> None:
        """Stop the background tasks; flush and stop the tracing pipeline it built (exporters included)."""
        if not self._derived:
            self._background.stop()
        with self._lock:
            tracing, self._tracing = self._tracing, None
        if tracing is not None and self._owns_tracing and tracing.provider is not None:
            tracing.provider.shutdown()

    def __repr__(self) -> str:
        return f"<Observability service={self._settings.service_name!r} registry={id(self._registry):#x}>"
