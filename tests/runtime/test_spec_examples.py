"""Every Python example of the spec runs as written against the shim.

The blocks are executed in document order in one namespace, as a reader following the document would:
later blocks use names that earlier ones imported (the FastAPI example calls ``get_logger`` imported by
the logging example). Where the spec itself leaves a name undefined, the test says so and supplies only
that name.
"""

from __future__ import annotations

import ast
import asyncio
import json
import logging
import sys
import time
import types
from decimal import Decimal
from typing import Any

import httpx
import pytest

from aurum.observability.settings import ObservabilitySettings
from aurum.observability.testing import sample_value

from .spec_examples import DATA, SHARED, blocks

PY = blocks("python")


def run(code: str, namespace: dict[str, Any]) -> None:
    """Execute a block; top-level ``await`` (as in the business-metrics example) is allowed."""
    compiled = compile(code, "<spec>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(compiled, namespace)  # the spec's own examples, by design
    if asyncio.iscoroutine(result):
        asyncio.run(result)


def test_vendored_spec_matches_shared_copy():
    """The examples tested here are the spec's current ones (when shared/ is beside the repository)."""
    if SHARED.exists():
        assert DATA.read_text() == SHARED.read_text()
    assert len(PY) == 10


def test_structured_logging_example(metrics, spans, logs, log_validator):
    ns: dict[str, Any] = {}
    run(PY["Structured Logging"], ns)
    asyncio.run(ns["create_scenario"]())
    # The block logs "created" when it runs, then create_scenario() logs start and completion.
    created, started, completed = [record for record in logs if record["logger"] == "aurum.api.scenarios"]
    assert started["message"] == "create_scenario started"
    assert completed["message"] == "create_scenario completed"
    assert completed["component"] == "scenario"
    assert completed["operation"] == "create_scenario"
    assert isinstance(completed["duration_ms"], float)
    assert created == {
        "timestamp": created["timestamp"],
        "level": "INFO",
        "message": "Scenario created successfully",
        "logger": "aurum.api.scenarios",
        "tenant_id": "acme-corp",
        "duration_ms": 45.2,
        "scenario_id": "scenario-123",
    }
    for record in logs:
        log_validator.validate(record)


def test_spec_log_record_example_is_valid_and_ours_has_its_fields(logs, log_validator):
    example = json.loads(blocks("json")["📋 Structured Logging (`enhanced_logging.py`)"])
    log_validator.validate(example)
    from aurum.observability.enhanced_logging import bound_context, get_logger

    with bound_context(request_id="req-12345678", tenant_id="acme-corp"):
        get_logger("aurum.api").info(
            "Scenario creation completed", component="scenario", operation="create", duration_ms=45.2
        )
    ours = logs[-1]
    assert set(example) <= set(ours)
    assert {key: type(value) for key, value in example.items() if key != "timestamp"} == {
        key: type(ours[key]) for key in example if key != "timestamp"
    }


def test_tracing_example_needs_its_missing_import_and_then_traces(spans):
    ns: dict[str, Any] = {}
    run(PY["Tracing Operations"], ns)
    # The spec's block uses trace_cache_operation without importing it: as written it cannot run.
    with pytest.raises(NameError, match="trace_cache_operation"):
        asyncio.run(ns["create_scenario_with_tracing"]("scenario-1", "acme-corp"))
    spans.clear()
    run(
        "from aurum.observability.tracing_enhanced import trace_cache_operation\n" + PY["Tracing Operations"],
        ns,
    )
    asyncio.run(ns["create_scenario_with_tracing"]("scenario-1", "acme-corp"))
    scenario = spans.by_name("scenario.create")
    insert = spans.by_name("insert scenario")
    cache = spans.by_name("cache.set")
    assert insert.parent.span_id == scenario.context.span_id
    assert cache.parent.span_id == scenario.context.span_id
    assert scenario.attributes["aurum.scenario.id"] == "scenario-1"
    assert insert.attributes["db.collection.name"] == "scenario"
    assert cache.attributes["aurum.cache.key"] == "scenario-1"


def test_business_metrics_example_counts(metrics):
    run(PY["Business Metrics"], {})
    for transaction in ("scenario_create", "scenario_run"):
        labels = {"transaction": transaction, "category": "scenario", "status": "success"}
        assert sample_value(metrics, "aurum_business_transactions_total", **labels) == 1


def test_performance_monitoring_example(metrics):
    ns: dict[str, Any] = {}
    run(PY["Performance Monitoring"], ns)
    assert ns["slo_status"].source == "process"
    assert set(ns["slis"]) == {
        "api-availability",
        "api-latency",
        "scenario-creation",
        "scenario-runs",
        "data-freshness",
        "cache-hit-rate",
    }
    config = ns["grafana_config"]
    json.dumps(config)  # plain JSON, no grafanalib objects
    assert config["uid"] == "aurum-slo-runtime"


def test_settings_example_defaults_are_ours(monkeypatch):
    core = types.ModuleType("aurum.core")
    core.AurumSettings = type("AurumSettings", (), {})  # type: ignore[attr-defined]  # a stub module's attribute
    monkeypatch.setitem(sys.modules, "aurum.core", core)  # a stub: aurum.core is not this repository's
    ns: dict[str, Any] = {}
    run(PY["Settings Integration"], ns)
    spec_class = ns["ObservabilitySettings"]
    ours = ObservabilitySettings()
    spec_fields = {name: value for name, value in vars(spec_class).items() if not name.startswith("_")}
    assert len(spec_fields) == 12
    for name, value in spec_fields.items():
        assert getattr(ours, name) == value, name


def test_environment_variables_example(monkeypatch):
    for line in blocks("bash")["Environment Variables"].splitlines():
        if "=" in line and not line.startswith("#"):
            name, value = line.split("=", 1)
            monkeypatch.setenv(name, value)
    settings = ObservabilitySettings()
    assert settings.log_level == "INFO"
    assert settings.log_format == "json"
    assert settings.tracing_enabled is True
    assert settings.tracing_sample_rate == 1.0
    assert settings.metrics_enabled is True
    assert settings.metrics_prefix == "aurum_"
    assert settings.slo_api_availability_target == Decimal("0.999")
    assert settings.slo_api_latency_target == Decimal(500)
    assert settings.slo_scenario_success_target == Decimal("0.95")


def test_debug_mode_example_enables_debug_lines(logs):
    from aurum.observability.enhanced_logging import get_logger

    logging.getLogger().setLevel(logging.INFO)
    log = get_logger("aurum.observability.example")
    log.debug("hidden")
    run(PY["Debug Mode"], {})
    log.debug("shown")
    assert logs.messages() == ["shown"]
    logging.getLogger("aurum.observability").setLevel(logging.NOTSET)


def test_performance_profiling_example_observes_latency(metrics):
    # The block uses ``time`` and ``result`` without defining them; the test supplies exactly those.
    ns: dict[str, Any] = {"time": time, "result": {"ok": True}}
    run(PY["Performance Profiling"], ns)
    assert asyncio.run(ns["api_endpoint"]()) == {"ok": True}
    labels = {"method": "POST", "path": "/api/scenarios"}
    assert sample_value(metrics, "aurum_http_request_duration_seconds_count", **labels) == 1


def test_fastapi_example_gives_metrics_logs_and_spans(metrics, spans, logs, log_validator):
    ns: dict[str, Any] = {}
    run(PY["Structured Logging"], ns)  # the FastAPI block relies on this block's imports
    run(PY["FastAPI Application"], ns)

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=ns["app"])
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get(
                "/api/scenarios", headers={"X-Request-ID": "req-abc", "X-Tenant-ID": "acme"}
            )

    response = asyncio.run(call())
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-abc"
    labels = {"method": "GET", "path": "/api/scenarios", "status": "200", "tenant_id": "acme"}
    assert sample_value(metrics, "aurum_http_requests_total", **labels) == 1
    server = spans.by_name("GET /api/scenarios")
    assert server.attributes["http.route"] == "/api/scenarios"
    operation_logs = [record for record in logs if record.get("operation") == "list_scenarios"]
    assert [record["message"] for record in operation_logs] == [
        "list_scenarios started",
        "list_scenarios completed",
    ]
    for record in operation_logs:
        assert record["request_id"] == "req-abc"
        assert record["trace_id"] == format(server.context.trace_id, "032x")
    for record in logs:
        log_validator.validate(record)


def test_background_worker_example(spans):
    ns: dict[str, Any] = {}
    run(PY["Background Worker"], ns)
    asyncio.run(ns["process_scenario_run"]("scenario-9", "run-3"))
    span = spans.by_name("scenario.process")
    assert span.attributes["aurum.scenario.id"] == "scenario-9"
    assert span.attributes["aurum.scenario.run_id"] == "run-3"


def test_database_operations_example(metrics, spans):
    ns: dict[str, Any] = {}
    run(PY["Database Operations"], ns)
    asyncio.run(ns["create_scenario_record"]({"name": "x"}))
    span = spans.by_name("insert scenario")
    assert span.attributes["db.operation.name"] == "insert"
    labels = {"operation": "insert", "table": "scenario"}
    assert sample_value(metrics, "aurum_db_query_duration_seconds_count", **labels) == 1
