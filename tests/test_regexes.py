"""Matcher regexes are checked with RE2, Prometheus' syntax, wherever they come from: a Python
selector, a raw PromQL SLI, a Jsonnet rule or dashboard; the field is named, never 'compiler bug'."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_declaration_errors import HEADER, _prepare, _slo, _snapshot

from aurum.contract.matching import prometheus_regex_problem
from aurum.monitoring.cli import main

REFUSED = {
    "(?!2..).*": "invalid perl operator: (?!",
    "(?<=a)b": "invalid perl operator: (?<=",
    "(5)\\1": "invalid escape sequence: \\1",
    "5.++": "bad repetition operator: ++",
    "a*+": "bad repetition operator: *+",
    "end\\Z": "invalid escape sequence: \\Z",
    # Prometheus parses the pattern alone too: ^(?:x)|(y)$ would compile.
    "x)|(y": "unexpected ): x)|(y",
    # C++ RE2 accepts these; Go's regexp (Prometheus) does not.
    "a\\C": "invalid escape sequence: \\C",
    "(?<code>5..)": "invalid or unsupported Perl syntax: (?< (write a named group (?P<name>...))",
}


@pytest.mark.parametrize(("pattern", "reason"), REFUSED.items(), ids=list(REFUSED))
def test_patterns_python_accepts_and_prometheus_refuses_are_refused(pattern: str, reason: str) -> None:
    assert prometheus_regex_problem(pattern) == (
        f"{pattern!r} is not a regular expression Prometheus accepts (RE2 syntax: {reason})"
    )


@pytest.mark.parametrize(
    "pattern",
    [
        "5..",
        "(?i)get|post",
        "[[:alpha:]]+",
        "\\pL+",
        "a{2,3}?",
        "(?P<code>5..)",
        "[\\\\C(?<]",
        "\\Q\\C\\E",
        "",
    ],
)
def test_patterns_prometheus_accepts_pass(pattern: str) -> None:
    """Including ``\\C`` and ``(?<`` where they are literal text (a class, ``\\Q...\\E``)."""
    assert prometheus_regex_problem(pattern) is None


def _refused(root: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    before = _snapshot(out)
    status = main(["build", "--root", str(root), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "compiler bug" not in err and "Traceback" not in err, err
    assert _snapshot(out) == before
    return [line for line in err.splitlines() if line.startswith("error: ")]


def test_a_selector_regex_is_refused_with_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sli = 'sli=RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status=regex("(?!2..).*")), total=REQUESTS)'
    out = _prepare(tmp_path, {"bad.py": HEADER + _slo(sli)})
    (line,) = _refused(tmp_path, out, capsys)
    assert line == (
        "error: slos/bad.py:12: SLO 'bad-slo': field 'sli.bad': label 'status': '(?!2..).*' is not a "
        "regular expression Prometheus accepts (RE2 syntax: invalid perl operator: (?!)"
    ), line


def test_a_promql_sli_regex_is_refused_with_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """promql-parser (Rust's regex crate) accepts a possessive quantifier; RE2 does not."""
    sli = 'sli=PromQLSLI(errors="sum(rate(x{code=~\'5.++\'}[{window}]))", total="sum(rate(x[{window}]))")'
    out = _prepare(tmp_path, {"bad.py": HEADER + _slo(sli)})
    (line,) = _refused(tmp_path, out, capsys)
    assert line.startswith(
        "error: slos/bad.py:7: SLO 'bad-slo': field 'sli': Prometheus would refuse the PromQL"
    ), line
    assert "label 'code': '5.++' is not a regular expression Prometheus accepts" in line, line


@pytest.mark.parametrize(
    ("file", "source", "field"),
    [
        (
            "recording_rules/team.jsonnet",
            "{groups: [{name: 'team', rules: [{record: 'status:aurum_http_requests:rate5m', "
            "expr: 'sum by (status) (rate(aurum_http_requests_total{status=~\"5.++\"}[5m]))'}]}]}\n",
            "expr",
        ),
        (
            "dashboards/team.jsonnet",
            "local aurum = import 'aurum.libsonnet';\n"
            "{folder: {uid: 'team', title: 'Team'}, dashboards: [aurum.dashboard(uid='team-board', "
            "title='Team', tags=['team'], rows=[{title: 'R', height: 8, panels: [[aurum.panel('stat', 'Errors', "
            "[aurum.target('sum(rate(aurum_http_requests_total{status=~\"5.++\"}[5m]))')], 'short'), 24]]}])]}\n",
            "panels[1].targets[0].expr",
        ),
    ],
    ids=["jsonnet-rule", "jsonnet-dashboard"],
)
def test_a_jsonnet_regex_is_refused_with_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str, source: str, field: str
) -> None:
    out = _prepare(tmp_path, {"ok.py": HEADER + _slo(name="fine")})
    (tmp_path / file).parent.mkdir()
    (tmp_path / file).write_text(source)
    lines = _refused(tmp_path, out, capsys)
    assert any(
        line.startswith(f"error: {file}")
        and f"field '{field}'" in line
        and "'5.++' is not a regular expression Prometheus accepts (RE2 syntax: bad repetition operator: ++)"
        in line
        for line in lines
    ), lines


def test_a_label_replace_regex_is_refused_though_promtool_passes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Prometheus compiles label_replace's regex only when it evaluates the rule, which then fails
    every time; promtool check rules says SUCCESS."""
    out = _prepare(tmp_path, {"ok.py": HEADER + _slo(name="fine")})
    (tmp_path / "recording_rules").mkdir()
    (tmp_path / "recording_rules" / "team.jsonnet").write_text(
        "{groups: [{name: 'team', rules: [{record: 'host:aurum_http_requests:rate5m', expr: "
        '\'sum by (host) (label_replace(rate(aurum_http_requests_total[5m]), "host", "$1", '
        '"instance", "(.*)(?=:)"))\'}]}]}\n'
    )
    lines = _refused(tmp_path, out, capsys)
    assert any(
        line.startswith("error: recording_rules/team.jsonnet")
        and "field 'expr': label_replace(): '(.*)(?=:)' is not a regular expression Prometheus accepts"
        in line
        for line in lines
    ), lines
