"""SLOs of scenario creation and scenario runs, from the business transaction counter."""

from aurum.monitoring import SLO, RatioSLI, build_settings, select
from aurum.observability.catalog import BUSINESS_TRANSACTIONS_TOTAL

# The build's settings: AURUM_SLO_SCENARIO_SUCCESS_TARGET (ratio) overrides the scenario-run objective.
TARGETS = build_settings()

SCENARIO_CREATION = SLO(
    name="scenario-creation",
    service="aurum-scenarios",
    description="Share of scenario creations that succeed.",
    objective=99.5,
    sli=RatioSLI(
        bad=select(BUSINESS_TRANSACTIONS_TOTAL, transaction="scenario_create", status="failure"),
        total=select(BUSINESS_TRANSACTIONS_TOTAL, transaction="scenario_create"),
    ),
)

SCENARIO_RUNS = SLO(
    name="scenario-runs",
    service="aurum-scenarios",
    description="Share of scenario runs that succeed.",
    objective=TARGETS.slo_scenario_success_target * 100,
    sli=RatioSLI(
        bad=select(BUSINESS_TRANSACTIONS_TOTAL, transaction="scenario_run", status="failure"),
        total=select(BUSINESS_TRANSACTIONS_TOTAL, transaction="scenario_run"),
    ),
)
