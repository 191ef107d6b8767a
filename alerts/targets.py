"""Alerts on scraping itself: a target that stops answering, or a job with no target at all."""

from aurum.monitoring import UP, Alert, AlertTest, Fired, regex, select, series

RUNBOOKS = "https://runbooks.aurum.internal/alerts"

AURUM_TARGET_DOWN = Alert(
    name="AurumTargetDown",
    expr=f"{select(UP, job=regex('aurum-.*'))} == 0",
    for_="5m",
    severity="critical",
    summary="Prometheus cannot scrape an Aurum target.",
    description="{{ $labels.instance }} of job {{ $labels.job }} has not answered a scrape for 5 minutes.",
    runbook_url=f"{RUNBOOKS}/aurum-target-down",
    tests=(
        AlertTest(
            name="a target stops answering after 5 minutes",
            series=(series(UP, "1x5 0x25", job="aurum-api", instance="api-1:8000"),),
            expect={
                "8m": (),
                "20m": (
                    Fired(
                        labels={"job": "aurum-api", "instance": "api-1:8000"},
                        description="api-1:8000 of job aurum-api has not answered a scrape for 5 minutes.",
                    ),
                ),
            },
        ),
        AlertTest(
            name="every target answers",
            series=(series(UP, "1x30", job="aurum-api", instance="api-1:8000"),),
            expect={"20m": ()},
        ),
    ),
)

AURUM_METRICS_ABSENT = Alert(
    name="AurumMetricsAbsent",
    expr=f"absent({select(UP, job='aurum-api')})",
    for_="10m",
    severity="critical",
    summary="Prometheus has no target of the Aurum API, so none of its metrics are collected.",
    description=(
        "No target of job {{ $labels.job }} has been discovered for 10 minutes: every alert and "
        "dashboard on its metrics is blind."
    ),
    runbook_url=f"{RUNBOOKS}/aurum-metrics-absent",
    tests=(
        AlertTest(
            name="only other jobs are scraped",
            series=(series(UP, "1x30", job="aurum-worker", instance="worker-1:8000"),),
            expect={
                "5m": (),
                "20m": (
                    Fired(
                        labels={"job": "aurum-api"},
                        description=(
                            "No target of job aurum-api has been discovered for 10 minutes: every alert "
                            "and dashboard on its metrics is blind."
                        ),
                    ),
                ),
            },
        ),
        AlertTest(
            name="the API is scraped",
            series=(series(UP, "1x30", job="aurum-api", instance="api-1:8000"),),
            expect={"20m": ()},
        ),
    ),
)
