"""The /v1/observability API: every endpoint, the token guard, 404s, and both SLO sources."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aurum.observability.api import router
from aurum.observability.enhanced_logging import StructuredLoggingMiddleware
from aurum.observability.logs._schema import LOG_RECORD_SCHEMA
from aurum.observability.metrics import increment_business_transactions
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.slo_catalog import SLOManifest, bundled_slos
from aurum.observability.testing import override_settings
from aurum.observability.tracing_enhanced import trace_scenario_operation

from .conftest import TOKEN

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

AUTH = {"Authorization": f"Bearer {TOKEN}"}
PROTECTED = [
    ("GET", "/v1/observability/metrics/json"),
    ("GET", "/v1/observability/performance"),
    ("GET", "/v1/observability/traces"),
    ("GET", "/v1/observability/traces/0af7651916cd43dd8448eb211c80319c"),
    ("POST", "/v1/observability/traces/0af7651916cd43dd8448eb211c80319c/export"),
    ("POST", "/v1/observability/cleanup"),
    ("GET", "/v1/observability/slos"),
    ("GET", "/v1/observability/slos/api-availability"),
    ("GET", "/v1/observability/dashboard"),
    ("GET", "/v1/observability/logs/schema"),
]


@pytest.fixture
def client(metrics, spans) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router)
    app.add_middleware(StructuredLoggingMiddleware)

    @app.post("/api/scenarios")
    async def create() -> dict[str, str]:
        async with trace_scenario_operation("create", "s-1", "acme"):
            await increment_business_transactions("scenario_create", "scenario", "success")
        return {"id": "s-1"}

    with override_settings(observability_token=TOKEN), TestClient(app) as test_client:
        yield test_client


def test_twelve_endpoints_are_served(client):
    paths = {path for path in client.app.openapi()["paths"] if path.startswith("/v1/observability")}
    assert len(paths) == 12


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_protected_endpoints_need_the_bearer_token(client, method, path):
    missing = client.request(method, path)
    wrong = client.request(method, path, headers={"Authorization": "Bearer nope"})
    basic = client.request(method, path, headers={"Authorization": f"Basic {TOKEN}"})
    for response in (missing, wrong, basic):
        assert response.status_code == 401
        assert response.json()["detail"]["code"] == "unauthorized"
        assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_without_a_configured_token_protected_endpoints_are_403_with_a_hint(client, method, path):
    with override_settings(observability_token=None):
        response = client.request(method, path, headers=AUTH)
    assert response.status_code == 403
    assert response.json()["detail"]["code"] == "disabled"
    assert "AURUM_OBSERVABILITY_TOKEN" in response.json()["detail"]["message"]


def test_health_and_metrics_are_open(client):
    health = client.get("/v1/observability/health")
    assert health.status_code == 200
    assert health.json()["api_enabled"] is True
    assert client.get("/v1/observability/metrics").status_code == 200


def test_metrics_text_and_openmetrics(client):
    client.post("/api/scenarios")
    text = client.get("/v1/observability/metrics")
    assert text.headers["content-type"].startswith("text/plain; version=")
    labels = 'category="scenario",status="success",transaction="scenario_create"'
    assert f"aurum_business_transactions_total{{{labels}}} 1.0" in text.text
    open_metrics = client.get("/v1/observability/metrics", headers={"Accept": "application/openmetrics-text"})
    assert open_metrics.headers["content-type"].startswith("application/openmetrics-text")
    assert open_metrics.text.rstrip().endswith("# EOF")


def test_metrics_json(client):
    client.post("/api/scenarios")
    body = client.get("/v1/observability/metrics/json", headers=AUTH).json()
    family = next(f for f in body["families"] if f["name"] == "aurum_http_requests")
    assert family["type"] == "counter"
    assert family["samples"][0]["labels"]["path"] == "/api/scenarios"


def test_performance_reports_process_and_request_figures(client):
    for _ in range(5):
        client.post("/api/scenarios")
    body = client.get("/v1/observability/performance", headers=AUTH).json()
    assert body["requests"]["total"] == 5
    assert body["requests"]["latency_ms"]["p50"] is not None
    assert body["memory"]["rss_bytes"] > 0
    assert body["open_file_descriptors"] > 0
    assert len(body["gc"]["counts"]) == 3
    assert body["cpu"]["user_seconds"] > 0


def test_traces_list_detail_export_and_cleanup(client):
    client.post(
        "/api/scenarios", headers={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
    )
    listed = client.get("/v1/observability/traces", headers=AUTH).json()
    assert listed["max_spans_per_trace"] == 1000
    summary = next(t for t in listed["traces"] if t["trace_id"] == "0af7651916cd43dd8448eb211c80319c")
    assert summary["root_name"] == "POST /api/scenarios"
    assert summary["span_count"] == 2
    detail = client.get(f"/v1/observability/traces/{summary['trace_id']}", headers=AUTH).json()
    assert [span["name"] for span in detail["spans"]] == ["POST /api/scenarios", "scenario.create"]
    assert detail["spans"][1]["parent_span_id"] == detail["spans"][0]["span_id"]
    exported = client.post(f"/v1/observability/traces/{summary['trace_id']}/export", headers=AUTH).json()
    spans = exported["resourceSpans"][0]["scopeSpans"][0]["spans"]
    assert {span["traceId"] for span in spans} == {summary["trace_id"]}
    cleaned = client.post("/v1/observability/cleanup", params={"max_age_seconds": 0}, headers=AUTH).json()
    assert cleaned["removed"] >= 1
    assert cleaned["remaining"] == 0


@pytest.mark.parametrize("trace_id", ["0" * 32, "f" * 32, "not-a-trace-id", "abc"])
def test_unknown_trace_is_a_json_404(client, trace_id):
    for response in (
        client.get(f"/v1/observability/traces/{trace_id}", headers=AUTH),
        client.post(f"/v1/observability/traces/{trace_id}/export", headers=AUTH),
    ):
        assert response.status_code == 404
        assert response.json()["detail"]["code"] == "not_found"


def test_unknown_slo_is_a_json_404(client):
    response = client.get("/v1/observability/slos/no-such-slo", headers=AUTH)
    assert response.status_code == 404
    assert "api-availability" in response.json()["detail"]["message"]


def test_slos_from_process_counters(client):
    client.post("/api/scenarios")
    body = client.get("/v1/observability/slos", headers=AUTH).json()
    assert body["source"] == "process"
    creation = next(slo for slo in body["slos"] if slo["name"] == "scenario-creation")
    assert creation["sli_value"] == 1.0
    assert creation["status"] == "met"
    assert creation["objective"] == "0.995"
    detail = client.get("/v1/observability/slos/api-availability", headers=AUTH).json()
    assert detail["definition"]["sli"]["bad"] == [["status", "=~", "5.."]]
    assert detail["status"]["source"] == "process"


def test_dashboard_and_log_schema(client):
    dashboard = client.get("/v1/observability/dashboard", headers=AUTH).json()
    assert dashboard["uid"] == "aurum-slo-runtime"
    assert dashboard["dashboard"]["panels"]
    assert client.get("/v1/observability/logs/schema", headers=AUTH).json() == json.loads(
        json.dumps(LOG_RECORD_SCHEMA)
    )


# -- Prometheus as the SLO source ----------------------------------------------------------------
class FakePrometheus(BaseHTTPRequestHandler):
    """Answers /api/v1/query like Prometheus's HTTP API, with recorded output-contract series."""

    queries: ClassVar[list[str]] = []
    result: ClassVar[list[dict[str, Any]]] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        assert url.path == "/api/v1/query"
        FakePrometheus.queries.append(parse_qs(url.query)["query"][0])
        body = json.dumps(
            {"status": "success", "data": {"resultType": "vector", "result": self.result}}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


def series(name: str, slo: str, value: str) -> dict[str, Any]:
    return {"metric": {"__name__": name, "slo": slo, "service": "aurum-api"}, "value": [1700000000, value]}


@pytest.fixture
def prometheus() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePrometheus)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_slos_from_prometheus_read_the_output_contract(client, prometheus):
    FakePrometheus.queries = []
    FakePrometheus.result = [
        series("slo:sli_error:ratio_rate30d", "api-availability", "0.0005"),
        series("slo:period_error_budget_remaining:ratio", "api-availability", "0.5"),
        series("slo:period_burn_rate:ratio", "api-availability", "0.5"),
        # A five-minute spike: information beside the status, not a reason to change it.
        series("slo:current_burn_rate:ratio", "api-availability", "14.4"),
        series("slo:objective:ratio", "api-availability", "0.999"),
        series("slo:sli_error:ratio_rate30d", "api-latency", "0.2"),
        series("slo:period_error_budget_remaining:ratio", "api-latency", "-3"),
    ]
    with override_settings(prometheus_url=prometheus):
        body = client.get("/v1/observability/slos", headers=AUTH).json()
    assert body["source"] == "prometheus"
    assert len(FakePrometheus.queries) == 1
    assert "slo:period_error_budget_remaining:ratio" in FakePrometheus.queries[0]
    by_name = {slo["name"]: slo for slo in body["slos"]}
    availability = by_name["api-availability"]
    assert availability["sli_value"] == pytest.approx(0.9995)
    assert availability["status"] == "met"
    assert availability["current_burn_rate"] == pytest.approx(14.4)
    assert availability["period_burn_rate"] == pytest.approx(0.5)
    assert availability["burn_rate"] == availability["period_burn_rate"]
    assert "burning 14.4x faster than sustainable right now" in availability["detail"]
    # Only the period's budget was recorded: no burn rate is made up from another series.
    assert by_name["api-latency"]["current_burn_rate"] is None
    assert by_name["api-latency"]["period_burn_rate"] is None
    assert by_name["api-availability"]["window"] == "30d"
    assert by_name["api-latency"]["status"] == "breached"
    assert by_name["cache-hit-rate"]["status"] == "no_data"
    assert body["overall"] == "breached"


