"""Label matchers mean what they mean in Prometheus: RE2 semantics, fully anchored, in the runtime too.

The runtime evaluates SLIs from the process's own counters with the manifest's matchers; the cases
below are those where Python's ``re`` and RE2 (Go's ``regexp``, which Prometheus uses) disagree or one
of them refuses the pattern. Each is checked against the shared function, both models, and the real
Prometheus query engine (promtool test rules), so the runtime's SLO status counts the series the
rules count.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from aurum.contract.matching import label_matches, prometheus_regex_problem
from aurum.contract.slo_manifest import Matcher as ManifestMatcher
from aurum.monitoring.model import Matcher as BuildMatcher
from aurum.monitoring.validate.promtool import Promtool

# (pattern, value, whether Prometheus' =~ selects it)
DIFFERING = [
    ("[[:digit:]]", "5", True),  # a POSIX class; re reads a set of '[', ':', 'd', ... then ']'
    ("\\d", "\u0663", False),  # ARABIC-INDIC DIGIT THREE: \d is ASCII in RE2, Unicode in re
    ("\\w+", "caf\u00e9", False),  # \w is ASCII in RE2
    ("\\s", "\u2003", False),  # EM SPACE: \s is ASCII in RE2
    ("a$\n", "a\n", False),  # $ is the end of the text in RE2, also before a final newline in re
    ("\\pL+", "\u00e9mile", True),  # Unicode classes: re refuses \p
    ("\\Q5..\\E", "5..", True),  # quoted literal text: re refuses \Q
    ("\\Q5..\\E", "503", False),
    ("(?U)a+", "aa", True),  # RE2's ungreedy flag: re refuses it
]
AGREEING = [("5..", "503", True), ("5..", "5034", False), ("(?i)get", "GET", True), ("", "", True)]


def _python_re(pattern: str, value: str) -> bool | None:
    """What the previous, ``re``-based runtime answered (None: it raised)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # "possible nested set"
            return re.fullmatch(pattern, value) is not None
    except re.error:
        return None


@pytest.mark.parametrize(("pattern", "value", "selected"), DIFFERING)
def test_the_runtime_matches_as_prometheus_where_python_re_differs(pattern, value, selected):
    assert _python_re(pattern, value) is not selected  # the case does tell RE2 and re apart
    assert label_matches("=~", pattern, value) is selected
    assert label_matches("!~", pattern, value) is not selected
    assert ManifestMatcher(label="v", op="=~", value=pattern).matches({"v": value}) is selected
    assert BuildMatcher(label="v", op="=~", value=pattern).matches(value) is selected


def test_prometheus_selects_exactly_what_the_runtime_selects(promtool: Promtool, tmp_path: Path):
    """One promtool run: each pattern's selector against every value, expected as label_matches says."""
    cases = DIFFERING + AGREEING
    values = sorted({value for _, value, _ in cases} - {""})
    series = [f"x{{v={json.dumps(value)}}}" for value in values]
    patterns = sorted({pattern for pattern, _, _ in cases})
    tests = [
        {
            "expr": f"x{{v=~{json.dumps(pattern)}}}",
            "eval_time": "0m",
            "exp_samples": [
                {"labels": text, "value": 1}
                for value, text in zip(values, series, strict=True)
                if label_matches("=~", pattern, value)
            ],
        }
        for pattern in patterns
    ]
    document = {
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": s, "values": "1"} for s in series],
                "promql_expr_test": tests,
            }
        ]
    }
    path = tmp_path / "regexes.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    result = promtool.test_rules([path])
    assert result.ok, result.output
    assert sum(bool(test["exp_samples"]) for test in tests) >= 6  # not vacuous: most select something


VERDICTS = [
    "x)|(y",
    ")(",
    "\\C",
    "[\\C]",
    "\\Q\\C\\E",
    "(?<n>a)",
    "(?P<n>a)",
    "[(?<n>]",
    "\\Q(?<\\E",
    "(?<!a)b",
    "a{1001}",
    "a{1000}",
    "\\pN",
    "[[:word:]]",
    "\\z",
    "\\Z",
    "a**",
    "\\8",
    "\\x{110000}",
    "(?U)a",
]


def test_prometheus_refuses_exactly_the_patterns_the_build_refuses(promtool: Promtool, tmp_path: Path):
    """One selector per pattern through promtool's PromQL parser, which reports each refusal."""
    tests = [{"expr": f"x{{v=~{json.dumps(p)}}}", "eval_time": "0m", "exp_samples": []} for p in VERDICTS]
    document = {"tests": [{"interval": "1m", "input_series": [], "promql_expr_test": tests}]}
    path = tmp_path / "verdicts.yaml"
    path.write_text(yaml.safe_dump(document))
    output = promtool.test_rules([path]).output
    # "    expr: "x{v=~\"x)|(y\"}", time: 0s, err: 1:3: parse error: ...": Go's %q of the expression
    failed = re.findall(r'^\s*expr: ("(?:[^"\\]|\\.)*"), time: .*parse error', output, re.MULTILINE)
    refused = {json.loads(json.loads(expr)[len("x{v=~") : -1]) for expr in failed}
    assert refused == {pattern for pattern in VERDICTS if prometheus_regex_problem(pattern) is not None}
    assert 5 < len(refused) < len(VERDICTS)


def test_a_manifest_matcher_prometheus_refuses_is_refused_when_read():
    with pytest.raises(ValidationError, match=r"label 'status': '\(\?!5\)\.\.' is not a regular expression"):
        ManifestMatcher.model_validate(["status", "=~", "(?!5).."])


@pytest.mark.parametrize("value", ["\ud800", "a\udfff", "\x00", "\n", "x" * 100_000])
def test_no_label_value_makes_matching_raise(value):
    """Lone surrogates (no UTF-8 spelling) read as U+FFFD, as Go reads invalid UTF-8."""
    assert label_matches("=~", ".*", value) is ("\n" not in value)
    assert label_matches("!~", "5..", value) is True


def test_a_backtracking_pattern_is_linear():
    """``(a+)+b`` against 30 a's takes Python's re minutes; RE2 answers at once (no time asserted:
    before RE2 this test did not finish)."""
    assert label_matches("=~", "(a+)+b", "a" * 30) is False
