"""Bad input to the importers: a clear error naming file, SLO and field, exit 2, nothing written.

Specifications broken in each place a reader looks (a mapping where a list is expected, a string
where a mapping is, a value that is no number, a query that does not parse, JSON annotations that
are not JSON), for Sloth and for OpenSLO: never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aurum.monitoring.cli import main

_Q = "{error_query: 'sum(rate(a_total[{{.window}}]))', total_query: 'sum(rate(a_total[{{.window}}]))'}"
_SLO = "version: prometheus/v1\nservice: a\nslos:\n- name: x\n"
SLOTH = {
    "a list": ("- 1\n- 2\n", "field '(document 1)': not a Sloth specification"),
    "slos a mapping": (
        "version: prometheus/v1\nservice: a\nslos: {x: 1}\n",
        "field 'slos': each SLO is a mapping",
    ),
    "objective no number": (
        _SLO + f"  objective: abc\n  sli: {{events: {_Q}}}\n",
        "field 'slos[x].objective'",
    ),
    "objective nan": (_SLO + f"  objective: .nan\n  sli: {{events: {_Q}}}\n", "field 'slos[x].objective'"),
    "events a string": (_SLO + "  objective: 99\n  sli: {events: hello}\n", "field 'slos[x].sli.events'"),
    "raw a list": (_SLO + "  objective: 99\n  sli: {raw: [1]}\n", "field 'slos[x].sli.raw'"),
    "alerting a list": (
        _SLO + f"  objective: 99\n  sli: {{events: {_Q}}}\n  alerting: [1]\n",
        "'slos[x].alerting'",
    ),
    "query broken": (
        _SLO
        + "  objective: 99\n  sli: {events: {error_query: 'sum(rate(a_total[{{.window}}]', total_query: x}}\n",
        "field 'slos[x].sli.events.error_query': not valid PromQL",
    ),
    "no window": (
        _SLO
        + "  objective: 99\n  sli: {events: {error_query: 'sum(rate(a_total[5m]))', total_query: 'a_total'}}\n",
        "has no {{.window}} placeholder",
    ),
    "alert name lower camel case": (
        _SLO + f"  objective: 99\n  sli: {{events: {_Q}}}\n  alerting: {{name: myServiceAlert}}\n",
        "SLO 'x': field 'slos[x].alerting.name': alert name 'myServiceAlert' must be CamelCase",
    ),
    "an openslo document": (
        "apiVersion: openslo/v1alpha\nkind: SLO\n",
        "apiVersion 'openslo/v1alpha' is OpenSLO: aurum-obs import openslo reads v1",
    ),
    "not yaml": ("a: [\n", "field '(file)': not YAML"),
}
_HEAD = "apiVersion: openslo/v1\nkind: SLO\n"
_IND = (
    "  indicator: {spec: {ratioMetric: {counter: true, good: {metricSource: {type: Prometheus, spec: {query: a_total}}},"
    " total: {metricSource: {type: Prometheus, spec: {query: a_total}}}}}}\n"
)
_BODY = (
    "metadata: {name: x}\nspec:\n  service: a\n" + _IND + "  timeWindow: [{duration: 30d, isRolling: true}]\n"
)
OPENSLO = {
    "metadata a string": (
        _HEAD + "metadata: hello\nspec: {}\n",
        "field 'metadata': missing or not a mapping",
    ),
    "spec a list": (
        _HEAD + "metadata: {name: x}\nspec: [1]\n",
        "SLO 'x': field 'spec': missing or not a mapping",
    ),
    "objectives a string": (
        _HEAD + _BODY + "  objectives: hello\n",
        "field 'spec.objectives': must be a list",
    ),
    "target nan": (_HEAD + _BODY + "  objectives: [{target: .nan}]\n", "field 'spec.objectives[0]'"),
    "policy a string": (
        _HEAD + _BODY + "  objectives: [{target: 0.99}]\n  alertPolicies: [hello]\n",
        "field 'spec.alertPolicies[0]': an inline AlertPolicy, or alertPolicyRef naming one",
    ),
    "threshold no number": (
        _HEAD
        + _BODY
        + "  objectives: [{target: 0.99}]\n  alertPolicies: [{kind: AlertPolicy, metadata: {name: p}, spec: "
        "{conditions: [{kind: AlertCondition, spec: {condition: {kind: burnrate, threshold: abc, lookbackWindow: 1h}}}]}}]\n",
        "field 'spec.alertPolicies[0].spec.conditions[0].spec.condition': needs threshold and lookbackWindow",
    ),
    "labels a string": (
        _HEAD + _BODY.replace("{name: x}", "{name: x, labels: hello}") + "  objectives: [{target: 0.99}]\n",
        "field 'metadata.labels': must be a mapping",
    ),
    "annotation not json": (
        _HEAD
        + _BODY.replace("{name: x}", "{name: x, annotations: {aurum-obs/disabled: '[nope'}}")
        + "  objectives: [{target: 0.99}]\n",
        "field 'metadata.annotations.aurum-obs/disabled': not JSON",
    ),
    "no service": (
        _HEAD + _BODY.replace("  service: a\n", "") + "  objectives: [{target: 0.99}]\n",
        "'spec.service'",
    ),
    "no name": (
        _HEAD + _BODY.replace("{name: x}", "{}") + "  objectives: [{target: 0.99}]\n",
        "'metadata.name': missing",
    ),
}


def _refused(tool: str, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    root = tmp_path / "root"
    root.mkdir()
    assert main(["import", tool, str(spec), "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert all(line.startswith(("error: ", "nothing was written.")) for line in err.splitlines()), err
    assert list(root.iterdir()) == []
    return err


@pytest.mark.parametrize("case", sorted(SLOTH))
def test_a_broken_sloth_specification_is_named(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, expected = SLOTH[case]
    err = _refused("sloth", text, tmp_path, capsys)
    assert expected in err
    assert f"{tmp_path / 'spec.yaml'}: " in err


@pytest.mark.parametrize("case", sorted(OPENSLO))
def test_a_broken_openslo_document_is_named(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, expected = OPENSLO[case]
    assert expected in _refused("openslo", text, tmp_path, capsys)
