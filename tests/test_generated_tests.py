"""The generated promtool tests prove behaviour: they pass on the compiled rules and fail on broken ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from aurum.monitoring import SLO, AlertPolicy, AlertTier, BurnWindow, RatioSLI, regex, select
from aurum.monitoring.compile.promtool_tests import promtool_tests
from aurum.monitoring.compile.rules import rule_file
from aurum.monitoring.compile.simulate import humanize
from aurum.monitoring.compile.slo_rules import compile_slo
from aurum.monitoring.io.render import dump_yaml
from aurum.monitoring.pipeline import Artifacts
from aurum.monitoring.validate.promtool import Promtool
from aurum.monitoring.validate.proof_cache import ProofCache
from aurum.monitoring.validate.proofs import Prover
from aurum.monitoring.validate.unit_tests import vacuous_assertions
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL


def _quick_suite(out: Path, slo: str, tmp_path: Path, suffix: str = "test") -> tuple[Path, Path]:
    """A copy of ``slo``'s rules and of one of its test files (the minute-by-minute scenarios by
    default; ``long.test`` for the slow burns, evaluated every 5 minutes), in ``tmp_path``."""
    tests = yaml.safe_load((out / "prometheus" / "tests" / f"{slo}.{suffix}.yaml").read_text())
    tests["rule_files"] = ["rules.yaml"]
    rules_path, tests_path = tmp_path / "rules.yaml", tmp_path / "tests.yaml"
    rules_path.write_text((out / "prometheus" / "rules" / f"{slo}.yaml").read_text())
    tests_path.write_bytes(dump_yaml(tests))
    return rules_path, tests_path


MUTATIONS = [
    # (SLO, what the bug is, text replaced, replacement)
    ("api-availability", "page threshold out of reach", "> 14.4\n", "> 1440\n"),
    ("api-availability", "5xx selector matches 4xx", 'status=~"5.."', 'status=~"4.."'),
    (
        "api-availability",
        "no-traffic guard removed (NaN)",
        'increase1m{slo="api-availability", service="aurum-api"}[4m30s]) > 0)',
        'increase1m{slo="api-availability", service="aurum-api"}[4m30s]))',
    ),
    (
        "api-availability",
        "short window swapped for a long one",
        'ratio_rate5m{slo="api-availability", service="aurum-api"} / 0.001 > 14.4',
        'ratio_rate30m{slo="api-availability", service="aurum-api"} / 0.001 > 14.4',
    ),
    ("api-availability", "wrong objective", "vector(0.999)", "vector(0.99)"),
    ("api-availability", "description shows the wrong value", "{{ $value | humanize }}", "{{ $value }}"),
    ("api-latency", "latency bucket off by one", 'le=~"0[.]50*"', 'le=~"1([.]0*)?"'),
    ("data-freshness", "max age doubled", "> bool 3600", "> bool 7200"),
    ("scenario-creation", "missing-series fallback dropped", ") or vector(0)\n", ")\n"),
]


def test_every_slo_has_generated_tests_that_passed_in_the_build(
    bundled_build: tuple[Path, Artifacts],
) -> None:
    # The build runs `promtool test rules` on every file and refuses to publish otherwise, so the
    # files being in the output is the proof they passed; the mutations below re-run them.
    out, _ = bundled_build
    # Hand-written alerts' tests (alerts.<file>.test.yaml) are covered by test_handwritten_alerts.py.
    tests = sorted(
        p for p in (out / "prometheus" / "tests").glob("*.test.yaml") if not p.name.startswith("alerts.")
    )
    slos = ["api-availability", "api-latency", "cache-hit-rate", "data-freshness", "scenario-creation"]
    slos.append("scenario-runs")
    slow = [slo for slo in slos if slo != "cache-hit-rate"]  # one tier only: no slower tier to burn slowly
    assert [t.name for t in tests] == sorted(
        [f"{slo}.test.yaml" for slo in slos] + [f"{slo}.long.test.yaml" for slo in slow]
    )
    for path in tests:
        document = yaml.safe_load(path.read_text())
        names = [t["name"] for t in document["tests"]]
        if path.name.endswith(".long.test.yaml"):
            assert document["evaluation_interval"] == "5m"
            assert names == [next(name for name in names if name.startswith("slow burn at"))]
            continue
        assert document["evaluation_interval"] == "1m"
        assert names[0].startswith("healthy traffic below budget")
        assert any(name.startswith("full outage") for name in names)
        assert names[-1].startswith("traffic stops")
        if path.name != "data-freshness.test.yaml":  # a fresh gauge has no bad-event series to omit
            assert names[1].startswith("no bad event ever")


@pytest.mark.parametrize(
    ("slo", "old", "new"), [(m[0], m[2], m[3]) for m in MUTATIONS], ids=[m[1] for m in MUTATIONS]
)
def test_a_broken_rule_makes_the_generated_tests_fail(
    bundled_build: tuple[Path, Artifacts],
    promtool: Promtool,
    proof_cache: ProofCache,
    tmp_path: Path,
    slo: str,
    old: str,
    new: str,
) -> None:
    rules_path, tests_path = _quick_suite(bundled_build[0], slo, tmp_path)
    # The same suite passes on the unbroken rules (proven once per SLO: the copies are byte-identical).
    control = Prover(promtool, proof_cache).test_rules([tests_path], lambda *_: None)[0]
    assert control.result.ok, control.result.output
    original = rules_path.read_text()
    assert old in original, f"mutation target {old!r} not in the rules"
    rules_path.write_text(original.replace(old, new))
    broken = promtool.test_rules([tests_path])
    assert not broken.ok, "the generated tests did not notice the broken rule"
    assert "FAILED" in broken.output


def test_a_broken_slow_tier_makes_the_long_tests_fail_though_evaluated_every_5_minutes(
    bundled_build: tuple[Path, Artifacts], promtool: Promtool, proof_cache: ProofCache, tmp_path: Path
) -> None:
    # A full outage fires the ticket through its 1d/2h windows whatever the 3d/6h ones do; only the
    # slow burn, whose ticket fires through the 3d/6h windows first, notices them broken.
    rules_path, tests_path = _quick_suite(bundled_build[0], "api-availability", tmp_path, "long.test")
    control = Prover(promtool, proof_cache).test_rules([tests_path], lambda *_: None)[0]
    assert control.result.ok, control.result.output
    old = 'ratio_rate6h{slo="api-availability", service="aurum-api"} / 0.001 > 1\n'
    original = rules_path.read_text()
    assert old in original
    rules_path.write_text(original.replace(old, old.replace("> 1", "> 2")))
    broken = promtool.test_rules([tests_path])
    assert not broken.ok, "the slow burn did not notice the broken ticket windows"
    assert "FAILED" in broken.output


def test_unknown_alert_names_are_caught_even_though_promtool_passes_them(
    bundled_build: tuple[Path, Artifacts], promtool: Promtool, tmp_path: Path
) -> None:
    rules_path, tests_path = _quick_suite(bundled_build[0], "api-availability", tmp_path)
    tests = yaml.safe_load(tests_path.read_text())
    tests["tests"][0]["alert_rule_test"].append(
        {"eval_time": "1h", "alertname": "ApiAvailabilityTypo", "exp_alerts": []}
    )
    tests["tests"][0]["promql_expr_test"].append(
        {"expr": "slo:typo:ratio", "eval_time": "1h", "exp_samples": []}
    )
    tests_path.write_bytes(dump_yaml(tests))
    assert promtool.test_rules([tests_path]).ok  # promtool alone is fooled
    rules = yaml.safe_load(rules_path.read_text())
    problems = vacuous_assertions(tests, [rules])
    assert any("ApiAvailabilityTypo" in p for p in problems)
    assert any("slo:typo:ratio" in p for p in problems)
    assert (
        vacuous_assertions(
            yaml.safe_load((bundled_build[0] / "prometheus/tests/api-availability.test.yaml").read_text()),
            [rules],
        )
        == []
    )


def test_custom_policy_with_for_and_a_short_period(promtool: Promtool, tmp_path: Path) -> None:
    """The generator is not tied to the default tiers: 7-day period, custom tiers, a hold time, labels."""
    slo = SLO(
        name="custom-policy",
        service="aurum-api",
        description="Custom tiers.",
        objective=99,
        period_days=7,
        labels={"team": "core"},
        sli=RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")), total=select(HTTP_REQUESTS_TOTAL)),
        alerting=AlertPolicy(
            tiers=(
                AlertTier(name="page", windows=(BurnWindow(long="1h", short="5m", budget_percent=2),)),
                AlertTier(
                    name="ticket", windows=(BurnWindow(long="6h", short="30m", budget_percent=5),), for_="10m"
                ),
            )
        ),
    )
    groups = compile_slo(slo)
    (tmp_path / "rules.yaml").write_bytes(dump_yaml(rule_file(groups)))
    documents: dict[str, dict[str, Any]] = promtool_tests(slo, "rules.yaml", [g.name for g in groups])
    assert {timing: [t["name"].split(":")[0] for t in d["tests"]] for timing, d in documents.items()} == {
        "detailed": ["healthy traffic below budget", "no bad event ever", "full outage", "traffic stops"],
        "long": ["slow burn at 2.38x the budget"],
    }
    for timing, document in documents.items():
        (tmp_path / f"{timing}.yaml").write_bytes(dump_yaml(document))
    result = promtool.test_rules([tmp_path / "detailed.yaml", tmp_path / "long.yaml"])
    assert result.ok, result.output


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1000.0, "1k"),
        (14.4, "14.4"),
        (3.5, "3.5"),
        (0.5, "500m"),
        (0.0, "0"),
        (1234567.0, "1.235M"),
        (199.99999999999997, "200"),
    ],
)
def test_humanize_matches_prometheus_templates(value: float, text: str) -> None:
    assert humanize(value) == text
