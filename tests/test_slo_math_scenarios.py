"""The SLO rules against what real scrapes do: gaps, restarts, pods replaced, a first failure, a short window.

Each scenario feeds promtool raw counters as Prometheus would have scraped them and asserts the
recorded windows against the truth: the events the scenario itself generated, minute by minute, summed
here over each window (bad over total), not replayed by ``compile/simulate.py``. Windows shorter than
a day must be exact (compared as ``round(value * 1e6)``); windows of a day or more, which promtool
evaluates every minute although their group runs every 5 minutes in production, within 5 % of it.
Windows are asserted where they contain a gap whole (or not at all), so the truth is unambiguous.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from aurum.monitoring import SLO, AlertPolicy, AlertTier, BurnWindow, RatioSLI, regex, select
from aurum.monitoring.compile.rules import rule_file
from aurum.monitoring.compile.slo_rules import compile_slo
from aurum.monitoring.io.render import dump_yaml
from aurum.monitoring.pipeline import Artifacts
from aurum.monitoring.validate.promtool import Promtool
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL
from aurum.observability.testing import isolated_registry

SLO_NAME = "api-availability"
RECORD_LABELS = '{service="aurum-api", slo="api-availability"}'
JOB = "aurum-api"
ROUTE = {"method": "GET", "path": "/api/scenarios", "tenant_id": "acme-corp"}
PAGE = "ApiAvailabilityErrorBudgetBurnPage"
LONG_TOLERANCE = Fraction(5, 100)

Value = int | str | None
"""A sample: a counter value, ``"stale"`` (the staleness marker a failed scrape writes), or None
(no sample: Prometheus was not scraping)."""


@dataclass
class Scenario:
    """Raw series and the events behind them, per minute."""

    minutes: int
    series: dict[str, list[Value]] = field(default_factory=dict)
    bad: list[int] = field(default_factory=list)
    total: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bad = [0] * (self.minutes + 1)
        self.total = [0] * (self.minutes + 1)

    def add(self, name: str, labels: dict[str, str], values: Sequence[Value]) -> None:
        inner = ", ".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
        self.series[f"{name}{{{inner}}}"] = list(values)

    def events(self, minute: int, bad: int, total: int) -> None:
        """Events counted by the samples at ``minute`` (since the sample before, or before a gap)."""
        self.bad[minute] += bad
        self.total[minute] += total

    def truth(self, window_minutes: int, at: int) -> Fraction:
        """Bad over all events of the minutes ``(at - window, at]``."""
        first = max(0, at - window_minutes + 1)
        return Fraction(sum(self.bad[first : at + 1]), sum(self.total[first : at + 1]))


def _values(values: Sequence[Value]) -> str:
    return " ".join("_" if v is None else str(v) for v in values)


def _counter(increments: Sequence[int], gap: range = range(0), *, stale: bool = False) -> list[Value]:
    """Cumulative values, with no sample in ``gap`` (a staleness marker at its start if ``stale``)."""
    out: list[Value] = []
    for minute, value in enumerate(itertools.accumulate(increments)):
        if minute in gap:
            out.append("stale" if stale and minute == gap.start else None)
        else:
            out.append(value)
    return out


def _requests(instance: str, status: str) -> dict[str, str]:
    return {**ROUTE, "status": status, "instance": instance, "job": JOB}


def _up(instance: str) -> dict[str, str]:
    return {"instance": instance, "job": JOB}


@dataclass
class Check:
    expr: str
    at: int
    value: int | None
    """Expected sample value (None: no sample at all)."""
    labels: str = RECORD_LABELS


def exact(record: str, scenario: Scenario, window_minutes: int, at: int) -> Check:
    truth = scenario.truth(window_minutes, at) * 10**6
    assert abs(truth - truth // 1 - Fraction(1, 2)) > Fraction(1, 100), (
        "ambiguous rounding: pick other counts"
    )
    return Check(f'round({record}{{slo="{SLO_NAME}"}} * 1e6)', at, int((truth + Fraction(1, 2)) // 1))


def ratio(window: str, scenario: Scenario, window_minutes: int, at: int) -> Check:
    return exact(f"slo:sli_error:ratio_rate{window}", scenario, window_minutes, at)


def close(window: str, scenario: Scenario, at: int) -> Check:
    """The long window within 5 % of the truth over everything the scenario generated."""
    truth = scenario.truth(at + 1, at)
    expr = f'abs(slo:sli_error:ratio_rate{window}{{slo="{SLO_NAME}"}} / {float(truth)!r} - 1) < bool {float(LONG_TOLERANCE)}'
    return Check(expr, at, 1)


def alerting(tier: str, at: int, *, firing: bool) -> Check:
    """The tier's alert of api-availability firing (or not) at minute ``at``."""
    name = f"ApiAvailabilityErrorBudgetBurn{tier.capitalize()}"
    severity = {"page": "critical", "ticket": "warning"}[tier]
    labels = (
        f'ALERTS{{alertname="{name}", alertstate="firing", service="aurum-api", severity="{severity}", '
        f'slo="{SLO_NAME}", tier="{tier}"}}'
    )
    return Check(f'ALERTS{{alertname="{name}", alertstate="firing"}}', at, 1 if firing else None, labels)