def test_unreachable_prometheus_falls_back_to_the_process_and_says_why(client):
    with override_settings(prometheus_url="http://127.0.0.1:9", prometheus_timeout_seconds=0.5):
        body = client.get("/v1/observability/slos", headers=AUTH).json()
    assert body["source"] == "process"
    assert "could not be queried" in body["source_error"]


def test_slos_come_from_the_build_manifest_when_configured(client, tmp_path: Path):
    slos = bundled_slos()
    manifest = SLOManifest(slos=(slos[0].model_copy(update={"name": "edge-availability"}),))
    path = tmp_path / "slos.json"
    path.write_text(manifest.model_dump_json())
    with override_settings(slo_manifest=path):
        body = client.get("/v1/observability/slos", headers=AUTH).json()
        assert [slo["name"] for slo in body["slos"]] == ["edge-availability"]
        assert client.get("/v1/observability/slos/edge-availability", headers=AUTH).status_code == 200


def test_a_configured_token_with_a_trailing_newline_still_matches(client, monkeypatch):
    # As read from a token file or a mounted secret.
    monkeypatch.setenv("AURUM_OBSERVABILITY_TOKEN", TOKEN + "\n")
    from_file = ObservabilitySettings().observability_token
    assert from_file is not None
    with override_settings(observability_token=from_file):
        assert client.get("/v1/observability/health").json()["api_enabled"] is True
        assert client.get("/v1/observability/traces", headers=AUTH).status_code == 200


def test_a_token_of_whitespace_only_is_no_token(client):
    assert ObservabilitySettings(observability_token=" \n").observability_token is None
    with override_settings(observability_token=" \n"):
        assert client.get("/v1/observability/health").json()["api_enabled"] is False
        assert client.get("/v1/observability/traces", headers=AUTH).status_code == 403
