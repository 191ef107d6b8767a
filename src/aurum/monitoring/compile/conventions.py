"""Every name and window the SLO compiler produces, defined once (as Sloth's conventions.go does)."""

from __future__ import annotations

from aurum.monitoring.model import SLO, AlertTier, format_duration

__all__ = [
    "BAD_EVENTS_RECORD",
    "BASE_WINDOW",
    "BASE_WINDOW_SECONDS",
    "DEFAULT_RUNBOOK_BASE",
    "GROUP_PARTS",
    "LONG_GROUP_INTERVAL",
    "LONG_WINDOW_FROM",
    "ROLLUP_BAD_RECORD",
    "ROLLUP_TOTAL_RECORD",
    "STANDARD_WINDOWS",
    "TOTAL_EVENTS_RECORD",
    "alert_name",
    "camel_case",
    "group_name",
    "record_labels",
    "rule_file_name",
    "runbook_url",
    "test_file_name",
    "windows",
]

BASE_WINDOW_SECONDS = 300
BASE_WINDOW = format_duration(BASE_WINDOW_SECONDS)

# Rates (per second, over the base window) of bad and of all events. For time-based SLIs they are
# the evaluation slice itself: 1 bad or 0, out of 1. Every longer window is derived from these two
# recorded series, so no rule ever reads more than the base window of raw series.
BAD_EVENTS_RECORD = f"slo:sli_bad_events:rate{BASE_WINDOW}"
TOTAL_EVENTS_RECORD = f"slo:sli_total_events:rate{BASE_WINDOW}"

# Windows of a day or more (and the period) are sums of 5-minute rollups of the base series,
# evaluated every 5 minutes: a 30-day window then reads 8,640 samples per series instead of one per
# evaluation of the base (43,200 at a one-minute interval), and is no less event-weighted, because
# rollups taken every 5 minutes tile the base series' samples.
ROLLUP_BAD_RECORD = "slo:sli_bad_events:rollup5m"
ROLLUP_TOTAL_RECORD = "slo:sli_total_events:rollup5m"
LONG_WINDOW_FROM = 86_400
LONG_GROUP_INTERVAL = 300

STANDARD_WINDOWS = (300, 1_800, 3_600, 7_200, 21_600, 86_400, 259_200)
"""5m, 30m, 1h, 2h, 6h, 1d and 3d: recorded for every SLO so dashboards can rely on them."""

GROUP_PARTS = ("sli", "long", "meta", "alerts")
"""Rule groups of one SLO, in evaluation order.

The long windows (a day or more, the period) have a group of their own with a 5-minute interval:
they change slowly, and a slow evaluation there can never delay the short windows or the alerts.
"""

DEFAULT_RUNBOOK_BASE = "https://runbooks.aurum.internal/slo"


def windows(slo: SLO) -> tuple[int, ...]:
    """Every window recorded for ``slo``, shortest first: standard, alerting, and the period."""
    used = set(STANDARD_WINDOWS) | {slo.period_seconds}
    for tier in slo.alerting.enabled_tiers:
        for window in tier.windows:
            used |= {window.long, window.short}
    return tuple(sorted(used))


def group_name(slo: SLO, part: str) -> str:
    return f"aurum-slo-{slo.name}-{part}"


def camel_case(name: str) -> str:
    """``api-availability`` -> ``ApiAvailability``."""
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def alert_name(slo: SLO, tier: AlertTier) -> str:
    """``ApiAvailabilityErrorBudgetBurnPage``: unique per SLO and tier, CamelCase."""
    return f"{camel_case(slo.name)}ErrorBudgetBurn{camel_case(tier.name)}"


def record_labels(slo: SLO) -> dict[str, str]:
    """Labels on every series recorded for ``slo``."""
    return dict(sorted({"slo": slo.name, "service": slo.service, **slo.labels}.items()))


def runbook_url(slo: SLO) -> str:
    return slo.runbook_url or f"{DEFAULT_RUNBOOK_BASE}/{slo.name}"


def rule_file_name(slo: SLO) -> str:
    return f"{slo.name}.yaml"


def test_file_name(slo: SLO) -> str:
    return f"{slo.name}.test.yaml"
