"""Whether two recording rules of one name can ever write the same series.

kubernetes-mixin records ``code_verb:apiserver_request_total:increase1h`` four times, once per
status class (``code=~"2.."``, ``"3.."``...): same name, same static labels, yet never the same
series, because each keeps ``code`` and selects values the others cannot have. Two rules are
disjoint when some label both keep (or set statically) can take no common value: the values each
rule can give it are those its static label sets, or else those every selector's matcher on it
allows. Whether two matchers' regular expressions share a value is decided on their automata
(``interegular``), not guessed from their text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import interegular
import promql_parser as pp

from aurum.monitoring.validate.series import KnownSeries, output_labels

__all__ = ["disjoint_records", "matcher_pattern", "patterns_intersect"]

_EQUAL, _REGEX = "MatchOp.Equal", "MatchOp.Re"


def matcher_pattern(matcher: Any) -> str | None:
    """The anchored pattern of the values a positive matcher (``=`` or ``=~``) accepts; None otherwise."""
    op = str(matcher.op)
    if op in (_EQUAL, "="):
        return re.escape(str(matcher.value))
    if op in (_REGEX, "=~"):
        return str(matcher.value)
    return None


@cache
def _automaton(pattern: str) -> Any:
    return interegular.parse_pattern(pattern).to_fsm()


def patterns_intersect(first: str, second: str) -> bool:
    """Whether some value matches both anchored patterns; True when either cannot be analysed."""
    try:
        return not (_automaton(first) & _automaton(second)).empty()
    except Exception:
        return True


def _constraints(tree: Any, kept: frozenset[str]) -> dict[str, list[str]]:
    """For each kept label, the patterns of its values, when every selector of ``tree`` constrains it."""
    selectors: list[Any] = []
    pp.walk(tree, lambda node: selectors.append(node) if isinstance(node, pp.VectorSelector) else None)
    found: dict[str, list[str]] = {}
    for label in kept:
        patterns = []
        for selector in selectors:
            own = [matcher_pattern(m) for m in selector.matchers.matchers if m.name == label]
            positive = [p for p in own if p is not None]
            if not positive:
                break
            # Several matchers on one label in one selector must all hold: keep one, conservatively.
            patterns.append(positive[0])
        else:
            if patterns:
                found[label] = patterns
    return found


def _values(rule: Mapping[str, Any], known: KnownSeries) -> dict[str, list[str]] | None:
    try:
        tree = pp.parse(str(rule["expr"]))
    except ValueError:
        return None
    kept = output_labels(tree, known) or frozenset()
    values = _constraints(tree, kept)
    for label, value in (rule.get("labels") or {}).items():
        values[str(label)] = [re.escape(str(value))]  # a static label replaces what the expression gave
    return values


def disjoint_records(first: Mapping[str, Any], second: Mapping[str, Any], known: KnownSeries) -> bool:
    """Whether the two recording rules provably never write the same series."""
    one, other = _values(first, known), _values(second, known)
    if one is None or other is None:
        return False
    for label in one.keys() & other.keys():
        if not any(patterns_intersect(a, b) for a in one[label] for b in other[label]):
            return True
    return False
