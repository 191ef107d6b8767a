"""The spec's idle settings at work: the background SLO check (slo_check_interval, slo_alert_threshold)
and performance sampling (performance_tracking_enabled at metrics_collection_interval)."""

from __future__ import annotations

import multiprocessing
import time
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aurum.observability import Observability, catalog
from aurum.observability._periodic import Periodic
from aurum.observability.api import observability_router
from aurum.observability.enhanced_logging import configure_logging
from aurum.observability.metrics import increment_business_transactions
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.slo._check import SLOCheck
from aurum.observability.testing import CapturedLogs

from .conftest import TOKEN

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUIET = {"slo_check_interval": 0, "performance_tracking_enabled": False}


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not true within {timeout}s")
        time.sleep(0.05)


@pytest.fixture
def own() -> Iterator[Callable[..., tuple[Observability, CapturedLogs]]]:
    """Observabilities of the test's own, with captured logs, shut down afterwards."""
    made: list[Observability] = []
    configure_logging(ObservabilitySettings())  # as a served application's middleware does

    def make(**settings: Any) -> tuple[Observability, CapturedLogs]:
        logs = CapturedLogs()
        obs = Observability(ObservabilitySettings(**{**QUIET, **settings}), log_stream=logs)
        made.append(obs)
        return obs, logs

    yield make
    for obs in made:
        obs.shutdown()


def runs(obs: Observability, succeeded: int, failed: int) -> None:
    with obs.activate():
        for _ in range(succeeded):
            increment_business_transactions("scenario_run", "scenario", "success")
        for _ in range(failed):
            increment_business_transactions("scenario_run", "scenario", "failure")


def gauge(obs: Observability, slo: str, status: str, service: str = "aurum-scenarios") -> float | None:
    return obs.registry.get_sample_value(
        "aurum_observability_slo_status", {"slo": slo, "service": service, "status": status}
    )


def test_the_status_gauge_is_a_self_metric_of_the_catalog():
    # Named once, in the contract, with the shim's other self metrics (kept out of METRICS).
    assert catalog.SLO_STATUS in catalog.SELF_METRICS
    assert catalog.SLO_STATUS not in catalog.METRICS
    assert catalog.SLO_STATUS.name_for("aurum_") == "aurum_observability_slo_status"
    assert catalog.SLO_STATUS.label_names == ("slo", "service", "status")
    assert catalog.SLO_STATUS.labels[-1].allowed == ("met", "at_risk", "breached", "no_data")


def test_the_background_check_sets_the_gauge_and_logs_when_an_slo_falls_to_the_alert_threshold(own):
    # scenario-runs: objective 0.95, a budget of 5% of runs. 5 failures in 100 spend all of it, which
    # is past the 95% that makes it at_risk (budget remaining 0, at or below 1 - 0.95).
    obs, logs = own(slo_check_interval=1)
    runs(obs, succeeded=95, failed=5)
    obs.start_background()
    wait_for(lambda: gauge(obs, "scenario-runs", "at_risk") == 1)
    assert gauge(obs, "scenario-runs", "met") == 0
    wait_for(lambda: "slo error budget at risk" in logs.messages())
    (event,) = [line for line in logs if line["message"] == "slo error budget at risk"]
    assert event["level"] == "WARNING"
    assert event["slo"] == "scenario-runs" and event["previous_status"] == "met"
    assert event["error_budget_remaining"] == pytest.approx(0.0, abs=1e-9)
    assert event["alert_threshold"] == 0.95 and event["source"] == "process"
    # An SLO that is fine is reported in the gauge, never logged.
    assert gauge(obs, "api-availability", "no_data", service="aurum-api") == 1
    assert all(line.get("slo") == "scenario-runs" for line in logs)


def test_each_change_is_logged_once_not_at_every_check(own):
    obs, logs = own()
    slo_check = SLOCheck(obs.check_slos, obs.registry, prefix="aurum_", alert_threshold=lambda: 0.95)

    def check() -> None:
        with obs.activate():
            slo_check()

    runs(obs, succeeded=95, failed=5)
    check()
    check()  # still at risk: no second line
    runs(obs, succeeded=0, failed=1)  # 6 of 101: overspent
    check()
    runs(obs, succeeded=400, failed=0)  # 6 of 501: 1.2%, a quarter of the budget spent
    check()
    changes = [(line["message"], line["previous_status"], line["status"]) for line in logs]
    assert changes == [
        ("slo error budget at risk", "met", "at_risk"),
        ("slo error budget exhausted", "at_risk", "breached"),
        ("slo recovered", "breached", "met"),
    ]
    assert [line["level"] for line in logs] == ["WARNING", "ERROR", "INFO"]
    assert gauge(obs, "scenario-runs", "met") == 1 and gauge(obs, "scenario-runs", "breached") == 0