def document(rules: str, name: str, scenario: Scenario, checks: list[Check]) -> dict[str, Any]:
    return {
        "rule_files": [rules],
        "evaluation_interval": "1m",
        "tests": [
            {
                "name": name,
                "interval": "1m",
                "input_series": [{"series": s, "values": _values(v)} for s, v in scenario.series.items()],
                "promql_expr_test": [
                    {
                        "expr": check.expr,
                        "eval_time": f"{check.at}m",
                        "exp_samples": []
                        if check.value is None
                        else [{"labels": check.labels, "value": check.value}],
                    }
                    for check in checks
                ],
            }
        ],
    }


# --- Scenarios ------------------------------------------------------------------------------------


def gap_in_burst(gap_minutes: int, *, target_down: bool) -> tuple[Scenario, list[Check]]:
    """1,000 requests a minute, 0.1 % failing, 10 % from minute 120 to 180; no scrape for
    ``gap_minutes`` in the middle of the burst (Prometheus restarting, or the target unreachable:
    then the failed scrapes write staleness markers and ``up`` is 0)."""
    scenario = Scenario(240)
    start = 150 - gap_minutes // 2
    gap = range(start, start + gap_minutes)
    bad = [0] + [100 if 120 <= m < 180 else 1 for m in range(1, 241)]
    good = [0] + [1000 - b for b in bad[1:]]
    instance = "api-0:8000"
    scenario.add(
        "aurum_http_requests_total", _requests(instance, "500"), _counter(bad, gap, stale=target_down)
    )
    scenario.add(
        "aurum_http_requests_total", _requests(instance, "200"), _counter(good, gap, stale=target_down)
    )
    up: list[Value] = [0 if target_down else None] * 241
    for minute in range(241):
        if minute not in gap:
            up[minute] = 1
    scenario.add("up", _up(instance), up)
    for minute in range(1, 241):
        # What the minutes of the gap counted reaches Prometheus with the sample after it.
        at = gap.stop if minute in gap else minute
        scenario.events(at, bad[minute], bad[minute] + good[minute])
    end = gap.stop
    checks = [
        ratio("1h", scenario, 60, end + 10),
        ratio("2h", scenario, 120, end + 10),
        ratio("6h", scenario, 360, end + 30),
        *(close(w, scenario, end + 30) for w in ("1d", "3d", "30d")),
    ]
    # The ticket alert fires from the burst on as it does without a gap: every gap here is shorter
    # than its short windows (2h and 6h).
    checks += [alerting("ticket", at, firing=True) for at in range(130, 240, 5)]
    if gap_minutes < 30:
        # The 30m window holds the gap whole from its end for 30 - gap minutes: it sees its events.
        checks.append(ratio("30m", scenario, 30, end + 5))
        # The page alert fires through the burst as it does without a gap: the gap is shorter than
        # the 30m short window of its 6h pair.
        checks += [alerting("page", at, firing=True) for at in range(130, 180, 5)]
    return scenario, checks


