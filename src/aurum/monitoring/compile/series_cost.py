"""What a grouped SLO costs in series, stated by the build: every recorded series and every alert of
the SLO exists once per group value, so the worst case is their count times the number of groups.

The number of groups is the product of the group labels' closed sets from the catalogs; when a group
label is open (``tenant_id``), nothing in the build bounds it, and the build says so and where the
bound is: the runtime's cardinality guard, which folds values past its cap into one overflow value.
"""

from __future__ import annotations

from collections.abc import Sequence

from aurum.monitoring.compile.rules import AlertingRule, RecordingRule, RuleGroup
from aurum.monitoring.compile.slo_groups import CONSTANT_RECORDS
from aurum.monitoring.model import SLO
from aurum.monitoring.model.grouping import group_count

__all__ = ["series_statement"]

_CONSTANTS = CONSTANT_RECORDS

_GUARD = (
    "the runtime's cardinality guard caps it (AURUM_METRICS_MAX_TENANTS values of tenant_id, "
    "AURUM_METRICS_MAX_LABEL_SETS label sets per metric; the excess is folded into one overflow value)"
)


def series_statement(slo: SLO, groups: Sequence[RuleGroup]) -> str | None:
    """One line for a grouped SLO (None for an ungrouped one): its series per group and in all."""
    if not slo.group_by:
        return None
    rules = [rule for group in groups for rule in group.rules]
    per_group = sum(isinstance(r, RecordingRule) and r.record not in _CONSTANTS for r in rules)
    alerts = sum(isinstance(r, AlertingRule) for r in rules)
    constants = sum(isinstance(r, RecordingRule) and r.record in _CONSTANTS for r in rules)
    labels = ", ".join(slo.group_by)
    each = f"{per_group} recorded series and up to {alerts} alerts per {labels} value, plus {constants} constants"
    count = group_count(slo.sli, slo.group_by)
    if count.groups is None:
        return (
            f"{slo.name} per {labels}: {each}; unbounded: {', '.join(count.open_labels)} is open, so {_GUARD}"
        )
    worst = per_group * count.groups + constants
    return (
        f"{slo.name} per {labels}: {each}; at most {count.groups} groups (closed sets), "
        f"so at most {worst} series and {alerts * count.groups} alerts"
    )
