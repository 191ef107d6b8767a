"""Alerts over the SLO output contract, beyond the generated burn-rate alerts."""

from aurum.monitoring import Alert, AlertTest, Fired, Series, series
from aurum.observability import catalog


def _remaining(values: str) -> Series:
    return series(catalog.SLO_PERIOD_BUDGET_REMAINING, values, slo="api-availability", service="aurum-api")


SLO_ERROR_BUDGET_EXHAUSTED = Alert(
    name="SloErrorBudgetExhausted",
    expr=f"{catalog.SLO_PERIOD_BUDGET_REMAINING} <= 0",
    for_="15m",
    severity="warning",
    summary="An SLO has spent its whole error budget for the period.",
    description=(
        "The {{ $labels.slo }} SLO of {{ $labels.service }} has no error budget left for its period "
        "({{ $value | humanizePercentage }} remaining): changes that risk it should wait."
    ),
    runbook_url="https://runbooks.aurum.internal/alerts/slo-error-budget-exhausted",
    tests=(
        AlertTest(
            name="the budget runs out after 5 minutes",
            series=(_remaining("0.2x5 -0.1x30"),),
            expect={
                "15m": (),
                "25m": (
                    Fired(
                        labels={"slo": "api-availability", "service": "aurum-api"},
                        description=(
                            "The api-availability SLO of aurum-api has no error budget left for its "
                            "period (-10% remaining): changes that risk it should wait."
                        ),
                    ),
                ),
            },
        ),
        AlertTest(name="a fifth of the budget is left", series=(_remaining("0.2x40"),), expect={"30m": ()}),
    ),
)
