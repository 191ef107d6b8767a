"""Golden cases per feature, beside the whole-tree golden: one small declaration and its reviewed output.

Each ``tests/golden_cases/<case>/`` is a repository root of one SLO file (``slos/``) that uses one
feature, and ``out/``: what the build renders from it, reviewed. ``make golden`` regenerates them.
``out/`` holds the Prometheus side (rules and generated promtool tests) and the SLO manifest, which
is what one SLO compiles to; the Grafana boards it would be on are those of the whole set and are
reviewed in ``tests/golden``.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from aurum.contract.conventions import MANIFEST_FILE
from aurum.monitoring.io.project import load_project
from aurum.monitoring.pipeline import build, render
from aurum.monitoring.validate.promtool import Promtool
from aurum.monitoring.validate.proof_cache import ProofCache

CASES_DIR = Path(__file__).parent / "golden_cases"
CASES = sorted(path.name for path in CASES_DIR.iterdir() if path.is_dir())
KEPT = ("prometheus",)
"""The top-level directories of the output a case keeps (besides the manifest)."""

# What each case's output must show, so a case cannot silently stop exercising its feature.
FEATURE = {
    "period-28d": ("rules", "record: slo:sli_error:ratio_rate28d"),
    "custom-tiers": ("rules", "alert: ScenariosAvailabilityErrorBudgetBurnNotify"),
    "disabled-tier": ("rules", "alert: ScenariosAvailabilityErrorBudgetBurnPage"),
    "for": ("rules", "for: 2m"),
    "good-events": ("manifest", '"good": [\n'),
    "promql": ("manifest", '"kind": "promql"'),
    "latency": ("rules", 'le=~"0[.]250*"'),
    "freshness": ("rules", "> bool 1800"),
    "extra-labels": ("rules", "team: payments"),
}


def _kept(path: PurePosixPath) -> bool:
    return path == MANIFEST_FILE or path.parts[0] in KEPT


def _reviewed(case: str) -> dict[PurePosixPath, bytes]:
    out = CASES_DIR / case / "out"
    return {
        PurePosixPath(p.relative_to(out).as_posix()): p.read_bytes() for p in out.rglob("*") if p.is_file()
    }


def _rendered(case: str) -> dict[PurePosixPath, bytes]:
    # The project as the CLI reads it for the case's root, as 'make golden' renders it.
    root = CASES_DIR / case
    files = render(root, project=load_project(root).settings).files
    return {path: data for path, data in files.items() if _kept(path)}


def test_there_is_a_case_for_every_feature() -> None:
    assert sorted(FEATURE) == CASES


@pytest.mark.parametrize("case", CASES)
def test_the_case_renders_byte_for_byte_as_reviewed(case: str) -> None:
    rendered, reviewed = _rendered(case), _reviewed(case)
    assert sorted(rendered) == sorted(reviewed), "run 'make golden' and review the diff"
    changed = [str(path) for path in rendered if rendered[path] != reviewed[path]]
    assert not changed, f"differs from tests/golden_cases/{case}/out (run 'make golden' and review)"


@pytest.mark.parametrize("case", CASES)
def test_the_case_shows_its_feature(case: str) -> None:
    where, text = FEATURE[case]
    files = _reviewed(case)
    if where == "manifest":
        assert text in files[MANIFEST_FILE].decode()
    else:
        rules = [data.decode() for path, data in files.items() if path.parts[:2] == ("prometheus", "rules")]
        assert any(text in rule for rule in rules)


def test_a_disabled_tier_leaves_no_alert_and_no_test_behind() -> None:
    files = b"".join(_reviewed("disabled-tier").values()).decode()
    assert "BurnTicket" not in files
    assert "BurnTicket" in b"".join(_reviewed("period-28d").values()).decode()  # the control: default tiers


@pytest.mark.parametrize("case", CASES)
def test_the_case_builds_and_its_promtool_proofs_pass(
    case: str, tmp_path: Path, promtool: Promtool, proof_cache: ProofCache
) -> None:
    # build() runs promtool check rules on every rule file and promtool test rules on every
    # generated test file, and raises when one fails.
    artifacts = build(
        CASES_DIR / case, tmp_path / "out", promtool, log=lambda _: None, cache=proof_cache, jobs=1
    )
    tests = [path for path in artifacts.files if path.parts[:2] == ("prometheus", "tests")]
    # A raw PromQL SLI cannot be replayed, so it has no generated tests: only its rules are checked.
    assert tests if case != "promql" else not tests
