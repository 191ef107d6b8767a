"""End to end: the demo app, a real Prometheus evaluating the built rules, a real Alertmanager.

The phases (healthy, outage, stale data) are the fixtures of ``conftest.py``; each test asserts what
one phase recorded. Then ``aurum-obs report`` reads this Prometheus after the outage, and its page is
checked in a real headless browser (Debian's chromium).
"""

from __future__ import annotations

import calendar
import json
import math
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from aurum.monitoring.validate.promql import metric_names
from examples.demo_stack.banner import banner, report_command
from examples.demo_stack.prometheus_api import QueryError

from .browser import IMAGES_PROBE, dump_dom, screenshot
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
    # Every window counts the stale slices, beside the healthy slices before them.
    assert stale.error_ratio_5m is not None
    assert 0 < stale.error_ratio_5m < 1
    assert stale.error_ratio_30m is not None
    assert 0 < stale.error_ratio_30m < 1


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


REPO = Path(__file__).resolve().parents[2]
ARTEFACTS = REPO / "test-artefacts"


@dataclass
class Written:
    status: int
    stderr: str
    html: str
    markdown: str
    directory: Path
    taken: float


@pytest.fixture(scope="module")
def report(running: Running, outage: Outage, tmp_path_factory: pytest.TempPathFactory) -> Written:
    """``aurum-obs report`` from the stack's start until now, the outage behind (the page alert may
    still be firing); the page and its screenshot are kept in ``test-artefacts/`` (CI uploads them)."""
    out = tmp_path_factory.mktemp("report")
    # The very command the demo prints, run where it says (the repository root).
    command = report_command(running.stack, str(out), program=f"{sys.executable} -m aurum.monitoring.cli")
    done = subprocess.run(
        shlex.split(command), cwd=REPO, capture_output=True, text=True, timeout=600, check=False
    )
    html = out / "report.html"
    markdown = out / "report.md"
    return Written(
        done.returncode,
        done.stderr,
        html.read_text() if html.exists() else "",
        markdown.read_text() if markdown.exists() else "",
        out,
        time.time(),
    )


def _incidents(markdown: str, slo: str) -> list[list[str]]:
    section = markdown.split(f"## {slo}\n", 1)[1].split("\n## ", 1)[0]
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| alert ")
    ]


def _clock(text: str) -> float:
    return float(calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M:%SZ")))


def test_the_report_lists_the_page_alert_with_its_start_and_the_budget_it_spent(
    report: Written, outage: Outage
) -> None:
    assert report.status == 0, report.stderr
    rows = {row[0]: row for row in _incidents(report.markdown, "api-availability")}
    assert PAGE_ALERT in rows, report.markdown
    _, severity, start, end, lasted, spent = rows[PAGE_ALERT]
    assert severity == "critical" and re.fullmatch(r"(\d+[dhms] ?)+", lasted)
    # It began after the fault was switched on, and by the time the webhook had it.
    assert outage.began - 1 <= _clock(start) <= outage.began + outage.seconds + 1
    assert end == "still firing" or _clock(end) > _clock(start)
    assert float(spent.rstrip("%")) > 0  # an outage spends budget
    summary = next(line for line in report.markdown.splitlines() if line.startswith("| api-availability |"))
    assert "| missed |" in summary
    assert "| api-latency |" in report.markdown  # every SLO has its line
    assert _incidents(report.markdown, "api-latency") == []  # fast 503s: latency was never the problem


def test_the_page_is_self_contained(report: Written) -> None:
    assert report.status == 0, report.stderr
    images = re.findall(r'<img [^>]*src="([^"]+)"', report.html)
    assert len(images) == 6 and all(src.startswith("data:image/png;base64,") for src in images)
    assert not re.search(r'(src|href)="(?!data:)', report.html), "the page refers to something outside it"
    assert "<script" not in report.html


def test_the_page_renders_in_chromium_with_every_plot(report: Written) -> None:
    page = report.directory / "report.html"
    probe = report.directory / "probe.html"
    probe.write_text(report.html.replace("</body>", f"{IMAGES_PROBE}</body>"))
    dom = dump_dom(probe)
    sizes = re.search(r'data-images="([^"]*)"', dom)
    assert sizes is not None, dom[:2000]
    decoded = sizes.group(1).split()
    assert len(decoded) == 6 and all(
        re.fullmatch(r"true:(\d+)x(\d+)", s) and not s.startswith("true:0x") for s in decoded
    ), decoded
    assert "<h1>SLO report</h1>" in dom and 'id="slo-api-availability"' in dom

    shot = screenshot(page, ARTEFACTS / "report.png")
    shutil.copy(page, ARTEFACTS / "report.html")
    with Image.open(shot) as image:
        assert image.size == (1200, 2400)
        # The first SLO's plots are on screen: far more colours than a page of text on white.
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
        assert len(colours) > 1_000, len(colours)


def test_every_link_the_demo_prints_answers(running: Running) -> None:
    text = banner(running.stack, running.build)
    urls = sorted(set(re.findall(r"http://127\.0\.0\.1:\d+[^\s']*", text)))
    # The fault switches want a PUT and the SLO status a token: the rest are pages to open.
    pages = [u for u in urls if not u.endswith(("/demo/faults", "/v1/observability/slos"))]
    assert len(pages) >= 8, text
    statuses = {}
    for url in pages:
        with urllib.request.urlopen(url, timeout=10) as response:
            statuses[url] = response.status
    assert set(statuses.values()) == {200}, statuses
    prom = running.stack.prometheus.url
    assert {
        f"{prom}{running.stack.prom.ui_prefix()}/{page}" for page in ("alerts", "rules", "targets", "graph")
    } <= set(pages)
    assert f"-e AURUM_PROMETHEUS_URL={prom}" in text  # Grafana's provisioned data source reads it