def restart() -> tuple[Scenario, list[Check]]:
    """The process dies after the scrape of minute 89 and is back 8 minutes later; its counters
    start again at 0, and it fails 40 of its first 340 requests before the first scrape (minute 98)."""
    scenario = Scenario(180)
    instance = "api-0:8000"
    bad, good = [0] * 181, [0] * 181
    for minute in range(1, 181):
        if minute < 90 or minute > 98:
            bad[minute], good[minute] = 2, 998
    bad[98], good[98] = 40, 300
    down = range(90, 98)
    for status, counts in (("500", bad), ("200", good)):
        values: list[Value] = []
        for minute in range(181):
            if minute in down:
                values.append("stale" if minute == down.start else None)
            elif minute < down.start:
                values.append(sum(counts[: minute + 1]))
            else:  # the new process counts from 0
                values.append(sum(counts[down.stop : minute + 1]))
        scenario.add("aurum_http_requests_total", _requests(instance, status), values)
    scenario.add("up", _up(instance), [0 if m in down else 1 for m in range(181)])
    for minute in range(1, 181):
        scenario.events(minute, bad[minute], bad[minute] + good[minute])
    checks = [
        ratio("5m", scenario, 5, 100),
        ratio("30m", scenario, 30, 110),
        ratio("1h", scenario, 60, 120),
        ratio("6h", scenario, 360, 150),
        close("30d", scenario, 150),
    ]
    return scenario, checks


def pods_replaced() -> tuple[Scenario, list[Check]]:
    """A pod replaced every hour: each new pod fails 60 of the 660 requests it serves before its first
    scrape (cold caches), then 1 in 1,000; the old pod's series go stale."""
    minutes = 360
    scenario = Scenario(minutes)
    for pod in range(6):
        instance = f"api-{pod}:8000"
        first, last = 60 * pod + 1, 60 * pod + 60
        bad: list[int] = []
        good: list[int] = []
        for minute in range(first, last + 1):
            b, t = (60, 660) if minute == first else (1, 1000)
            bad.append(b)
            good.append(t - b)
            scenario.events(minute, b, t)

        def life(counts: list[int], first: int = first, last: int = last) -> list[Value]:
            values: list[Value] = [None] * first + list(itertools.accumulate(counts))
            if last < minutes:
                values.append("stale")
            return values + [None] * (minutes + 1 - len(values))

        scenario.add("aurum_http_requests_total", _requests(instance, "500"), life(bad))
        scenario.add("aurum_http_requests_total", _requests(instance, "200"), life(good))
        scenario.add("up", _up(instance), life([1] + [0] * 59))
    checks = [
        ratio("5m", scenario, 5, 183),
        ratio("1h", scenario, 60, 240),
        ratio("6h", scenario, 360, 360),
        close("30d", scenario, 360),
    ]
    return scenario, checks


def one_failure_through_the_shim() -> tuple[Scenario, list[Check]]:
    """A quiet hour: 10 requests a minute through the runtime shim, one of them (at minute 30) a 500.
    Prometheus scrapes the shim's exposition once a minute, after that minute's requests."""
    # Scrapes go on for 6 quiet minutes after the hour: promtool evaluates the 5-minute rollups every
    # minute, so a long window weighs its last 5 minutes less than production does.
    minutes = 66
    scenario = Scenario(minutes)
    instance = "api-0:8000"
    scrapes: list[dict[tuple[tuple[str, str], ...], float]] = []
    with isolated_registry() as metrics:
        for minute in range(minutes + 1):
            if 0 < minute <= 60:
                for _ in range(10):
                    metrics.record_http_request("GET", ROUTE["path"], 200, ROUTE["tenant_id"], 0.01)
                if minute == 30:
                    metrics.record_http_request("GET", ROUTE["path"], 500, ROUTE["tenant_id"], 0.01)
                scenario.events(minute, int(minute == 30), 10 + int(minute == 30))
            scrapes.append(dict(_scrape(generate_latest(metrics.registry).decode())))  # type: ignore[arg-type]
    keys = sorted({key for scrape in scrapes for key in scrape})
    for key in keys:
        values: list[Value] = [int(s[key]) if key in s else None for s in scrapes]
        scenario.add("aurum_http_requests_total", {**dict(key), "instance": instance, "job": JOB}, values)
    scenario.add("up", _up(instance), [1] * (minutes + 1))
    checks = [ratio("1h", scenario, 60, 60), ratio("30m", scenario, 30, 45), close("30d", scenario, 66)]
    return scenario, checks


