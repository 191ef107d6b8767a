"""Request rates, error ratios and latency quantiles of the API by route and by tenant.

The dashboards read these instead of aggregating raw series on every refresh; the names are the
catalog's, so a dashboard reading one that is not recorded here fails the build.
"""

from aurum.monitoring import Record, regex, select
from aurum.observability import catalog
from aurum.observability.catalog import HTTP_REQUEST_DURATION_SECONDS, HTTP_REQUESTS_TOTAL

REQUESTS = select(HTTP_REQUESTS_TOTAL)
ERRORS = select(HTTP_REQUESTS_TOTAL, status=regex("5.."))
LATENCY = select(HTTP_REQUEST_DURATION_SECONDS)


def _rate(by: str) -> str:
    return f"sum by ({by}) (rate({REQUESTS}[5m]))"


def _error_ratio(by: str) -> str:
    # A route that never failed has no 5xx series: its ratio is 0, not missing. "> 0" leaves the
    # ratio empty rather than NaN when a route saw no request at all.
    errors = f"sum by ({by}) (rate({ERRORS}[5m]))"
    return f"({errors} or {_rate(by)} * 0)\n/\n({_rate(by)} > 0)"


REQUEST_RATES = [
    Record(record=catalog.HTTP_REQUEST_RATE_BY_ROUTE, expr=_rate("path")),
    Record(record=catalog.HTTP_REQUEST_RATE_BY_TENANT, expr=_rate("tenant_id")),
]

ERROR_RATIOS = [
    Record(record=catalog.HTTP_ERROR_RATIO_BY_ROUTE, expr=_error_ratio("path")),
    Record(record=catalog.HTTP_ERROR_RATIO_BY_TENANT, expr=_error_ratio("tenant_id")),
]

LATENCY_QUANTILES = [
    Record(
        record=catalog.HTTP_LATENCY_QUANTILE_BY_ROUTE,
        expr=f"histogram_quantile({quantile}, sum by (le, path) (rate({LATENCY.series('bucket')}[5m])))",
        labels={"quantile": quantile},
    )
    for quantile in ("0.5", "0.95", "0.99")
]
