"""A repository's project settings (``[tool.aurum-obs]``): its owner id and the prefixes of every name
its build writes, read once by the CLI and applied by the compilers."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest

from aurum.contract.project import DEFAULT_PROJECT, ProjectSettings
from aurum.monitoring.cli import main
from aurum.monitoring.io.declarations import DeclarationError
from aurum.monitoring.io.project import load_project
from aurum.monitoring.pipeline import render
from tests.team_repos import team_repo


def test_the_bundled_repository_configures_todays_names(repo_root: Path) -> None:
    loaded = load_project(repo_root)
    assert loaded.configured
    assert loaded.settings.owner == "aurum"
    # Every prefix as the package always wrote it: the goldens (rendered with the defaults) hold.
    assert loaded.settings.model_dump(exclude={"owner", "strict_prefixes"}) == DEFAULT_PROJECT.model_dump(
        exclude={"owner", "strict_prefixes"}
    )
    assert loaded.settings.strict_prefixes


def test_every_name_the_build_writes_carries_the_projects_prefixes(tmp_path: Path) -> None:
    root = team_repo(tmp_path / "payments")
    project = load_project(root).settings
    files = render(root, project=project).files
    paths = sorted(str(path) for path in files)
    assert "prometheus/rules/payments.checkout-availability.yaml" in paths
    assert "prometheus/tests/payments.checkout-availability.test.yaml" in paths
    assert "grafana/dashboards/pay-slos/pay-slo-overview.json" in paths
    assert "grafana/dashboards/pay-slos/pay-slo-detail.json" in paths
    assert "grafana/dashboards/pay-team/pay-overview.json" in paths
    rules = files[PurePosixPath("prometheus/rules/payments.checkout-availability.yaml")].decode()
    groups = [line.split(": ", 1)[1] for line in rules.splitlines() if line.startswith("- name: ")]
    assert groups and all(group.startswith("payments-slo-checkout-availability-") for group in groups)
    test = files[PurePosixPath("prometheus/tests/payments.checkout-availability.test.yaml")].decode()
    assert "- ../rules/payments.checkout-availability.yaml" in test
    folders = json.loads(files[PurePosixPath("grafana/folders.json")])
    assert folders == {"pay-slos": "Payments SLOs", "pay-team": "Payments Team"}
    overview = json.loads(files[PurePosixPath("grafana/dashboards/pay-slos/pay-slo-overview.json")])
    assert "/d/pay-slo-detail" in json.dumps(overview["links"])
    assert not any("aurum-slo" in str(path) for path in paths)


def test_without_the_table_the_owner_is_the_project_name_and_the_prefixes_the_defaults(
    tmp_path: Path,
) -> None:
    root = team_repo(tmp_path / "repo", '[project]\nname = "Search_Monitoring"\n')
    loaded = load_project(root)
    assert not loaded.configured
    assert loaded.settings == ProjectSettings(owner="search_monitoring")
    bare = team_repo(tmp_path / "Checkout Team", None)
    assert load_project(bare).settings.owner == "checkout-team"


@pytest.mark.parametrize(
    ("table", "field", "message"),
    [
        ('owner = "Team Payments"', "owner", "String should match pattern"),
        ('title = "x"', "owner", "is required"),
        ('owner = "p"\ndashboard-uid-prefix = "pay/"', "dashboard-uid-prefix", "String should match pattern"),
        ('owner = "p"\nruler-namespace-prefix = ""', "ruler-namespace-prefix", "String should match pattern"),
        ('owner = "p"\nrule-prefix = "x"', "rule-prefix", "Extra inputs are not permitted"),
        # TOML has booleans: a string or a number is a mistake, never read as true or false
        ('owner = "p"\nstrict-prefixes = "yes"', "strict-prefixes", "Input should be a valid boolean"),
        ('owner = "p"\nstrict-prefixes = 0', "strict-prefixes", "Input should be a valid boolean"),
        ('owner = "p"\nrule-engine = 3', "rule-engine", "Input should be 'prometheus' or 'vmalert'"),
        (
            'owner = "p"\n[tool.aurum-obs.lint]\nseverities = "critical"',
            "lint.severities",
            "Input should be a valid tuple",
        ),
    ],
)
def test_a_bad_setting_names_the_file_the_table_and_the_field(
    tmp_path: Path, table: str, field: str, message: str
) -> None:
    root = team_repo(tmp_path / "repo", f"[tool.aurum-obs]\n{table}\n")
    with pytest.raises(DeclarationError) as raised:
        load_project(root)
    assert f"pyproject.toml: [tool.aurum-obs]: field '{field}': {message}" in str(raised.value)


def test_the_build_refuses_a_bad_setting_with_exit_2_and_keeps_the_previous_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = team_repo(tmp_path / "repo", '[tool.aurum-obs]\nowner = "p"\nrule-file-prefix = "a/b"\n')
    out = tmp_path / "out"
    out.mkdir()
    (out / "slos.json").write_text("kept")  # a previous build's file
    assert main(["build", "--root", str(root), "--out", str(out), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml: [tool.aurum-obs]: field 'rule-file-prefix'" in err
    assert "Traceback" not in err
    assert (out / "slos.json").read_text() == "kept"


def test_a_declared_dashboard_outside_the_prefixes_is_a_declaration_error(tmp_path: Path) -> None:
    root = team_repo(
        tmp_path / "repo", dashboard=("aurum-api-performance", "Payments", "aurum-platform", "Aurum Platform")
    )
    project = load_project(root).settings
    assert render(root, project=project.model_copy(update={"strict_prefixes": False})).dashboards == 3
    with pytest.raises(DeclarationError) as raised:
        render(root, project=project)
    text = str(raised.value)
    assert "dashboards/team.py" in text
    assert (
        "field 'uid': 'aurum-api-performance' does not start with the project's dashboard-uid-prefix 'pay-'"
        in text
    )
    assert (
        "field 'folder': folder 'aurum-platform' does not start with the project's folder-uid-prefix 'pay-'"
        in text
    )
