"""Jsonnet declarations: external variables, our library, vendor/ on the import path, precise errors."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path, PurePosixPath

import pytest
import yaml

from aurum.monitoring.compile.jsonnet_vars import catalog_variable
from aurum.monitoring.io.declarations import DeclarationError
from aurum.monitoring.pipeline import render
from aurum.monitoring.validate.promtool import Promtool
from aurum.observability import catalog

MIXIN = """\
// A monitoring mixin as teams vendor them: rules in Prometheus' format under prometheusAlerts.
{
  prometheusAlerts+:: {
    groups+: [{
      name: 'vendored',
      rules: [{
        alert: 'VendoredRequestsFailing',
        expr: 'sum(rate(%s{status=~"5.."}[5m])) > 1' % $._config.requests,
        'for': '5m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Requests fail.',
          description: '{{ $value }} requests fail per second.',
          runbook_url: 'https://runbooks.example.com/vendored',
        },
      }],
    }],
  },
}
"""

USES_MIXIN = """\
local aurum = import 'aurum.libsonnet';
local mixin = (import 'example-mixin/mixin.libsonnet') + {
  _config+:: { requests: aurum.metric('HTTP_REQUESTS_TOTAL') },
};
mixin.prometheusAlerts {
  tests: [{
    interval: '1m',
    input_series: [{ series: '%s{status="500"}' % aurum.metric('HTTP_REQUESTS_TOTAL'), values: '0+120x20' }],
    alert_rule_test: [
      { eval_time: '3m', alertname: 'VendoredRequestsFailing', exp_alerts: [] },
      {
        eval_time: '15m',
        alertname: 'VendoredRequestsFailing',
        exp_alerts: [{
          exp_labels: { severity: 'warning' },
          exp_annotations: {
            summary: 'Requests fail.',
            description: '2 requests fail per second.',
            runbook_url: 'https://runbooks.example.com/vendored',
          },
        }],
      },
    ],
  }],
}
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def _error(root: Path) -> str:
    with pytest.raises(DeclarationError) as raised:
        render(root)
    return str(raised.value)


def test_the_catalog_variable_uses_the_python_names() -> None:
    variable = catalog_variable()
    assert variable["metrics"]["HTTP_REQUESTS_TOTAL"]["name"] == catalog.HTTP_REQUESTS_TOTAL.name
    assert variable["metrics"]["CACHE_OPERATIONS_TOTAL"]["labels"]["result"]["allowed"] == [
        "hit",
        "miss",
        "error",
    ]
    assert variable["records"]["SLO_CURRENT_BURN_RATE"] == catalog.SLO_CURRENT_BURN_RATE
    assert variable["records"]["CACHE_HIT_RATIO_BY_CACHE"] == catalog.CACHE_HIT_RATIO_BY_CACHE.name
    assert variable["records"]["SLO_BAD_EVENTS"] == "slo:sli_bad_events:rate5m"
    assert variable["prometheus"]["UP"]["name"] == "up"
    json.dumps(variable)  # plain JSON, as the binding needs


def test_the_slos_variable_lists_the_declared_slos(repo_root: Path, tmp_path: Path) -> None:
    (tmp_path / "slos").symlink_to(repo_root / "slos")
    _write(
        tmp_path,
        {
            "recording_rules/slos.jsonnet": """\
                local aurum = import 'aurum.libsonnet';
                { groups: [{ name: 'slo-count', rules: [
                  aurum.recordingRule('slo:declared:count', 'vector(%d)' % std.length(aurum.slos),
                                      { names: std.join(',', [s.name for s in aurum.slos]), period: aurum.slos[0].period }),
                ] }] }
            """,
        },
    )
    rules = yaml.safe_load(
        render(tmp_path).files[PurePosixPath("prometheus/rules/records.slos.yaml")].decode()
    )
    rule = rules["groups"][0]["rules"][0]
    assert rule["expr"] == "vector(6)"
    assert rule["labels"]["names"].split(",")[0] == "api-availability"
    assert rule["labels"]["period"] == "30d"


def test_a_vendored_mixin_is_imported_and_linted_like_our_rules(tmp_path: Path, promtool: Promtool) -> None:
    _write(tmp_path, {"vendor/example-mixin/mixin.libsonnet": MIXIN, "alerts/vendored.jsonnet": USES_MIXIN})
    files = render(tmp_path).files
    out = tmp_path / "out"
    for path, content in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(content)
    tested = promtool.test_rules([out / "prometheus/tests/alerts.vendored.test.yaml"])
    assert tested.ok, tested.output
    rules = yaml.safe_load(files[PurePosixPath("prometheus/rules/alerts.vendored.yaml")].decode())
    assert (
        rules["groups"][0]["rules"][0]["expr"]
        == 'sum(rate(aurum_http_requests_total{status=~"5.."}[5m])) > 1'
    )
    tests = yaml.safe_load(files[PurePosixPath("prometheus/tests/alerts.vendored.test.yaml")].decode())
    assert tests["rule_files"] == ["../rules/alerts.vendored.yaml"]
    # The mixin's runbook is fine; a label it does not know about is not.
    _write(tmp_path, {"vendor/example-mixin/mixin.libsonnet": MIXIN.replace("status=~", "code=~")})
    assert (
        "alerts/vendored.jsonnet: Alert 'VendoredRequestsFailing': field 'expr': aurum_http_requests_total "
        "has no label 'code'"
    ) in _error(tmp_path)


