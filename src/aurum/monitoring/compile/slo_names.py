"""The conventions of :mod:`aurum.contract.conventions` applied to one SLO, and the windows it records.

Names are defined in the contract; this module only picks the right one for an SLO of the model, so
the compilers, the test generator and the Jsonnet variables cannot disagree on it.
"""

from __future__ import annotations

from aurum.contract import conventions as conv
from aurum.contract.project import current_project
from aurum.monitoring.model import SLO, AlertTier

__all__ = [
    "LONG_GROUP_INTERVAL",
    "LONG_WINDOW_FROM",
    "alert_name",
    "group_name",
    "record_labels",
    "rule_file_name",
    "runbook_url",
    "test_file_name",
    "windows",
]

# Windows of a day or more (and the period) are sums of 5-minute rollups of the base series,
# evaluated every 5 minutes: a 30-day window then reads 8,640 samples per series instead of one per
# evaluation of the base (43,200 at a one-minute interval), and is no less event-weighted, because
# rollups taken every 5 minutes tile the base series' samples.
LONG_WINDOW_FROM = 86_400
LONG_GROUP_INTERVAL = 300


def windows(slo: SLO) -> tuple[int, ...]:
    """Every window recorded for ``slo``, shortest first: standard, alerting, and the period."""
    used = set(conv.STANDARD_WINDOWS) | {slo.period_seconds}
    for tier in slo.alerting.enabled_tiers:
        for window in tier.windows:
            used |= {window.long, window.short}
    return tuple(sorted(used))


def group_name(slo: SLO, part: conv.SLOGroup) -> str:
    return current_project().slo_group(slo.name, part)


def alert_name(slo: SLO, tier: AlertTier) -> str:
    """The tier's own name, else the policy's name and the tier, else the convention's."""
    if tier.alert_name:
        return tier.alert_name
    if slo.alerting.name:
        return slo.alerting.name + conv.camel_case(tier.name)
    return conv.slo_alert_name(slo.name, tier.name)


def record_labels(slo: SLO) -> dict[str, str]:
    """Labels on every series recorded for ``slo``."""
    return dict(sorted({conv.SLO_LABEL: slo.name, conv.SERVICE_LABEL: slo.service, **slo.labels}.items()))


def runbook_url(slo: SLO) -> str:
    return slo.runbook_url or conv.slo_runbook_url(slo.name)


def rule_file_name(slo: SLO) -> str:
    return current_project().slo_rule_file(slo.name)


def test_file_name(slo: SLO, tests: conv.SLOTests = conv.SLOTests.DETAILED) -> str:
    return current_project().slo_test_file(slo.name, tests)
