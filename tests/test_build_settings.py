"""Hermetic builds: the output is a function of the declarations and the build settings, nothing else.

The CLI reads the metric prefix and the SLO target overrides from the environment once; everything
below it is given them. So the environment of the process running ``render`` changes nothing, and
each setting changes exactly the files (and, for the prefix, exactly the names) it should.
"""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from pathlib import Path, PurePosixPath

import pytest

from aurum.contract.build_settings import BuildSettings, BuildSettingsError
from aurum.monitoring.cli import main
from aurum.monitoring.pipeline import Artifacts, render

GOLDEN = Path(__file__).parent / "golden"
SRC = Path(__file__).resolve().parents[1] / "src" / "aurum"
EVERY_VARIABLE = {
    "AURUM_METRICS_PREFIX": "acme_",
    "AURUM_SLO_API_AVAILABILITY_TARGET": "0.995",
    "AURUM_SLO_API_LATENCY_TARGET": "250",
    "AURUM_SLO_SCENARIO_SUCCESS_TARGET": "0.97",
}


def _changed(artifacts: Artifacts, default: Artifacts) -> list[str]:
    assert sorted(artifacts.files) == sorted(default.files)
    return sorted(str(path) for path in artifacts.files if artifacts.files[path] != default.files[path])


@pytest.fixture(scope="module")
def default_render(repo_root: Path) -> Artifacts:
    return render(repo_root)


def test_the_environment_changes_nothing_render_produces(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in EVERY_VARIABLE.items():
        monkeypatch.setenv(name, value)
    files = render(repo_root).files
    golden = {
        PurePosixPath(p.relative_to(GOLDEN).as_posix()): p.read_bytes()
        for p in GOLDEN.rglob("*")
        if p.is_file()
    }
    assert files == golden


SLO_FILES = {
    slo: [
        f"prometheus/rules/{slo}.yaml",
        f"prometheus/tests/{slo}.long.test.yaml",
        f"prometheus/tests/{slo}.test.yaml",
    ]
    for slo in ("api-availability", "api-latency", "scenario-runs")
}
OVERVIEW = "grafana/dashboards/aurum-slos/aurum-slo-overview.json"
API_BOARD = "grafana/dashboards/aurum-platform/aurum-api-performance.json"


@pytest.mark.parametrize(
    ("field", "value", "slo", "also", "objective", "threshold"),
    [
        ("slo_api_availability_target", Decimal("0.995"), "api-availability", [], "0.995", None),
        ("slo_api_latency_target", Decimal(250), "api-latency", [API_BOARD], "0.95", "0.25"),
        ("slo_scenario_success_target", Decimal("0.97"), "scenario-runs", [], "0.97", None),
    ],
)
def test_each_slo_target_changes_its_slo_and_what_shows_it(
    repo_root: Path,
    default_render: Artifacts,
    field: str,
    value: Decimal,
    slo: str,
    also: list[str],
    objective: str,
    threshold: str | None,
) -> None:
    artifacts = render(repo_root, BuildSettings.model_validate({field: value}))
    # Its SLO's rules and tests, the manifest, the overview (which draws each SLO's objective) and,
    # for the latency target, the API dashboard's latency line: nothing else.
    assert _changed(artifacts, default_render) == sorted([*SLO_FILES[slo], "slos.json", OVERVIEW, *also])
    entry = next(
        e for e in json.loads(artifacts.files[PurePosixPath("slos.json")])["slos"] if e["name"] == slo
    )
    assert entry["objective"] == objective
    if threshold is not None:
        assert entry["sli"]["threshold_seconds"] == threshold
        rules = artifacts.files[PurePosixPath(SLO_FILES[slo][0])].decode()
        assert 'le=~"0[.]250*"' in rules


def test_the_prefix_renames_every_catalog_metric_and_changes_nothing_else(
    repo_root: Path, default_render: Artifacts
) -> None:
    artifacts = render(repo_root, BuildSettings(metrics_prefix="acme_"))
    changed = _changed(artifacts, default_render)
    assert len(changed) > 20
    for path, content in default_render.files.items():
        assert artifacts.files[path] == content.replace(b"aurum_", b"acme_"), path


def test_the_cli_reads_the_environment_once_and_says_what_it_applied(
    repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    (root / "slos").mkdir(parents=True)
    (root / "slos" / "scenarios.py").write_text((repo_root / "slos" / "scenarios.py").read_text())
    monkeypatch.setenv("AURUM_SLO_SCENARIO_SUCCESS_TARGET", "0.97")
    monkeypatch.setenv("AURUM_METRICS_PREFIX", "acme_")
    assert main(["build", "--root", str(root), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "build settings: AURUM_METRICS_PREFIX=acme_, AURUM_SLO_SCENARIO_SUCCESS_TARGET=0.97\n" in out
    manifest = json.loads((tmp_path / "out" / "slos.json").read_text())
    runs = next(e for e in manifest["slos"] if e["name"] == "scenario-runs")
    assert runs["objective"] == "0.97"
    assert runs["sli"]["metric"] == "acme_business_transactions_total"


def test_without_overrides_the_build_says_it_used_the_defaults(
    repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in EVERY_VARIABLE:
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "repo"
    (root / "slos").mkdir(parents=True)
    # A root without a declaration is refused (exit 2): one SLO file, proven before by the session's build.
    (root / "slos" / "api.py").write_text((repo_root / "slos" / "api.py").read_text())
    assert main(["build", "--root", str(root), "--out", str(tmp_path / "out")]) == 0
    assert "build settings: the defaults" in capsys.readouterr().out


def test_settings_come_from_the_variables_given_and_name_a_bad_one() -> None:
    settings = BuildSettings.from_environment({"AURUM_SLO_API_LATENCY_TARGET": "250", "AURUM_LOG_LEVEL": "x"})
    assert settings.slo_api_latency_target == Decimal(250)
    assert settings.overrides() == {"AURUM_SLO_API_LATENCY_TARGET": "250"}
    assert settings.without("AURUM_SLO_API_LATENCY_TARGET") == BuildSettings()
    with pytest.raises(BuildSettingsError) as caught:
        BuildSettings.from_environment({"AURUM_METRICS_PREFIX": "9-bad", "AURUM_SLO_API_LATENCY_TARGET": "0"})
    variables = [variable for variable, _ in caught.value.problems]
    assert variables == ["AURUM_METRICS_PREFIX=9-bad", "AURUM_SLO_API_LATENCY_TARGET=0"]


# Where the build may read the environment: the CLI (build settings) and the deploy commands (tokens).
HERMETIC = [SRC / "contract", SRC / "monitoring" / "model", SRC / "monitoring" / "compile"]
READERS = {"environ", "getenv", "BaseSettings", "ObservabilitySettings"}


@pytest.mark.parametrize(
    "path",
    sorted(path for directory in HERMETIC for path in directory.rglob("*.py")),
    ids=lambda path: str(path.relative_to(SRC)),
)
def test_nothing_under_the_contract_the_model_or_the_compilers_reads_the_environment(path: Path) -> None:
    names = {
        node.id if isinstance(node, ast.Name) else node.attr
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Name | ast.Attribute)
    }
    imported = {
        alias.name
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert not (names | imported) & READERS
