"""The group labels of grouped SLOs on the SLO dashboards: one variable per label, and the matcher
that keeps a panel to the group chosen in it.

A variable defaults to All, whose value matches any value and no label at all (``.*``), so the
panels of an ungrouped SLO beside a grouped one show as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from grafanalib.core import Template

from aurum.contract import conventions as conv
from aurum.monitoring.compile.panels import DATASOURCE
from aurum.monitoring.model import SLO

__all__ = ["CONSTANT_RECORDS", "group_labels", "group_matchers", "group_variables"]

_ANY = ".*"

CONSTANT_RECORDS = frozenset({conv.SLO_OBJECTIVE, conv.SLO_ERROR_BUDGET, conv.SLO_TIME_PERIOD, conv.SLO_INFO})
"""Recorded once per SLO whatever its groups: they carry no group label."""


def group_labels(slos: Sequence[SLO]) -> tuple[str, ...]:
    """Every label some SLO is grouped by, in first-use order."""
    return tuple(dict.fromkeys(label for slo in slos for label in slo.group_by))


def group_matchers(labels: Sequence[str], record: str = "") -> list[tuple[str, str, str]]:
    """``tenant_id=~"$tenant_id"`` for each label; none on ``record`` if it is one of the constants."""
    return [] if record in CONSTANT_RECORDS else [(label, "=~", f"${label}") for label in labels]


def group_variables(labels: Sequence[str]) -> tuple[Template, ...]:
    """A variable per group label, filled from the recorded totals, All by default."""
    return tuple(
        Template(
            name=label,
            label=label,
            query=f"label_values({conv.SLO_TOTAL_EVENTS}, {label})",
            dataSource=dict(DATASOURCE),
            includeAll=True,
            allValue=_ANY,
            default="$__all",
            refresh=1,
            sort=1,
        )
        for label in labels
    )
