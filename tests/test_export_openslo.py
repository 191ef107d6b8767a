"""``aurum-obs export openslo``: the declarations as OpenSLO v1, and back to the same rules.

For the bundled declarations and every golden case (28-day period, custom tiers, a disabled tier,
``for``, good events, latency, freshness, raw PromQL, extra labels), the export is imported into an
empty repository, and both repositories are rendered: every SLO rule file, generated test file and
the SLO manifest are byte-identical.
"""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

import pytest
import yaml

from aurum.monitoring.cli import main
from aurum.monitoring.io.project import load_project
from aurum.monitoring.pipeline import Artifacts, render

REPO = Path(__file__).resolve().parent.parent
CASES = sorted(path.name for path in (REPO / "tests" / "golden_cases").iterdir() if (path / "slos").is_dir())


def _slo_outputs(root: Path) -> dict[PurePosixPath, bytes]:
    """What the SLOs render to: their rule and test files, and the manifest (not hand-written rules)."""
    artifacts: Artifacts = render(root, project=load_project(root).settings)
    handwritten = ("alerts.", "records.")
    return {
        path: data
        for path, data in artifacts.files.items()
        if (str(path).startswith("prometheus/") and not path.name.startswith(handwritten))
        or path.name == "slos.json"
    }


def _round_trip(root: Path, tmp_path: Path) -> tuple[Path, Path]:
    exported = tmp_path / "exported.openslo.yaml"
    assert main(["export", "openslo", "--root", str(root), "--out", str(exported)]) == 0
    imported = tmp_path / "imported"
    imported.mkdir()
    if (root / "pyproject.toml").is_file():
        shutil.copy(root / "pyproject.toml", imported / "pyproject.toml")
    assert main(["import", "openslo", str(exported), "--root", str(imported)]) == 0
    return exported, imported


@pytest.mark.parametrize("case", ["(bundled)", *CASES])
def test_export_then_import_compiles_to_the_same_rules(case: str, tmp_path: Path) -> None:
    root = REPO if case == "(bundled)" else REPO / "tests" / "golden_cases" / case
    _exported, imported = _round_trip(root, tmp_path)
    before, after = _slo_outputs(root), _slo_outputs(imported)
    assert sorted(after) == sorted(before)
    assert [path for path in before if before[path] != after[path]] == []


def test_export_is_openslo_v1_with_sloths_burn_factors(tmp_path: Path) -> None:
    exported, _ = _round_trip(REPO, tmp_path)
    documents = list(yaml.safe_load_all(exported.read_text()))
    assert {document["apiVersion"] for document in documents} == {"openslo/v1"}
    slos = {document["metadata"]["name"]: document for document in documents if document["kind"] == "SLO"}
    services = {document["metadata"]["name"] for document in documents if document["kind"] == "Service"}
    assert {slo["spec"]["service"] for slo in slos.values()} == services
    availability = slos["api-availability"]["spec"]
    assert availability["budgetingMethod"] == "Occurrences"
    assert availability["timeWindow"] == [{"duration": "30d", "isRolling": True}]
    assert availability["objectives"][0]["targetPercent"] == 99.9
    ratio = availability["indicator"]["spec"]["ratioMetric"]
    assert ratio["counter"] is True
    assert ratio["bad"]["metricSource"]["spec"]["query"] == 'aurum_http_requests_total{status=~"5.."}'
    conditions = [
        (
            policy["metadata"]["name"],
            condition["spec"]["condition"]["lookbackWindow"],
            condition["spec"]["condition"]["threshold"],
        )
        for policy in availability["alertPolicies"]
        for condition in policy["spec"]["conditions"]
    ]
    assert conditions == [
        ("api-availability-page", "1h", 14.4),
        ("api-availability-page", "6h", 6),
        ("api-availability-ticket", "1d", 3),
        ("api-availability-ticket", "3d", 1),
    ]
    again = tmp_path / "again.yaml"
    assert main(["export", "openslo", "--root", str(REPO), "--out", str(again)]) == 0
    assert again.read_bytes() == exported.read_bytes()
