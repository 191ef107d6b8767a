"""The demo stack over the session's build, driven through its phases: healthy, outage, stale data.

Each phase is a module-scoped fixture that depends on the one before (so any test, run alone, still
gets the history it needs), changes the fault switches, waits a bounded time for what it expects and
records what it saw; the tests assert on those records, so a phase that times out fails its tests
with the evidence instead of hanging. The stack is stopped and its directory removed at the end of
the module whatever happened (``demo_stack`` is a context manager).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

from aurum.monitoring.pipeline import Artifacts
from examples.demo_stack.stack import Stack, demo_stack

T = TypeVar("T")

PAGE_ALERT = "ApiAvailabilityErrorBudgetBurnPage"
HEALTHY_HOLD_SECONDS = 15
"""Healthy traffic kept flowing after every SLO series exists, so "no SLO alert" covers that many
rule evaluations with every window populated, not just the first."""


def poll(read: Callable[[], T], done: Callable[[T], bool], timeout: float) -> tuple[T, float]:
    """Read until ``done`` or ``timeout`` seconds; the last reading and the seconds it took."""
    started = time.monotonic()
    while True:
        value = read()
        elapsed = time.monotonic() - started
        if done(value) or elapsed > timeout:
            return value, elapsed
        time.sleep(0.5)


def slo_records(build: Path) -> list[tuple[str, str]]:
    """``(series, slo)`` of every recording rule the build generated for an SLO."""
    found = []
    for path in sorted((build / "prometheus" / "rules").glob("*.yaml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                if "record" in rule and "slo" in rule.get("labels", {}):
                    found.append((rule["record"], rule["labels"]["slo"]))
    return found


def slo_report(stack: Stack, accept: Callable[[dict[str, Any]], bool], timeout: float = 60) -> dict[str, Any]:
    """``/v1/observability/slos`` once it satisfies ``accept`` (or the last one after ``timeout``):
    its Prometheus query can time out on a loaded machine, and the period's rollups take a few
    evaluations to weigh a new outage in."""
    report, _ = poll(lambda: stack.app_get("/v1/observability/slos"), accept, timeout)
    return report


def api_availability(report: dict[str, Any]) -> dict[str, Any]:
    return next(slo for slo in report["slos"] if slo["name"] == "api-availability")


@dataclass
class Running:
    stack: Stack
    build: Path
    started: float


@pytest.fixture(scope="module")
def running(bundled_build: tuple[Path, Artifacts]) -> Iterator[Running]:
    build, started = bundled_build[0], time.time()  # before Prometheus, so windows from here see it all
    with demo_stack(build) as stack:
        yield Running(stack, build, started)


@dataclass
class Healthy:
    missing: list[str]
    slo_alerts: list[dict[str, str]]
    notifications: list[dict[str, Any]]
    report: dict[str, Any]
    freshness_bad: float | None
    statuses: dict[int, int]


@pytest.fixture(scope="module")
def healthy(running: Running) -> Healthy:
    stack, prom = running.stack, running.stack.prom
    records = slo_records(running.build)

    def missing() -> list[str]:
        return [
            f'{name}{{slo="{slo}"}}' for name, slo in records if prom.value(f'{name}{{slo="{slo}"}}') is None
        ]

    # A tile counts a counter's increase since its sample a minute before, so the first tiles (and
    # every window built on them) need a minute of history, the long windows' rollups 30 s more.
    still_missing, _ = poll(missing, lambda m: not m, timeout=150)
    time.sleep(HEALTHY_HOLD_SECONDS)
    seconds = math.ceil(time.time() - running.started)  # every evaluation since Prometheus started
    alerts = prom.query(f'count_over_time(ALERTS{{slo!=""}}[{seconds}s])')
    return Healthy(
        missing=still_missing,
        slo_alerts=[a["metric"] for a in alerts],
        notifications=stack.webhook.alerts(),
        report=slo_report(stack, lambda report: report["source"] == "prometheus"),
        freshness_bad=prom.value('slo:sli_bad_events:rate5m{slo="data-freshness"}'),
        statuses=dict(stack.traffic.statuses),
    )


@dataclass
class Outage:
    began: float
    """When the fault was switched on (unix time)."""
    seconds: float
    received: list[dict[str, Any]]
    firing: list[dict[str, str]]
    report: dict[str, Any]


@pytest.fixture(scope="module")
def outage(running: Running, healthy: Healthy) -> Outage:
    """Every API request fails (error_rate 1) until the page alert reaches the webhook, or 120 s."""
    stack = running.stack
    began = time.time()
    stack.set_faults(error_rate=1.0)

    def paged(alerts: list[dict[str, Any]]) -> bool:
        return any(a["labels"].get("alertname") == PAGE_ALERT and a["status"] == "firing" for a in alerts)

    def burning(report: dict[str, Any]) -> bool:
        status = api_availability(report)
        return report["source"] == "prometheus" and status["status"] == "breached"

    received, seconds = poll(stack.webhook.alerts, paged, timeout=120)
    firing = stack.prom.query(f'ALERTS{{alertname="{PAGE_ALERT}", alertstate="firing"}}')
    return Outage(began, seconds, received, [a["metric"] for a in firing], slo_report(stack, burning))


@dataclass
class Stale:
    bad: float | None
    error_ratio_5m: float | None
    error_ratio_30m: float | None


@pytest.fixture(scope="module")
def stale(running: Running, outage: Outage) -> Stale:
    """The outage healed, the data-refresh job stuck (its last success four hours ago)."""
    stack, prom = running.stack, running.stack.prom
    stack.set_faults(stale_data=True)
    ratio = 'slo:sli_error:ratio_rate5m{slo="data-freshness"}'
    bad = 'slo:sli_bad_events:rate5m{slo="data-freshness"}'
    # The slice turns bad at once; the 5m window fills with bad slices over 5 minutes (of real time
    # here too: the stack evaluates every second, but windows span what they declare).
    poll(lambda: prom.value(bad), lambda value: value == 1, timeout=60)
    poll(lambda: prom.value(ratio), lambda value: value is not None and value > 0, timeout=30)
    return Stale(
        bad=prom.value(bad),
        error_ratio_5m=prom.value(ratio),
        error_ratio_30m=prom.value('slo:sli_error:ratio_rate30m{slo="data-freshness"}'),
    )
