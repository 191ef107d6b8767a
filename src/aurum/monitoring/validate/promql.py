"""In-process PromQL checks with the ``promql-parser`` package: fast, precise errors before promtool."""

from __future__ import annotations

from typing import Any

import promql_parser

from aurum.contract.matching import prometheus_regex_problem

__all__ = ["expression_error", "metric_names", "parse_error", "regex_problems"]

_REGEX_OPS = {"MatchOp.Re", "MatchOp.NotRe"}


def parse_error(expr: str) -> str | None:
    """The parser's complaint about ``expr``, or None when it is valid PromQL."""
    try:
        promql_parser.parse(expr)
    except ValueError as error:
        return str(error)
    return None


def expression_error(expr: str) -> str | None:
    """Why Prometheus would refuse ``expr``: it does not parse, or a regex matcher is not RE2."""
    try:
        tree = promql_parser.parse(expr)
    except ValueError as error:
        return str(error)
    return "; ".join(regex_problems(tree)) or None


def metric_names(expr: str) -> set[str]:
    """Every metric name a (valid) expression selects."""
    names: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            names.add(node.name)

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names


def regex_problems(tree: Any) -> list[str]:
    """Every regex of a parsed expression (matchers, label_replace) that Prometheus would refuse.

    The parser checks regexes with Rust's ``regex`` crate, which accepts some patterns RE2 refuses
    (a possessive ``a++``); Prometheus decides, so RE2 decides here.
    """
    problems: list[str] = []

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.Call):
            # label_replace's regex is compiled only when a rule is evaluated (promtool passes it):
            # refused there, the rule fails on every evaluation.
            regex = node.args[4] if node.func.name == "label_replace" and len(node.args) == 5 else None
            if isinstance(regex, promql_parser.StringLiteral):
                problem = prometheus_regex_problem(str(regex.val))
                if problem is not None:
                    problems.append(f"label_replace(): {problem}")
            return
        if not isinstance(node, promql_parser.VectorSelector):
            return
        groups = [node.matchers.matchers, *(node.matchers.or_matchers or [])]
        for matcher in (m for group in groups for m in group):
            if str(matcher.op) in _REGEX_OPS:
                problem = prometheus_regex_problem(str(matcher.value))
                if problem is not None:
                    problems.append(f"label {matcher.name!r}: {problem}")

    promql_parser.walk(tree, visit)
    return problems