def _scrape(text: str) -> Iterator[tuple[tuple[tuple[str, str], ...], float]]:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == HTTP_REQUESTS_TOTAL.name:
                yield tuple(sorted(sample.labels.items())), sample.value


SHORT_WINDOW_SLO = SLO(
    name=SLO_NAME,
    service="aurum-api",
    description="A page confirmed over 2 minutes.",
    objective=99.9,
    sli=RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")), total=select(HTTP_REQUESTS_TOTAL)),
    alerting=AlertPolicy(
        tiers=(AlertTier(name="page", windows=(BurnWindow(long="1h", short="2m", budget_percent=2),)),)
    ),
)


def short_window() -> tuple[Scenario, list[Check]]:
    """A declared 2-minute window after 10 failures at minute 100 of steady traffic: it holds them for
    exactly two minutes, then reads 0."""
    scenario = Scenario(120)
    bad = [0] + [10 if m == 100 else 0 for m in range(1, 121)]
    good = [0] + [1000] * 120
    for status, counts in (("500", bad), ("200", good)):
        scenario.add("aurum_http_requests_total", _requests("api-0:8000", status), _counter(counts))
    scenario.add("up", _up("api-0:8000"), [1] * 121)
    for minute in range(1, 121):
        scenario.events(minute, bad[minute], bad[minute] + good[minute])
    checks = [ratio("2m", scenario, 2, at) for at in (99, 100, 101, 102, 103, 107)]
    return scenario, checks


SCENARIOS = {
    "the same burst without a gap": lambda: gap_in_burst(0, target_down=False),
    "a 20-minute scrape gap (Prometheus down) inside a burst": lambda: gap_in_burst(20, target_down=False),
    "a 30-minute scrape gap (target unreachable) inside a burst": lambda: gap_in_burst(30, target_down=True),
    "a restart: counters back to 0, failures before the first scrape": restart,
    "a pod replaced every hour, failing before its first scrape": pods_replaced,
    "one failed request in a quiet hour, through the runtime shim": one_failure_through_the_shim,
}


def run(
    promtool: Promtool, rules: Path, name: str, scenario: Scenario, checks: list[Check], tmp: Path
) -> str:
    """promtool's verdict on ``checks`` over ``scenario`` with the rule file ``rules``: "" when they hold."""
    path = tmp / "scenario.test.yaml"
    path.write_bytes(dump_yaml(document(str(rules), name, scenario, checks)))
    result = promtool.test_rules([path])
    return "" if result.ok else result.output


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_window_holds_the_true_ratio(
    name: str, promtool: Promtool, bundled_build: tuple[Path, Artifacts], tmp_path: Path
) -> None:
    scenario, checks = SCENARIOS[name]()
    rules = bundled_build[0] / "prometheus" / "rules" / f"{SLO_NAME}.yaml"
    assert run(promtool, rules, name, scenario, checks, tmp_path) == ""


def test_a_declared_two_minute_window_weighs_two_minutes(promtool: Promtool, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_bytes(dump_yaml(rule_file(compile_slo(SHORT_WINDOW_SLO))))
    scenario, checks = short_window()
    assert [c.value != 0 for c in checks] == [False, True, True, False, False, False]  # the truth
    assert run(promtool, rules, "a declared 2m window", scenario, checks, tmp_path) == ""
