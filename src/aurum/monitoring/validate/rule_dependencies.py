"""Which rule files a hand-written or a mixin's promtool test file must load.

promtool evaluates only the rule files a test file lists. A test of an alert that reads a series
recorded in another file (a mixin's ``prometheusAlerts`` reading its ``prometheusRules``, an alert
of ``alerts/`` reading ``recording_rules/``) sees nothing of that series unless that file is listed
too. So a test file lists the files defining the alerts it checks and recording the series its
expression tests read, then, until nothing changes, the files recording a series a listed file reads.
A series the test feeds itself as an input is taken as given: the test isolates the rules reading it
(the file recording it would write the same series a second time).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aurum.monitoring.validate.promql import metric_names

__all__ = ["needed_rule_files"]


def _names(expr: Any) -> set[str]:
    try:
        return metric_names(str(expr))
    except ValueError:  # reported by the lint, which parses every rule
        return set()


def _rules(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [rule for group in document.get("groups", []) for rule in group.get("rules", [])]


def needed_rule_files(
    test: Mapping[str, Any], own: str, rule_files: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """The names (keys of ``rule_files``) ``test`` must load: ``own`` and what it depends on, sorted."""
    defines: dict[str, set[str]] = {}
    records: dict[str, set[str]] = {}
    reads: dict[str, set[str]] = {}
    for name, document in rule_files.items():
        reads[name] = set()
        for rule in _rules(document):
            reads[name] |= _names(rule.get("expr", ""))
            kind, index = ("alert", defines) if "alert" in rule else ("record", records)
            index.setdefault(str(rule[kind]), set()).add(name)
    needed = {own}
    read: set[str] = set()
    fed: set[str] = set()
    for case in test.get("tests", []):
        for series in case.get("input_series", []):
            fed |= _names(series.get("series", ""))
        for check in case.get("alert_rule_test", []):
            needed |= defines.get(str(check.get("alertname")), set())
        for check in case.get("promql_expr_test", []):
            read |= _names(check.get("expr", ""))
    while True:
        read |= {metric for name in needed for metric in reads.get(name, set())}
        more = {file for metric in read - fed for file in records.get(metric, set())} - needed
        if not more:
            return sorted(needed)
        needed |= more
