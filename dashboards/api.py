"""API Performance: how much traffic does the API serve, how much of it fails, and how fast is it?"""

from grafanalib.core import Stat, TimeSeries

from aurum.monitoring import build_settings, regex, select
from aurum.monitoring.dashboards import (
    ALERT_STATUS_UID,
    PLATFORM_FOLDER,
    SLO_OVERVIEW_UID,
    Board,
    Row,
    link_to,
    series,
    steps,
    target,
)
from aurum.observability import catalog
from aurum.observability.catalog import HTTP_REQUEST_DURATION_SECONDS, HTTP_REQUESTS_TOTAL

# The latency line is the SLO's target (AURUM_SLO_API_LATENCY_TARGET, milliseconds), as in slos/api.py.
LATENCY_TARGET = build_settings().slo_api_latency_target / 1000
ERROR_RATE_ALERT = 0.05  # ApiHighErrorRate in alerts/api.py

REQUESTS = select(HTTP_REQUESTS_TOTAL)
ERRORS = select(HTTP_REQUESTS_TOTAL, status=regex("5.."))
BUCKETS = select(HTTP_REQUEST_DURATION_SECONDS).series("bucket")

ERROR_STEPS = steps("green", (0.01, "orange"), (ERROR_RATE_ALERT, "red"))
LATENCY_STEPS = steps("green", (LATENCY_TARGET, "red"))


def _quantile(quantile: str) -> str:
    return f"histogram_quantile({quantile}, sum by (le) (rate({BUCKETS}[$__rate_interval])))"


def _stat(title: str, expr: str, unit: str, thresholds: list[dict[str, object]]) -> Stat:
    return Stat(
        title=title,
        targets=[target(expr)],
        format=unit,
        thresholds=thresholds,
        reduceCalc="lastNotNull",
        graphMode="area",
        decimals=2,
    )


def _series(title: str, expr: str, legend: str, unit: str, thresholds: list[dict[str, object]]) -> TimeSeries:
    return series(
        title, expr, legend, unit, thresholds, legendDisplayMode="table", legendCalcs=["mean", "max"]
    )


# "or ... * 0": a service that never failed has no 5xx series, and the panel should say 0 %, not
# "No data".
ERROR_RATIO = (
    f"(sum(rate({ERRORS}[$__rate_interval])) or sum(rate({REQUESTS}[$__rate_interval])) * 0)\n"
    f"/\nsum(rate({REQUESTS}[$__rate_interval]))"
)

API_PERFORMANCE = Board(
    uid="aurum-api-performance",
    title="API Performance",
    folder=PLATFORM_FOLDER,
    tags=("aurum", "api"),
    description="Request rate, errors by route and tenant, and latency quantiles of the Aurum API.",
    links=(link_to(SLO_OVERVIEW_UID, "SLO Overview"), link_to(ALERT_STATUS_UID, "Alert Status")),
    rows=(
        Row(
            title="Now",
            height=4,
            panels=(
                _stat("Requests", f"sum({catalog.HTTP_REQUEST_RATE_BY_ROUTE})", "reqps", steps("blue")),
                _stat("Server errors", ERROR_RATIO, "percentunit", ERROR_STEPS),
                _stat("P95 latency", _quantile("0.95"), "s", LATENCY_STEPS),
                _stat("P99 latency", _quantile("0.99"), "s", LATENCY_STEPS),
            ),
        ),
        Row(
            title="Traffic",
            panels=(
                _series(
                    "Requests by route",
                    catalog.HTTP_REQUEST_RATE_BY_ROUTE,
                    "{{path}}",
                    "reqps",
                    steps("blue"),
                ),
                _series(
                    "Requests by tenant",
                    catalog.HTTP_REQUEST_RATE_BY_TENANT,
                    "{{tenant_id}}",
                    "reqps",
                    steps("blue"),
                ),
            ),
        ),
        Row(
            title="Errors",
            panels=(
                _series(
                    "Server errors by route",
                    catalog.HTTP_ERROR_RATIO_BY_ROUTE,
                    "{{path}}",
                    "percentunit",
                    ERROR_STEPS,
                ),
                _series(
                    "Server errors by tenant",
                    catalog.HTTP_ERROR_RATIO_BY_TENANT,
                    "{{tenant_id}}",
                    "percentunit",
                    ERROR_STEPS,
                ),
            ),
        ),
        Row(
            title="Latency",
            panels=(
                TimeSeries(
                    title="P50, P95 and P99 latency",
                    targets=[
                        target(_quantile(q), f"P{q[2:].ljust(2, '0')}") for q in ("0.5", "0.95", "0.99")
                    ],
                    unit="s",
                    thresholds=LATENCY_STEPS,
                    thresholdsStyleMode="line",
                ),
                _series(
                    "P99 latency by route",
                    f'{catalog.HTTP_LATENCY_QUANTILE_BY_ROUTE}{{quantile="0.99"}}',
                    "{{path}}",
                    "s",
                    LATENCY_STEPS,
                ),
            ),
        ),
    ),
)
