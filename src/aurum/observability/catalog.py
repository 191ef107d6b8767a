"""The names contract: every metric the Aurum platform emits, defined once.

Applications (through :mod:`aurum.observability.metrics`), the SLO and alert declarations, the rule
compiler and the dashboards all refer to the objects below rather than to strings, so renaming a
metric here changes all of them together or fails the build.

This module is pure data on purpose: it imports nothing beyond the standard library (and its two
sibling data modules), so both the runtime shim and the build-time tools can depend on it without
pulling in each other's packages. The prefix is read in :mod:`~aurum.observability.metric_prefix`,
the SLO output-contract names live in :mod:`~aurum.observability.slo_contract`, the platform's
recorded series in :mod:`~aurum.observability.platform_records` and the log record's fields in
:mod:`~aurum.observability.log_fields`; all are re-exported here for the code that imports them
from the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from aurum.observability.log_fields import LOG_FIELDS, LogField
from aurum.observability.metric_prefix import METRICS_PREFIX
from aurum.observability.platform_records import (
    CACHE_HIT_RATIO_BY_CACHE,
    HTTP_ERROR_RATIO_BY_ROUTE,
    HTTP_ERROR_RATIO_BY_TENANT,
    HTTP_LATENCY_QUANTILE_BY_ROUTE,
    HTTP_REQUEST_RATE_BY_ROUTE,
    HTTP_REQUEST_RATE_BY_TENANT,
)
from aurum.observability.slo_contract import (
    SLO_CURRENT_BURN_RATE,
    SLO_ERROR_BUDGET,
    SLO_INFO,
    SLO_LABEL,
    SLO_OBJECTIVE,
    SLO_PERIOD_BUDGET_REMAINING,
    SLO_PERIOD_BURN_RATE,
    SLO_SERVICE_LABEL,
    SLO_TIME_PERIOD,
    slo_error_ratio,
)

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
    "LOG_FIELDS",
    "METRICS",
    "METRICS_PREFIX",
    "OVERFLOW_LABEL_VALUE",
    "RATE_LIMIT_DECISIONS_TOTAL",
    "SELF_METRICS",
    "SLO_CURRENT_BURN_RATE",
    "SLO_ERROR_BUDGET",
    "SLO_INFO",
    "SLO_LABEL",
    "SLO_OBJECTIVE",
    "SLO_PERIOD_BUDGET_REMAINING",
    "SLO_PERIOD_BURN_RATE",
    "SLO_SERVICE_LABEL",
    "SLO_TIME_PERIOD",
    "UNMATCHED_ROUTE",
    "Label",
    "LogField",
    "Metric",
    "MetricType",
    "metric_by_name",
    "slo_error_ratio",
]


class MetricType(StrEnum):
    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"


@dataclass(frozen=True, slots=True)
class Label:
    """A label name with what is known about its values.

    ``allowed`` is a closed set (the runtime and the lint reject anything else); ``examples`` are
    typical values of an open label, used where a tool must invent realistic series (generated
    promtool tests, demo traffic).
    """

    name: str
    description: str
    allowed: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()

    @property
    def values(self) -> tuple[str, ...]:
        """Known values: the closed set when there is one, otherwise the examples."""
        return self.allowed or self.examples


@dataclass(frozen=True, slots=True)
class Metric:
    """One metric family as exposed to Prometheus (``name`` includes the prefix and ``_total``)."""

    name: str
    type: MetricType
    help: str
    unit: str
    labels: tuple[Label, ...]
    buckets: tuple[float, ...] = ()
    _by_name: dict[str, Label] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {label.name: label for label in self.labels})
        if (self.type is MetricType.HISTOGRAM) != bool(self.buckets):
            msg = f"{self.name}: buckets are required for histograms and only for them"
            raise ValueError(msg)
        if list(self.buckets) != sorted(set(self.buckets)):
            msg = f"{self.name}: buckets must be strictly increasing"
            raise ValueError(msg)
        if self.type is MetricType.COUNTER and not self.name.endswith("_total"):
            msg = f"{self.name}: counter names end in _total"
            raise ValueError(msg)

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    def label(self, name: str) -> Label:
        """The label called ``name``; ``KeyError`` naming the metric when it has none."""
        try:
            return self._by_name[name]
        except KeyError:
            msg = f"{self.name} has no label {name!r} (labels: {', '.join(self.label_names) or 'none'})"
            raise KeyError(msg) from None

    @property
    def family(self) -> str:
        """The name prometheus_client expects: counters are declared without ``_total``."""
        return self.name.removesuffix("_total") if self.type is MetricType.COUNTER else self.name

    def series_names(self) -> tuple[str, ...]:
        """Every series name Prometheus stores for this family."""
        if self.type is MetricType.HISTOGRAM:
            return (f"{self.name}_bucket", f"{self.name}_count", f"{self.name}_sum")
        return (self.name,)


# Labels shared by several metrics are defined once so their meaning cannot drift.
METHOD = Label("method", "HTTP request method.", examples=("GET", "POST", "PUT", "DELETE"))
ROUTE = Label(
    "path",
    "Route template of the request (never the raw path, to bound cardinality).",
    examples=("/api/scenarios", "/api/scenarios/{scenario_id}"),
)
STATUS_CODE = Label("status", "Numeric HTTP response status code.", examples=("200", "404", "500", "503"))
TENANT = Label("tenant_id", "Tenant the request was made for.", examples=("acme-corp", "globex"))
OUTCOME = Label("status", "Outcome of the business transaction.", allowed=("success", "failure"))

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DB_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

_P = METRICS_PREFIX

HTTP_REQUESTS_TOTAL = Metric(
    name=f"{_P}http_requests_total",
    type=MetricType.COUNTER,
    help="HTTP requests served, by method, route template, status code and tenant.",
    unit="requests",
    labels=(METHOD, ROUTE, STATUS_CODE, TENANT),
)
HTTP_REQUEST_DURATION_SECONDS = Metric(
    name=f"{_P}http_request_duration_seconds",
    type=MetricType.HISTOGRAM,
    help="HTTP request latency in seconds, by method and route template.",
    unit="seconds",
    labels=(METHOD, ROUTE),
    buckets=HTTP_BUCKETS,
)
BUSINESS_TRANSACTIONS_TOTAL = Metric(
    name=f"{_P}business_transactions_total",
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
    name=f"{_P}cache_operations_total",
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
    name=f"{_P}data_last_updated_timestamp_seconds",
    type=MetricType.GAUGE,
    help="Unix time at which a dataset was last refreshed.",
    unit="seconds",
    labels=(Label("dataset", "Dataset name.", examples=("curves", "scenarios")),),
)
DB_QUERY_DURATION_SECONDS = Metric(
    name=f"{_P}db_query_duration_seconds",
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
    name=f"{_P}db_pool_connections",
    type=MetricType.GAUGE,
    help="Database connection pool connections by state; state=max is the pool size.",
    unit="connections",
    labels=(
        Label("pool", "Connection pool name.", examples=("primary",)),
        Label("state", "Connection state.", allowed=("in_use", "idle", "max")),
    ),
)
RATE_LIMIT_DECISIONS_TOTAL = Metric(
    name=f"{_P}rate_limit_decisions_total",
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

_BY_NAME = {metric.name: metric for metric in METRICS}


def metric_by_name(name: str) -> Metric | None:
    """The catalog metric exposed as ``name`` (a family name, or one of a histogram's series)."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    family = _BY_NAME.get(name.rsplit("_", 1)[0])
    return family if family is not None and name in family.series_names() else None


# --- Runtime additions: names the runtime shim emits beyond the application metrics above. ---
# Kept out of METRICS on purpose: METRICS is what SLOs and dashboards may select from, while these
# describe the shim itself.

OVERFLOW_LABEL_VALUE = "__overflow__"
"""Label value that excess label values fold into once a metric reaches its cardinality cap."""

UNMATCHED_ROUTE = "__unmatched__"
"""``path`` label value of requests that matched no route (raw paths would be unbounded)."""

CARDINALITY_OVERFLOW_TOTAL = Metric(
    name=f"{_P}observability_cardinality_overflow_total",
    type=MetricType.COUNTER,
    help="Observations whose label values were folded into the overflow value by the cardinality guard.",
    unit="observations",
    labels=(
        Label("metric", "Metric whose label values were folded.", examples=(HTTP_REQUESTS_TOTAL.name,)),
        Label(
            "reason",
            "Which cap was reached: the metric's label-set cap or the separate tenant cap.",
            allowed=("label_sets", "tenant_id"),
        ),
    ),
)

SELF_METRICS: tuple[Metric, ...] = (CARDINALITY_OVERFLOW_TOTAL,)