def test_the_alert_threshold_decides_when_an_slo_is_at_risk(own):
    # 3 failures in 100: 60% of the budget spent. At risk with a threshold of 0.5, not with 0.95.
    strict, strict_logs = own(slo_alert_threshold=0.5)
    lenient, lenient_logs = own()
    for obs in (strict, lenient):
        runs(obs, succeeded=97, failed=3)
        threshold = obs.settings.slo_alert_threshold
        with obs.activate():
            SLOCheck(obs.check_slos, obs.registry, prefix="aurum_", alert_threshold=lambda t=threshold: t)()
    assert gauge(strict, "scenario-runs", "at_risk") == 1
    assert gauge(lenient, "scenario-runs", "met") == 1
    assert strict_logs.messages() == ["slo error budget at risk"] and lenient_logs.messages() == []


def test_slo_check_interval_zero_runs_no_check(own):
    obs, _ = own(slo_check_interval=0, performance_tracking_enabled=True)
    runs(obs, succeeded=0, failed=1)
    obs.start_background()
    assert obs._background.running  # the performance sampling does run
    assert obs._background.slo_check is None
    assert gauge(obs, "scenario-runs", "breached") is None


def performance(obs: Observability) -> dict[str, Any]:
    app = FastAPI()
    app.include_router(observability_router(obs))
    with TestClient(app) as client:
        response = client.get("/v1/observability/performance", headers=AUTH)
    assert response.status_code == 200
    return dict(response.json()["tracking"])


def test_performance_tracking_samples_at_the_collection_interval(own):
    obs, _ = own(observability_token=TOKEN, performance_tracking_enabled=True, metrics_collection_interval=1)
    obs.start_background()
    started = time.monotonic()
    wait_for(lambda: len(obs.performance_tracking().samples) >= 3)
    tracking = performance(obs)
    elapsed = time.monotonic() - started
    assert tracking["enabled"] is True and tracking["interval_seconds"] == 1
    # One sample a second: never more samples than seconds elapsed.
    assert len(tracking["samples"]) <= elapsed + 1
    recent = tracking["recent"]
    assert recent is not None and 0.5 < recent["window_seconds"] < 5
    assert recent["cpu_percent"] >= 0 and recent["requests_per_second"] == 0
    assert {"cpu_seconds", "rss_bytes", "requests_total", "threads"} <= tracking["samples"][-1].keys()


def test_performance_tracking_off_takes_no_samples_and_configure_turns_it_on(own):
    obs, _ = own(observability_token=TOKEN, metrics_collection_interval=1)
    obs.start_background()
    time.sleep(1.5)
    off = performance(obs)
    assert off == {"enabled": False, "interval_seconds": 1, "samples": [], "recent": None}
    obs.configure(
        obs.settings.model_copy(update={"performance_tracking_enabled": True, "slo_check_interval": 0})
    )
    wait_for(lambda: len(obs.performance_tracking().samples) >= 1)
    obs.configure(obs.settings.model_copy(update={"performance_tracking_enabled": False}))
    count = len(performance(obs)["samples"])
    time.sleep(1.5)
    assert len(performance(obs)["samples"]) == count
    assert performance(obs)["enabled"] is False


def test_the_request_rate_of_recent_samples_counts_the_requests_between_them(own):
    obs, _ = own(observability_token=TOKEN, performance_tracking_enabled=True, metrics_collection_interval=1)
    sampler = obs._background.sampler  # driven by hand, for exact counts
    sampler()
    with obs.activate():
        obs.metrics.record_http_request("GET", "/x", 200, "", 0.01)
        obs.metrics.record_http_request("GET", "/x", 500, "", 0.01)
    time.sleep(0.2)
    sampler()
    recent = obs.performance_tracking().recent
    assert recent is not None
    assert recent.requests_per_second == pytest.approx(2 / recent.window_seconds, rel=0.01)


def _runs_in_child(ran: list[int], connection: Any) -> None:
    ran.clear()
    time.sleep(0.5)
    connection.send(len(ran))


def test_a_periodic_task_runs_again_in_a_forked_worker():
    # Threads do not survive fork; gunicorn's workers would otherwise never check or sample.
    ran: list[int] = []
    task = Periodic("test-fork", 0.05, lambda: ran.append(1))
    task.start()
    try:
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe()
        process = context.Process(target=_runs_in_child, args=(ran, sender))
        process.start()
        runs_in_child = receiver.recv()
        process.join()
    finally:
        task.stop()
    assert runs_in_child > 0
