"""The built-in Aurum catalog: every metric the Aurum platform emits, and the series its rules record.

Applications (through :mod:`aurum.observability.metrics`), the SLO and alert declarations, the rule
compiler and the dashboards all refer to the objects below rather than to strings, so renaming a
metric here changes all of them together or fails the build. Names are declared without the metric
prefix, which whoever names them supplies (see :mod:`aurum.contract.prefix`).
"""

from __future__ import annotations

from typing import Literal, get_args

from aurum.contract.conventions import SERVICE_LABEL, SLO_LABEL
from aurum.contract.metrics import Label, Metric, MetricType, RecordedSeries
from aurum.contract.prefix import DEFAULT_PREFIX

__all__ = [
    "BUSINESS_TRANSACTIONS_TOTAL",
    "CACHE_HIT_RATIO_BY_CACHE",
    "CACHE_OPERATIONS_TOTAL",
    "CARDINALITY_OVERFLOW_TOTAL",
    "DATA_LAST_UPDATED_TIMESTAMP_SECONDS",
    "DB_POOL_CONNECTIONS",
    "DB_QUERY_DURATION_SECONDS",
    "HTTP_ERROR_RATIO_BY_ROUTE",
    "HTTP_ERROR_RATIO_BY_TENANT",
    "HTTP_LATENCY_QUANTILE_BY_ROUTE",
    "HTTP_REQUESTS_TOTAL",
    "HTTP_REQUEST_DURATION_SECONDS",
    "HTTP_REQUEST_RATE_BY_ROUTE",
    "HTTP_REQUEST_RATE_BY_TENANT",
    "METRICS",
    "OVERFLOW_LABEL_VALUE",
    "PLATFORM_RECORDS",
    "RATE_LIMIT_DECISIONS_TOTAL",
    "SELF_METRICS",
    "SLO_STATES",
    "SLO_STATUS",
    "UNMATCHED_ROUTE",
    "SLOState",
    "metric_by_name",
]

# Labels shared by several metrics are defined once so their meaning cannot drift.
METHOD = Label("method", "HTTP request method.", examples=("GET", "POST", "PUT", "DELETE"))
ROUTE = Label(
    "path",
    "Route template of the request (never the raw path, to bound cardinality).",
    examples=("/api/scenarios", "/api/scenarios/{scenario_id}"),
)
STATUS_CODE = Label(
    "status",
    "Numeric HTTP response status code.",
    examples=("200", "404", "500", "503"),
    pattern="[1-5][0-9][0-9]",
)
TENANT = Label("tenant_id", "Tenant the request was made for.", examples=("acme-corp", "globex"))
OUTCOME = Label("status", "Outcome of the business transaction.", allowed=("success", "failure"))

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DB_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

HTTP_REQUESTS_TOTAL = Metric(
    base_name="http_requests_total",
    prefixed=True,
    type=MetricType.COUNTER,
    help="HTTP requests served, by method, route template, status code and tenant.",
    unit="requests",
    labels=(METHOD, ROUTE, STATUS_CODE, TENANT),
)
HTTP_REQUEST_DURATION_SECONDS = Metric(
    base_name="http_request_duration_seconds",
    prefixed=True,
    type=MetricType.HISTOGRAM,
    help="HTTP request latency in seconds, by method and route template.",
    unit="seconds",
    labels=(METHOD, ROUTE),
    buckets=HTTP_BUCKETS,
)
BUSINESS_TRANSACTIONS_TOTAL = Metric(
    base_name="business_transactions_total",
    prefixed=True,
    type=MetricType.COUNTER,
    help="Business transactions (scenario creation, scenario runs, ...) by outcome.",
    unit="transactions",
    labels=(
        Label(
            "transaction",
            "Business transaction kind.",
            examples=("scenario_create", "scenario_run"),
        ),
        Label("category", "Business area the transaction belongs to.", examples=("scenario",)),
        OUTCOME,
    ),
)
CACHE_OPERATIONS_TOTAL = Metric(
    base_name="cache_operations_total",
    prefixed=True,
    type=MetricType.COUNTER,
    help="Cache operations by cache, operation and result.",
    unit="operations",
    labels=(
        Label("cache_type", "Which cache.", examples=("scenario", "curve")),
        Label("operation", "Cache operation.", examples=("get", "set", "delete")),
        Label("result", "Result of the operation.", allowed=("hit", "miss", "error")),
    ),
)
DATA_LAST_UPDATED_TIMESTAMP_SECONDS = Metric(
    base_name="data_last_updated_timestamp_seconds",
    prefixed=True,
    type=MetricType.GAUGE,
    help="Unix time at which a dataset was last refreshed.",
    unit="seconds",
    labels=(Label("dataset", "Dataset name.", examples=("curves", "scenarios")),),
)
DB_QUERY_DURATION_SECONDS = Metric(
    base_name="db_query_duration_seconds",
    prefixed=True,
    type=MetricType.HISTOGRAM,
    help="Database query latency in seconds, by operation and table.",
    unit="seconds",
    labels=(
        Label("operation", "SQL operation.", examples=("select", "insert", "update", "delete")),
        Label("table", "Table (collection) queried.", examples=("scenario", "run")),
    ),
    buckets=DB_BUCKETS,
)
DB_POOL_CONNECTIONS = Metric(
    base_name="db_pool_connections",
    prefixed=True,
    type=MetricType.GAUGE,
    help="Database connection pool connections by state; state=max is the pool size.",
    unit="connections",
    labels=(
        Label("pool", "Connection pool name.", examples=("primary",)),
        Label("state", "Connection state.", allowed=("in_use", "idle", "max")),
    ),
)
RATE_LIMIT_DECISIONS_TOTAL = Metric(
    base_name="rate_limit_decisions_total",
    prefixed=True,
    type=MetricType.COUNTER,
    help="Rate limiter decisions by tenant and result.",
    unit="decisions",
    labels=(TENANT, Label("result", "Rate limiter decision.", allowed=("allowed", "limited"))),
)

