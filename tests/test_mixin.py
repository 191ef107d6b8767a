"""A vendored mixin in jsonnet-bundler's layout: it builds through glue files, its own promtool tests
run against the build's rule files, and the lint accepts what real mixins legitimately do.

The fixture (tests/fixtures/mixin_repo) is written here in the shapes of kubernetes-mixin and
node-mixin; each "still refused" case is that fixture with one change, so the acceptance is no
blanket waiver.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path, PurePosixPath

import pytest
import yaml

from aurum.contract.project import DEFAULT_PROJECT, ProjectSettings
from aurum.monitoring.cli import main
from aurum.monitoring.io.declarations import DeclarationError
from aurum.monitoring.io.project import load_project
from aurum.monitoring.pipeline import BuildFailedError, build, render
from aurum.monitoring.validate.lint_policy import describe_waived, waived_lines
from aurum.monitoring.validate.promtool import Promtool

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "mixin_repo"
MIXIN = "vendor/github.com/example/http-mixin"
TESTS = PurePosixPath("prometheus/tests/alerts.http.tests.test.yaml")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    return root


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text()
    assert old in text, f"{old!r} is not in {name}"
    path.write_text(text.replace(old, new))


def _findings(root: Path, project: ProjectSettings = DEFAULT_PROJECT) -> list[str]:
    with pytest.raises(DeclarationError) as raised:
        render(root, project=project)
    return str(raised.value).removeprefix("error: ").splitlines()


def test_the_mixin_builds_with_no_finding_and_its_own_tests_pass(repo: Path, promtool: Promtool) -> None:
    lines: list[str] = []
    artifacts = build(repo, repo / "build", promtool, log=lines.append, jobs=1)
    assert artifacts.handwritten_rules == 8
    assert artifacts.dashboards == 2
    assert artifacts.waived == []  # not even a warning: every construct is accepted on its merits
    assert "promtool test rules: 1 files OK (0 cached)" in "\n".join(lines)
    assert (repo / "build" / TESTS).is_file()
    assert (repo / "build/grafana/dashboards/http/http-overview.json").is_file()


def test_an_attached_test_loads_the_rule_files_recording_what_its_alerts_read(
    repo: Path, promtool: Promtool, tmp_path: Path
) -> None:
    files = render(repo).files
    test = yaml.safe_load(files[TESTS])
    # The mixin's own rule_files (../prometheus_alerts.yaml...) are replaced by the build's.
    assert test["rule_files"] == ["../rules/alerts.http.yaml", "../rules/records.http.yaml"]
    # An unquoted `ticket: true` is the label value "true" to promtool, not a YAML boolean refused.
    assert test["tests"][1]["alert_rule_test"][1]["exp_alerts"][0]["exp_labels"]["ticket"] == "true"
    out = tmp_path / "out"
    for path, content in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(content)
    assert promtool.test_rules([out / TESTS]).ok
    # Without the recording rules' file, HttpErrorsHigh never fires: the file is needed, not decoration.
    (out / TESTS).write_text(yaml.safe_dump({**test, "rule_files": ["../rules/alerts.http.yaml"]}))
    alone = promtool.test_rules([out / TESTS])
    assert not alone.ok
    assert "HttpErrorsHigh" in alone.output


def test_the_vacuous_test_guard_checks_an_attached_test_against_every_rule_file(
    repo: Path, promtool: Promtool
) -> None:
    # promtool passes a check of an alert that does not exist, as long as it expects none.
    quiet = "- eval_time: 15m\n        alertname: HttpTargetMissing"
    _edit(repo, f"{MIXIN}/tests/tests.yaml", quiet, quiet.replace("HttpTargetMissing", "HttpTargetGone"))
    with pytest.raises(BuildFailedError) as raised:
        build(repo, repo / "build", promtool, log=lambda _: None, jobs=1)
    assert f"{TESTS}: test #1: alert 'HttpTargetGone' is not defined by the rule files" in str(raised.value)


PROMETHEUS3 = PurePosixPath("prometheus/tests/alerts.http.range-semantics.test.yaml")


def test_a_test_for_a_newer_prometheus_is_written_checked_and_counted_as_not_run(
    repo: Path, promtool: Promtool
) -> None:
    lines: list[str] = []
    build(repo, repo / "build", promtool, log=lines.append, jobs=1)
    major, minor = promtool.version()
    assert (major, minor) < (3, 0), "this test shows what happens with a promtool older than 3.0"
    assert f"  not run: {PROMETHEUS3.name}: needs Prometheus >= 3.0 (promtool is {major}.{minor})" in lines
    summary = next(line for line in lines if line.startswith("promtool test rules:"))
    assert summary.startswith("promtool test rules: 1 files OK (0 cached)")
    assert summary.endswith("; 1 not run (Prometheus too old)")
    # Written with the build's rule files, for a promtool 3 to run; this one would fail it.
    assert (
        yaml.safe_load((repo / "build" / PROMETHEUS3).read_text())["rule_files"][0]
        == "../rules/alerts.http.yaml"
    )
    ran = promtool.test_rules([repo / "build" / PROMETHEUS3])
    assert not ran.ok
    assert 'got: {instance="api-1:8000", job="aurum-api"} 6E+00' in ran.output


def test_a_test_for_the_promtool_at_hand_is_run(repo: Path, promtool: Promtool) -> None:
    major, minor = promtool.version()
    _edit(repo, "alerts/http.jsonnet", "min_prometheus: '3.0'", f"min_prometheus: '{major}.{minor}'")
    with pytest.raises(BuildFailedError) as raised:  # run, it fails: 2.x ranges hold one sample more
        build(repo, repo / "build", promtool, log=lambda _: None, jobs=1)
    assert f"{PROMETHEUS3.name}:" in str(raised.value)


def test_a_minimum_prometheus_that_is_not_a_version_is_refused(repo: Path) -> None:
    _edit(repo, "alerts/http.jsonnet", "min_prometheus: '3.0'", "min_prometheus: 'three', runs: 1")
    assert _findings(repo) == [
        "alerts/http.jsonnet: Jsonnet: field 'test_files[1].runs': unsupported key (supported: file, min_prometheus)"
    ]
    _edit(repo, "alerts/http.jsonnet", ", runs: 1", "")
    assert _findings(repo) == [
        "alerts/http.jsonnet: Jsonnet: field 'test_files[1].min_prometheus': 'three' is not a version such as '3.0'"
    ]


def test_an_attached_test_file_that_does_not_exist_names_the_glue_file(repo: Path) -> None:
    _edit(repo, "alerts/http.jsonnet", "tests/tests.yaml", "tests/missing.yaml")
    assert _findings(repo) == [
        "alerts/http.jsonnet: Jsonnet: field 'test_files[0]': "
        "github.com/example/http-mixin/tests/missing.yaml: no such file in vendor/ or the repository"
    ]


DASHBOARDS = f"{MIXIN}/dashboards/dashboards.libsonnet"
BOARD = "dashboards/http.jsonnet: Dashboard 'http-overview'"


def test_a_mixed_data_source_panel_still_needs_every_query_on_the_variable(repo: Path) -> None:
    _edit(
        repo,
        DASHBOARDS,
        "g.query.prometheus.new('${datasource}', expr)",
        "g.query.prometheus.new('prod', expr)",
    )
    assert (
        f"{BOARD}: field 'panels[0].datasource': panel 'Requests by status' does not query the "
        "${datasource} variable"
    ) in _findings(repo)


def test_a_grid_position_still_needs_its_width_and_height(repo: Path) -> None:
    _edit(
        repo,
        "vendor/github.com/example/grafonnet-lite/gen/grafonnet-latest/main.libsonnet",
        "gridPos: { h: h, w: w }",
        "gridPos: { h: h }",
    )
    assert (
        f"{BOARD}: field 'panels[0].gridPos': panel 'Requests by status' has no gridPos with integers w "
        "and h (x and y default to 0)"
    ) in _findings(repo)


def test_panels_placed_by_default_coordinates_still_must_not_overlap(repo: Path) -> None:
    # Grafana pushes an overlapping panel down on load: a layout mistake, style, so a mixin's is
    # waived and counted (prometheus-mixin's remote-write dashboard has rows at its panels' y).
    _edit(repo, DASHBOARDS, "withGridPos(h=4, w=24, y=8)", "withGridPos(h=4, w=24)")
    overlap = f"{BOARD}: field 'panels[2].gridPos': panel 'Targets up' overlaps panel 'Requests by status'"
    waived = render(repo).waived
    assert waived_lines(waived) == [
        f"warning: {overlap} (style, {MIXIN}/)",
        f"warning: {overlap.replace('Requests by status', 'p99 latency')} (style, {MIXIN}/)",
    ]
    strict = _project(repo, '[tool.aurum-obs.lint.policies."vendor/"]\nstyle = "error"\n')
    assert overlap in _findings(repo, strict)


LEGACY = f"{MIXIN}/dashboards/legacy.libsonnet"
LEGACY_BOARD = "dashboards/http.jsonnet: Dashboard 'http-legacy'"


def test_a_rows_layout_dashboard_has_every_panel_linted(repo: Path) -> None:
    # grafana-builder's pre-5.0 rows: Grafana migrates them on load, so their panels are what it shows.
    _edit(repo, LEGACY, "sum by (job) (up{", "sum by (route) (up{")
    assert _findings(repo) == [
        f"{LEGACY_BOARD}: field 'rows[0].panels[1].targets[0].expr': panel 'Targets': sum by (route): its "
        "input has no label 'route' (labels: instance, job)"
    ]


def test_a_data_source_named_by_string_must_still_be_the_variable(repo: Path) -> None:
    _edit(
        repo,
        "vendor/github.com/example/builder-lite/grafana.libsonnet",
        "    datasource: '$datasource',\n    targets",
        "    datasource: 'prod',\n    targets",
    )
    assert _findings(repo) == [
        f"{LEGACY_BOARD}: field 'rows[0].panels[0].datasource': panel 'Errors' does not query the "
        "${datasource} variable",
        f"{LEGACY_BOARD}: field 'rows[0].panels[1].datasource': panel 'Targets' does not query the "
        "${datasource} variable",
    ]


def test_rows_layout_panels_need_ids_told_apart(repo: Path) -> None:
    _edit(
        repo, "vendor/github.com/example/builder-lite/grafana.libsonnet", "{ id: next + i }", "{ id: next }"
    )
    assert _findings(repo) == [
        f"{LEGACY_BOARD}: field 'rows[0].panels[1].id': panel 'Targets' has id 1, like panel 'Errors'"
    ]


RECORD = "recording_rules/http.jsonnet: Record 'job_status:http_requests:rate5m'"


def test_same_name_records_whose_series_can_meet_are_still_refused(repo: Path) -> None:
    # '5.*' also matches what '5..' matches: both rules could write job_status...{status="500"}.
    _edit(repo, f"{MIXIN}/rules/rules.libsonnet", "['2..', '4..', '5..']", "['2..', '5.*', '5..']")
    assert _findings(repo) == [
        f"{RECORD}: field 'record': the same record with the same labels is already recorded at "
        "recording_rules/http.jsonnet"
    ]


def test_a_description_without_template_is_refused_when_the_series_differ(repo: Path) -> None:
    # `up{job=...} == 0` yields one series per instance: the description must say which.
    _edit(repo, f"{MIXIN}/alerts/alerts.libsonnet", 'absent(up{job="%s"} == 1)', 'up{job="%s"} == 0')
    # A style rule: a warning under vendor/ by default, so made an error here to show the message.
    strict = _project(repo, '[tool.aurum-obs.lint.policies."vendor/"]\nstyle = "error"\n')
    assert (
        "alerts/http.jsonnet: Alert 'HttpTargetMissing': field 'annotations.description': is not templated: "
        "show what fired with {{ $value }} or {{ $labels.<name> }}"
    ) in _findings(repo, strict)


def test_an_alert_on_a_whole_job_needs_no_template(repo: Path, promtool: Promtool) -> None:
    # One series without labels, always 0 when it fires: there is nothing a template could show.
    _edit(repo, f"{MIXIN}/alerts/alerts.libsonnet", 'absent(up{job="%s"} == 1)', 'sum(up{job="%s"}) == 0')
    build(repo, repo / "build", promtool, log=lambda _: None, jobs=1)
    assert 'sum(up{job="aurum-api"}) == 0' in (repo / "build/prometheus/rules/alerts.http.yaml").read_text()


# --- Policies by source tree ------------------------------------------------------------------
ALERTS = f"{MIXIN}/alerts/alerts.libsonnet"
SUMMARY = "summary: 'A job answers too many requests with a server error.'"
BAD_SUMMARY = "summary: 'a job answers too many requests with a server error'"


def _waived(root: Path, project: ProjectSettings = DEFAULT_PROJECT) -> str:
    return describe_waived(render(root, project=project).waived)


def test_a_vendored_mixins_style_is_a_warning_counted_in_the_summary(repo: Path) -> None:
    _edit(repo, ALERTS, SUMMARY, BAD_SUMMARY)
    assert _waived(repo) == "1 findings waived by policy (vendor/github.com/example/http-mixin/: 1 style)"


def test_the_same_rules_are_errors_when_they_are_the_repositorys_own(repo: Path) -> None:
    # Assembled from the mixin's parts rather than through its entry point, the rules are this
    # repository's own declarations, and held to its own standards.
    _edit(repo, ALERTS, SUMMARY, BAD_SUMMARY)
    (repo / "alerts/http.jsonnet").write_text(
        "local config = import 'github.com/example/http-mixin/config.libsonnet';\n"
        "local alerts = import 'github.com/example/http-mixin/alerts/alerts.libsonnet';\n"
        "(config + alerts).prometheusAlerts { test_files: ['github.com/example/http-mixin/tests/tests.yaml'] }\n"
    )
    assert _findings(repo) == [
        "alerts/http.jsonnet: Alert 'HttpErrorsHigh': field 'annotations.summary': 'a job answers too many "
        "requests with a server error' is not a plain sentence: one line, a capital first, no template, "
        "ending in '.'"
    ]


def _project(root: Path, table: str) -> ProjectSettings:
    # Vendored dashboards keep the mixin's uids: no prefix is imposed on them.
    settings = '[tool.aurum-obs]\nowner = "team"\nstrict-prefixes = false\n'
    (root / "pyproject.toml").write_text(settings + textwrap.dedent(table))
    return load_project(root).settings


def test_a_policy_set_for_a_vendored_tree_makes_its_style_errors_again(repo: Path) -> None:
    _edit(repo, ALERTS, SUMMARY, BAD_SUMMARY)
    project = _project(repo, '[tool.aurum-obs.lint.policies."vendor/github.com/example/"]\nstyle = "error"\n')
    with pytest.raises(DeclarationError) as raised:
        render(repo, project=project)
    assert "alerts/http.jsonnet: Alert 'HttpErrorsHigh': field 'annotations.summary': " in str(raised.value)


def test_an_undeclared_metric_is_waived_in_a_mixin_and_an_error_in_own_declarations(repo: Path) -> None:
    _edit(repo, ALERTS, "absent(up{job=", "absent(upp{job=")
    assert _waived(repo) == (
        "1 findings waived by policy (vendor/github.com/example/http-mixin/: 1 undeclared-metrics)"
    )
    (repo / "alerts/own.jsonnet").write_text(
        "{ groups: [{ name: 'own', rules: [{ record: 'x:y', expr: 'upp' }] }] }\n"
    )
    (repo / "alerts/own.jsonnet").rename(repo / "recording_rules/own.jsonnet")
    assert _findings(repo) == [
        "recording_rules/own.jsonnet: Record 'x:y': field 'expr': upp is neither a catalog metric nor recorded "
        "by the build"
    ]


def test_own_declarations_cannot_waive_undeclared_metrics(repo: Path) -> None:
    with pytest.raises(DeclarationError) as raised:
        _project(repo, '[tool.aurum-obs.lint.policies."alerts/"]\nundeclared-metrics = "warning"\n')
    assert "undeclared-metrics can be a warning only under vendor/" in str(raised.value)


def test_a_vendored_alert_without_tests_is_a_warning(repo: Path) -> None:
    _edit(
        repo,
        "alerts/http.jsonnet",
        " { test_files: ['github.com/example/http-mixin/tests/tests.yaml', prometheus3] }",
        "",
    )
    assert _waived(repo) == (
        "4 findings waived by policy (vendor/github.com/example/http-mixin/: 4 untested-alerts)"
    )


def test_an_alert_on_a_whole_cluster_needs_no_template(repo: Path) -> None:
    # As kubernetes-mixin's KubeCPUQuotaOvercommit: one series for the whole cluster, no label to show.
    errors = 'sum(rate(aurum_http_requests_total{job="%s", status=~"5.."}[5m]))'
    ratio = f"{errors} / sum(rate(aurum_http_requests_total[5m]))"
    _edit(repo, ALERTS, 'absent(up{job="%s"} == 1)', f"{ratio} > 0.5")
    strict = _project(repo, '[tool.aurum-obs.lint.policies."vendor/"]\nstyle = "error"\n')
    assert render(repo, project=strict).files


def test_a_failed_validation_still_counts_and_lists_what_was_waived(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(repo, ALERTS, SUMMARY, BAD_SUMMARY)
    _edit(repo, LEGACY, "sum by (job) (up{", "sum by (route) (up{")
    assert main(["validate", "--root", str(repo), "--waived", "--no-cache"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"error: {LEGACY_BOARD}: field 'rows[0].panels[1].targets[0].expr'")
    assert err[1:] == [
        f"lint: 1 findings waived by policy ({MIXIN}/: 1 style)",
        "warning: alerts/http.jsonnet: Alert 'HttpErrorsHigh': field 'annotations.summary': 'a job answers too "
        "many requests with a server error' is not a plain sentence: one line, a capital first, no template, "
        f"ending in '.' (style, {MIXIN}/)",
    ]
    assert main(["validate", "--root", str(repo), "--no-cache"]) == 2
    assert capsys.readouterr().err.splitlines()[1:] == [
        f"lint: 1 findings waived by policy ({MIXIN}/: 1 style)"
    ]


def test_validate_lists_the_waived_findings_and_succeeds(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(repo, ALERTS, SUMMARY, BAD_SUMMARY)
    assert main(["validate", "--root", str(repo), "--waived", "--no-cache"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "lint: 1 findings waived by policy (vendor/github.com/example/http-mixin/: 1 style)" in out
    assert (
        "warning: alerts/http.jsonnet: Alert 'HttpErrorsHigh': field 'annotations.summary': 'a job answers too "
        "many requests with a server error' is not a plain sentence: one line, a capital first, no template, "
        "ending in '.' (style, vendor/github.com/example/http-mixin/)"
    ) in out


def test_same_name_records_told_apart_by_a_static_label_are_two_series(repo: Path) -> None:
    rules = yaml.safe_load(render(repo).files[PurePosixPath("prometheus/rules/records.http.yaml")])
    kinds = [
        r["labels"]["kind"]
        for r in rules["groups"][0]["rules"]
        if r["record"] == "job_kind:http_requests:rate5m"
    ]
    assert kinds == ["read", "write"]
    # With the same static label, their series would meet: refused.
    _edit(repo, f"{MIXIN}/rules/rules.libsonnet", "labels: { kind: kind.name }", "labels: { kind: 'any' }")
    assert _findings(repo) == [
        "recording_rules/http.jsonnet: Record 'job_kind:http_requests:rate5m{kind=\"any\"}': field 'record': the "
        "same record with the same labels is already recorded at recording_rules/http.jsonnet"
    ]
