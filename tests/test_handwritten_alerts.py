"""Hand-written alerts: promtool tests show each one firing and staying quiet, and catch broken rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from aurum.monitoring.io.render import dump_yaml
from aurum.monitoring.pipeline import Artifacts
from aurum.monitoring.validate.promtool import Promtool, PromtoolResult
from aurum.monitoring.validate.unit_tests import vacuous_assertions

GOLDEN_RULES = Path(__file__).parent / "golden" / "prometheus" / "rules"
ALERTS = sorted(
    (path.name.removeprefix("alerts.").removesuffix(".yaml"), rule["alert"])
    for path in GOLDEN_RULES.glob("alerts.*.yaml")
    for group in yaml.safe_load(path.read_text())["groups"]
    for rule in group["rules"]
)
"""(file stem, alert name) of every hand-written alert, Python and Jsonnet alike."""


def _suite(out: Path, stem: str, alert: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The rules and tests of ``alerts/<stem>``, only the tests of ``alert`` when given.

    The build already ran them on the unbroken rules with promtool and published them only because
    they passed, so the tests below need no control run.
    """
    rules = yaml.safe_load((out / "prometheus" / "rules" / f"alerts.{stem}.yaml").read_text())
    tests = yaml.safe_load((out / "prometheus" / "tests" / f"alerts.{stem}.test.yaml").read_text())
    tests["rule_files"] = ["rules.yaml"]
    if alert is not None:
        tests["tests"] = [
            test for test in tests["tests"] if any(c["alertname"] == alert for c in test["alert_rule_test"])
        ]
    return rules, tests


def _run(promtool: Promtool, tmp_path: Path, rules: dict[str, Any], tests: dict[str, Any]) -> PromtoolResult:
    (tmp_path / "rules.yaml").write_bytes(dump_yaml(rules))
    (tmp_path / "tests.yaml").write_bytes(dump_yaml(tests))
    return promtool.test_rules([tmp_path / "tests.yaml"])


def _rule(rules: dict[str, Any], alert: str) -> dict[str, Any]:
    return next(rule for group in rules["groups"] for rule in group["rules"] if rule.get("alert") == alert)


def test_the_spec_alerts_are_all_declared() -> None:
    assert {name for _, name in ALERTS} == {
        "ApiHighErrorRate",
        "ApiHighLatency",
        "AurumMetricsAbsent",
        "AurumTargetDown",
        "CacheHitRateLow",
        "DatabasePoolExhausted",
        "DatasetStale",
        "RateLimitingSpike",
        "ScenarioCreationFailures",
        "ScenarioRunFailures",
        "SloErrorBudgetExhausted",
    }


@pytest.mark.parametrize(("stem", "alert"), ALERTS, ids=[a for _, a in ALERTS])
def test_every_alert_has_tests_showing_it_firing_and_quiet(
    bundled_build: tuple[Path, Artifacts], stem: str, alert: str
) -> None:
    # The build ran these with promtool and refused to publish otherwise: being here, they passed.
    rules, tests = _suite(bundled_build[0], stem)
    checks = [c for t in tests["tests"] for c in t["alert_rule_test"] if c["alertname"] == alert]
    assert any(c["exp_alerts"] for c in checks), "no check expects the alert to fire"
    assert any(not c["exp_alerts"] for c in checks), "no check expects the alert to stay quiet"
    firing = [a for c in checks for a in c["exp_alerts"]]
    assert all(a["exp_annotations"]["description"] for a in firing)
    assert vacuous_assertions(tests, [rules]) == []


BROKEN = {
    "never fires": "({expr}) and on() vector(0) > 1",
    "always fires": "({expr}) or on() vector(1)",
}


@pytest.mark.parametrize("broken", BROKEN)
@pytest.mark.parametrize(("stem", "alert"), ALERTS, ids=[a for _, a in ALERTS])
def test_an_alert_that_never_or_always_fires_fails_its_tests(
    bundled_build: tuple[Path, Artifacts],
    promtool: Promtool,
    tmp_path: Path,
    stem: str,
    alert: str,
    broken: str,
) -> None:
    rules, tests = _suite(bundled_build[0], stem, alert)
    rule = _rule(rules, alert)
    rule["expr"] = BROKEN[broken].format(expr=rule["expr"])
    result = _run(promtool, tmp_path, rules, tests)
    assert not result.ok, f"the tests of {alert} pass although it {broken}"
    assert "FAILED" in result.output


MUTATIONS = [
    # (alert, what the bug is, text replaced, replacement)
    ("ApiHighErrorRate", "4xx counted as server errors", 'status=~"5.."', 'status=~"4.."'),
    ("ApiHighErrorRate", "threshold ten times too high", "> 0.05", "> 0.5"),
    ("ApiHighErrorRate", "traffic floor dropped", "\nand\n", "\nor\n"),
    ("ApiHighLatency", "P50 instead of P99", "histogram_quantile(0.99", "histogram_quantile(0.5"),
    ("CacheHitRateLow", "no-hit fallback dropped", " or sum by (cache_type)", " and sum by (cache_type)"),
    ("DatabasePoolExhausted", "idle connections counted as in use", 'state="in_use"', 'state="idle"'),
    ("SloErrorBudgetExhausted", "fires only once the budget is overspent", "<= 0", "< -1"),
    ("AurumTargetDown", "healthy targets reported", "== 0", "== 1"),
    ("DatasetStale", "four hours instead of three", "3 * 3600", "4 * 3600"),
]


@pytest.mark.parametrize(
    ("alert", "old", "new"),
    [(m[0], m[2], m[3]) for m in MUTATIONS],
    ids=[f"{m[0]}: {m[1]}" for m in MUTATIONS],
)
def test_a_deliberately_broken_alert_expression_fails_its_tests(
    bundled_build: tuple[Path, Artifacts], promtool: Promtool, tmp_path: Path, alert: str, old: str, new: str
) -> None:
    stem = {name: stem for stem, name in ALERTS}[alert]
    rules, tests = _suite(bundled_build[0], stem, alert)
    rule = _rule(rules, alert)
    assert old in rule["expr"], f"mutation target {old!r} not in {rule['expr']!r}"
    rule["expr"] = rule["expr"].replace(old, new)
    result = _run(promtool, tmp_path, rules, tests)
    assert not result.ok, "the tests did not notice the broken expression"
    assert "FAILED" in result.output
