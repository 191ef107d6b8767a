"""Hand-written alerts and recording rules -> rule groups and promtool unit tests.

One declaration file gives one rule group and, for alerts, one test file, named by
:mod:`aurum.contract.conventions` so they can never collide with an SLO's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aurum.contract import conventions as conv
from aurum.contract.conventions import RuleKind
from aurum.contract.project import current_project
from aurum.monitoring.compile.promql import selector
from aurum.monitoring.compile.rules import AlertingRule, RecordingRule, RuleGroup
from aurum.monitoring.model import format_duration
from aurum.monitoring.model.rules import Alert, AlertTest, Record, Series

__all__ = ["alert_group", "alert_rule", "alert_tests", "record_group", "test_document"]


def alert_rule(alert: Alert) -> AlertingRule:
    return AlertingRule(
        alert=alert.name,
        expr=alert.expr,
        for_=format_duration(alert.for_) if alert.for_ else None,
        labels=alert.rule_labels,
        annotations=alert.annotations,
    )


def alert_group(stem: str, alerts: Sequence[Alert]) -> RuleGroup:
    return RuleGroup(
        current_project().rules_group(RuleKind.ALERTS, stem), tuple(alert_rule(alert) for alert in alerts)
    )


def record_group(stem: str, records: Sequence[Record]) -> RuleGroup:
    """Records in declaration order: a record may read one declared before it in the same file."""
    rules = tuple(RecordingRule(record.record, record.expr, record.labels) for record in records)
    return RuleGroup(current_project().rules_group(RuleKind.RECORDS, stem), rules)


def _input(series: Series) -> dict[str, str]:
    return {
        "series": selector(
            series.name, [(name, "=", value) for name, value in sorted(series.labels.items())]
        ),
        "values": series.values,
    }


def _test(alert: Alert, test: AlertTest) -> dict[str, Any]:
    checks = [
        {
            "eval_time": format_duration(at),
            "alertname": alert.name,
            "exp_alerts": [
                {
                    "exp_labels": dict(sorted({**alert.rule_labels, **fired.labels}.items())),
                    "exp_annotations": dict(
                        sorted({**alert.annotations, conv.DESCRIPTION_ANNOTATION: fired.description}.items())
                    ),
                }
                for fired in expected
            ],
        }
        for at, expected in sorted(test.expect.items())
    ]
    return {
        "name": f"{alert.name}: {test.name}",
        "interval": format_duration(test.interval),
        "input_series": [_input(series) for series in test.series],
        "alert_rule_test": checks,
    }


def test_document(kind: RuleKind, stem: str, tests: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The promtool test file of the rules of one declaration file; None without a test."""
    if not tests:
        return None
    rule_file = f"../rules/{current_project().rule_file(kind, stem)}"
    return {"rule_files": [rule_file], "evaluation_interval": "1m", "tests": list(tests)}


def alert_tests(stem: str, alerts: Sequence[Alert]) -> dict[str, Any] | None:
    """The promtool test file of one alerts file; None when none of its alerts has a test."""
    return test_document(
        RuleKind.ALERTS, stem, [_test(alert, test) for alert in alerts for test in alert.tests]
    )
