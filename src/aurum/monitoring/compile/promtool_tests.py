"""Generated promtool unit tests: each SLO's alerts shown firing and staying quiet.

Every test feeds synthetic catalog series through the compiled rules (see :mod:`workload`) and
asserts, at chosen minutes, the state of *every* tier's alert and the recorded values, as replayed
exactly by :mod:`simulate`. The scenarios:

- healthy traffic at half the budget: no alert; every window, burn rate and metadata series;
- no bad event ever, so the bad-event series do not exist: every ratio is 0, not missing;
- full outage, then recovery: the fastest tier fires at the first minute its windows allow, and
  every alert resolves once the short windows are clean again;
- for each slower tier, a steady burn between its threshold and the faster tiers' (3.5x the budget
  with the default tiers): it fires, the faster tiers never do. The replay holds the burn for the
  tier's long window (three days) to check that claim; the test holds it until each window the burn
  can fire through has fired, and :data:`SLOW_BURN_HOLD` more;
- traffic stopping: no alert, no NaN; long windows keep the value they had.

The generator checks each claim against the replay before writing it, so a policy for which a claim
cannot hold fails the build instead of producing a test that proves nothing.

promtool's work grows with the evaluations it makes times the samples each window reads, and it
evaluates a whole file at one ``evaluation_interval``. Scenarios that assert the very minute an alert
fires or resolves are evaluated every minute; the slow burns, which span days to fill their long
windows, every 5 minutes in a file of their own (the replay is evaluated at the same step, so every
assertion is checked against what promtool computes). See :data:`STEP_MINUTES`.

That cost is every rule evaluated at every step (about 0.3 ms per rule and step), hardly the samples
read: input series every 5 minutes instead of every minute cost promtool as much. So the scenarios
are cut in evaluations, never in samples: the slow burns stop once their tier has fired through every
window it can, since the rest of a three-day hold repeats the same states.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from aurum.contract import conventions as conv
from aurum.monitoring.compile import slo_names
from aurum.monitoring.compile.promql import exact_number, selector
from aurum.monitoring.compile.simulate import STEP_SECONDS, Replay, Semantics, shown_burn_rate
from aurum.monitoring.compile.slo_rules import alert_annotations, alert_labels
from aurum.monitoring.compile.workload import Phase, SynthesisError, Workload, group_values, workload_for
from aurum.monitoring.model import SLO, AlertTier, BurnWindow, FreshnessSLI, format_duration

__all__ = ["promtool_tests"]

HEALTHY_BURN = Fraction(1, 2)
SLOW_BURN = Fraction(7, 2)
SLOW_BURN_HOLD = 120
"""Minutes a slow burn goes on in the test after its tier fires: one more checkpoint, still firing,
the faster tiers still quiet. The replay checks the whole long window (three days with the default
tiers) before the test is written; promtool, whose cost is every rule evaluated at every step,
runs the burn only until the tier has fired and held."""
_ROUND = 10**6
"""Recorded values are compared as ``round(value * 1e6)``: exact integers, immune to float noise."""

DETAILED, LONG = conv.SLOTests.DETAILED, conv.SLOTests.LONG
STEP_MINUTES = {DETAILED: 1, LONG: conv.BASE_WINDOW_SECONDS // STEP_SECONDS}
"""Minutes between evaluations, by kind of scenario: the exact minute of an alert needs every minute;
a scenario spanning days only needs every base window (5 minutes), for a fifth of promtool's
evaluations and samples. Its one-minute tiles then hold one minute in five, which changes no ratio
of burns held for hours, and the replay counts exactly those minutes."""


def _minutes(seconds: int) -> int:
    return seconds // 60


def _at(minute: int) -> str:
    return format_duration(minute * 60) if minute else "0m"


def _speed(tier: AlertTier, slo: SLO) -> Fraction:
    return max(window.burn_factor(slo.period_seconds) for window in tier.windows)


class _Scenario:
    """One promtool test: phases, the replay of them, and the assertions made from it."""

    def __init__(
        self, slo: SLO, workload: Workload, name: str, phases: list[Phase], timing: conv.SLOTests = DETAILED
    ) -> None:
        self.slo, self.name, self.timing = slo, name, timing
        self.group = dict(workload.group)
        """The group whose series this scenario feeds and checks (empty for an ungrouped SLO)."""
        self.step = STEP_MINUTES[timing]
        self.tiers = sorted(slo.alerting.enabled_tiers, key=lambda tier: -_speed(tier, slo))
        realized = workload.realize(phases)
        self.series = realized.input_series
        base = realized.base.every(self.step)
        self.replay = Replay(slo, base)
        # What Prometheus 3 would compute: a claim is asserted only where both agree.
        self.other = Replay(slo, base.under(Semantics.V3))
        self.alert_tests: list[dict[str, Any]] = []
        self.expr_tests: list[dict[str, Any]] = []

    @property
    def end(self) -> int:
        return self.replay.minutes - 1

    def fires(self, tier: AlertTier, minute: int) -> bool:
        return self.replay.firing(tier, minute)[0]

    def first_firing(self, tier: AlertTier, start: int, end: int) -> int | None:
        return next((m for m in self.replay.evaluations(start, end) if self.fires(tier, m)), None)

    def check_alerts(self, minute: int) -> None:
        """Assert every tier's state at ``minute`` as replayed; skip states float noise could flip."""
        for tier in self.tiers:
            firing, robust, value = self.replay.firing(tier, minute)
            if not robust or self.other.firing(tier, minute) != (firing, robust, value):
                continue
            expected: list[dict[str, Any]] = []
            if firing:
                assert value is not None
                shown = shown_burn_rate(value, self.slo.error_budget)
                if shown is None:
                    continue
                expected.append(
                    {
                        "exp_labels": {**alert_labels(self.slo, tier), **self.group},
                        "exp_annotations": alert_annotations(self.slo, tier, shown),
                    }
                )
            entry = {
                "eval_time": _at(minute),
                "alertname": slo_names.alert_name(self.slo, tier),
                "exp_alerts": expected,
            }
            if entry not in self.alert_tests:
                self.alert_tests.append(entry)

    def check_value(self, minute: int, record: str, value: Fraction | None, scale: int = _ROUND) -> None:
        """Assert ``round(record * scale)`` at ``minute`` (no sample at all when ``value`` is None)."""
        expr = f"round({selector(record, self.own)} * {scale})"
        if value is None:
            self.expr_tests.append({"expr": expr, "eval_time": _at(minute), "exp_samples": []})
            return
        scaled = value * scale
        if abs(scaled - scaled // 1 - Fraction(1, 2)) < Fraction(1, 100):
            return  # too close to .5 to know which way Prometheus rounds
        self.expr_tests.append(
            {
                "expr": expr,
                "eval_time": _at(minute),
                "exp_samples": [
                    {"labels": selector("", self.labels), "value": int((scaled + Fraction(1, 2)) // 1)}
                ],
            }
        )

    @property
    def own(self) -> list[tuple[str, str, str]]:
        """The matchers selecting this SLO's recorded series (of this scenario's group)."""
        return [
            *slo_names.own_matchers(self.slo),
            *((name, "=", value) for name, value in self.group.items()),
        ]

    @property
    def labels(self) -> list[tuple[str, str, str]]:
        """Every label of this SLO's recorded series (of this scenario's group), as matchers."""
        labels = {**slo_names.record_labels(self.slo), **self.group}
        return [(name, "=", value) for name, value in sorted(labels.items())]

    def check_windows(self, minute: int) -> None:
        """Every recorded window, the burn rates and the budget remaining at ``minute``."""
        budget = Fraction(self.slo.error_budget)
        for window in slo_names.windows(self.slo):
            ratio = self.replay.ratio(window, minute)
            if ratio != self.other.ratio(window, minute):
                continue
            self.check_value(minute, conv.slo_error_ratio(format_duration(window)), ratio)
        current = self.replay.ratio(conv.BASE_WINDOW_SECONDS, minute)
        period = self.replay.ratio(self.slo.period_seconds, minute)
        self.check_value(minute, conv.SLO_CURRENT_BURN_RATE, None if current is None else current / budget)
        self.check_value(minute, conv.SLO_PERIOD_BURN_RATE, None if period is None else period / budget)
        remaining = None if period is None else 1 - period / budget
        self.check_value(minute, conv.SLO_PERIOD_BUDGET_REMAINING, remaining)
        bad, total = self.replay.base_sums(minute)
        unit = self.replay.base.unit
        self.check_value(minute, conv.SLO_BAD_EVENTS, bad * unit)
        self.check_value(minute, conv.SLO_TOTAL_EVENTS, total * unit)

    def document(self) -> dict[str, Any]:
        if not self.alert_tests and not self.expr_tests:
            msg = f"scenario {self.name!r} has no assertion that is robust against float rounding"
            raise SynthesisError(msg)
        return {
            "name": self.name,
            "interval": "1m",
            "input_series": list(self.series),
            "alert_rule_test": self.alert_tests,
            "promql_expr_test": self.expr_tests,
        }


def _healthy(slo: SLO) -> Fraction:
    # A freshness SLI is healthy when never stale; event SLIs spend half their budget.
    return Fraction(0) if isinstance(slo.sli, FreshnessSLI) else HEALTHY_BURN * Fraction(slo.error_budget)


def _healthy_scenario(slo: SLO, workload: Workload) -> _Scenario:
    scenario = _Scenario(slo, workload, "healthy traffic below budget: no alert", [Phase(180, _healthy(slo))])
    for minute in (30, 60, 120, 180):
        scenario.check_alerts(minute)
    scenario.check_windows(scenario.end)
    # The SLO's constants are one series each, not one per group.
    own = slo_names.own_matchers(slo)
    labels = [(name, "=", value) for name, value in slo_names.record_labels(slo).items()]
    exact = [
        (conv.SLO_OBJECTIVE, slo.objective_ratio),
        (conv.SLO_ERROR_BUDGET, slo.error_budget),
        (conv.SLO_TIME_PERIOD, slo.period_days),
    ]
    for record, value in exact:
        scenario.expr_tests.append(
            {
                "expr": selector(record, own),
                "eval_time": _at(scenario.end),
                "exp_samples": [{"labels": selector(record, labels), "value": value}],
            }
        )
    info = [
        *labels,
        (conv.DESCRIPTION_LABEL, "=", slo.description),
        (conv.OBJECTIVE_LABEL, "=", exact_number(slo.objective_ratio)),
        (conv.PERIOD_LABEL, "=", slo.target.period),
    ]
    scenario.expr_tests.append(
        {
            "expr": selector(conv.SLO_INFO, own),
            "eval_time": _at(scenario.end),
            "exp_samples": [{"labels": selector(conv.SLO_INFO, sorted(info)), "value": 1}],
        }
    )
    return scenario


def _outage_scenario(slo: SLO, workload: Workload, tier: AlertTier) -> _Scenario:
    healthy, start = _healthy(slo), 60
    longest = max(_minutes(w.long) for w in tier.windows)
    probe = _Scenario(slo, workload, "probe", [Phase(start, healthy), Phase(longest, Fraction(1))])
    detected = probe.first_firing(tier, start + 1, probe.end)
    if detected is None:
        msg = f"tier {tier.name!r} never fires during a full outage of {format_duration(longest * 60)}"
        raise SynthesisError(msg)
    outage = detected - start + 15
    recovery = max(_minutes(w.short) for t in probe.tiers for w in t.windows) + 30
    delay = format_duration((detected - start) * 60)
    name = f"full outage: {tier.name} alert fires within {delay}, then resolves"
    scenario = _Scenario(
        slo, workload, name, [Phase(start, healthy), Phase(outage, Fraction(1)), Phase(recovery, healthy)]
    )
    restored = start + outage
    loud = [
        m
        for m in scenario.replay.evaluations(restored, scenario.end)
        if any(scenario.fires(t, m) for t in scenario.tiers)
    ]
    resolved = (loud[-1] + 1) if loud else restored
    if resolved > scenario.end:
        msg = f"alerts of {slo.name} do not resolve within {format_duration(recovery * 60)} of recovery"
        raise SynthesisError(msg)
    during = range(detected, restored, 5)
    for minute in sorted({start, detected - 1, *during, restored, resolved - 1, resolved, scenario.end}):
        scenario.check_alerts(minute)
    return scenario


def _first_burning(scenario: _Scenario, window: BurnWindow, start: int) -> int | None:
    """The first evaluation from ``start`` at which both of ``window``'s ranges burn too fast."""
    limit = window.burn_factor(scenario.slo.period_seconds) * Fraction(scenario.slo.error_budget)
    for minute in scenario.replay.evaluations(start, scenario.end):
        ratios = [scenario.replay.ratio(seconds, minute) for seconds in (window.short, window.long)]
        if all(ratio is not None and ratio > limit for ratio in ratios):
            return minute
    return None


def _burn_scenario(
    slo: SLO, workload: Workload, tier: AlertTier, faster: list[AlertTier]
) -> _Scenario | None:
    period, budget = slo.period_seconds, Fraction(slo.error_budget)
    ceiling = min(min(w.burn_factor(period) for w in t.windows) for t in faster)
    factors = [w.burn_factor(period) for w in tier.windows if w.burn_factor(period) < ceiling]
    if not factors:
        return None  # this tier cannot fire without a faster one firing first
    floor = max(factors)
    ceiling = min(ceiling, 1 / budget)
    burn = SLOW_BURN if floor < SLOW_BURN < ceiling else (floor + ceiling) / 2
    window = max(_minutes(w.long) for w in tier.windows if w.burn_factor(period) <= floor)
    start = 360
    quiet = ", ".join(t.name for t in faster)
    name = f"slow burn at {float(burn):g}x the budget: {tier.name} fires, {quiet} does not"
    # The replay holds the burn for the whole long window; promtool is fed it until each of the
    # tier's windows that this burn can fire has fired (the alert's $value switches to the first
    # window's), then SLOW_BURN_HOLD more: promtool's cost is every rule evaluated at every step.
    held = [Phase(start, _healthy(slo)), Phase(window + 30, burn * budget)]
    probe = _Scenario(slo, workload, name, held, LONG)
    fired = probe.first_firing(tier, start, probe.end)
    evaluations = probe.replay.evaluations(0, probe.end)
    loud = [t.name for t in faster if any(probe.fires(t, m) for m in evaluations)]
    if fired is None or loud:
        msg = f"a burn at {float(burn):g}x does not fire tier {tier.name!r} alone with this SLI's series"
        raise SynthesisError(msg)
    through = [_first_burning(probe, w, start) for w in tier.windows if w.burn_factor(period) <= floor]
    last = max([fired, *(m for m in through if m is not None)])
    phases = [Phase(start, _healthy(slo)), Phase(last - start + SLOW_BURN_HOLD, burn * budget)]
    scenario = _Scenario(slo, workload, name, phases, LONG)
    checkpoints = {start, fired - scenario.step, fired, scenario.end, *range(start, scenario.end, 120)}
    for minute in sorted(checkpoints):
        scenario.check_alerts(minute)
    return scenario


def _no_traffic_scenario(slo: SLO, workload: Workload) -> _Scenario:
    scenario = _Scenario(
        slo, workload, "traffic stops: no alert, no NaN", [Phase(60, _healthy(slo)), Phase(180, None)]
    )
    for minute in range(60, scenario.end + 1, 30):
        scenario.check_alerts(minute)
    scenario.check_windows(scenario.end)
    return scenario


def _flawless_scenario(slo: SLO, workload: Workload) -> _Scenario:
    """No bad event ever: the bad-event series do not even exist, yet every ratio is 0, not empty."""
    scenario = _Scenario(
        slo, workload, "no bad event ever: ratios are 0, not missing", [Phase(120, Fraction(0))]
    )
    scenario.check_alerts(scenario.end)
    scenario.check_windows(scenario.end)
    return scenario


def _two_groups_scenario(slo: SLO, burning: Workload, healthy: Workload, tier: AlertTier) -> _Scenario:
    """One group in a full outage, another healthy beside it: only the burning group alerts, and each
    group's windows are its own events only."""
    scenario = _outage_scenario(slo, burning, tier)
    quiet = _Scenario(slo, healthy, "beside", [Phase(scenario.replay.minutes - 1, _healthy(slo))])
    shown = ", ".join(f"{name}={value}" for name, value in scenario.group.items())
    others = ", ".join(f"{name}={value}" for name, value in quiet.group.items())
    scenario.name = f"two groups: {shown} in a full outage pages ({tier.name}), {others} healthy does not"
    # Every alert check lists the burning group's alert alone: promtool fails on any other.
    scenario.series = (*scenario.series, *quiet.series)
    scenario.check_windows(scenario.end)
    quiet.check_windows(quiet.end)
    scenario.expr_tests += quiet.expr_tests
    return scenario


def _scenarios(slo: SLO, workload: Workload) -> Iterable[_Scenario]:
    yield _healthy_scenario(slo, workload)
    if not isinstance(slo.sli, FreshnessSLI):  # a fresh gauge is already the healthy scenario
        yield _flawless_scenario(slo, workload)
    tiers = sorted(slo.alerting.enabled_tiers, key=lambda tier: -_speed(tier, slo))
    if tiers:
        yield _outage_scenario(slo, workload, tiers[0])
    if slo.group_by and tiers:
        other = workload_for(slo, group_values(slo)[1])
        assert other is not None  # the same kind as ``workload``
        yield _two_groups_scenario(slo, workload, other, tiers[0])
    for index in range(1, len(tiers)):
        scenario = _burn_scenario(slo, workload, tiers[index], tiers[:index])
        if scenario is not None:
            yield scenario
    yield _no_traffic_scenario(slo, workload)


def promtool_tests(slo: SLO, rule_file: str, groups: Iterable[str]) -> dict[conv.SLOTests, dict[str, Any]]:
    """The promtool test files for ``slo`` by timing (:data:`DETAILED`, :data:`LONG`), one file per
    evaluation interval; none for raw PromQL SLIs, whose input series are unknown."""
    workload = workload_for(slo, group_values(slo)[0] if slo.group_by else ())
    if workload is None:
        return {}
    order = list(groups)
    tests: dict[conv.SLOTests, list[dict[str, Any]]] = {}
    for scenario in _scenarios(slo, workload):
        tests.setdefault(scenario.timing, []).append(scenario.document())
    return {
        timing: {
            "rule_files": [rule_file],
            "evaluation_interval": f"{STEP_MINUTES[timing]}m",
            "group_eval_order": order,
            "tests": tests[timing],
        }
        for timing in (DETAILED, LONG)
        if timing in tests
    }
