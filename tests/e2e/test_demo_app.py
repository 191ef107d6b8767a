"""The demo app in process: healthy by default, and each fault switch moves the metric its SLO reads."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from aurum.observability.metrics._instruments import AurumMetrics
from aurum.observability.testing import capture_logs, isolated_registry, sample_value
from examples.demo_app.app import create_app
from examples.demo_app.backend import RateLimiter
from examples.demo_app.faults import STALE_AGE_SECONDS
from examples.demo_app.refresh import DATASETS

TENANT = {"X-Tenant-ID": "acme-corp"}


@dataclass
class Demo:
    client: TestClient
    metrics: AurumMetrics

    def value(self, name: str, **labels: str) -> float:
        return sample_value(self.metrics, name, **labels) or 0.0

    def create(self) -> str:
        response = self.client.post("/api/scenarios", json={"name": "forecast"}, headers=TENANT)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


@pytest.fixture
def demo() -> Iterator[Demo]:
    # capture_logs keeps the JSON lines off the test output; the registry is this test's alone.
    with capture_logs(), isolated_registry() as metrics, TestClient(create_app()) as client:
        yield Demo(client, metrics)


def test_healthy_by_default_every_request_succeeds_and_reads_hit_the_cache(demo: Demo) -> None:
    scenario = demo.create()
    assert demo.client.get(f"/api/scenarios/{scenario}", headers=TENANT).status_code == 200
    assert demo.client.post(f"/api/scenarios/{scenario}/runs", headers=TENANT).status_code == 202
    assert demo.client.get("/api/scenarios", headers=TENANT).json() == [scenario]
    cache = {"cache_type": "scenario", "operation": "get"}
    assert demo.value("aurum_cache_operations_total", **cache, result="hit") == 1
    assert demo.value("aurum_cache_operations_total", **cache, result="miss") == 0
    runs = {"transaction": "scenario_run", "category": "scenario"}
    assert demo.value("aurum_business_transactions_total", **runs, status="success") == 1
    assert demo.value("aurum_db_pool_connections", pool="primary", state="max") == 10
    assert demo.value("aurum_db_query_duration_seconds_count", operation="select", table="scenario") == 1


def test_an_error_rate_of_one_fails_every_request_and_every_business_transaction(demo: Demo) -> None:
    scenario = demo.create()
    demo.client.put("/demo/faults", json={"error_rate": 1})
    assert demo.client.get(f"/api/scenarios/{scenario}", headers=TENANT).status_code == 503
    assert demo.client.post("/api/scenarios", json={"name": "x"}, headers=TENANT).status_code == 503
    assert demo.client.post(f"/api/scenarios/{scenario}/runs", headers=TENANT).status_code == 503
    failures = {"category": "scenario", "status": "failure"}
    assert demo.value("aurum_business_transactions_total", transaction="scenario_create", **failures) == 1
    assert demo.value("aurum_business_transactions_total", transaction="scenario_run", **failures) == 1
    route = {"method": "GET", "path": "/api/scenarios/{scenario_id}", "tenant_id": "acme-corp"}
    assert demo.value("aurum_http_requests_total", **route, status="503") == 1
    demo.client.put("/demo/faults", json={})
    assert demo.client.get(f"/api/scenarios/{scenario}", headers=TENANT).status_code == 200


def test_added_latency_puts_requests_past_the_latency_slo_threshold(demo: Demo) -> None:
    demo.client.put("/demo/faults", json={"latency_seconds": 0.6})
    demo.client.get("/api/scenarios", headers=TENANT)
    route = {"method": "GET", "path": "/api/scenarios"}
    assert demo.value("aurum_http_request_duration_seconds_bucket", **route, le="0.5") == 0
    assert demo.value("aurum_http_request_duration_seconds_bucket", **route, le="1.0") == 1


def test_a_cache_miss_rate_of_one_sends_every_read_to_the_database(demo: Demo) -> None:
    scenario = demo.create()
    demo.client.put("/demo/faults", json={"cache_miss_rate": 1})
    assert demo.client.get(f"/api/scenarios/{scenario}", headers=TENANT).status_code == 200
    cache = {"cache_type": "scenario", "operation": "get"}
    assert demo.value("aurum_cache_operations_total", **cache, result="miss") == 1
    assert demo.value("aurum_cache_operations_total", **cache, result="hit") == 0
    assert demo.value("aurum_db_query_duration_seconds_count", operation="select", table="scenario") == 1


def test_stale_data_backdates_every_dataset_and_healing_refreshes_at_once(demo: Demo) -> None:
    demo.client.put("/demo/faults", json={"stale_data": True})
    for dataset in DATASETS:
        age = time.time() - demo.value("aurum_data_last_updated_timestamp_seconds", dataset=dataset)
        assert STALE_AGE_SECONDS <= age < STALE_AGE_SECONDS + 60
    demo.client.put("/demo/faults", json={})
    for dataset in DATASETS:
        assert time.time() - demo.value("aurum_data_last_updated_timestamp_seconds", dataset=dataset) < 60


def test_switches_out_of_range_are_refused(demo: Demo) -> None:
    assert demo.client.put("/demo/faults", json={"error_rate": 2}).status_code == 422
    assert demo.client.put("/demo/faults", json={"eror_rate": 1}).status_code == 422
    assert demo.client.get("/demo/faults").json()["error_rate"] == 0


def test_a_tenant_past_its_burst_is_limited_and_counted() -> None:
    with isolated_registry() as metrics:
        limiter = RateLimiter(rate=0.001, burst=3)
        assert [limiter.admit("umbrella") for _ in range(5)] == [True] * 3 + [False] * 2
        assert (
            sample_value(metrics, "aurum_rate_limit_decisions_total", tenant_id="umbrella", result="limited")
            == 2
        )
