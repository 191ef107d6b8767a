"""The ``/v1/observability`` FastAPI router: the spec's twelve endpoints.

``app.include_router(router)`` mounts it. ``health`` and ``metrics`` are open (probes and scrapers);
everything else needs the bearer token (see :mod:`aurum.observability.api._security`). Endpoints that
read files, ``/proc`` or Prometheus are plain ``def`` so FastAPI runs them in its thread pool instead of
blocking the event loop.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the endpoint annotations at runtime.

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response

from aurum.observability import runtime
from aurum.observability.api._models import (
    CleanupResult,
    DashboardResponse,
    ErrorResponse,
    HealthReport,
    MetricFamily,
    MetricsJSON,
    PerformanceReport,
    SLODetail,
    TraceDetail,
    TraceExport,
    TraceList,
)
from aurum.observability.api._process_stats import performance_report
from aurum.observability.api._security import api_error, require_token
from aurum.observability.api._trace_views import parse_trace_id, trace_detail, trace_summary
from aurum.observability.logs._schema import LOG_RECORD_SCHEMA
from aurum.observability.metrics._exposition import (
    is_multiprocess,
    metrics_json,
    reading_registry,
    render_metrics,
)
from aurum.observability.metrics._reading import collect_samples
from aurum.observability.slo._status import SLOStatusReport
from aurum.observability.slo_dashboard import check_slo_status, get_slo_dashboard_config
from aurum.observability.tracing._otlp_json import encode_trace
from aurum.observability.tracing._store import StoredTrace, TraceStore

__all__ = ["PREFIX", "router"]

PREFIX = "/v1/observability"

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse}}

router = APIRouter(prefix=PREFIX, tags=["observability"])
# Everything registered on ``protected`` needs the token; it is included into ``router`` at the end.
protected = APIRouter(
    dependencies=[Depends(require_token)],
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)


def _store() -> TraceStore | None:
    return runtime.tracing().store


def _trace_or_404(trace_id: str) -> StoredTrace:
    store = _store()
    parsed = parse_trace_id(trace_id)
    found = store.get(parsed) if store is not None and parsed is not None else None
    if found is None:
        raise api_error(404, "not_found", f"No stored trace {trace_id!r} (32 hex digits; traces expire).")
    return found


@router.get("/metrics", response_class=Response, summary="Prometheus metrics (OpenMetrics when asked)")
def get_metrics(accept: Annotated[str | None, Header()] = None) -> Response:
    body, content_type = render_metrics(runtime.metrics().registry, accept)
    return Response(content=body, media_type=content_type)


@protected.get("/metrics/json", summary="Metrics as JSON")
def get_metrics_json() -> MetricsJSON:
    families = [MetricFamily.model_validate(family) for family in metrics_json(runtime.metrics().registry)]
    return MetricsJSON(multiprocess=is_multiprocess(), families=families)


@protected.get("/performance", summary="Process performance")
def get_performance() -> PerformanceReport:
    state = runtime.current()
    samples = collect_samples(reading_registry(runtime.metrics().registry))
    return performance_report(samples, started_at=state.started_at, started_monotonic=state.started_monotonic)


@protected.get("/traces", summary="Stored traces, newest first")
def list_traces(limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> TraceList:
    settings = runtime.get_settings()
    store = _store()
    traces = store.traces(limit) if store is not None else []
    return TraceList(
        traces=[trace_summary(trace) for trace in traces],
        stored_traces=len(store) if store is not None else 0,
        max_traces=settings.tracing_max_traces,
        max_spans_per_trace=settings.tracing_max_spans_per_trace,
        retention_seconds=settings.tracing_retention_seconds,
        tracing_enabled=store is not None,
    )


@protected.get("/traces/{trace_id}", summary="One trace with its spans", responses=_NOT_FOUND)
def get_trace(trace_id: str) -> TraceDetail:
    return trace_detail(_trace_or_404(trace_id))


@protected.post("/traces/{trace_id}/export", summary="One trace as OTLP/JSON", responses=_NOT_FOUND)
def export_trace(trace_id: str) -> TraceExport:
    return TraceExport.model_validate(encode_trace(_trace_or_404(trace_id)))


@protected.post("/cleanup", summary="Remove traces older than the retention")
def cleanup_traces(max_age_seconds: Annotated[float | None, Query(ge=0)] = None) -> CleanupResult:
    store = _store()
    age = (
        float(runtime.get_settings().tracing_retention_seconds)
        if max_age_seconds is None
        else max_age_seconds
    )
    removed = store.cleanup(age) if store is not None else 0
    return CleanupResult(
        removed=removed, remaining=len(store) if store is not None else 0, max_age_seconds=age
    )


@protected.get("/slos", summary="Status of every SLO")
def list_slos() -> SLOStatusReport:
    return check_slo_status()


@protected.get("/slos/{name}", summary="One SLO: definition and status", responses=_NOT_FOUND)
def get_slo(name: str) -> SLODetail:
    report = check_slo_status()
    status = report.by_name(name)
    definition = next((slo for slo in get_slo_dashboard_config().slos if slo.name == name), None)
    if status is None or definition is None:
        known = ", ".join(slo.name for slo in report.slos)
        raise api_error(404, "not_found", f"No SLO named {name!r}; known SLOs: {known}.")
    return SLODetail(status=status, definition=definition, source_error=report.source_error)


@protected.get("/dashboard", summary="Grafana dashboard JSON over the SLO series")
def get_dashboard() -> DashboardResponse:
    dashboard = get_slo_dashboard_config().generate_grafana_dashboard()
    return DashboardResponse(uid=dashboard["uid"], title=dashboard["title"], dashboard=dashboard)


@router.get("/health", summary="Observability system health")
def get_health() -> HealthReport:
    settings = runtime.get_settings()
    token = settings.observability_token
    store = runtime.tracing().store
    return HealthReport(
        status="ok",
        uptime_seconds=round(time.monotonic() - runtime.current().started_monotonic, 3),
        metrics_enabled=settings.metrics_enabled,
        multiprocess=is_multiprocess(),
        tracing_enabled=settings.tracing_enabled,
        stored_traces=len(store) if store is not None else 0,
        log_format=settings.log_format,
        api_enabled=token is not None and bool(token.get_secret_value()),
    )


@protected.get("/logs/schema", summary="JSON Schema of one log line")
def get_log_schema() -> dict[str, Any]:
    return LOG_RECORD_SCHEMA


router.include_router(protected)
