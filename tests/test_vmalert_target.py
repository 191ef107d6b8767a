"""The vmalert shape of the SLO rules (``--engine vmalert``): no rule reads what another rule of its
group records in the same evaluation, the values are Prometheus's (the same generated promtool tests
pass on it, and fail when it is broken), and vmalert itself loads every file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from aurum.monitoring.cli import main
from aurum.monitoring.io.declarations import DeclarationError
from aurum.monitoring.io.project import load_project
from aurum.monitoring.pipeline import Artifacts
from aurum.monitoring.validate.promql import metric_names
from aurum.monitoring.validate.promtool import Promtool
from aurum.monitoring.validate.proof_cache import ProofCache
from aurum.monitoring.validate.proofs import Prover
from tests.test_generated_tests import _quick_suite

pytestmark = pytest.mark.slow


def _same_evaluation_reads(build: Path) -> list[str]:
    """``file: group: rule reads {series}`` for every read, at an instant or over a range, of a series
    its own group records: over a range, the newest sample is the one of this evaluation."""
    found = []
    for path in sorted((build / "prometheus" / "rules").glob("*.yaml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            recorded = {rule["record"] for rule in group["rules"] if "record" in rule}
            for rule in group["rules"]:
                read = metric_names(rule["expr"]) & recorded
                if read:
                    name = rule.get("record") or rule["alert"]
                    found.append(f"{path.name}: {group['name']}: {name} reads {sorted(read)}")
    return found


def test_no_rule_reads_what_its_group_records_in_the_same_evaluation(
    vmalert_build: tuple[Path, Artifacts], bundled_build: tuple[Path, Artifacts]
) -> None:
    assert _same_evaluation_reads(vmalert_build[0]) == []
    # The Prometheus shape does chain within a group, so the check above can see a chain.
    chained = _same_evaluation_reads(bundled_build[0])
    assert (
        "api-availability.yaml: aurum-slo-api-availability-sli: slo:current_burn_rate:ratio reads "
        "['slo:sli_error:ratio_rate5m']" in chained
    )


def test_the_same_generated_tests_prove_both_shapes(
    vmalert_build: tuple[Path, Artifacts], bundled_build: tuple[Path, Artifacts]
) -> None:
    """The build ran promtool on the vmalert rules with the generated tests (it publishes nothing
    otherwise); those tests are the Prometheus build's, over different rules: only the order in which
    promtool evaluates the groups names the vmalert shape's, each window group after its source."""
    vm, prom = vmalert_build[0] / "prometheus", bundled_build[0] / "prometheus"
    tests = sorted(p.name for p in (prom / "tests").glob("*.yaml"))
    assert tests == sorted(p.name for p in (vm / "tests").glob("*.yaml"))
    for name in tests:
        ours, theirs = (yaml.safe_load((d / "tests" / name).read_text()) for d in (vm, prom))
        order = ours.pop("group_eval_order", None)
        theirs.pop("group_eval_order", None)
        assert ours == theirs, name
        if name.startswith("api-availability."):
            assert order[:4] == [
                "aurum-slo-api-availability-sli",
                "aurum-slo-api-availability-sli-windows",
                "aurum-slo-api-availability-long",
                "aurum-slo-api-availability-long-windows",
            ]
    slo_files = [
        p.name for p in (prom / "rules").glob("*.yaml") if not p.name.startswith(("alerts.", "records."))
    ]
    assert slo_files
    for name in slo_files:
        assert (vm / "rules" / name).read_bytes() != (prom / "rules" / name).read_bytes(), name


INLINED_MUTATIONS = [
    # (what the bug is, text replaced, replacement): each in an expression only the vmalert shape has
    (
        "the inlined 5m ratio counts 30 minutes of bad events",
        '(\n      sum_over_time(slo:sli_bad_events:increase1m{slo="api-availability", service="aurum-api"}[4m30s])',
        '(\n      sum_over_time(slo:sli_bad_events:increase1m{slo="api-availability", service="aurum-api"}[29m30s])',
    ),
    ("the inlined burn rate uses the wrong budget", ") / 0.001\n", ") / 0.01\n"),
    (
        "the page's 5m window summed over 30m in the alert",
        'sum(\n      sum_over_time(slo:sli_bad_events:increase1m{slo="api-availability", service="aurum-api"}[4m30s])',
        'sum(\n      sum_over_time(slo:sli_bad_events:increase1m{slo="api-availability", service="aurum-api"}[29m30s])',
    ),
    ("the inlined budget remaining is not one minus the burn", "1 - ((", "0.5 - (("),
]


@pytest.mark.parametrize(
    ("old", "new"), [m[1:] for m in INLINED_MUTATIONS], ids=[m[0] for m in INLINED_MUTATIONS]
)
def test_a_broken_inlined_rule_makes_the_generated_tests_fail(
    vmalert_build: tuple[Path, Artifacts],
    promtool: Promtool,
    proof_cache: ProofCache,
    tmp_path: Path,
    old: str,
    new: str,
) -> None:
    rules_path, tests_path = _quick_suite(vmalert_build[0], "api-availability", tmp_path)
    control = Prover(promtool, proof_cache).test_rules([tests_path], lambda *_: None)[0]
    assert control.result.ok, control.result.output
    original = rules_path.read_text()
    assert old in original, f"mutation target {old!r} not in the vmalert rules"
    rules_path.write_text(original.replace(old, new))
    broken = promtool.test_rules([tests_path])
    assert not broken.ok, "the generated tests did not notice the broken rule"


def test_vmalert_loads_every_file_of_the_vmalert_build(vmalert_build: tuple[Path, Artifacts]) -> None:
    binary = shutil.which("vmalert")
    if binary is None:
        pytest.fail("vmalert is not installed: apt-get install victoria-metrics (or make build)")
    rules = vmalert_build[0] / "prometheus" / "rules"
    checked = subprocess.run(
        [binary, "-dryRun", f"-rule={rules}/*.yaml", "-loggerLevel=ERROR"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_engine_comes_from_the_project_or_the_flag(tmp_path: Path, repo_root: Path, capsys) -> None:
    assert main(["validate", "--root", str(repo_root), "--engine", "vmalert"]) == 0
    assert "; SLO rules shaped for vmalert" in capsys.readouterr().out
    (tmp_path / "pyproject.toml").write_text('[tool.aurum-obs]\nowner = "team"\nrule-engine = "vmalert"\n')
    assert str(load_project(tmp_path).settings.rule_engine) == "vmalert"
    (tmp_path / "pyproject.toml").write_text('[tool.aurum-obs]\nowner = "team"\nrule-engine = "thanos"\n')
    with pytest.raises(DeclarationError) as refused:
        load_project(tmp_path)
    assert "pyproject.toml" in str(refused.value) and "rule-engine" in str(refused.value)
    assert main(["validate", "--root", str(tmp_path)]) == 2  # the build refuses it too, with exit 2
    assert "rule-engine" in capsys.readouterr().err
