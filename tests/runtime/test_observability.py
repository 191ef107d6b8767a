"""The injectable Observability: two applications in one process, configure() after first use, and
testing helpers that isolate by context instead of swapping the process's state."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from aurum.observability import Observability, runtime
from aurum.observability.api import observability_router
from aurum.observability.enhanced_logging import StructuredLoggingMiddleware, configure_logging, get_logger
from aurum.observability.metrics import increment_business_transactions, increment_rate_limit_decision
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.testing import (
    CapturedLogs,
    capture_logs,
    isolated,
    isolated_registry,
    override_settings,
    sample_value,
)
from aurum.observability.tracing_enhanced import trace_scenario_operation

from .conftest import TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}
CREATED = {"transaction": "scenario_create", "category": "scenario", "status": "success"}
REQUESTS = {"method": "POST", "path": "/api/scenarios", "status": "200", "tenant_id": ""}


def make_app(obs: Observability) -> FastAPI:
    app = FastAPI()
    app.include_router(observability_router(obs))
    app.add_middleware(StructuredLoggingMiddleware, observability=obs)

    @app.post("/api/scenarios")
    async def create() -> dict[str, str]:
        async with trace_scenario_operation("create", "s-1"):
            await increment_business_transactions("scenario_create", "scenario", "success")
        get_logger("aurum.api").info("created")
        return {"id": "s-1"}

    @app.get("/api/sync")
    def sync_handler() -> dict[str, str]:
        # FastAPI runs plain ``def`` endpoints in its thread pool, which copies the request's context.
        increment_business_transactions("scenario_run", "scenario", "success")
        return {}

    return app


def default_count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_two_apps_with_two_registries_each_count_only_their_own_requests():
    settings = ObservabilitySettings(observability_token=TOKEN)
    logs_a, logs_b = CapturedLogs(), CapturedLogs()
    obs_a = Observability(settings, log_stream=logs_a)
    obs_b = Observability(settings.model_copy(update={"service_name": "billing"}), log_stream=logs_b)
    before = default_count("aurum_business_transactions_total", **CREATED)
    try:
        with TestClient(make_app(obs_a)) as app_a, TestClient(make_app(obs_b)) as app_b:
            for _ in range(3):
                assert app_a.post("/api/scenarios").status_code == 200
            assert app_b.post("/api/scenarios").status_code == 200
            assert app_a.get("/api/sync").status_code == 200
            exposed_a = app_a.get("/v1/observability/metrics").text
            traces_b = app_b.get("/v1/observability/traces", headers=AUTH).json()
    finally:
        obs_a.shutdown()
        obs_b.shutdown()

    assert sample_value(obs_a.metrics, "aurum_http_requests_total", **REQUESTS) == 3
    assert sample_value(obs_b.metrics, "aurum_http_requests_total", **REQUESTS) == 1
    assert sample_value(obs_a.metrics, "aurum_business_transactions_total", **CREATED) == 3
    assert sample_value(obs_b.metrics, "aurum_business_transactions_total", **CREATED) == 1
    run = {**CREATED, "transaction": "scenario_run"}
    assert sample_value(obs_a.metrics, "aurum_business_transactions_total", **run) == 1
    assert sample_value(obs_b.metrics, "aurum_business_transactions_total", **run) is None
    # Nothing reached the process default's registry.
    assert default_count("aurum_business_transactions_total", **CREATED) == before
    # Each app's router serves its own registry and trace store.
    assert (
        'aurum_business_transactions_total{category="scenario",status="success",transaction="scenario_create"} 3.0'
        in exposed_a
    )
    assert traces_b["stored_traces"] == 1
    assert [(trace["root_name"], trace["service"]) for trace in traces_b["traces"]] == [
        ("POST /api/scenarios", "billing")
    ]
    # And each app's log lines (the handler's and the access log) went to its own stream.
    assert logs_a.messages().count("created") == 3
    assert logs_b.messages() == ["created", "request completed", "request completed"]
    assert [line["url_path"] for line in logs_b if "url_path" in line] == [
        "/api/scenarios",
        "/v1/observability/traces",
    ]


def test_an_observability_of_its_own_renders_in_its_format_and_drops_below_its_level():
    stream = io.StringIO()
    obs = Observability(ObservabilitySettings(log_format="console", log_level="WARNING"), log_stream=stream)
    with obs.activate():
        get_logger("aurum.app").info("dropped")
        get_logger("aurum.app").warning("kept", answer=42)
    (line,) = stream.getvalue().splitlines()
    assert "kept" in line and "answer=42" in line and not line.startswith("{")


def test_configure_after_first_use_applies_new_cardinality_caps():
    first, second = f"tenant-{uuid.uuid4()}", f"tenant-{uuid.uuid4()}"
    increment_rate_limit_decision(first, "allowed")  # first use: the default's metrics now exist
    runtime.configure(ObservabilitySettings(metrics_max_tenants=1))
    increment_rate_limit_decision(second, "allowed")
    assert default_count("aurum_rate_limit_decisions_total", tenant_id=second, result="allowed") == 0
    assert (
        default_count(
            "aurum_observability_cardinality_overflow_total",
            metric="aurum_rate_limit_decisions_total",
            reason="tenant_id",
        )
        >= 1
    )
    assert runtime.get_settings().metrics_max_tenants == 1


def test_configure_after_first_use_applies_log_level_and_format():
    stream = io.StringIO()
    configure_logging(ObservabilitySettings(), stream=stream)
    try:
        log = get_logger("aurum.app")
        log.info("json line")
        runtime.configure(ObservabilitySettings(log_format="console", log_level="WARNING"))
        log.info("dropped")
        log.warning("console line")
    finally:
        configure_logging(ObservabilitySettings())
    first, second = stream.getvalue().splitlines()
    assert json.loads(first)["message"] == "json line"
    assert "console line" in second and not second.startswith("{")


def test_configure_after_first_use_rebuilds_tracing_with_the_new_settings():
    store = runtime.tracing().store
    assert store is not None and store.max_traces == 1000
    runtime.configure(ObservabilitySettings(tracing_max_traces=2))
    rebuilt = runtime.tracing().store
    assert rebuilt is not None and rebuilt is not store and rebuilt.max_traces == 2
    runtime.configure(ObservabilitySettings(tracing_enabled=False))
    with trace_scenario_operation("create") as scope:
        assert not scope.span.is_recording()


GLOBAL_PROVIDER = """
from aurum.observability import runtime
from aurum.observability.settings import ObservabilitySettings
installed = ObservabilitySettings(tracing_global_provider=True)
runtime.configure(installed)
runtime.tracing()
runtime.configure(ObservabilitySettings(tracing_global_provider=True))  # the same tracing: fine
try:
    runtime.configure(ObservabilitySettings(tracing_global_provider=True, tracing_sample_rate=0.5))
