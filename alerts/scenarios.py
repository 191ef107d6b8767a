"""Alerts on scenario creation and scenario runs, from the business transaction counter."""

from aurum.monitoring import Alert, AlertTest, Fired, Series, select, series
from aurum.observability.catalog import BUSINESS_TRANSACTIONS_TOTAL

RUNBOOKS = "https://runbooks.aurum.internal/alerts"


def _transactions(transaction: str, status: str, per_minute: int) -> Series:
    return series(
        BUSINESS_TRANSACTIONS_TOTAL,
        f"0+{per_minute}x30",
        transaction=transaction,
        category="scenario",
        status=status,
    )


def _failures(transaction: str, name: str, noun: str) -> Alert:
    failed = select(BUSINESS_TRANSACTIONS_TOTAL, transaction=transaction, status="failure")
    every = select(BUSINESS_TRANSACTIONS_TOTAL, transaction=transaction)
    return Alert(
        name=name,
        expr=f"sum(rate({failed}[10m]))\n/\nsum(rate({every}[10m])) > 0.1",
        for_="10m",
        severity="warning",
        summary=f"More than 10 % of {noun} fail.",
        description=f"{{{{ $value | humanizePercentage }}}} of {noun} failed over the last 10 minutes.",
        runbook_url=f"{RUNBOOKS}/{name.lower()}",
        tests=(
            AlertTest(
                name=f"a fifth of the {noun} fail",
                series=(
                    _transactions(transaction, "success", 40),
                    _transactions(transaction, "failure", 10),
                ),
                expect={
                    "5m": (),
                    "20m": (Fired(description=f"20% of {noun} failed over the last 10 minutes."),),
                },
            ),
            AlertTest(
                name=f"2 % of the {noun} fail",
                series=(
                    _transactions(transaction, "success", 49),
                    _transactions(transaction, "failure", 1),
                ),
                expect={"20m": (), "30m": ()},
            ),
        ),
    )


SCENARIO_CREATION_FAILURES = _failures("scenario_create", "ScenarioCreationFailures", "scenario creations")
SCENARIO_RUN_FAILURES = _failures("scenario_run", "ScenarioRunFailures", "scenario runs")
