"""In-process PromQL checks with the ``promql-parser`` package: fast, precise errors before promtool."""

from __future__ import annotations

import promql_parser

__all__ = ["metric_names", "parse_error"]


def parse_error(expr: str) -> str | None:
    """The parser's complaint about ``expr``, or None when it is valid PromQL."""
    try:
        promql_parser.parse(expr)
    except ValueError as error:
        return str(error)
    return None


def metric_names(expr: str) -> set[str]:
    """Every metric name a (valid) expression selects."""
    names: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            names.add(node.name)

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names
