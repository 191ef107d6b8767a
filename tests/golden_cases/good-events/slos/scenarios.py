"""A good-events ratio: the SLI counts successes, and the error ratio is one minus their share."""

from aurum.monitoring import SLO, RatioSLI, select
from aurum.observability.catalog import BUSINESS_TRANSACTIONS_TOTAL

SCENARIOS = SLO(
    name="scenario-runs-success",
    service="scenarios",
    description="Share of scenario runs that succeed.",
    objective=99.5,
    sli=RatioSLI(
        good=select(BUSINESS_TRANSACTIONS_TOTAL, transaction="scenario_run", status="success"),
        total=select(BUSINESS_TRANSACTIONS_TOTAL, transaction="scenario_run"),
    ),
)
