"""The ``/v1/observability`` FastAPI router: the spec's twelve endpoints.

``app.include_router(router)`` mounts the router of the Observability in force at each request (the
process default, or the one the middleware was given); ``observability_router(obs)`` builds one
bound to ``obs``. ``health`` and ``metrics`` are open (probes and scrapers); everything else needs the
bearer token (see :mod:`aurum.observability.api._security`). Endpoints that read files, ``/proc`` or
Prometheus are plain ``def`` so FastAPI runs them in its thread pool instead of blocking the event
loop.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the endpoint annotations at runtime.

import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response

from aurum.observability import runtime
from aurum.observability._observability import Observability
from aurum.observability.api._models import (
    CleanupResult,
    DashboardResponse,
    ErrorResponse,
    HealthReport,
    MetricFamily,
    MetricsJSON,
    SLODetail,
    TraceDetail,
    TraceExport,
    TraceList,
)
from aurum.observability.api._security import api_error, token_guard
from aurum.observability.api._trace_views import parse_trace_id, trace_detail, trace_summary
from aurum.observability.logs._schema import LOG_RECORD_SCHEMA
from aurum.observability.metrics._exposition import (
    is_multiprocess,
    metrics_json,
    reading_registry,
    render_metrics,
)
from aurum.observability.metrics._reading import collect_samples
from aurum.observability.performance._models import PerformanceReport
from aurum.observability.performance._report import performance_report
from aurum.observability.slo._status import SLOStatusReport
from aurum.observability.slo_dashboard import check_slo_status, get_slo_dashboard_config
from aurum.observability.tracing._otlp_json import encode_trace
from aurum.observability.tracing._store import StoredTrace

__all__ = ["PREFIX", "observability_router", "router"]

PREFIX = "/v1/observability"

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse}}


def _trace_or_404(obs: Observability, trace_id: str) -> StoredTrace:
    store = obs.trace_store
    parsed = parse_trace_id(trace_id)
    found = store.get(parsed) if store is not None and parsed is not None else None
    if found is None:
        raise api_error(404, "not_found", f"No stored trace {trace_id!r} (32 hex digits; traces expire).")
    return found


def _metrics_json(obs: Observability) -> MetricsJSON:
    families = [MetricFamily.model_validate(family) for family in metrics_json(obs.registry)]
    return MetricsJSON(multiprocess=is_multiprocess(), families=families)


def _performance(obs: Observability) -> PerformanceReport:
    samples = collect_samples(reading_registry(obs.registry))
    return performance_report(
        samples,
        started_at=obs.started_at,
        started_monotonic=obs.started_monotonic,
        prefix=obs.settings.metrics_prefix,
        tracking=obs.performance_tracking(),
    )


def _trace_list(obs: Observability, limit: int) -> TraceList:
    settings = obs.settings
    store = obs.trace_store
    traces = store.traces(limit) if store is not None else []
    return TraceList(
        traces=[trace_summary(trace) for trace in traces],
        stored_traces=len(store) if store is not None else 0,
        max_traces=settings.tracing_max_traces,
        max_spans_per_trace=settings.tracing_max_spans_per_trace,
        retention_seconds=settings.tracing_retention_seconds,
        tracing_enabled=store is not None,
    )


def _cleanup(obs: Observability, max_age_seconds: float | None) -> CleanupResult:
    store = obs.trace_store
    age = float(obs.settings.tracing_retention_seconds) if max_age_seconds is None else max_age_seconds
    removed = store.cleanup(age) if store is not None else 0
    return CleanupResult(
        removed=removed, remaining=len(store) if store is not None else 0, max_age_seconds=age
    )


def _slo_detail(obs: Observability, name: str) -> SLODetail:
    report = check_slo_status(observability=obs)
    status = report.by_name(name)
    definition = next(
        (slo for slo in get_slo_dashboard_config(observability=obs).slos if slo.name == name), None
    )
    if status is None or definition is None:
        known = ", ".join(slo.name for slo in report.slos)
        raise api_error(404, "not_found", f"No SLO named {name!r}; known SLOs: {known}.")
    return SLODetail(status=status, definition=definition, source_error=report.source_error)


def _dashboard(obs: Observability) -> DashboardResponse:
    dashboard = get_slo_dashboard_config(observability=obs).generate_grafana_dashboard()
    return DashboardResponse(uid=dashboard["uid"], title=dashboard["title"], dashboard=dashboard)


def _health(obs: Observability) -> HealthReport:
    settings = obs.settings
    token = settings.observability_token
    store = obs.trace_store
    return HealthReport(
        status="ok",
        uptime_seconds=round(time.monotonic() - obs.started_monotonic, 3),
        metrics_enabled=settings.metrics_enabled,
        multiprocess=is_multiprocess(),
        tracing_enabled=settings.tracing_enabled,
        stored_traces=len(store) if store is not None else 0,
        log_format=settings.log_format,
        api_enabled=token is not None and bool(token.get_secret_value()),
    )


def observability_router(observability: Observability | None = None) -> APIRouter:
    """The ``/v1/observability`` router of ``observability``; without one, of the Observability in
    force at each request."""
    current: Callable[[], Observability] = (
        runtime.current if observability is None else (lambda: observability)
    )
    router = APIRouter(prefix=PREFIX, tags=["observability"])
    # Everything registered on ``protected`` needs the token; it is included into ``router`` at the end.
    protected = APIRouter(
        dependencies=[Depends(token_guard(current))],
        responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
    )

    @router.get("/metrics", response_class=Response, summary="Prometheus metrics (OpenMetrics when asked)")
    def get_metrics(accept: Annotated[str | None, Header()] = None) -> Response:
        body, content_type = render_metrics(current().registry, accept)
        return Response(content=body, media_type=content_type)

    @protected.get("/metrics/json", summary="Metrics as JSON")
    def get_metrics_json() -> MetricsJSON:
        return _metrics_json(current())

    @protected.get("/performance", summary="Process performance")
    def get_performance() -> PerformanceReport:
        return _performance(current())

    @protected.get("/traces", summary="Stored traces, newest first")
    def list_traces(limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> TraceList:
        return _trace_list(current(), limit)

    @protected.get("/traces/{trace_id}", summary="One trace with its spans", responses=_NOT_FOUND)
    def get_trace(trace_id: str) -> TraceDetail:
        return trace_detail(_trace_or_404(current(), trace_id))

    @protected.post("/traces/{trace_id}/export", summary="One trace as OTLP/JSON", responses=_NOT_FOUND)
    def export_trace(trace_id: str) -> TraceExport:
        return TraceExport.model_validate(encode_trace(_trace_or_404(current(), trace_id)))

    @protected.post("/cleanup", summary="Remove traces older than the retention")
    def cleanup_traces(max_age_seconds: Annotated[float | None, Query(ge=0)] = None) -> CleanupResult:
        return _cleanup(current(), max_age_seconds)

    @protected.get("/slos", summary="Status of every SLO")
    def list_slos() -> SLOStatusReport:
        return check_slo_status(observability=current())

    @protected.get("/slos/{name}", summary="One SLO: definition and status", responses=_NOT_FOUND)
    def get_slo(name: str) -> SLODetail:
        return _slo_detail(current(), name)

    @protected.get("/dashboard", summary="Grafana dashboard JSON over the SLO series")
    def get_dashboard() -> DashboardResponse:
        return _dashboard(current())

    @router.get("/health", summary="Observability system health")
    def get_health() -> HealthReport:
        return _health(current())

    @protected.get("/logs/schema", summary="JSON Schema of one log line")
    def get_log_schema() -> dict[str, Any]:
        return LOG_RECORD_SCHEMA

    router.include_router(protected)
    return router


router = observability_router()
"""The spec's router: it serves the Observability in force at each request."""
