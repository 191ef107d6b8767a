"""The offline lint: one failing declaration per rule, each refused with file, object, field and message.

Every fixture is a valid declaration with one thing broken; ``test_the_valid_fixtures_pass`` shows the
unbroken ones render, so each failure below is caused by its one change.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from aurum.monitoring.cli import main
from aurum.monitoring.io.declarations import DeclarationError
from aurum.monitoring.pipeline import render

ALERT_FIELDS = {
    "name": '"CheckedAlert"',
    "expr": "f'sum(rate({ERRORS}[5m])) > 0.5'",
    "severity": '"warning"',
    "summary": '"Requests fail."',
    "description": '"{{ $value }} requests fail per second."',
    "runbook_url": '"https://runbooks.aurum.internal/alerts/checked"',
    "tests": "(FIRES, QUIET)",
}

ALERT_HEADER = """\
from aurum.monitoring import Alert, AlertTest, Fired, regex, select, series
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

ERRORS = select(HTTP_REQUESTS_TOTAL, status=regex("5.."))
FAILING = series(HTTP_REQUESTS_TOTAL, "0+60x20", path="/x", status="500")
FIRES = AlertTest(name="fires", series=(FAILING,), expect={"10m": (Fired(description="1 requests fail."),)})
QUIET = AlertTest(name="quiet", series=(FAILING,), expect={"1m": ()})
"""


def _alert(**overrides: str) -> str:
    fields = {**ALERT_FIELDS, **overrides}
    arguments = "".join(f"    {key}={value},\n" for key, value in fields.items())
    return f"{ALERT_HEADER}\nCHECKED = Alert(\n{arguments})\n"


def _board(target: str = 'target(f"sum(rate({REQUESTS}[$__rate_interval]))")', uid: str = "checked") -> str:
    return textwrap.dedent(f"""\
        from grafanalib.core import Target, TimeSeries

        from aurum.monitoring import select
        from aurum.monitoring.dashboards import PLATFORM_FOLDER, Board, Row, target
        from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

        REQUESTS = select(HTTP_REQUESTS_TOTAL)

        BOARD = Board(
            uid="{uid}",
            title="Checked {uid}",
            folder=PLATFORM_FOLDER,
            tags=("test",),
            rows=(Row(panels=(TimeSeries(title="Requests", targets=[{target}], unit="reqps"),)),),
        )
        """)


def _panel(panel_id: int, x: int, y: int, title: str = "Requests") -> dict[str, Any]:
    return {
        "id": panel_id,
        "type": "timeseries",
        "title": title,
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "gridPos": {"x": x, "y": y, "w": 12, "h": 8},
        "targets": [{"refId": "A", "expr": "sum(rate(aurum_http_requests_total[$__rate_interval]))"}],
        "fieldConfig": {"defaults": {"unit": "reqps"}, "overrides": []},
    }


def _jsonnet_board(**changes: Any) -> str:
    dashboard = {
        "uid": "checked-jsonnet",
        "title": "Checked Jsonnet",
        "tags": ["test"],
        "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}]},
        "panels": [_panel(1, 0, 0), _panel(2, 12, 0, "Errors")],
        **changes,
    }
    dashboard = {key: value for key, value in dashboard.items() if value is not None}
    return json.dumps(
        {"folder": {"uid": "aurum-platform", "title": "Aurum Platform"}, "dashboards": [dashboard]}
    )


RECORD = """\
from aurum.monitoring import Record
from aurum.observability import catalog

