"""Every Jsonnet document kind the build accepts is checked against its shape before anything reads
it: arbitrary JSON, and valid documents broken at any depth, give a declaration error naming the
file and the path inside the document (exit 2), never a traceback."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aurum.monitoring.cli import main
from aurum.monitoring.io.declarations import DeclarationError
from aurum.monitoring.io.jsonnet import Evaluation
from aurum.monitoring.pipeline import render

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
ANNOTATIONS = {
    "summary": "The team's targets are down.",
    "description": "{{ $labels.instance }} is down.",
    "runbook_url": "https://runbooks.example.com/team-down",
}
ALERTS = {
    "groups": [
        {
            "name": "team",
            "interval": "1m",
            "rules": [
                {
                    "alert": "TeamTargetDown",
                    "expr": 'up{job="team"} == 0',
                    "for": "5m",
                    "labels": {"severity": "critical"},
                    "annotations": ANNOTATIONS,
                }
            ],
        }
    ],
    "tests": [
        {
            "interval": "1m",
            "input_series": [{"series": 'up{job="team", instance="a"}', "values": "0x15"}],
            "alert_rule_test": [
                {"eval_time": "2m", "alertname": "TeamTargetDown", "exp_alerts": []},
                {
                    "eval_time": "10m",
                    "alertname": "TeamTargetDown",
                    "exp_alerts": [
                        {
                            "exp_labels": {"severity": "critical", "job": "team", "instance": "a"},
                            "exp_annotations": {**ANNOTATIONS, "description": "a is down."},
                        }
                    ],
                },
            ],
            "promql_expr_test": [
                {
                    "expr": "up",
                    "eval_time": "1m",
                    "exp_samples": [{"labels": 'up{instance="a", job="team"}', "value": 0}],
                }
            ],
        }
    ],
}
RECORDS = {"groups": [{"name": "team", "rules": [{"record": "job:up:sum", "expr": "sum by (job) (up)"}]}]}
DASHBOARDS = {
    "folder": {"uid": "team", "title": "Team"},
    "dashboards": [
        {
            "uid": "team-board",
            "title": "Team",
            "tags": ["team"],
            "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}]},
            "panels": [
                {
                    "id": 1,
                    "type": "row",
                    "title": "Targets",
                    "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1},
                    "panels": [],
                },
                {
                    "id": 2,
                    "type": "stat",
                    "title": "Up",
                    "gridPos": {"x": 0, "y": 1, "w": 12, "h": 8},
                    "datasource": DATASOURCE,
                    "targets": [{"expr": "sum(up)", "refId": "A", "datasource": DATASOURCE}],
                },
            ],
        }
    ],
}
ATTACHED = {"evaluation_interval": "1m", "tests": ALERTS["tests"]}
"""A vendored mixin's own promtool test file (YAML), attached by ``test_files``."""
KINDS = {"alerts": ALERTS, "recording_rules": RECORDS, "dashboards": DASHBOARDS, "attached": ATTACHED}
_DIRECTORY = {"attached": "alerts"}
_ATTACHING = {"groups": ALERTS["groups"], "test_files": ["team-mixin/tests.yaml"]}


def _render(root: Path, kind: str, document: Any) -> DeclarationError | None:
    """Render ``root`` with its one declaration evaluating to ``document`` (or, for an attached test
    file, with ``vendor/team-mixin/tests.yaml`` holding it)."""
    if kind == "attached":
        (root / "vendor" / "team-mixin").mkdir(parents=True, exist_ok=True)
        (root / "vendor" / "team-mixin" / "tests.yaml").write_text(yaml.safe_dump(document))
        document = _ATTACHING
    evaluation = Evaluation(copy.deepcopy(document), ())
    with mock.patch("aurum.monitoring.assemble.evaluate", return_value=evaluation):
        try:
            render(root)
        except DeclarationError as error:
            return error
    return None


@pytest.fixture(scope="module")
def roots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    made = {}
    for kind in KINDS:
        root = tmp_path_factory.mktemp(kind)
        directory = _DIRECTORY.get(kind, kind)
        (root / directory).mkdir()
        (root / directory / "team.jsonnet").write_text("{}\n")  # its value is what the test feeds
        made[kind] = root
    return made


@pytest.mark.parametrize("directory", KINDS)
def test_the_documents_the_properties_start_from_are_valid(roots: dict[str, Path], directory: str) -> None:
    assert _render(roots[directory], directory, KINDS[directory]) is None


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _places(item, (*path, key))


