"""Business Metrics: how many scenarios are created and run, and how many of them succeed?"""

from grafanalib.core import Stat, Table, TimeSeries

from aurum.monitoring import regex, select
from aurum.monitoring.dashboards import PLATFORM_FOLDER, SLO_OVERVIEW_UID, Board, Row, link_to, steps, target
from aurum.observability.catalog import BUSINESS_TRANSACTIONS_TOTAL

KINDS = {"scenario_create": "Scenario creations", "scenario_run": "Scenario runs"}
SCENARIOS = select(BUSINESS_TRANSACTIONS_TOTAL, transaction=regex("|".join(KINDS)))
SUCCESS_STEPS = steps("red", (0.9, "orange"), (0.99, "green"))


def _volume(transaction: str, title: str) -> TimeSeries:
    selected = select(BUSINESS_TRANSACTIONS_TOTAL, transaction=transaction)
    return TimeSeries(
        title=title,
        description="Per second, by outcome.",
        targets=[target(f"sum by (status) (rate({selected}[$__rate_interval]))", "{{status}}")],
        unit="ops",
        thresholds=steps("blue"),
        stacking={"mode": "normal", "group": "A"},
        fillOpacity=30,
    )


def _success_over_a_day(transaction: str, title: str) -> Stat:
    succeeded = select(BUSINESS_TRANSACTIONS_TOTAL, transaction=transaction, status="success")
    every = select(BUSINESS_TRANSACTIONS_TOTAL, transaction=transaction)
    return Stat(
        title=f"{title} succeeding (24h)",
        targets=[target(f"sum(increase({succeeded}[1d]))\n/\nsum(increase({every}[1d]))")],
        format="percentunit",
        thresholds=SUCCESS_STEPS,
        reduceCalc="lastNotNull",
        graphMode="none",
        decimals=2,
    )


SUCCEEDED = select(BUSINESS_TRANSACTIONS_TOTAL, transaction=regex("|".join(KINDS)), status="success")
SUCCESS_RATE = (
    f"sum by (transaction) (rate({SUCCEEDED}[$__rate_interval]))\n/\n"
    f"sum by (transaction) (rate({SCENARIOS}[$__rate_interval]))"
)
EVERY_TRANSACTION = (
    f"sum by (transaction, category, status) (increase({select(BUSINESS_TRANSACTIONS_TOTAL)}[$__range]))"
)

BUSINESS_METRICS = Board(
    uid="aurum-business",
    title="Business Metrics",
    folder=PLATFORM_FOLDER,
    tags=("aurum", "business"),
    description="Scenario creation and run volumes and success rates.",
    links=(link_to(SLO_OVERVIEW_UID, "SLO Overview"),),
    rows=(
        Row(
            title="Success",
            height=4,
            panels=tuple(_success_over_a_day(kind, title) for kind, title in KINDS.items()),
        ),
        Row(title="Volume", panels=tuple(_volume(kind, title) for kind, title in KINDS.items())),
        Row(
            title="Success rate",
            panels=(
                TimeSeries(
                    title="Success rate",
                    targets=[target(SUCCESS_RATE, "{{transaction}}")],
                    unit="percentunit",
                    thresholds=SUCCESS_STEPS,
                    thresholdsStyleMode="line",
                    span=8,
                ),
                Table(
                    title="Transactions in the time range",
                    description="Every business transaction by kind, category and outcome.",
                    targets=[target(EVERY_TRANSACTION, instant=True, table=True)],
                    unit="short",
                    transformations=[{"id": "organize", "options": {"excludeByName": {"Time": True}}}],
                    span=4,
                ),
            ),
        ),
    ),
)
