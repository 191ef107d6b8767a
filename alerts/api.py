"""Alerts on the Aurum API: server errors and slow responses, per route."""

from aurum.monitoring import Alert, AlertTest, Fired, Series, bucket, regex, select, series
from aurum.observability.catalog import HTTP_REQUEST_DURATION_SECONDS, HTTP_REQUESTS_TOTAL

REQUESTS = select(HTTP_REQUESTS_TOTAL)
ERRORS = select(HTTP_REQUESTS_TOTAL, status=regex("5.."))
LATENCY = select(HTTP_REQUEST_DURATION_SECONDS)
RUNBOOKS = "https://runbooks.aurum.internal/alerts"
ROUTE = "/api/scenarios"


def _requests(status: str, per_minute: int) -> Series:
    return series(
        HTTP_REQUESTS_TOTAL,
        f"0+{per_minute}x30",
        method="POST",
        path=ROUTE,
        status=status,
        tenant_id="acme-corp",
    )


def _latency(le: str, per_minute: int) -> Series:
    return bucket(HTTP_REQUEST_DURATION_SECONDS, le, f"0+{per_minute}x30", method="POST", path=ROUTE)


API_HIGH_ERROR_RATE = Alert(
    name="ApiHighErrorRate",
    # Above one request per second only: two failures out of ten requests are no outage.
    expr=(
        f"sum by (path) (rate({ERRORS}[5m]))\n/\nsum by (path) (rate({REQUESTS}[5m])) > 0.05\n"
        f"and\nsum by (path) (rate({REQUESTS}[5m])) > 1"
    ),
    for_="5m",
    severity="critical",
    summary="An API route answers more than 5 % of its requests with a server error.",
    description=(
        "{{ $value | humanizePercentage }} of requests to {{ $labels.path }} failed with a server "
        "error over the last 5 minutes."
    ),
    runbook_url=f"{RUNBOOKS}/api-high-error-rate",
    tests=(
        AlertTest(
            name="10 % of the requests fail",
            series=(_requests("200", 108), _requests("500", 12)),
            expect={
                "4m": (),
                "15m": (
                    Fired(
                        labels={"path": ROUTE},
                        description=(
                            "10% of requests to /api/scenarios failed with a server error over "
                            "the last 5 minutes."
                        ),
                    ),
                ),
            },
        ),
        AlertTest(
            name="2 % of the requests fail",
            series=(_requests("200", 118), _requests("503", 2)),
            expect={"15m": (), "30m": ()},
        ),
        AlertTest(
            name="a third of too few requests fail",
            series=(_requests("200", 20), _requests("500", 10)),
            expect={"15m": (), "30m": ()},
        ),
    ),
)

API_HIGH_LATENCY = Alert(
    name="ApiHighLatency",
    expr=f"histogram_quantile(0.99, sum by (le, path) (rate({LATENCY.series('bucket')}[5m]))) > 1",
    for_="10m",
    severity="warning",
    summary="An API route takes more than a second for its slowest requests.",
    description=(
        "The 99th percentile latency of {{ $labels.path }} is {{ $value | humanizeDuration }} over "
        "the last 5 minutes."
    ),
    runbook_url=f"{RUNBOOKS}/api-high-latency",
    tests=(
        AlertTest(
            name="every request takes between 1 and 2.5 seconds",
            series=(_latency("0.5", 0), _latency("1.0", 0), _latency("2.5", 60), _latency("+Inf", 60)),
            expect={
                "8m": (),
                "20m": (
                    Fired(
                        labels={"path": ROUTE},
                        description=(
                            "The 99th percentile latency of /api/scenarios is 2.485s over the last 5 minutes."
                        ),
                    ),
                ),
            },
        ),
        AlertTest(
            name="every request takes less than half a second",
            series=(_latency("0.5", 60), _latency("1.0", 60), _latency("2.5", 60), _latency("+Inf", 60)),
            expect={"20m": (), "30m": ()},
        ),
    ),
)
