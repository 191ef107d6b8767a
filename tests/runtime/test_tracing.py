"""Tracing helpers (sync and async), semantic conventions, sampling, and exporter set-up."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, StatusCode

from aurum.observability import runtime
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.testing import captured_spans, isolated_registry, override_settings, sample_value
from aurum.observability.tracing._setup import build_tracing
from aurum.observability.tracing_enhanced import (
    trace_cache_operation,
    trace_database_query,
    trace_operation,
    trace_scenario_operation,
)


def test_helpers_work_with_plain_with_and_nest(spans):
    with trace_scenario_operation("run", "s-1", "acme", run_id="r-1"):  # noqa: SIM117 - nesting is the point
        with trace_database_query("select", "run", tenant_id="acme", system="postgresql", namespace="aurum"):
            pass
    scenario = spans.by_name("scenario.run")
    query = spans.by_name("select run")
    assert query.parent.span_id == scenario.context.span_id
    assert query.kind is SpanKind.CLIENT
    assert dict(query.attributes) == {
        "db.system.name": "postgresql",
        "db.operation.name": "select",
        "db.collection.name": "run",
        "db.namespace": "aurum",
        "aurum.tenant.id": "acme",
    }
    assert dict(scenario.attributes) == {
        "aurum.scenario.operation": "run",
        "aurum.scenario.id": "s-1",
        "aurum.tenant.id": "acme",
        "aurum.scenario.run_id": "r-1",
    }


def test_async_helpers_keep_context_across_awaits(spans):
    async def work() -> None:
        async with trace_scenario_operation("create", "s-2"):
            await asyncio.sleep(0)
            async with trace_cache_operation("get", cache_type="scenario", key="s-2") as cache:
                await asyncio.sleep(0)
                cache.miss()

    asyncio.run(work())
    parent = spans.by_name("scenario.create")
    child = spans.by_name("cache.get")
    assert child.parent.span_id == parent.context.span_id
    assert child.attributes["aurum.cache.hit"] is False


def test_exceptions_are_recorded_with_error_status_and_reraised(spans):
    with pytest.raises(TimeoutError), trace_database_query("insert", "scenario"):
        raise TimeoutError("db timeout")
    span = spans.by_name("insert scenario")
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "TimeoutError: db timeout"
    assert span.attributes["error.type"] == "TimeoutError"
    (event,) = span.events
    assert event.name == "exception"
    assert event.attributes["exception.type"] == "TimeoutError"


def test_cancellation_is_not_an_error(spans):
    async def cancelled() -> None:
        async with trace_operation("poll"):
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancelled())
    assert spans.by_name("poll").status.status_code is StatusCode.UNSET


def test_database_helper_observes_latency_and_logs_slow_queries(metrics, spans, logs):
    with override_settings(slow_query_threshold_ms=1):
        with trace_database_query("select", "curve"):
            pass
        with trace_database_query("select", "curve"):
            import time

            time.sleep(0.005)
    assert (
        sample_value(metrics, "aurum_db_query_duration_seconds_count", operation="select", table="curve") == 2
    )
    slow = [record for record in logs if record["message"] == "slow database query"]
    assert len(slow) == 1
    assert slow[0]["table"] == "curve"
    assert slow[0]["duration_ms"] >= 5
    slow_span = spans.finished()[-1]
    assert slow[0]["span_id"] == format(slow_span.context.span_id, "016x")


def test_cache_helper_counts_hits_misses_and_errors(metrics, spans):
    with trace_cache_operation("get", "scenario", "a") as op:
        op.hit()
    with trace_cache_operation("get", "scenario", "b") as op:
        op.miss()
    with pytest.raises(ConnectionError), trace_cache_operation("get", "scenario", "c"):
        raise ConnectionError
    with trace_cache_operation("set", "scenario", "a"):
        pass  # no result given: traced, not counted
    counts = {
        result: sample_value(
            metrics, "aurum_cache_operations_total", cache_type="scenario", operation="get", result=result
        )
        for result in ("hit", "miss", "error")
    }
    assert counts == {"hit": 1, "miss": 1, "error": 1}
    assert (
        sample_value(
            metrics, "aurum_cache_operations_total", cache_type="scenario", operation="set", result="hit"
        )
        is None
    )
    assert len(spans.finished()) == 4


def test_scope_stands_in_for_its_span(spans):
    with trace_operation("annotated", step=1) as scope:
        scope.set_attribute("rows", 3)
        scope.add_event("checkpoint")
    span = spans.by_name("annotated")
    assert span.attributes["rows"] == 3
    assert span.attributes["step"] == 1
    assert [event.name for event in span.events] == ["checkpoint"]


def test_sample_rate_zero_records_no_new_root_traces():
    with captured_spans(sample_rate=0.0) as spans:
        for _ in range(50):
            with trace_operation("unsampled"):
                pass
    assert spans.finished() == ()


def test_parent_based_sampling_follows_a_sampled_remote_parent():
    from opentelemetry.propagate import extract

    parent = extract({"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})
    with captured_spans(sample_rate=0.0) as spans:
        tracer = runtime.tracing().tracer
        with tracer.start_as_current_span("child", context=parent):
            pass
    (span,) = spans.finished()
    assert span.context.trace_id == 0x0AF7651916CD43DD8448EB211C80319C
    assert span.parent.span_id == 0xB7AD6B7169203331


def test_ratio_sampling_keeps_about_the_ratio():
    with captured_spans(sample_rate=0.25) as spans:
        for _ in range(2000):
            with trace_operation("maybe"):
                pass
    assert 350 < len(spans.finished()) < 650


def test_tracing_disabled_gives_no_spans_but_metrics_still_count():
    runtime.configure(ObservabilitySettings(tracing_enabled=False))
    with isolated_registry() as metrics, trace_database_query("select", "curve") as scope:
        assert not scope.span.is_recording()
    assert runtime.tracing().store is None
    assert (
        sample_value(metrics, "aurum_db_query_duration_seconds_count", operation="select", table="curve") == 1
    )


def test_otlp_exporter_is_added_when_the_endpoint_is_set(monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    provider = build_tracing(ObservabilitySettings()).provider
    assert provider is not None  # tracing is enabled by default
    try:
        processors = provider._active_span_processor._span_processors
        exporters = [
            type(p._batch_processor._exporter).__name__
            for p in processors
            if isinstance(p, BatchSpanProcessor)
        ]
        assert exporters == ["OTLPSpanExporter"]
    finally:
        provider.shutdown()


def test_no_otlp_exporter_without_the_endpoint():
    provider = build_tracing(ObservabilitySettings()).provider
    assert provider is not None  # tracing is enabled by default
    processors = provider._active_span_processor._span_processors
    assert not any(isinstance(p, BatchSpanProcessor) for p in processors)


def test_global_provider_is_opt_in():
    runtime.configure(ObservabilitySettings())
    runtime.tracing()
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def test_service_name_is_on_the_resource(spans):
    with trace_operation("named"):
        pass
    assert spans.by_name("named").resource.attributes["service.name"] == "aurum-api"
