"""``aurum-obs report`` in pieces: times, incidents from ``ALERTS`` samples, the budget each spent, the
page and the summary. The whole command against a real Prometheus is in ``tests/e2e/test_stack.py``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from aurum.monitoring import SLO, RatioSLI, regex, select
from aurum.monitoring.cli import main
from aurum.monitoring.commands.report import parse_time
from aurum.monitoring.report.collect import collect
from aurum.monitoring.report.page import html_page
from aurum.monitoring.report.plots import slo_figure
from aurum.monitoring.report.reader import Samples
from aurum.monitoring.report.summary import lasted, markdown_summary
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

REPO = Path(__file__).resolve().parents[1]
NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z

SLO_ = SLO(
    name="demo-availability",
    service="demo",
    description="Demo requests without a 5xx.",
    objective=99.9,
    sli=RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")), total=select(HTTP_REQUESTS_TOTAL)),
)


def test_times_are_now_relative_unix_or_iso() -> None:
    assert parse_time("now", NOW) == NOW
    assert parse_time("now-6h", NOW) == NOW - 6 * 3600
    assert parse_time("1767225600", NOW) == NOW
    assert parse_time("2026-01-01T00:00:00Z", NOW) == NOW
    assert parse_time("2026-01-01T01:00:00+01:00", NOW) == NOW
    assert parse_time("2026-01-01 00:00:00", NOW) == NOW  # naive is UTC
    with pytest.raises(ValueError, match="is not a time"):
        parse_time("yesterday", NOW)


@dataclass
class FakeReader:
    """Answers as Prometheus would for a page alert firing 100-160 s and again from 300 s on (every 10 s)."""

    start: float
    queries: list[str] = field(default_factory=list)

    def range(self, expr: str, start: float, end: float, step: int) -> list[Samples]:
        self.queries.append(expr)
        points = tuple((t, 0.5) for t in range(int(start), int(end) + 1, step))
        return [Samples({}, points)]

    def raw(self, expr: str, start: float, end: float) -> list[Samples]:
        self.queries.append(expr)
        first = tuple((self.start + t, 1.0) for t in range(100, 161, 10))
        second = tuple((self.start + t, 1.0) for t in range(300, 401, 10))
        labels = {"alertname": "DemoAvailabilityErrorBudgetBurnPage", "severity": "critical"}
        return [Samples(labels, first + second)]

    def at(self, expr: str, time: float) -> float | None:
        # The budget remaining falls by 0.1 every 100 s.
        return 1 - (time - self.start) / 1000


def test_incidents_are_runs_of_firing_samples_with_the_budget_they_spent() -> None:
    reader = FakeReader(NOW)
    report = collect(reader, SLO_, NOW, NOW + 400)  # type: ignore[arg-type]  # the reader's shape
    first, second = report.incidents
    assert (first.alert, first.severity, first.start, first.end) == (
        "DemoAvailabilityErrorBudgetBurnPage",
        "critical",
        NOW + 100,
        NOW + 160,
    )
    assert first.budget_spent == pytest.approx(0.061)  # from just before 100 s to 160 s
    assert (second.start, second.end) == (NOW + 300, None)  # its last sample is the report's end
    assert second.budget_spent == pytest.approx(0.101)
    assert 'ALERTS{slo="demo-availability", alertstate="firing"}' in reader.queries
    # Every window of both tiers against the SLO's own error budget.
    burn = [q for q in reader.queries if "slo:error_budget:ratio" in q]
    assert len(burn) == 8 and all(
        q.endswith('/ slo:error_budget:ratio{slo="demo-availability"}') for q in burn
    )


def test_the_page_is_one_file_with_the_plots_inside_and_the_same_bytes_each_time() -> None:
    report = collect(FakeReader(NOW), SLO_, NOW, NOW + 400)  # type: ignore[arg-type]  # the reader's shape
    page = html_page([report], "http://prometheus:9090", slo_figure)
    assert page == html_page([report], "http://prometheus:9090", slo_figure)
    [image] = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert image.startswith("data:image/png;base64,iVBOR")
    assert not re.search(r'(src|href)="(?!data:)', page)
    assert "DemoAvailabilityErrorBudgetBurnPage" in page and "still firing" in page


def test_the_summary_lists_every_incident() -> None:
    report = collect(FakeReader(NOW), SLO_, NOW, NOW + 400)  # type: ignore[arg-type]  # the reader's shape
    summary = markdown_summary([report], "http://prometheus:9090", "report.html")
    assert (
        "| DemoAvailabilityErrorBudgetBurnPage | critical | 2026-01-01 00:01:40Z | 2026-01-01 00:02:40Z "
        "| 1m | 6.1% |" in summary
    )
    assert "| 2026-01-01 00:05:00Z | still firing | 1m 40s | 10.1% |" in summary
    assert summary.splitlines()[6].startswith("| demo-availability | 99.90% |")


def test_durations_read_as_a_person_says_them() -> None:
    assert [lasted(s) for s in (0, 59, 60, 3_725, 90_061)] == ["0s", "59s", "1m", "1h 2m 5s", "1d 1h 1m 1s"]


def test_bad_arguments_and_an_unreachable_prometheus(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    base = ["report", "--root", str(REPO), "--out", str(out)]
    assert main([*base, "--prometheus", "http://127.0.0.1:9", "--from", "tuesday"]) == 2
    assert "'tuesday' is not a time" in capsys.readouterr().err
    assert main([*base, "--prometheus", "http://127.0.0.1:9", "--slo", "nope"]) == 2
    assert "no SLO named nope" in capsys.readouterr().err
    assert main([*base, "--prometheus", "http://127.0.0.1:9", "--from", "now", "--to", "now-1h"]) == 2
    # Port 9 (discard) answers nothing: exit 1, and nothing written.
    assert main([*base, "--prometheus", "http://127.0.0.1:9", "--from", "now-1h"]) == 1
    assert "could not be reached" in capsys.readouterr().err
    assert not out.exists()
