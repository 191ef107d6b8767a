"""The spec's metrics API: module-level metric handles and business helpers, and the generic
accessors (:func:`counter`, :func:`gauge`, :func:`histogram`) through which an application emits the
metrics of its own catalog (a team's ``catalog/*.py``), so its code and its rules share one source
of names.

Thin entry points over :class:`~aurum.observability.metrics._instruments.AurumMetrics`. The handles
(``REQUEST_LATENCY`` and friends) look up the current metrics at call time, so
``REQUEST_LATENCY.labels(method="POST", path="/api/scenarios").observe(0.2)`` lands in an isolated
registry inside :func:`aurum.observability.testing.isolated_registry` and in the process registry
otherwise.

``increment_business_transactions`` records immediately and returns an already-completed awaitable:
the spec's application code ``await``s it, and synchronous code can call it plainly.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Generic, Literal

from prometheus_client import Counter, Gauge, Histogram

from aurum.observability import runtime
from aurum.observability.catalog import Metric, MetricType
from aurum.observability.metrics._instruments import AurumMetrics, CollectorT, GuardedMetric

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

__all__ = [
    "BUSINESS_TRANSACTIONS",
    "CACHE_OPERATIONS",
    "DATA_LAST_UPDATED",
    "DB_POOL_CONNECTIONS",
    "DB_QUERY_LATENCY",
    "RATE_LIMIT_DECISIONS",
    "REQUEST_COUNT",
    "REQUEST_LATENCY",
    "AurumMetrics",
    "Recorded",
    "counter",
    "gauge",
    "get_metrics",
    "histogram",
    "increment_business_transactions",
    "increment_cache_operation",
    "increment_rate_limit_decision",
    "set_data_last_updated",
    "set_db_pool_connections",
]


def get_metrics() -> AurumMetrics:
    """The metrics of this process (or of the active :mod:`~aurum.observability.testing` registry)."""
    return runtime.metrics()


class _CurrentMetric(Generic[CollectorT]):
    """A stable module-level handle on one metric of whichever :class:`AurumMetrics` is current."""

    __slots__ = ("_pick",)

    def __init__(self, pick: Callable[[AurumMetrics], GuardedMetric[CollectorT]]) -> None:
        self._pick = pick

    def labels(self, *values: object, **kwargs: object) -> CollectorT:
        return self._pick(runtime.metrics()).labels(*values, **kwargs)

    @property
    def guarded(self) -> GuardedMetric[CollectorT]:
        return self._pick(runtime.metrics())


def counter(metric: Metric) -> _CurrentMetric[Counter]:
    """A handle on a counter of the application's own catalog, in whichever registry is current:
    ``CHARGES = counter(CHARGES_TOTAL)`` then ``CHARGES.labels(provider="stripe", outcome="ok").inc()``.
    Registered on first use, with the cardinality guard and cached children of the built-in ones."""
    _check_kind(metric, MetricType.COUNTER)
    return _CurrentMetric(lambda m: m.counter(metric))


def gauge(metric: Metric) -> _CurrentMetric[Gauge]:
    """A handle on a gauge of the application's own catalog (see :func:`counter`)."""
    _check_kind(metric, MetricType.GAUGE)
    return _CurrentMetric(lambda m: m.gauge(metric))


def histogram(metric: Metric) -> _CurrentMetric[Histogram]:
    """A handle on a histogram of the application's own catalog, with its buckets (see :func:`counter`)."""
    _check_kind(metric, MetricType.HISTOGRAM)
    return _CurrentMetric(lambda m: m.histogram(metric))


def _check_kind(metric: Metric, kind: MetricType) -> None:
    # At the handle's creation, so a mistake fails at import time rather than on the first request.
    if metric.type is not kind:
        msg = f"{metric.base_name} is a {metric.type} in its catalog, not a {kind}"
        raise TypeError(msg)


REQUEST_LATENCY = _CurrentMetric(lambda m: m.http_request_duration)
REQUEST_COUNT = _CurrentMetric(lambda m: m.http_requests)
BUSINESS_TRANSACTIONS = _CurrentMetric(lambda m: m.business_transactions)
CACHE_OPERATIONS = _CurrentMetric(lambda m: m.cache_operations)
DB_QUERY_LATENCY = _CurrentMetric(lambda m: m.db_query_duration)
DB_POOL_CONNECTIONS = _CurrentMetric(lambda m: m.db_pool_connections)
DATA_LAST_UPDATED = _CurrentMetric(lambda m: m.data_last_updated)
RATE_LIMIT_DECISIONS = _CurrentMetric(lambda m: m.rate_limit_decisions)


class Recorded:
    """An awaitable that is already done: the value of helpers that record synchronously."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, None]:
        return
        yield  # makes this a generator function: awaiting completes at once

    def __repr__(self) -> str:
        return "<recorded>"


_RECORDED = Recorded()


def increment_business_transactions(
    transaction: str, category: str, status: Literal["success", "failure"] = "success"
) -> Recorded:
    """Count one business transaction (``await`` it or not: it is recorded before returning)."""
    runtime.metrics().business_transactions.labels(transaction, category, status).inc()
    return _RECORDED


def increment_cache_operation(
    cache_type: str, operation: str, result: Literal["hit", "miss", "error"]
) -> Recorded:
    """Count one cache operation (``trace_cache_operation`` does this for you)."""
    runtime.metrics().cache_operations.labels(cache_type, operation, result).inc()
    return _RECORDED


def increment_rate_limit_decision(tenant_id: str, result: Literal["allowed", "limited"]) -> Recorded:
    runtime.metrics().rate_limit_decisions.labels(tenant_id, result).inc()
    return _RECORDED


def set_data_last_updated(dataset: str, timestamp: float | None = None) -> None:
    """Mark ``dataset`` as refreshed at ``timestamp`` (default: now), for the data-freshness SLO."""
    runtime.metrics().data_last_updated.labels(dataset).set(time.time() if timestamp is None else timestamp)


def set_db_pool_connections(pool: str, *, in_use: int, idle: int, max_size: int) -> None:
    """Publish a connection pool's state; ``max`` is the pool size the saturation alerts divide by."""
    gauge = runtime.metrics().db_pool_connections
    gauge.labels(pool, "in_use").set(in_use)
    gauge.labels(pool, "idle").set(idle)
    gauge.labels(pool, "max").set(max_size)
