"""The names contract: every metric the Aurum platform emits, defined once.

Applications (through :mod:`aurum.observability.metrics`), the SLO and alert declarations, the rule
compiler and the dashboards all refer to the objects below rather than to strings, so renaming a
metric here changes all of them together or fails the build.

This module is pure data on purpose: it imports nothing beyond the standard library, so both the
runtime shim and the build-time tools can depend on it without pulling in each other's packages.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from enum import StrEnum

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

_PREFIX_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$|^$")


def _metrics_prefix() -> str:
    prefix = os.environ.get("AURUM_METRICS_PREFIX", "aurum_")
    if not _PREFIX_RE.match(prefix):
        msg = f"AURUM_METRICS_PREFIX={prefix!r} is not a valid Prometheus metric name prefix"
        raise ValueError(msg)
    return prefix


METRICS_PREFIX = _metrics_prefix()
"""Read once at import: the names must not change while a process is running."""


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


# The SLO output contract: series the rule compiler records and dashboards, the runtime API and
# alerts read. Every one carries the labels ``slo`` and ``service`` (plus the SLO's own labels).
SLO_LABEL = "slo"
SLO_SERVICE_LABEL = "service"
SLO_OBJECTIVE = "slo:objective:ratio"
SLO_ERROR_BUDGET = "slo:error_budget:ratio"
SLO_TIME_PERIOD = "slo:time_period:days"
SLO_CURRENT_BURN_RATE = "slo:current_burn_rate:ratio"
SLO_PERIOD_BURN_RATE = "slo:period_burn_rate:ratio"
SLO_PERIOD_BUDGET_REMAINING = "slo:period_error_budget_remaining:ratio"
SLO_INFO = "slo:info"
"""Always 1; labels ``slo``, ``service``, ``objective``, ``period`` and ``description``."""


def slo_error_ratio(window: str) -> str:
    """The recorded SLI error ratio over ``window`` (a Prometheus duration such as ``5m`` or ``30d``)."""
    return f"slo:sli_error:ratio_rate{window}"


# Platform recording rules (``recording_rules/``): the series dashboards read instead of raw ones.
# Named ``<aggregation labels>:<metric>:<operation>`` as Prometheus recommends; the build fails when a
# dashboard or alert reads one that no recording rule records.
HTTP_REQUEST_RATE_BY_ROUTE = f"path:{_P}http_requests:rate5m"
"""Requests per second over 5m, by route template (``path``)."""
HTTP_REQUEST_RATE_BY_TENANT = f"tenant_id:{_P}http_requests:rate5m"
"""Requests per second over 5m, by tenant."""
HTTP_ERROR_RATIO_BY_ROUTE = f"path:{_P}http_requests_errors:ratio_rate5m"
"""Share of requests answered with a 5xx over 5m, by route template."""
HTTP_ERROR_RATIO_BY_TENANT = f"tenant_id:{_P}http_requests_errors:ratio_rate5m"
"""Share of requests answered with a 5xx over 5m, by tenant."""
HTTP_LATENCY_QUANTILE_BY_ROUTE = f"path:{_P}http_request_duration_seconds:quantile_rate5m"
"""Latency quantiles over 5m by route template; label ``quantile`` is ``0.5``, ``0.95`` or ``0.99``."""
CACHE_HIT_RATIO_BY_CACHE = f"cache_type:{_P}cache_operations:hit_ratio_rate5m"
"""Share of cache reads answered from the cache over 5m, by cache."""


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


@dataclass(frozen=True, slots=True)
class LogField:
    """One field of the structured log record; ``json_types`` are JSON Schema type names."""

    name: str
    description: str
    json_types: tuple[str, ...]
    required: bool = False
    format: str | None = None


LOG_TIMESTAMP = LogField(
    "timestamp", "ISO 8601 UTC time with milliseconds.", ("string",), required=True, format="date-time"
)
LOG_LEVEL = LogField("level", "Upper-case level name.", ("string",), required=True)
LOG_MESSAGE = LogField("message", "The log message.", ("string",), required=True)
# Always written, but not required: records in the spec's own format (without it) stay valid.
LOG_LOGGER = LogField("logger", "Dotted name of the emitting logger.", ("string",))
LOG_REQUEST_ID = LogField("request_id", "X-Request-ID of the request being served.", ("string",))
LOG_TENANT_ID = LogField("tenant_id", "Tenant the work is done for.", ("string",))
LOG_COMPONENT = LogField("component", "Component tag (api, scenario, worker, ...).", ("string",))
LOG_OPERATION = LogField("operation", "Operation being performed.", ("string",))
LOG_DURATION_MS = LogField("duration_ms", "Duration of the operation in milliseconds.", ("number",))
LOG_TRACE_ID = LogField("trace_id", "W3C trace id (32 hex digits) of the active span.", ("string",))
LOG_SPAN_ID = LogField("span_id", "Span id (16 hex digits) of the active span.", ("string",))
LOG_ERROR_TYPE = LogField("error_type", "Qualified type name of the exception.", ("string",))
LOG_ERROR_MESSAGE = LogField("error_message", "Message of the exception.", ("string",))
LOG_STACK = LogField("stack", "Formatted traceback of the exception.", ("string",))

LOG_FIELDS: tuple[LogField, ...] = (
    LOG_TIMESTAMP,
    LOG_LEVEL,
    LOG_MESSAGE,
    LOG_LOGGER,
    LOG_REQUEST_ID,
    LOG_TENANT_ID,
    LOG_COMPONENT,
    LOG_OPERATION,
    LOG_DURATION_MS,
    LOG_TRACE_ID,
    LOG_SPAN_ID,
    LOG_ERROR_TYPE,
    LOG_ERROR_MESSAGE,
    LOG_STACK,
)
"""Every field the shim itself writes; callers' keyword context comes on top of these."""
