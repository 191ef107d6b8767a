"""Stored traces as the API's response models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from opentelemetry.sdk.resources import SERVICE_NAME
from opentelemetry.trace import SpanKind

from aurum.observability.api._models import SpanEvent, SpanModel, TraceDetail, TraceSummary

if TYPE_CHECKING:
    from aurum.observability.tracing._store import StoredSpan, StoredTrace

__all__ = ["parse_trace_id", "trace_detail", "trace_summary"]


def parse_trace_id(text: str) -> int | None:
    """The trace id of 32 hex digits (as in ``traceparent`` and our logs), or ``None``."""
    if len(text) != 32:
        return None
    try:
        value = int(text, 16)
    except ValueError:
        return None
    return value or None


def _time(unix_nano: int) -> datetime:
    return datetime.fromtimestamp(unix_nano / 1e9, UTC)


def trace_summary(trace: StoredTrace) -> TraceSummary:
    root = trace.root
    service = root.resource.attributes.get(SERVICE_NAME)
    return TraceSummary(
        trace_id=format(trace.trace_id, "032x"),
        root_name=root.name,
        service=str(service) if service is not None else None,
        start_time=_time(trace.start_unix_nano),
        duration_ms=(trace.end_unix_nano - trace.start_unix_nano) / 1e6,
        span_count=len(trace.spans),
        dropped_spans=trace.dropped_spans,
        error=trace.has_error,
    )


def _span(span: StoredSpan) -> SpanModel:
    return SpanModel(
        span_id=format(span.span_id, "016x"),
        parent_span_id=None if span.parent_span_id is None else format(span.parent_span_id, "016x"),
        name=span.name,
        kind=SpanKind(span.kind).name,
        start_time=_time(span.start_unix_nano),
        duration_ms=(span.end_unix_nano - span.start_unix_nano) / 1e6,
        status=span.status_code.name,
        status_message=span.status_message,
        attributes=dict(span.attributes),
        events=[
            SpanEvent(name=e.name, time=_time(e.time_unix_nano), attributes=dict(e.attributes))
            for e in span.events
        ],
    )


def trace_detail(trace: StoredTrace) -> TraceDetail:
    spans = sorted(trace.spans, key=lambda span: span.start_unix_nano)
    return TraceDetail(**trace_summary(trace).model_dump(), spans=[_span(span) for span in spans])