METRICS: tuple[Metric, ...] = (
    HTTP_REQUESTS_TOTAL,
    HTTP_REQUEST_DURATION_SECONDS,
    BUSINESS_TRANSACTIONS_TOTAL,
    CACHE_OPERATIONS_TOTAL,
    DATA_LAST_UPDATED_TIMESTAMP_SECONDS,
    DB_QUERY_DURATION_SECONDS,
    DB_POOL_CONNECTIONS,
    RATE_LIMIT_DECISIONS_TOTAL,
)


def metric_by_name(name: str) -> Metric | None:
    """The catalog metric exposed as ``name`` under the prefix in effect (a family, or a histogram's series)."""
    return next((m for m in METRICS if name == m.name or name in m.series_names()), None)


# --- Series the platform's recording rules (``recording_rules/``) record and dashboards read. ---
# Named ``<aggregation labels>:<metric>:<operation>`` as Prometheus recommends; the build fails when a
# dashboard or alert reads one that no recording rule records.

HTTP_REQUEST_RATE_BY_ROUTE = RecordedSeries("path", "http_requests", "rate5m", prefixed=True)
"""Requests per second over 5m, by route template (``path``)."""
HTTP_REQUEST_RATE_BY_TENANT = RecordedSeries("tenant_id", "http_requests", "rate5m", prefixed=True)
"""Requests per second over 5m, by tenant."""
HTTP_ERROR_RATIO_BY_ROUTE = RecordedSeries("path", "http_requests_errors", "ratio_rate5m", prefixed=True)
"""Share of requests answered with a 5xx over 5m, by route template."""
HTTP_ERROR_RATIO_BY_TENANT = RecordedSeries(
    "tenant_id", "http_requests_errors", "ratio_rate5m", prefixed=True
)
"""Share of requests answered with a 5xx over 5m, by tenant."""
HTTP_LATENCY_QUANTILE_BY_ROUTE = RecordedSeries(
    "path", "http_request_duration_seconds", "quantile_rate5m", prefixed=True
)
"""Latency quantiles over 5m by route template; label ``quantile`` is ``0.5``, ``0.95`` or ``0.99``."""
CACHE_HIT_RATIO_BY_CACHE = RecordedSeries("cache_type", "cache_operations", "hit_ratio_rate5m", prefixed=True)
"""Share of cache reads answered from the cache over 5m, by cache."""

PLATFORM_RECORDS: dict[str, RecordedSeries] = {
    "HTTP_REQUEST_RATE_BY_ROUTE": HTTP_REQUEST_RATE_BY_ROUTE,
    "HTTP_REQUEST_RATE_BY_TENANT": HTTP_REQUEST_RATE_BY_TENANT,
    "HTTP_ERROR_RATIO_BY_ROUTE": HTTP_ERROR_RATIO_BY_ROUTE,
    "HTTP_ERROR_RATIO_BY_TENANT": HTTP_ERROR_RATIO_BY_TENANT,
    "HTTP_LATENCY_QUANTILE_BY_ROUTE": HTTP_LATENCY_QUANTILE_BY_ROUTE,
    "CACHE_HIT_RATIO_BY_CACHE": CACHE_HIT_RATIO_BY_CACHE,
}
"""The platform's recorded series by their Python names (Jsonnet refers to them by these keys)."""


# --- Runtime additions: names the runtime shim emits beyond the application metrics above. ---
# Kept out of METRICS on purpose: METRICS is what SLOs and dashboards may select from, while these
# describe the shim itself.

OVERFLOW_LABEL_VALUE = "__overflow__"
"""Label value that excess label values fold into once a metric reaches its cardinality cap."""

UNMATCHED_ROUTE = "__unmatched__"
"""``path`` label value of requests that matched no route (raw paths would be unbounded)."""

CARDINALITY_OVERFLOW_TOTAL = Metric(
    base_name="observability_cardinality_overflow_total",
    prefixed=True,
    type=MetricType.COUNTER,
    help="Observations whose label values were folded into the overflow value by the cardinality guard.",
    unit="observations",
    labels=(
        Label(
            "metric",
            "Metric whose label values were folded.",
            examples=(HTTP_REQUESTS_TOTAL.name_for(DEFAULT_PREFIX),),
        ),
        Label(
            "reason",
            "Which cap was reached: the metric's label-set cap or the separate tenant cap.",
            allowed=("label_sets", "tenant_id"),
        ),
    ),
)

SLOState = Literal["met", "at_risk", "breached", "no_data"]
"""What the runtime judges an SLO to be, from its error budget remaining."""
SLO_STATES: tuple[SLOState, ...] = get_args(SLOState)

SLO_STATUS = Metric(
    base_name="observability_slo_status",
    prefixed=True,
    type=MetricType.GAUGE,
    help="Status of each SLO at the application's last background check: 1 for the current status.",
    unit="",
    labels=(
        Label(SLO_LABEL, "The SLO's name."),
        Label(SERVICE_LABEL, "The service the SLO belongs to."),
        Label("status", "met, at_risk, breached or no_data.", allowed=SLO_STATES),
    ),
)
"""The background SLO check's gauge (an OpenMetrics state set: 1 for the current status, 0 else)."""

SELF_METRICS: tuple[Metric, ...] = (CARDINALITY_OVERFLOW_TOTAL, SLO_STATUS)
