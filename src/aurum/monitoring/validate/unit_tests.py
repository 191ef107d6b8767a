"""Guards against promtool unit tests that pass without proving anything.

promtool passes an ``alert_rule_test`` naming an alert that does not exist, as long as it expects
no alert, and an expression test expecting no sample passes when the metric name is misspelt. So
every alert name must be an alert of the rule files under test, and every metric an expression
test reads must be recorded by them or fed as an input series.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aurum.monitoring.validate.promql import metric_names

__all__ = ["vacuous_assertions"]


def _series_name(series: str) -> str:
    return series.split("{", 1)[0].strip()


def vacuous_assertions(test_file: Mapping[str, Any], rule_files: Sequence[Mapping[str, Any]]) -> list[str]:
    """What in ``test_file`` would pass whatever the rules do; empty when every assertion can fail."""
    rules = [rule for doc in rule_files for group in doc.get("groups", []) for rule in group.get("rules", [])]
    alerts = {rule["alert"] for rule in rules if "alert" in rule}
    recorded = {rule["record"] for rule in rules if "record" in rule}
    problems = []
    for index, test in enumerate(test_file.get("tests", [])):
        name = test.get("name") or f"test #{index + 1}"  # mixins' tests are seldom named
        fed = {_series_name(series["series"]) for series in test.get("input_series", [])}
        for check in test.get("alert_rule_test", []):
            if check["alertname"] not in alerts:
                problems.append(f"{name}: alert {check['alertname']!r} is not defined by the rule files")
        for check in test.get("promql_expr_test", []):
            unknown = metric_names(check["expr"]) - recorded - fed
            if unknown:
                missing = ", ".join(sorted(unknown))
                problems.append(f"{name}: {check['expr']!r} reads {missing}, which nothing records")
    return problems
