"""The metric catalog as applications and declarations import it (``aurum.observability.catalog``).

A thin re-export: the catalog's types and data live in :mod:`aurum.contract` (the layer both the
runtime and the build depend on), the recorded SLO series in :mod:`aurum.contract.conventions`, and
the log record's fields in :mod:`~aurum.observability.log_fields`.
"""

from __future__ import annotations

from aurum.contract.catalog import (
    BUSINESS_TRANSACTIONS_TOTAL,
    CACHE_HIT_RATIO_BY_CACHE,
    CACHE_OPERATIONS_TOTAL,
    CARDINALITY_OVERFLOW_TOTAL,
    DATA_LAST_UPDATED_TIMESTAMP_SECONDS,
    DB_POOL_CONNECTIONS,
    DB_QUERY_DURATION_SECONDS,
    HTTP_ERROR_RATIO_BY_ROUTE,
    HTTP_ERROR_RATIO_BY_TENANT,
    HTTP_LATENCY_QUANTILE_BY_ROUTE,
    HTTP_REQUEST_DURATION_SECONDS,
    HTTP_REQUEST_RATE_BY_ROUTE,
    HTTP_REQUEST_RATE_BY_TENANT,
    HTTP_REQUESTS_TOTAL,
    METRICS,
    OVERFLOW_LABEL_VALUE,
    PLATFORM_RECORDS,
    RATE_LIMIT_DECISIONS_TOTAL,
    SELF_METRICS,
    SLO_STATUS,
    UNMATCHED_ROUTE,
    metric_by_name,
)
from aurum.contract.conventions import (
    SERVICE_LABEL,
    SLO_BAD_EVENTS,
    SLO_CURRENT_BURN_RATE,
    SLO_ERROR_BUDGET,
    SLO_INFO,
    SLO_LABEL,
    SLO_OBJECTIVE,
    SLO_PERIOD_BUDGET_REMAINING,
    SLO_PERIOD_BURN_RATE,
    SLO_TIME_PERIOD,
    SLO_TOTAL_EVENTS,
    slo_error_ratio,
)
from aurum.contract.metrics import Label, Metric, MetricType, RecordedSeries, TargetLabels
from aurum.contract.prefix import DEFAULT_PREFIX
from aurum.observability.log_fields import LOG_FIELDS, LogField

__all__ = [
    "BUSINESS_TRANSACTIONS_TOTAL",
    "CACHE_HIT_RATIO_BY_CACHE",
    "CACHE_OPERATIONS_TOTAL",
    "CARDINALITY_OVERFLOW_TOTAL",
    "DATA_LAST_UPDATED_TIMESTAMP_SECONDS",
    "DB_POOL_CONNECTIONS",
    "DB_QUERY_DURATION_SECONDS",
    "DEFAULT_PREFIX",
    "HTTP_ERROR_RATIO_BY_ROUTE",
    "HTTP_ERROR_RATIO_BY_TENANT",
    "HTTP_LATENCY_QUANTILE_BY_ROUTE",
    "HTTP_REQUESTS_TOTAL",
    "HTTP_REQUEST_DURATION_SECONDS",
    "HTTP_REQUEST_RATE_BY_ROUTE",
    "HTTP_REQUEST_RATE_BY_TENANT",
    "LOG_FIELDS",
    "METRICS",
    "OVERFLOW_LABEL_VALUE",
    "PLATFORM_RECORDS",
    "RATE_LIMIT_DECISIONS_TOTAL",
    "SELF_METRICS",
    "SERVICE_LABEL",
    "SLO_BAD_EVENTS",
    "SLO_CURRENT_BURN_RATE",
    "SLO_ERROR_BUDGET",
    "SLO_INFO",
    "SLO_LABEL",
    "SLO_OBJECTIVE",
    "SLO_PERIOD_BUDGET_REMAINING",
    "SLO_PERIOD_BURN_RATE",
    "SLO_STATUS",
    "SLO_TIME_PERIOD",
    "SLO_TOTAL_EVENTS",
    "UNMATCHED_ROUTE",
    "Label",
    "LogField",
    "Metric",
    "MetricType",
    "RecordedSeries",
    "TargetLabels",
    "metric_by_name",
    "slo_error_ratio",
]