RATE = Record(record=catalog.HTTP_REQUEST_RATE_BY_ROUTE, expr="sum by (path) (rate(aurum_http_requests_total[5m]))")
"""

VALID = {
    "alert": {"alerts/checked.py": _alert()},
    "board": {"dashboards/checked.py": _board()},
    "jsonnet board": {"dashboards/checked.jsonnet": _jsonnet_board()},
    "record": {"recording_rules/rates.py": RECORD},
}

A = "alerts/checked.py:9: Alert 'CheckedAlert'"
D = "dashboards/checked.py:9: Dashboard 'checked'"
J = "dashboards/checked.jsonnet: Dashboard 'checked-jsonnet'"

CASES = [
    # (rule, declaration files, the exact line reported)
    (
        "rule reads an unknown metric",
        {"alerts/checked.py": _alert(expr='"sum(rate(aurum_http_requets_total[5m])) > 0.5"')},
        f"{A}: field 'expr': aurum_http_requets_total is neither a catalog metric nor recorded by the build",
    ),
    (
        "rule reads a label the metric does not have",
        {"alerts/checked.py": _alert(expr="'sum(rate(aurum_http_requests_total{route=\"/x\"}[5m])) > 0.5'")},
        f"{A}: field 'expr': aurum_http_requests_total has no label 'route' "
        "(labels: instance, job, method, path, status, tenant_id)",
    ),
    (
        "panel reads an unknown metric",
        {"dashboards/checked.py": _board('target("sum(rate(aurum_http_request_total[5m]))")')},
        f"{D}: field 'panels[0].targets[0].expr': panel 'Requests': aurum_http_request_total is neither a "
        "catalog metric nor recorded by the build",
    ),
    (
        "panel reads a label the metric does not have",
        {"dashboards/checked.py": _board('target("sum by (route) (rate(aurum_http_requests_total[5m]))")')},
        f"{D}: field 'panels[0].targets[0].expr': panel 'Requests': sum by (route): its input has no label "
        "'route' (labels: instance, job, method, path, status, tenant_id)",
    ),
    (
        "alert lacks a severity",
        {"alerts/checked.py": _alert(severity='""')},
        f"{A}: field 'labels.severity': missing: every alert needs a severity (critical, warning...)",
    ),
    (
        "summary is not a plain sentence",
        {"alerts/checked.py": _alert(summary='"{{ $labels.path }} fails"')},
        f"{A}: field 'annotations.summary': '{{{{ $labels.path }}}} fails' is not a plain sentence: one "
        "line, a capital first, no template, ending in '.'",
    ),
    (
        "description is not templated",
        # by (path): the alert's series differ by route, which the description must say.
        {
            "alerts/checked.py": _alert(
                description='"Requests fail."', expr="f'sum by (path) (rate({ERRORS}[5m])) > 0.5'"
            )
        },
        f"{A}: field 'annotations.description': is not templated: show what fired with {{{{ $value }}}} or "
        "{{ $labels.<name> }}",
    ),
    (
        "alert lacks a runbook",
        {"alerts/checked.py": _alert(runbook_url='""')},
        f"{A}: field 'annotations.runbook_url': missing: link the runbook of this alert",
    ),
    (
        "alert name is not CamelCase",
        {"alerts/checked.py": _alert(name='"checked_alert"')},
        "alerts/checked.py:9: Alert 'checked_alert': field 'alert': 'checked_alert' is not CamelCase "
        "(such as ApiHighErrorRate)",
    ),
    (
        "alert has no test showing it firing",
        {"alerts/checked.py": _alert(tests="(QUIET,)")},
        f"{A}: field 'tests': no unit test shows it firing",
    ),
    (
        "alert has no test showing it quiet",
        {"alerts/checked.py": _alert(tests="(FIRES,)")},
        f"{A}: field 'tests': no unit test shows it staying quiet",
    ),
    (
        "two rules record the same series and labels",
        {"recording_rules/rates.py": RECORD, "recording_rules/routes.py": RECORD},
        "recording_rules/routes.py:4: Record 'path:aurum_http_requests:rate5m': field 'record': the same "
        "record with the same labels is already recorded at recording_rules/rates.py:4",
    ),
    (
        "two dashboards have the same uid",
        {"dashboards/checked.py": _board(), "dashboards/copy.py": _board()},
        "dashboards/copy.py:9: Dashboard 'checked': field 'uid': 'checked' is also the uid of the "
        "dashboard at dashboards/checked.py:9",
    ),
    (
        "dashboard lacks a uid",
        {"dashboards/checked.jsonnet": _jsonnet_board(uid=None)},
        "dashboards/checked.jsonnet: Dashboard 'Checked Jsonnet': field 'uid': missing: every dashboard "
        "needs a stable uid",
    ),
    (
        "dashboard lacks a title",
        {"dashboards/checked.jsonnet": _jsonnet_board(title="")},
        f"{J}: field 'title': missing: every dashboard needs a stable title",
    ),
    (
        "two panels have the same id",
        {"dashboards/checked.jsonnet": _jsonnet_board(panels=[_panel(1, 0, 0), _panel(1, 12, 0, "Errors")])},
        f"{J}: field 'panels[1].id': panel 'Errors' has id 1, like panel 'Requests'",
    ),
    (
        "panels overlap",
        {"dashboards/checked.jsonnet": _jsonnet_board(panels=[_panel(1, 0, 0), _panel(2, 6, 4, "Errors")])},
        f"{J}: field 'panels[1].gridPos': panel 'Errors' overlaps panel 'Requests'",
    ),
    (
        "panel query does not use the datasource variable",
        {
            "dashboards/checked.py": _board(
                'Target(expr="sum(rate(aurum_http_requests_total[5m]))", datasource={"uid": "prod"})'
            )
        },
        f"{D}: field 'panels[0].targets[0].datasource': a query of panel 'Requests' does not use ${{datasource}}",
    ),
]


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.parametrize("files", VALID.values(), ids=VALID.keys())
def test_the_valid_fixtures_pass(tmp_path: Path, files: dict[str, str]) -> None:
    _write(tmp_path, files)
    rendered = render(tmp_path)
    assert rendered.files


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_lint_rule_names_the_file_the_object_and_the_field(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    _write(tmp_path, files)
    with pytest.raises(DeclarationError) as raised:
        render(tmp_path)
    assert expected in str(raised.value).splitlines(), str(raised.value)


def test_a_lint_failure_exits_2_and_keeps_the_previous_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "repo", tmp_path / "build"
    _write(root, {"alerts/checked.py": _alert(severity='""', runbook_url='""')})
    out.mkdir()
    (out / "slos.json").write_text("the last good build")  # a previous build's file
    assert main(["build", "--root", str(root), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"error: {A}: field 'labels.severity'" in err
    assert f"{A}: field 'annotations.runbook_url'" in err  # every finding, not just the first
    assert [p.name for p in out.iterdir()] == ["slos.json"]


def test_collapsed_rows_are_checked_among_themselves(tmp_path: Path) -> None:
    row = {
        "id": 3,
        "type": "row",
        "title": "More",
        "collapsed": True,
        "gridPos": {"x": 0, "y": 8, "w": 24, "h": 1},
        "panels": [_panel(4, 0, 9, "Inner"), _panel(5, 0, 9, "Inner twin")],
    }
    _write(tmp_path, {"dashboards/checked.jsonnet": _jsonnet_board(panels=[_panel(1, 0, 0), row])})
    with pytest.raises(DeclarationError) as raised:
        render(tmp_path)
    assert f"{J}: field 'panels[1].panels[1].gridPos': panel 'Inner twin' overlaps panel 'Inner'" in str(
        raised.value
    )
