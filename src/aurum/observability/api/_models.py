"""Response models of the ``/v1/observability`` API (pure pydantic: no FastAPI needed to use them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from aurum.observability.slo._status import SLOStatus
from aurum.observability.slo_catalog import SLODefinition

__all__ = [
    "CleanupResult",
    "DashboardResponse",
    "ErrorBody",
    "ErrorResponse",
    "HealthReport",
    "MetricFamily",
    "MetricSample",
    "MetricsJSON",
    "SLODetail",
    "SpanEvent",
    "SpanModel",
    "TraceDetail",
    "TraceExport",
    "TraceList",
    "TraceSummary",
]


class ErrorBody(BaseModel):
    code: Literal["unauthorized", "disabled", "not_found"]
    message: str


class ErrorResponse(BaseModel):
    """What FastAPI sends for the API's errors: ``{"detail": {"code": ..., "message": ...}}``."""

    detail: ErrorBody


class MetricSample(BaseModel):
    name: str
    labels: dict[str, str]
    value: float


class MetricFamily(BaseModel):
    name: str
    type: str
    help: str
    unit: str
    samples: list[MetricSample]


class MetricsJSON(BaseModel):
    multiprocess: bool
    families: list[MetricFamily]


class TraceSummary(BaseModel):
    trace_id: str
    root_name: str
    service: str | None
    start_time: datetime
    duration_ms: float
    span_count: int
    dropped_spans: int
    error: bool


class TraceList(BaseModel):
    traces: list[TraceSummary]
    stored_traces: int
    max_traces: int
    max_spans_per_trace: int
    retention_seconds: float
    tracing_enabled: bool


class SpanEvent(BaseModel):
    name: str
    time: datetime
    attributes: dict[str, Any]


class SpanModel(BaseModel):
    span_id: str
    parent_span_id: str | None
    name: str
    kind: str
    start_time: datetime
    duration_ms: float
    status: Literal["UNSET", "OK", "ERROR"]
    status_message: str | None
    attributes: dict[str, Any]
    events: list[SpanEvent]


class TraceDetail(TraceSummary):
    spans: list[SpanModel]


class TraceExport(BaseModel):
    """An OTLP/JSON ``ExportTraceServiceRequest``."""

    resourceSpans: list[dict[str, Any]]  # noqa: N815 - the OTLP/JSON field name


class CleanupResult(BaseModel):
    removed: int
    remaining: int
    max_age_seconds: float


class SLODetail(BaseModel):
    status: SLOStatus
    definition: SLODefinition
    source_error: str | None


class DashboardResponse(BaseModel):
    uid: str
    title: str
    dashboard: dict[str, Any]


class HealthReport(BaseModel):
    status: Literal["ok"]
    uptime_seconds: float
    metrics_enabled: bool
    multiprocess: bool
    tracing_enabled: bool
    stored_traces: int
    log_format: str
    api_enabled: bool
    """Whether the token-protected endpoints are enabled (a token is configured)."""