except RuntimeError as exc:
    print("refused:", exc)
print("kept:", runtime.get_settings().tracing_sample_rate)
"""


def test_configure_refuses_new_tracing_settings_once_the_provider_is_global():
    # A subprocess: OpenTelemetry's global provider can be set once per process.
    done = subprocess.run(
        [sys.executable, "-c", GLOBAL_PROVIDER], capture_output=True, text=True, check=True, timeout=60
    )
    refused, kept = done.stdout.strip().splitlines()
    assert refused.startswith("refused: cannot change tracing_sample_rate")
    assert kept == "kept: 1.0"


def test_testing_helpers_leave_the_process_default_untouched():
    default = runtime.default()
    metrics, tracing = default.metrics, default.tracing
    with isolated_registry() as isolated_metrics, override_settings(service_name="other"), capture_logs():
        assert runtime.current() is not default
        assert runtime.metrics() is isolated_metrics
        assert runtime.get_settings().service_name == "other"
        assert default.metrics is metrics and default.tracing is tracing
        assert default.settings.service_name == "aurum-api"
    assert runtime.current() is default


def test_isolated_is_a_whole_observability_active_for_the_block():
    with isolated(service_name="isolated") as obs:
        assert runtime.current() is obs and obs.registry is not REGISTRY
        increment_business_transactions("scenario_create", "scenario", "success")
    assert sample_value(obs.metrics, "aurum_business_transactions_total", **CREATED) == 1
    assert obs.settings.service_name == "isolated"
    assert runtime.current() is runtime.default()


def test_isolation_is_per_thread_a_plain_thread_records_into_the_default():
    before = default_count("aurum_business_transactions_total", **CREATED)
    with isolated_registry() as metrics:
        thread = threading.Thread(
            target=lambda: increment_business_transactions("scenario_create", "scenario", "success")
        )
        thread.start()
        thread.join()
        increment_business_transactions("scenario_create", "scenario", "success")
    assert sample_value(metrics, "aurum_business_transactions_total", **CREATED) == 1
    assert default_count("aurum_business_transactions_total", **CREATED) == before + 1


def test_concurrent_isolated_registries_in_two_threads_each_count_their_own():
    results: dict[int, float | None] = {}
    barrier = threading.Barrier(2)

    def count(times: int) -> None:
        with isolated_registry() as metrics:
            barrier.wait()
            for _ in range(times):
                increment_business_transactions("scenario_create", "scenario", "success")
            barrier.wait()
            results[times] = sample_value(metrics, "aurum_business_transactions_total", **CREATED)

    threads = [threading.Thread(target=count, args=(times,)) for times in (3, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {3: 3, 5: 5}
