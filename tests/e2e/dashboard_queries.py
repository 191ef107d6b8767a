"""Every PromQL query of the rendered dashboards, with Grafana's variables given concrete values."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["BUILTINS", "Query", "dashboard_queries", "expansions", "label_values_variables"]

# What Grafana would put there for the last hour of a Prometheus scraped every second or so (its
# $__rate_interval is at least four scrape intervals, and a minute with the default settings).
BUILTINS = {
    "__rate_interval": "1m",
    "__interval": "15s",
    "__interval_ms": "15000",
    "__range": "1h",
    "__range_s": "3600",
    "__range_ms": "3600000",
}
_VARIABLE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]")
_LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(.+?)\s*,\s*(\w+)\s*\)\s*$", re.DOTALL)


@dataclass(frozen=True)
class Query:
    dashboard: str
    panel: str
    expr: str
    variables: tuple[str, ...]
    """The dashboard's own variables the query uses (Grafana's built-ins aside)."""

    def __str__(self) -> str:
        return f"{self.dashboard} / {self.panel}: {self.expr}"


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))  # panels inside collapsed rows


def _names(expr: str) -> set[str]:
    return {next(g for g in match.groups() if g) for match in _VARIABLE.finditer(expr)}


def dashboard_queries(dashboards: Path) -> list[Query]:
    """Every target's ``expr`` of every ``<folder>/<uid>.json`` under ``dashboards``."""
    queries = []
    for path in sorted(dashboards.glob("*/*.json")):
        dashboard = json.loads(path.read_text())
        for panel in _panels(dashboard.get("panels", [])):
            for target in panel.get("targets", []):
                if expr := target.get("expr"):
                    variables = tuple(sorted(_names(expr) - BUILTINS.keys()))
                    queries.append(Query(dashboard["uid"], panel.get("title", "?"), expr, variables))
    return queries


def label_values_variables(dashboards: Path) -> dict[str, tuple[str, str]]:
    """``name -> (series selector, label)`` of every ``label_values(...)`` query variable."""
    found = {}
    for path in sorted(dashboards.glob("*/*.json")):
        for variable in json.loads(path.read_text()).get("templating", {}).get("list", []):
            query = variable.get("query")
            query = query.get("query") if isinstance(query, dict) else query
            if variable.get("type") == "query" and (match := _LABEL_VALUES.match(query or "")):
                found[variable["name"]] = (match.group(1), match.group(2))
    return found


def _substitute(expr: str, values: Mapping[str, str]) -> str:
    return _VARIABLE.sub(lambda m: values[next(g for g in m.groups() if g)], expr)


def expansions(query: Query, choices: Mapping[str, list[str]]) -> list[tuple[dict[str, str], str]]:
    """The query for every combination of its variables' values: ``(assignment, expression)``."""
    names = query.variables
    combos = itertools.product(*(choices[name] for name in names))
    return [
        (assignment, _substitute(query.expr, BUILTINS | assignment))
        for assignment in (dict(zip(names, combo, strict=True)) for combo in combos)
    ]
