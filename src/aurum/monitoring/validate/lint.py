"""The offline lint of everything the build renders: rule files (SLO, hand-written, Jsonnet) and dashboards.

It works on the rendered documents, not on the declarations, so Python, Jsonnet and a vendored mixin
are held to the same rules and get the same messages. Each finding names the declaration file, the
object and the field; the build turns them into exit status 2.
"""

from __future__ import annotations

from collections.abc import Sequence

from aurum.monitoring.validate.lint_dashboards import dashboard_findings
from aurum.monitoring.validate.lint_inputs import DashboardFile, Finding, RuleFile
from aurum.monitoring.validate.lint_namespace import namespace_findings
from aurum.monitoring.validate.lint_rules import rule_findings
from aurum.monitoring.validate.series import known_series

__all__ = ["DashboardFile", "Finding", "RuleFile", "lint"]


def lint(rule_files: Sequence[RuleFile], dashboards: Sequence[DashboardFile]) -> list[Finding]:
    """Every finding, rule files first, in the order the files are given.

    Known series are the catalog's, Prometheus' own (``up``, ``ALERTS``) and every series a rule of
    the build records, with the labels each carries.
    """
    known = known_series(rule for rule_file in rule_files for rule in rule_file.rules())
    return [
        *rule_findings(rule_files, known),
        *dashboard_findings(dashboards, known),
        *namespace_findings(dashboards),
    ]
