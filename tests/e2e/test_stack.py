"""End to end: the demo app, a real Prometheus evaluating the built rules, a real Alertmanager.

The phases (healthy, outage, stale data) are the fixtures of ``conftest.py``; each test asserts what
one phase recorded.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from aurum.monitoring.validate.promql import metric_names
from examples.demo_stack.prometheus_api import QueryError

from .conftest import PAGE_ALERT, Healthy, Outage, Running, Stale, api_availability, poll
from .dashboard_queries import Query, dashboard_queries, expansions, label_values_variables

pytestmark = pytest.mark.slow


def test_healthy_traffic_records_every_slo_series_and_fires_no_slo_alert(healthy: Healthy) -> None:
    assert healthy.missing == [], "SLO recording rules without a value under healthy traffic"
    assert healthy.slo_alerts == [], "SLO alerts fired or pended under healthy traffic"
    assert healthy.notifications == []
    assert not [status for status in healthy.statuses if status >= 500], healthy.statuses
    assert healthy.statuses.get(201), f"no scenario was created: {healthy.statuses}"


def test_a_full_outage_pages_in_prometheus_and_reaches_the_webhook(running: Running, outage: Outage) -> None:
    pages = [a for a in outage.received if a["labels"].get("alertname") == PAGE_ALERT]
    assert pages, (
        f"no {PAGE_ALERT} at the webhook after {outage.seconds:.0f}s of outage; received {outage.received}\n"
        f"{running.stack.logs()}"
    )
    assert pages[0]["status"] == "firing"
    expected = {"slo": "api-availability", "service": "aurum-api", "severity": "critical"}
    assert expected.items() <= pages[0]["labels"].items()
    assert [labels for labels in outage.firing if expected.items() <= labels.items()], outage.firing


def test_stale_data_turns_the_freshness_sli_bad(healthy: Healthy, stale: Stale) -> None:
    assert healthy.freshness_bad == 0
    assert stale.bad == 1, "time() - oldest refresh > 1h should make every slice bad"
    assert stale.error_ratio_5m == 1
    assert stale.error_ratio_30m is not None
    assert 0 < stale.error_ratio_30m < 1  # the healthy slices before it still count as good


def _api_availability(report: dict[str, Any]) -> dict[str, Any]:
    assert report["source"] == "prometheus", report
    assert report["source_error"] is None, report
    return api_availability(report)


def test_the_runtime_api_reads_the_budget_burning_from_prometheus(healthy: Healthy, outage: Outage) -> None:
    before = _api_availability(healthy.report)
    assert (before["status"], before["error_budget_remaining"], before["current_burn_rate"]) == ("met", 1, 0)
    during = _api_availability(outage.report)
    assert during["status"] == "breached", during
    assert during["current_burn_rate"] > 14.4, during
    assert during["error_budget_remaining"] < 0, during
    assert "faster than sustainable" in str(during["detail"])


@dataclass
class Checked:
    choices: dict[str, list[str]]
    errors: list[str] = field(default_factory=list)
    without_data: list[str] = field(default_factory=list)
    missing_metrics: list[str] = field(default_factory=list)

    def ok(self) -> bool:
        return not (self.errors or self.without_data or self.missing_metrics)


def _must_show(query: Query, assignment: dict[str, str]) -> bool:
    """False where the query itself rules the value out (``slo=~"a|b"`` beside ``slo="$slo"``: the
    page-tier thresholds of SLO Detail exist only for the SLOs that page)."""
    slo = assignment.get("slo")
    return slo is None or all(
        re.fullmatch(allowed, slo) for allowed in re.findall(r'slo=~"([^"]*)"', query.expr)
    )


def _has_data(result: list[dict[str, Any]]) -> bool:
    return any(math.isfinite(float(sample["value"][1])) for sample in result)


def _check_dashboards(running: Running, queries: list[Query], choices: dict[str, list[str]]) -> Checked:
    prom, checked = running.stack.prom, Checked(choices)
    metrics: set[str] = set()
    for query in queries:
        results = []
        for assignment, expr in expansions(query, choices):
            try:
                shown = _has_data(prom.query(expr))
            except QueryError as error:
                checked.errors.append(f"{query} {assignment}: {error}")
                continue
            metrics |= metric_names(expr)
            results.append((assignment, metric_names(expr), shown))
        if results and all(names == {"ALERTS"} for _, names, _ in results):
            # ALERTS has series only while alerts are active: enough that one value of $slo has some.
            if not any(shown for *_, shown in results):
                checked.without_data.append(str(query))
        else:
            checked.without_data += [
                f"{query} {assignment}"
                for assignment, _, shown in results
                if not shown and _must_show(query, assignment)
            ]
    checked.missing_metrics = sorted(m for m in metrics if not prom.query(f'count({{__name__="{m}"}})'))
    return checked


@pytest.fixture(scope="module")
def dashboards(running: Running, stale: Stale) -> Checked:
    """Every query of every rendered dashboard, run while SLO alerts fire and others pend (outage
    behind, data stale), until all pass or 30 s: rules evaluate in groups of their own, a second apart."""
    folder = running.build / "grafana" / "dashboards"
    queries = dashboard_queries(folder)
    choices = {
        name: running.stack.prom.label_values(label, selector)
        for name, (selector, label) in label_values_variables(folder).items()
    }
    checked, _ = poll(lambda: _check_dashboards(running, queries, choices), Checked.ok, timeout=30)
    return checked


def test_every_dashboard_query_runs_and_shows_data(dashboards: Checked) -> None:
    assert dashboards.errors == []
    assert dashboards.without_data == []


def test_no_dashboard_reads_a_series_that_does_not_exist(dashboards: Checked) -> None:
    assert dashboards.missing_metrics == []


def test_the_slo_variable_lists_every_slo_of_the_manifest(running: Running, dashboards: Checked) -> None:
    manifest = json.loads(Path(running.build / "slos.json").read_text())
    names = sorted(slo["name"] for slo in manifest["slos"])
    assert sorted(dashboards.choices["slo"]) == names
