"""The conventions of :mod:`aurum.contract.conventions` applied to one SLO, and the windows it records.

Names are defined in the contract; this module only picks the right one for an SLO of the model, so
the compilers, the test generator and the Jsonnet variables cannot disagree on it.

An SLO is identified by its service and its name: every query of its series selects both (two
repositories' ``availability`` SLOs of two services share one Prometheus), and when one build holds
the same name under two services, its files, groups, alerts and runbook are named by both
(:func:`distinguishing`), while a name only one service uses keeps its short names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from aurum.contract import conventions as conv
from aurum.contract.project import current_project
from aurum.monitoring.model import SLO, AlertTier
from aurum.monitoring.model.alerting import LONG_WINDOW_SECONDS

# The names more than one service uses in the build running here.
_shared: ContextVar[frozenset[str]] = ContextVar("aurum_shared_slo_names", default=frozenset())

__all__ = [
    "LONG_GROUP_INTERVAL",
    "LONG_WINDOW_FROM",
    "alert_name",
    "distinguishing",
    "group_name",
    "key",
    "own_matchers",
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
LONG_WINDOW_FROM = LONG_WINDOW_SECONDS
LONG_GROUP_INTERVAL = 300


def windows(slo: SLO) -> tuple[int, ...]:
    """Every window recorded for ``slo``, shortest first: standard, alerting, and the period."""
    used = set(conv.STANDARD_WINDOWS) | {slo.period_seconds}
    for tier in slo.alerting.enabled_tiers:
        for window in tier.windows:
            used |= {window.long, window.short}
    return tuple(sorted(used))


@contextmanager
def distinguishing(slos: Sequence[SLO]) -> Iterator[None]:
    """Name the SLOs of one build apart: a name several services use is qualified by the service."""
    counts = Counter(slo.name for slo in slos)
    token = _shared.set(frozenset(name for name, count in counts.items() if count > 1))
    try:
        yield
    finally:
        _shared.reset(token)


def key(slo: SLO) -> str:
    """What names ``slo``'s files and groups: its name, or ``<name>.<service>`` when the name is shared."""
    return f"{slo.name}.{slo.service}" if slo.name in _shared.get() else slo.name


def own_matchers(slo: SLO) -> list[tuple[str, str, str]]:
    """The matchers of ``slo``'s recorded series: its identity, service and name."""
    return [(conv.SLO_LABEL, "=", slo.name), (conv.SERVICE_LABEL, "=", slo.service)]


def group_name(slo: SLO, part: conv.SLOGroup) -> str:
    return current_project().slo_group(key(slo), part)


def alert_name(slo: SLO, tier: AlertTier) -> str:
    """The tier's own name, else the policy's name and the tier, else the convention's."""
    if tier.alert_name:
        return tier.alert_name
    if slo.alerting.name:
        return slo.alerting.name + conv.camel_case(tier.name)
    shared = slo.name in _shared.get()
    return conv.slo_alert_name(f"{slo.service}-{slo.name}" if shared else slo.name, tier.name)


def record_labels(slo: SLO) -> dict[str, str]:
    """Labels on every series recorded for ``slo``."""
    return dict(sorted({conv.SLO_LABEL: slo.name, conv.SERVICE_LABEL: slo.service, **slo.labels}.items()))


def runbook_url(slo: SLO) -> str:
    shared = slo.name in _shared.get()
    return slo.runbook_url or conv.slo_runbook_url(f"{slo.service}/{slo.name}" if shared else slo.name)


def rule_file_name(slo: SLO) -> str:
    return current_project().slo_rule_file(key(slo))


def test_file_name(slo: SLO, tests: conv.SLOTests = conv.SLOTests.DETAILED) -> str:
    return current_project().slo_test_file(key(slo), tests)