def test_an_unknown_catalog_name_fails_with_the_file_and_line(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "recording_rules/typo.jsonnet": """\
                local aurum = import 'aurum.libsonnet';
                { groups: [{ name: 'x', rules: [
                  aurum.recordingRule('x:y:z', aurum.metric('HTTP_REQUEST_TOTAL')),
                ] }] }
            """
        },
    )
    message = _error(tmp_path)
    assert message.startswith("recording_rules/typo.jsonnet:3: Jsonnet: field '(evaluation)': ")
    assert "unknown catalog metric HTTP_REQUEST_TOTAL" in message


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    _write(tmp_path, {"dashboards/broken.jsonnet": "{\n  folder: ,\n}\n"})
    assert _error(tmp_path).startswith(
        "dashboards/broken.jsonnet:2: Jsonnet: field '(evaluation)': STATIC ERROR"
    )


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "alerts/records.jsonnet",
            "{groups: [{name: 'g', rules: [{record: 'a:b:c', expr: 'vector(1)'}]}]}",
            "alerts/records.jsonnet: group 'g': field 'alert': missing: alerts/ holds only alerts; "
            "move this rule to recording_rules/",
        ),
        (
            "alerts/keep.jsonnet",
            "{groups: [{name: 'g', rules: [{alert: 'A', expr: 'vector(1)', keep_firing_for: '5m'}]}]}",
            "alerts/keep.jsonnet: Alert 'A': field 'keep_firing_for': unsupported key "
            "(supported: alert, annotations, expr, for, labels)",
        ),
        (
            "dashboards/shape.jsonnet",
            "{dashboards: []}",
            "dashboards/shape.jsonnet: Jsonnet: field '(file)': the file must evaluate to "
            "{folder: {uid, title}, dashboards: [...]}",
        ),
        (
            "dashboards/folder.jsonnet",
            "{folder: {uid: 'no spaces allowed', title: 'T'}, dashboards: []}",
            "dashboards/folder.jsonnet: Jsonnet: field 'folder.uid': 'no spaces allowed' is not a Grafana "
            "uid (1 to 40 letters, digits, '-' or '_')",
        ),
    ],
)
def test_documents_of_the_wrong_shape_are_refused(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    _write(tmp_path, {name: text})
    assert _error(tmp_path) == expected


def test_jsonnet_dashboards_lose_nulls_id_and_version_but_keep_their_schema(tmp_path: Path) -> None:
    dashboard = {
        "uid": "legacy",
        "title": "Legacy",
        "id": 12,
        "version": 7,
        "schemaVersion": 36,
        "description": None,
        "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}]},
        "panels": [],
    }
    folder = {"uid": "aurum-platform", "title": "Aurum Platform"}
    _write(
        tmp_path,
        {"dashboards/legacy.jsonnet": json.dumps({"folder": folder, "dashboards": {"l": dashboard}})},
    )
    rendered = json.loads(
        render(tmp_path).files[PurePosixPath("grafana/dashboards/aurum-platform/legacy.json")]
    )
    assert rendered == {
        "uid": "legacy",
        "title": "Legacy",
        "schemaVersion": 36,
        "templating": dashboard["templating"],
        "panels": [],
    }


def test_a_python_and_a_jsonnet_file_of_one_name_are_refused(tmp_path: Path) -> None:
    rule = "{groups: [{name: 'g', rules: [{record: 'a:b:c', expr: 'vector(1)'}]}]}"
    _write(
        tmp_path,
        {
            "recording_rules/same.jsonnet": rule,
            "recording_rules/same.py": "from aurum.monitoring import Record\nR = Record(record='a:b:d', expr='vector(1)')\n",
        },
    )
    assert _error(tmp_path) == (
        "recording_rules/same.py: module: field '(file)': recording_rules/same.jsonnet renders to the same "
        "rule file records.same.yaml; rename one of them"
    )


@pytest.mark.parametrize(
    "spelling", ["absolute", "dot-dot", "symlink"], ids=["absolute", "dot-dot", "symlink-inside-the-repo"]
)
def test_an_import_outside_the_repository_is_refused(tmp_path: Path, spelling: str) -> None:
    """importstr once read any file on the machine into the output (a dashboard deploys it to Grafana)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("hunter2")
    root = tmp_path / "repo"
    name = {"absolute": str(secret), "dot-dot": "../../secret.txt", "symlink": "link.txt"}[spelling]
    _write(root, {"recording_rules/leak.jsonnet": f"{{groups: [{{name: importstr '{name}', rules: []}}]}}\n"})
    if spelling == "symlink":
        (root / "recording_rules" / "link.txt").symlink_to(secret)
    message = _error(root)
    assert f"import {name!r} is {secret}, outside the repository: imports read only its files" in message
    assert "hunter2" not in message
