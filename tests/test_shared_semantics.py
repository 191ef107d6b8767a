"""Rules the runtime and the build must apply identically are written once and agree.

The label-name rule of the build's model, PromQL's matcher semantics (runtime SLO evaluation and build
selectors), and the qualified exception name of the runtime's spans and logs each had two copies
that could drift apart; these tests pin both the behaviour and the single definition.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aurum.contract.matching import label_matches
from aurum.monitoring.model import Matcher as BuildMatcher
from aurum.observability.slo_catalog import Matcher as RuntimeMatcher

SRC = Path(__file__).resolve().parents[1] / "src" / "aurum"


def files_containing(text: str) -> list[str]:
    return sorted(str(path.relative_to(SRC)) for path in SRC.rglob("*.py") if text in path.read_text())


@pytest.mark.parametrize(
    ("definition", "home"),
    [
        ('r"^[a-zA-Z_][a-zA-Z0-9_]*$"', "contract/metrics.py"),
        ('r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"', "contract/metrics.py"),
        ('__module__ == "builtins"', "observability/tracing/_span_scope.py"),
        ('found if op == "=~" else not found', "contract/matching.py"),
    ],
)
def test_each_shared_rule_is_defined_in_one_module(definition, home):
    assert files_containing(definition) == [home]


@pytest.mark.parametrize(
    ("op", "pattern", "value", "expected"),
    [
        ("=", "GET", "GET", True),
        ("=", "", "", True),  # an absent label is the empty string
        ("!=", "get", "set", True),
        ("=~", "5..", "503", True),
        ("=~", "5..", "5034", False),  # anchored, as in PromQL
        ("=~", "hit|miss", "hit", True),
        ("!~", "hit|miss", "error", True),
        ("!~", "5..", "500", False),
    ],
)
def test_runtime_and_build_matchers_have_the_same_promql_semantics(op, pattern, value, expected):
    assert label_matches(op, pattern, value) is expected
    assert RuntimeMatcher(label="status", op=op, value=pattern).matches({"status": value}) is expected
    assert BuildMatcher(label="status", op=op, value=pattern).matches(value) is expected
