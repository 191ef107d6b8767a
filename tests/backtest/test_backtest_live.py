"""The backtest against a real Prometheus on loopback, over a backfilled synthetic history with known
incidents, checked against promtool evaluating the same compiled rules over the same series.

The history (2 days, one sample a minute) holds a sharp outage, a slow burn, a counter reset and a
20-minute scrape gap. It is backfilled with ``promtool tsdb create-blocks-from openmetrics`` and read
back by the backtest through ``query_range``; promtool runs a unit test whose input series are the
same counters, from time 0, over the SLO's compiled rule file, and asks at every evaluation whether
each tier's alert is firing (``ALERTS``). Both must agree at every minute.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from aurum.monitoring import SLO, AlertPolicy, RatioSLI, regex, select
from aurum.monitoring.backtest.history import read_history
from aurum.monitoring.backtest.replay import SLOBacktest, replay
from aurum.monitoring.cli import main
from aurum.monitoring.compile import slo_names
from aurum.monitoring.compile.rules import rule_file
from aurum.monitoring.compile.simulate import Semantics
from aurum.monitoring.compile.slo_rules import compile_slo
from aurum.monitoring.model import PAGE, TICKET
from aurum.monitoring.report.reader import PrometheusReader
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL
from benchmarks.rule_cost.prom import prometheus

pytestmark = pytest.mark.skipif(shutil.which("prometheus") is None, reason="needs the prometheus package")

T0 = 1_762_732_800  # 2025-11-10 00:00 UTC
MINUTES = 2 * 24 * 60
SLO_UNDER_TEST = SLO(
    name="checkout",
    service="shop",
    description="Share of checkout requests answered without a server error.",
    objective=Decimal("99.5"),
    sli=RatioSLI(
        bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")),
        total=select(HTTP_REQUESTS_TOTAL),
    ),
    alerting=AlertPolicy(tiers=(PAGE, TICKET)),
)
OUTAGE = range(600, 640)  # 40% errors
SLOW_BURN = range(1500, 1980)  # 7% errors for 8 hours
GAP = range(2200, 2220)  # no scrape
RESET = 2400  # the app restarts: counters start again from 0


def _counters() -> dict[str, list[int | None]]:
    """Cumulative counters per status, one value a minute; None where nothing was scraped."""
    ok, bad = 0, 0
    series: dict[str, list[int | None]] = {"200": [], "500": []}
    for minute in range(MINUTES + 1):
        if minute == RESET:
            ok, bad = 0, 0
        errors = 397 if minute in OUTAGE else 67 if minute in SLOW_BURN else 3 if minute % 7 == 0 else 0
        if minute > 0:
            ok, bad = ok + 1003 - errors, bad + errors
        scraped = minute not in GAP
        series["200"].append(ok if scraped else None)
        series["500"].append(bad if scraped else None)
    return series


_COUNTERS = _counters()


def _backfill(directory: Path) -> Path:
    lines = [f"# TYPE {HTTP_REQUESTS_TOTAL.name} counter\n"]
    for minute in range(MINUTES + 1):
        for status, values in _COUNTERS.items():
            value = values[minute]
            if value is not None:
                lines.append(f'{HTTP_REQUESTS_TOTAL.name}{{status="{status}"}} {value} {T0 + minute * 60}\n')
    source, data = directory / "history.om", directory / "data"
    source.write_text("".join(lines) + "# EOF\n")
    subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet", str(source), str(data)],
        check=True,
    )
    return data


def _minutes(result: SLOBacktest) -> dict[str, list[bool]]:
    """Per tier, the replay's firing state at each minute of the history."""
    states = {}
    for tier in result.tiers:
        firing = [False] * (MINUTES + 1)
        for interval in tier.firings:
            for t in range((interval.start - T0) // 60, (interval.end - T0) // 60 + 1):
                firing[t] = True
        states[tier.tier.name] = firing
    return states


@pytest.fixture(scope="module")
def history_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus over the backfilled history, without rules."""
    directory = tmp_path_factory.mktemp("backtest")
    data = _backfill(directory)
    with prometheus(data, None, "1m", directory / "prometheus.log") as server:
        yield server.url


@pytest.fixture(scope="module")
def backtest(history_url: str) -> SLOBacktest:
    reader = PrometheusReader(history_url)
    try:
        history = read_history(reader, SLO_UNDER_TEST, T0, T0 + MINUTES * 60)
    finally:
        reader.close()
    return replay(SLO_UNDER_TEST, history)


def test_firing_intervals_equal_promtools_evaluation_at_every_minute(
    backtest: SLOBacktest, tmp_path: Path
) -> None:
    states = _minutes(backtest)
    assert all(any(firing) for firing in states.values()), "the history must make every tier fire"
    assert not any(f.noisy for tier in backtest.tiers for f in tier.firings)
    rules = tmp_path / "rules.yaml"
    groups = compile_slo(SLO_UNDER_TEST)
    rules.write_text(yaml.safe_dump(rule_file(groups), sort_keys=False))
    series = [
        {
            "series": f'{HTTP_REQUESTS_TOTAL.name}{{status="{status}"}}',
            "values": " ".join("_" if v is None else str(v) for v in values),
        }
        for status, values in _COUNTERS.items()
    ]
    checks = []
    for tier in SLO_UNDER_TEST.alerting.enabled_tiers:
        alert = slo_names.alert_name(SLO_UNDER_TEST, tier)
        query = f'count(ALERTS{{alertname="{alert}",alertstate="firing"}}) or vector(0)'
        checks += [
            {
                "expr": query,
                "eval_time": f"{minute}m",
                "exp_samples": [{"labels": "{}", "value": int(firing)}],
            }
            for minute, firing in enumerate(states[tier.name])
        ]
    test = tmp_path / "replay.test.yaml"
    test.write_text(
        json.dumps(
            {
                "rule_files": [str(rules)],
                "evaluation_interval": "1m",
                # Without it promtool evaluates the groups of an instant in a random order.
                "group_eval_order": [group.name for group in groups],
                "tests": [{"interval": "1m", "input_series": series, "promql_expr_test": checks}],
            }
        )
    )
    done = subprocess.run(
        ["promtool", "test", "rules", str(test)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]


def test_the_history_reports_its_gap_and_each_incident_with_the_first_tier_to_fire(
    backtest: SLOBacktest,
) -> None:
    gaps = backtest.history.gaps()
    # No raw sample within the 5-minute lookback, which in 2.x still holds a sample exactly 5m old:
    # from 6 minutes after the last sample before the gap.
    assert gaps == [(T0 + (GAP.start + 5) * 60, T0 + (GAP.stop - 1) * 60)]
    starts = [(i.start - T0) // 60 for i in backtest.incidents]
    # The 5-minute ratio crosses 10x the budget while the window fills with the burn's minutes.
    assert len(starts) == 2
    assert OUTAGE.start <= starts[0] < OUTAGE.start + 5 and SLOW_BURN.start <= starts[1] < SLOW_BURN.start + 5
    outage, slow = backtest.incidents
    # 40% errors: 11 one-minute tiles of them (minutes 0 to 10) take the page's 1h window past 14.4x
    # the 0.5% budget, 4367 / 60180 > 7.2% (the intervals themselves are checked against promtool above).
    assert (outage.caught_by, outage.delay) == ("page", 10 * 60)
    assert slow.caught_by is not None and slow.delay is not None and slow.delay > outage.delay


DECLARATION = """
from aurum.monitoring import SLO, AlertPolicy, RatioSLI, regex, select
from aurum.monitoring.model import PAGE, TICKET
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

CHECKOUT = SLO(
    name="checkout",
    service="shop",
    description="Share of checkout requests answered without a server error.",
    objective=99.5,
    sli=RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")), total=select(HTTP_REQUESTS_TOTAL)),
    alerting=AlertPolicy(tiers=({tiers})),
)
"""


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_against_a_revision_with_another_page_tier_reports_what_the_change_does(
    history_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The revision pages at once and has a ticket tier; the working tree's page waits 5 minutes
    (``for``) and it has no ticket: as many pages, the outage paged 5 minutes later, the slow burn
    (which only the ticket caught early) caught 2h21m later."""
    root = tmp_path / "repo"
    (root / "slos").mkdir(parents=True)
    declaration = root / "slos" / "checkout.py"
    declaration.write_text(textwrap.dedent(DECLARATION.format(tiers="PAGE, TICKET")))
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "page at once")
    declaration.write_text(
        textwrap.dedent(DECLARATION.format(tiers='PAGE.model_copy(update={"for_": 300}),'))
    )
    argv = ["backtest", "--prometheus", history_url, "--from", str(T0), "--to", str(T0 + MINUTES * 60)]
    code = main([*argv, "--root", str(root), "--against", "HEAD", "--format", "markdown"])
    out = capsys.readouterr().out
    assert code == 0, out
    # Both counters restart at RESET; the 5xx one is read by bad and total, and counted once.
    assert "Counter resets in the raw series: 2 " in out
    assert (
        "Gaps (no raw sample within the 5m lookback; the tiles record 0 events there): 2025-11-11 12:45 for 15m."
        in out
    )
    assert "- page: as many alerts in 30 days" in out
    assert "- ticket: tier removed" in out
    assert "- incident of 10 Nov 10:00 caught 5m later" in out
    assert "- incident of 11 Nov 01:03 caught 2h21m later" in out
    assert "| 2025-11-10 10:00 | 79.2x | page after 10m | page after 15m |" in out
    assert "| 2025-11-11 01:03 | 13.4x | ticket after 21m | page after 2h42m |" in out


def test_under_3x_semantics_the_same_history_fires_at_the_same_minutes(backtest: SLOBacktest) -> None:
    """The rules' ranges hold the same tiles whether a range includes its start (2.x) or not (3.x),
    so the replay under 3.x, proved against promtool only through 2.x above, must agree minute by minute."""
    under_3x = replay(SLO_UNDER_TEST, backtest.history, Semantics.V3)
    assert under_3x.semantics is Semantics.V3
    assert _minutes(under_3x) == _minutes(backtest)
    assert [(i.start, i.delay) for i in under_3x.incidents] == [
        (i.start, i.delay) for i in backtest.incidents
    ]
