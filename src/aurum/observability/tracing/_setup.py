"""OpenTelemetry set-up: the tracer provider, its sampler, the trace store and the optional OTLP exporter.

The shim owns a provider rather than taking whatever is global so that its helpers, the middleware and
the trace store agree on one pipeline, and so that tests can swap it (see
:mod:`aurum.observability.testing`). With ``AURUM_TRACING_GLOBAL_PROVIDER=true`` it is also installed
as the global provider (when no one else has set one), so third-party OpenTelemetry instrumentation
lands in the same traces. Trace context itself is shared either way: spans of other providers still
become parents and children of ours.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from aurum.observability.tracing._store import TraceStore

if TYPE_CHECKING:
    from aurum.observability.settings import ObservabilitySettings

__all__ = ["INSTRUMENTATION_NAME", "Tracing", "build_tracing", "install_global_provider"]

INSTRUMENTATION_NAME = "aurum.observability"

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Tracing:
    """The tracing pipeline of one runtime; ``provider`` and ``store`` are None when tracing is off."""

    tracer: trace.Tracer
    provider: TracerProvider | None
    store: TraceStore | None

    @property
    def enabled(self) -> bool:
        return self.provider is not None


def _otlp_processor() -> SpanProcessor | None:
    """A batch OTLP/HTTP exporter when the standard OTEL_EXPORTER_OTLP_* endpoint is configured."""
    if not (
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    ):
        return None
    try:
        # Imported here, only when configured: the exporter is the optional ``otlp`` extra.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415 - optional extra
            OTLPSpanExporter,
        )
    except ImportError:
        _log.warning(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but the OTLP exporter is not installed; "
            "install aurum-observability[otlp] to export spans"
        )
        return None
    # The exporter reads endpoint, headers, timeout and compression from the OTEL_* variables itself.
    return BatchSpanProcessor(OTLPSpanExporter())


def build_tracing(
    settings: ObservabilitySettings,
    *,
    processors: tuple[SpanProcessor, ...] = (),
    export_otlp: bool = True,
) -> Tracing:
    """A tracing pipeline from the settings; ``processors`` are added after the trace store."""
    if not settings.tracing_enabled:
        return Tracing(tracer=trace.NoOpTracer(), provider=None, store=None)
    # Parent-based: a sampled (or unsampled) caller's decision in traceparent is honoured, so one
    # request is traced across services or not at all; the ratio applies to new root traces only.
    sampler = ParentBased(TraceIdRatioBased(settings.tracing_sample_rate))
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: settings.service_name}
    provider = TracerProvider(sampler=sampler, resource=Resource.create(attributes))
    store = None
    if settings.tracing_store_enabled:
        store = TraceStore(
            max_traces=settings.tracing_max_traces,
            max_spans_per_trace=settings.tracing_max_spans_per_trace,
            retention_seconds=settings.tracing_retention_seconds,
        )
        provider.add_span_processor(store)
    for processor in processors:
        provider.add_span_processor(processor)
    otlp = _otlp_processor() if export_otlp else None
    if otlp is not None:
        provider.add_span_processor(otlp)
    return Tracing(tracer=provider.get_tracer(INSTRUMENTATION_NAME), provider=provider, store=store)


def install_global_provider(tracing: Tracing) -> bool:
    """Make ``tracing``'s provider the global one unless an application already set its own."""
    if tracing.provider is None or not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        return False
    trace.set_tracer_provider(tracing.provider)
    return True
