"""What is wrong with one PromQL query: it does not parse, reads an unknown metric or a missing label.

Dashboard queries contain Grafana variables (``[$__rate_interval]``, ``slo="$slo"``); they are
replaced by sample values before parsing. Inside string literals they stay as they are: a label
value such as ``"$slo"`` parses, and is never compared with a closed label set.
"""

from __future__ import annotations

import re
from typing import Any

import promql_parser as pp

from aurum.contract.catalogs import current_catalogs
from aurum.contract.conventions import METRIC_NAME_LABEL
from aurum.contract.lint_settings import Category
from aurum.contract.metrics import Metric
from aurum.monitoring.validate.promql import regex_problems
from aurum.monitoring.validate.semantics import FOREIGN_JOB, semantic_problems
from aurum.monitoring.validate.series import KnownSeries, output_labels, selector_name

__all__ = [
    "expand_variables",
    "label_values_problems",
    "query_category",
    "query_problems",
    "undeclared_problem",
]

_VARIABLE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]")
_NUMERIC_BUILTINS = {"__range_s": "300", "__range_ms": "300000", "__interval_ms": "60000"}
_LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(?:(.*),\s*)?(\w+)\s*\)\s*$", re.DOTALL)
_EQUAL, _NOT_EQUAL = "MatchOp.Equal", "MatchOp.NotEqual"


def _sample(name: str, before: str) -> str:
    if name in _NUMERIC_BUILTINS:
        return _NUMERIC_BUILTINS[name]
    # A range or a subquery step needs a duration; anywhere else a number parses.
    return "5m" if before.rstrip().endswith(("[", ":")) else "1"


def expand_variables(expr: str) -> str:
    """``expr`` with every Grafana variable outside string literals replaced by a sample value."""
    out: list[str] = []
    quote: str | None = None
    index = 0
    while index < len(expr):
        char = expr[index]
        if quote is not None:
            out.append(char)
            if char == "\\" and quote != "`" and index + 1 < len(expr):
                out.append(expr[index + 1])
                index += 1
            elif char == quote:
                quote = None
        elif char in "\"'`":
            quote = char
            out.append(char)
        elif (match := _VARIABLE.match(expr, index)) is not None:
            name = next(group for group in match.groups() if group)
            out.append(_sample(name, "".join(out)))
            index = match.end()
            continue
        else:
            out.append(char)
        index += 1
    return "".join(out)


def _closed_set(metric: Metric | None, label: str) -> tuple[str, ...]:
    found = current_catalogs().label(metric, label) if metric is not None else None
    return found.allowed if found is not None else ()


def undeclared_problem(name: str) -> str:
    """The problem of a query reading ``name``, which no catalog declares and no rule records."""
    return f"{name} is neither a catalog metric nor recorded by the build"


def query_category(problem: str) -> Category:
    """Whether ``problem`` is a metric no catalog declares, or a job no catalog says exports it (which
    follow a policy), or a correctness one."""
    name = problem.split(" ", 1)[0]  # a metric name has no space
    undeclared = problem == undeclared_problem(name) or FOREIGN_JOB in problem
    return Category.UNDECLARED if undeclared else Category.CORRECTNESS


def _listed(labels: frozenset[str]) -> str:
    return ", ".join(sorted(labels)) or "none"


def _selector_problems(node: pp.VectorSelector, known: KnownSeries) -> list[str]:
    name = selector_name(node)
    if name is None:
        return ["selects metrics by a pattern on __name__; name the metric so it can be checked"]
    if name not in known:
        return [undeclared_problem(name)]
    labels, metric = known[name], current_catalogs().lookup(name)
    problems = []
    for matcher in node.matchers.matchers:
        if matcher.name == METRIC_NAME_LABEL:
            continue
        if labels is not None and matcher.name not in labels:
            problems.append(f"{name} has no label {matcher.name!r} (labels: {_listed(labels)})")
            continue
        allowed = _closed_set(metric, matcher.name)
        value, op = str(matcher.value), str(matcher.op)
        if allowed and op in (_EQUAL, _NOT_EQUAL) and "$" not in value and value not in allowed:
            problems.append(f"{name}: label {matcher.name!r} is one of {', '.join(allowed)}, never {value!r}")
    return problems


def _grouping_problems(node: pp.AggregateExpr, known: KnownSeries) -> list[str]:
    modifier = node.modifier
    if modifier is None or not str(modifier.type).endswith("By"):
        return []
    inner = output_labels(node.expr, known)
    if inner is None:
        return []
    return [
        f"{node.op} by ({label}): its input has no label {label!r} (labels: {_listed(inner)})"
        for label in modifier.labels
        if label not in inner
    ]


def query_problems(expr: str, known: KnownSeries) -> list[str]:
    """Every problem of ``expr`` (with Grafana variables already expanded), first found first."""
    try:
        tree = pp.parse(expr)
    except ValueError as error:
        return [f"does not parse as PromQL ({error})"]
    problems: list[str] = regex_problems(tree)

    def visit(node: Any) -> None:
        if isinstance(node, pp.VectorSelector):
            problems.extend(_selector_problems(node, known))
        elif isinstance(node, pp.AggregateExpr):
            problems.extend(_grouping_problems(node, known))

    pp.walk(tree, visit)
    problems += semantic_problems(tree, known)
    return list(dict.fromkeys(problems))


def label_values_problems(query: str, known: KnownSeries) -> list[str] | None:
    """Problems of a ``label_values(metric, label)`` variable query; None for any other query."""
    match = _LABEL_VALUES.match(query)
    if match is None:
        return None
    series, label = match.group(1), match.group(2)
    if series is None:
        return []
    problems = query_problems(expand_variables(series), known)
    try:
        labels = output_labels(pp.parse(expand_variables(series)), known)
    except ValueError:
        return problems
    if labels is not None and label not in labels:
        problems.append(f"{series.strip()} has no label {label!r} (labels: {_listed(labels)})")
    return problems