@st.composite
def _broken(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with one to three of its values replaced, removed, renamed or wrapped, at any depth."""
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_places(document))))
        if not path:
            document = draw(JSON)
            continue
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = draw(st.sampled_from(["replace", "remove", "rename", "wrap"]))
        if action == "replace":
            parent[key] = draw(JSON)
        elif action == "remove":
            del parent[key]
        elif action == "rename" and isinstance(parent, dict):
            misspelt = st.sampled_from(
                [key.title(), key.upper(), key + "s", key[:-1], key.replace("name", "Name")]
            )
            parent[draw(misspelt | st.text(max_size=8))] = parent.pop(key)
        else:
            parent[key] = draw(
                st.sampled_from([[parent[key]], {"value": parent[key]}, json.dumps(parent[key])])
            )
    return document


@pytest.mark.parametrize("directory", KINDS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_document_is_built_or_refused_with_the_file_and_a_path(
    roots: dict[str, Path], directory: str, data: st.DataObject
) -> None:
    document = data.draw(JSON | _broken(KINDS[directory]), label="document")
    error = _render(roots[directory], directory, document)
    if error is not None:  # anything else escaping would be a traceback, failing the property
        lines = str(error).splitlines()
        assert lines, "an error without a message"
        assert all(": field '" in line for line in lines), lines


def _cli(root: Path, capsys: pytest.CaptureFixture[str], directory: str, document: Any) -> list[str]:
    (root / directory).mkdir(parents=True, exist_ok=True)
    (root / directory / "team.jsonnet").write_text(json.dumps(document))
    status = main(["validate", "--root", str(root)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.startswith("error: ")]


def _with(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    parent = changed
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return changed


@pytest.mark.parametrize(
    ("directory", "path", "value", "expected"),
    [
        (
            "dashboards",
            ("dashboards", 0, "panels"),
            "not panels",
            "error: dashboards/team.jsonnet: Dashboard 'team-board': field 'dashboards[0].panels': "
            "Input should be a valid list",
        ),
        (
            "dashboards",
            ("dashboards", 0, "templating", "list", 0),
            "datasource",
            "error: dashboards/team.jsonnet: Dashboard 'team-board': field 'dashboards[0].templating.list[0]': "
            "Input should be a valid dictionary or instance of _Variable",
        ),
        (
            "dashboards",
            ("dashboards", 0, "panels", 1, "targets", 0, "expr"),
            ["sum(up)"],
            "error: dashboards/team.jsonnet: Dashboard 'team-board': field "
            "'dashboards[0].panels[1].targets[0].expr': Input should be a valid string",
        ),
        (
            "alerts",
            ("tests", 0, "alert_rule_test", 0),
            {"eval_time": "2m", "alertName": "TeamTargetDown", "exp_alerts": []},
            "error: alerts/team.jsonnet: Jsonnet: field 'tests[0].alert_rule_test[0].alertName': unknown key "
            "(did you mean 'alertname'? keys: alertname, eval_time, exp_alerts)",
        ),
        (
            "alerts",
            ("tests", 0, "promql_expr_test", 0, "expr"),
            "sum(up",
            "error: alerts/team.jsonnet: Jsonnet: field 'tests[0].promql_expr_test[0].expr': not valid PromQL",
        ),
        (
            "recording_rules",
            ("groups", 0, "interval"),
            60,
            "error: recording_rules/team.jsonnet: group 'team': field 'interval': must be a duration such as '1m'",
        ),
    ],
    ids=[
        "panels-a-string",
        "variable-a-string",
        "expr-a-list",
        "alertName",
        "test-promql",
        "interval-a-number",
    ],
)
def test_a_document_of_the_wrong_shape_names_the_path_inside_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    directory: str,
    path: tuple[Any, ...],
    value: Any,
    expected: str,
) -> None:
    lines = _cli(tmp_path, capsys, directory, _with(KINDS[directory], path, value))
    assert any(line.startswith(expected) for line in lines), lines


def test_every_misshapen_part_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _with(DASHBOARDS, ("dashboards", 0, "tags"), "team")
    document = _with(document, ("dashboards", 0, "panels", 1, "gridPos", "w"), "12")
    lines = _cli(tmp_path, capsys, "dashboards", document)
    assert [line.split("field ")[1].split(":")[0] for line in lines] == [
        "'dashboards[0].tags'",
        "'dashboards[0].panels[1].gridPos.w'",
    ], lines


def test_a_key_holding_a_line_break_is_reported_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the property above: the key is named as given, its line break escaped."""
    document = _with(RECORDS, ("groups", 0, "a\u2028b\nc"), "x")
    (line,) = _cli(tmp_path, capsys, "recording_rules", document)
    assert line == (
        "error: recording_rules/team.jsonnet: group 'team': field 'a\\u2028b\\nc': "
        "a group has a name, rules and an interval"
    ), line


def test_an_attached_test_file_of_the_wrong_shape_names_the_path_inside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = _with(ATTACHED, ("tests", 0, "alert_rule_test", 1, "alertName"), "TeamTargetDown")
    (tmp_path / "vendor" / "team-mixin").mkdir(parents=True)
    (tmp_path / "vendor" / "team-mixin" / "tests.yaml").write_text(yaml.safe_dump(broken))
    (line,) = _cli(tmp_path, capsys, "alerts", _ATTACHING)
    assert line == (
        "error: alerts/team.jsonnet: Jsonnet: field 'test_files[0].tests[0].alert_rule_test[1].alertName': "
        "unknown key (did you mean 'alertname'? keys: alertname, eval_time, exp_alerts)"
    ), line


def test_an_attached_test_file_may_spell_numbers_where_promtool_reads_strings(tmp_path: Path) -> None:
    """YAML has no types of its own: ``eval_time: 0`` and ``severity: 1`` are what promtool reads as
    strings, so a vendored file saying so is accepted (and written with strings)."""
    numbers = _with(ATTACHED, ("tests", 0, "alert_rule_test", 0, "eval_time"), 0)
    (tmp_path / "vendor" / "team-mixin").mkdir(parents=True)
    (tmp_path / "vendor" / "team-mixin" / "tests.yaml").write_text(yaml.safe_dump(numbers))
    (tmp_path / "alerts").mkdir()
    (tmp_path / "alerts" / "team.jsonnet").write_text(json.dumps(_ATTACHING))
    files = render(tmp_path).files
    (written,) = [content for path, content in files.items() if "tests.test" in path.name]
    assert yaml.safe_load(written)["tests"][0]["alert_rule_test"][0]["eval_time"] == "0"
