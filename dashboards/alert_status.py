"""Alert Status: which alerts are firing or pending now, how severe are they, and which SLOs do they concern?"""

from grafanalib.core import Stat, Table, TimeSeries

from aurum.monitoring import ALERTS, not_equal, select
from aurum.monitoring.dashboards import (
    ALERT_STATUS_UID,
    PLATFORM_FOLDER,
    SLO_DETAIL_UID,
    SLO_OVERVIEW_UID,
    Board,
    Row,
    link_to,
    steps,
    target,
)

FIRING = select(ALERTS, alertstate="firing")
PENDING = select(ALERTS, alertstate="pending")
SLO_FIRING = select(ALERTS, alertstate="firing", slo=not_equal(""))


def _count(title: str, selected: str, color: str) -> Stat:
    return Stat(
        title=title,
        targets=[target(f"count({selected}) or vector(0)")],
        format="none",
        thresholds=steps("green", (1, color)),
        reduceCalc="lastNotNull",
        graphMode="none",
        colorMode="background",
    )


def _over_time(title: str, expr: str, legend: str) -> TimeSeries:
    return TimeSeries(
        title=title,
        targets=[target(expr, legend)],
        unit="none",
        thresholds=steps("green"),
        drawStyle="bars",
        stacking={"mode": "normal", "group": "A"},
        fillOpacity=60,
    )


ALERT_STATUS = Board(
    uid=ALERT_STATUS_UID,
    title="Alert Status",
    folder=PLATFORM_FOLDER,
    tags=("aurum", "alerts"),
    description="Firing and pending alerts by severity and by SLO, now and over time.",
    links=(link_to(SLO_OVERVIEW_UID, "SLO Overview"), link_to(SLO_DETAIL_UID, "SLO Detail")),
    rows=(
        Row(
            title="Now",
            height=4,
            panels=(
                _count(
                    "Critical alerts firing",
                    str(select(ALERTS, alertstate="firing", severity="critical")),
                    "red",
                ),
                _count(
                    "Warnings firing", str(select(ALERTS, alertstate="firing", severity="warning")), "orange"
                ),
                _count("Alerts pending", str(PENDING), "orange"),
                _count("SLOs alerting", f"count by (slo) ({SLO_FIRING})", "red"),
            ),
        ),
        Row(
            title="By severity",
            panels=(
                _over_time("Firing alerts by severity", f"count by (severity) ({FIRING})", "{{severity}}"),
                _over_time("Pending alerts by severity", f"count by (severity) ({PENDING})", "{{severity}}"),
            ),
        ),
        Row(
            title="By SLO",
            panels=(
                _over_time(
                    "Firing and pending alerts by SLO",
                    f"count by (slo, alertstate) ({select(ALERTS, slo=not_equal(''))})",
                    "{{slo}} {{alertstate}}",
                ),
                Table(
                    title="Active alerts",
                    description="Every pending or firing alert with its labels.",
                    targets=[target(str(select(ALERTS)), instant=True, table=True)],
                    unit="none",
                    transformations=[
                        {
                            "id": "organize",
                            "options": {"excludeByName": {"Time": True, "Value": True, "__name__": True}},
                        }
                    ],
                ),
            ),
        ),
    ),
)
