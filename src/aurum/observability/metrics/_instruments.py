"""prometheus_client metrics built from the catalog, guarded and with cached label children.

``AurumMetrics(registry)`` creates one collector per built-in catalog metric on the given registry
(and one per metric of the application's own catalog the first time :meth:`AurumMetrics.counter`,
``gauge`` or ``histogram`` is asked for it, never a metric it does not use) (injectable,
as in client_python, so tests and :mod:`aurum.observability.testing` use their own). Every labelled
metric is wrapped in a :class:`GuardedMetric`, whose ``labels()`` looks the label values up in a dict
of children before anything else: the raw ``.labels(...)`` path validates, converts and locks on
every call, which is most of the cost of recording an observation.
"""

from __future__ import annotations

import threading
from contextlib import suppress
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase

from aurum.observability import catalog
from aurum.observability.catalog import Metric, MetricType
from aurum.observability.metrics._cardinality import CardinalityGuard

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["AurumMetrics", "GuardedMetric", "exposed_name"]

CollectorT = TypeVar("CollectorT", bound=MetricWrapperBase)

SERVER_ERROR_STATUS = 500
"""The status created at 0 beside a route's first response: what an availability SLO counts as bad."""

# How each gauge merges across worker processes in multiprocess mode: the freshest timestamp wins,
# pool connections add up over the workers that are alive.
GaugeMode = Literal["max", "livesum"]
_GAUGE_MULTIPROCESS_MODE: dict[str, GaugeMode] = {
    catalog.DATA_LAST_UPDATED_TIMESTAMP_SECONDS.base_name: "max",
    catalog.DB_POOL_CONNECTIONS.base_name: "livesum",
}


def exposed_name(metric: Metric, prefix: str) -> str:
    """The name ``metric`` is exposed under with the metric ``prefix`` of an Observability's settings:
    the one place the runtime maps a catalog metric to its series name."""
    return metric.name_for(prefix)


def _family(metric: Metric, prefix: str) -> str:
    """The name prometheus_client expects: counters are declared without ``_total``."""
    name = exposed_name(metric, prefix)
    return name.removesuffix("_total") if metric.type is MetricType.COUNTER else name


def _build_collector(
    metric: Metric, registry: CollectorRegistry | None, prefix: str
) -> Counter | Gauge | Histogram:
    names = metric.label_names
    family = _family(metric, prefix)
    if metric.type is MetricType.COUNTER:
        return Counter(family, metric.help, names, registry=registry)
    if metric.type is MetricType.HISTOGRAM:
        return Histogram(family, metric.help, names, registry=registry, buckets=metric.buckets)
    mode = _GAUGE_MULTIPROCESS_MODE.get(metric.base_name, "livesum")
    return Gauge(family, metric.help, names, registry=registry, multiprocess_mode=mode)


class GuardedMetric(Generic[CollectorT]):
    """A catalog metric whose ``labels()`` is cached and bounded by a :class:`CardinalityGuard`."""

    __slots__ = ("_children", "_getter", "_names", "collector", "guard", "metric")

    def __init__(self, metric: Metric, collector: CollectorT, guard: CardinalityGuard) -> None:
        self.metric = metric
        self.collector = collector
        self.guard = guard
        self._names = metric.label_names
        # itemgetter pulls the keyword values out in catalog order in C; with one label it returns
        # the bare value, which is then the cache key.
        self._getter: Callable[[dict[str, object]], Any] = itemgetter(*self._names)
        self._children: dict[Any, CollectorT] = {}

    def labels(self, *values: object, **kwargs: object) -> CollectorT:
        """The child for these label values, as prometheus_client's ``labels()`` but cached and guarded."""
        key: Any
        if kwargs:
            if values or len(kwargs) != len(self._names):
                raise self._wrong_labels(values, kwargs)
            try:
                key = self._getter(kwargs)
            except KeyError:
                raise self._wrong_labels(values, kwargs) from None
            raw = key if len(self._names) > 1 else (key,)
        else:
            if len(values) != len(self._names):
                raise self._wrong_labels(values, kwargs)
            # The same key as the keyword path's, so both call styles share one cached child.
            key = values if len(values) > 1 else values[0]
            raw = values
        try:
            child = self._children.get(key)
        except TypeError:  # an unhashable label value: never cached, still recorded
            child = None
        if child is not None:
            return child
        return self._admit(key, raw)

    def _wrong_labels(self, values: tuple[object, ...], kwargs: dict[str, object]) -> ValueError:
        got = sorted(kwargs) if kwargs else f"{len(values)} positional values"
        return ValueError(f"{self.guard.name} takes exactly the labels {self._names}, got {got}")

    def _admit(self, key: Any, raw: tuple[object, ...]) -> CollectorT:
        admitted, folded = self.guard.admit(tuple(str(value) for value in raw))
        child = self.collector.labels(*admitted)
        if not folded:
            # Only admitted keys are cached, so the cache is bounded by the guard's cap; folded keys
            # go through the guard every time, which is what counts each fold.
            with suppress(TypeError):  # an unhashable label value: recorded, just not cached
                self._children[key] = child
            self._create_siblings(admitted)
        return child

    def _create_siblings(self, admitted: tuple[str, ...]) -> None:
        """A counter's children for the other values of each closed label, at 0.

        A series created by its first event shows that event in its first sample, which no
        ``rate()`` or tile sees: the first failure of a business transaction, the first cache miss
        would be lost. Created beside the first child, the series exist at 0 before their first
        event. They take free room under the cardinality cap only, never folding anything.
        """
        if self.metric.type is not MetricType.COUNTER:
            return
        for index, label in enumerate(self.metric.labels):
            for value in label.allowed:
                if value == admitted[index]:
                    continue
                sibling = (*admitted[:index], value, *admitted[index + 1 :])
                key = sibling if len(sibling) > 1 else sibling[0]
                if key not in self._children and self.guard.reserve(sibling):
                    self._children[key] = self.collector.labels(*sibling)


class AurumMetrics:
    """All catalog metrics on one registry, plus the cardinality self-metric."""

    def __init__(
        self,
        registry: CollectorRegistry | None = REGISTRY,
        *,
        prefix: str = catalog.DEFAULT_PREFIX,
        max_label_sets: int = 1000,
        max_tenants: int = 100,
    ) -> None:
        self.registry = registry
        self.prefix = prefix
        overflow = catalog.CARDINALITY_OVERFLOW_TOTAL
        self.cardinality_overflow = Counter(
            _family(overflow, prefix), overflow.help, overflow.label_names, registry=registry
        )
        self._caps = (max_label_sets, max_tenants)
        # Keyed by the base name, the metric's identity whatever the prefix it is exposed under.
        self._guarded: dict[str, GuardedMetric[Any]] = {
            metric.base_name: self._guard(metric) for metric in catalog.METRICS
        }
        # The application's own catalog metrics (see counter()), registered on first use, by exposed name.
        self._declared: dict[str, GuardedMetric[Any]] = {}
        self._declaring = threading.Lock()

        self.http_requests: GuardedMetric[Counter] = self._guarded[catalog.HTTP_REQUESTS_TOTAL.base_name]
        self.http_request_duration: GuardedMetric[Histogram] = self._guarded[
            catalog.HTTP_REQUEST_DURATION_SECONDS.base_name
        ]
        self.business_transactions: GuardedMetric[Counter] = self._guarded[
            catalog.BUSINESS_TRANSACTIONS_TOTAL.base_name
        ]
        self.cache_operations: GuardedMetric[Counter] = self._guarded[
            catalog.CACHE_OPERATIONS_TOTAL.base_name
        ]
        self.data_last_updated: GuardedMetric[Gauge] = self._guarded[
            catalog.DATA_LAST_UPDATED_TIMESTAMP_SECONDS.base_name
        ]
        self.db_query_duration: GuardedMetric[Histogram] = self._guarded[
            catalog.DB_QUERY_DURATION_SECONDS.base_name
        ]
        self.db_pool_connections: GuardedMetric[Gauge] = self._guarded[catalog.DB_POOL_CONNECTIONS.base_name]
        self.rate_limit_decisions: GuardedMetric[Counter] = self._guarded[
            catalog.RATE_LIMIT_DECISIONS_TOTAL.base_name
        ]
        self._http_pairs: dict[tuple[str, str, int, str], tuple[Counter, Histogram]] = {}

    def _guard(self, metric: Metric) -> GuardedMetric[Any]:
        max_label_sets, max_tenants = self._caps
        guard = CardinalityGuard(
            metric,
            name=exposed_name(metric, self.prefix),
            max_label_sets=max_label_sets,
            max_tenants=max_tenants,
            on_overflow=self._count_overflow,
        )
        return GuardedMetric(metric, _build_collector(metric, self.registry, self.prefix), guard)

    def metric(self, metric: Metric) -> GuardedMetric[Any]:
        """The guarded collector of a catalog metric."""
        return self._guarded[metric.base_name]

    def counter(self, metric: Metric) -> GuardedMetric[Counter]:
        """The guarded counter of ``metric``: a built-in one, or one of the application's own catalog
        (a team's ``catalog/*.py``), registered here the first time it is asked for."""
        return self._declared_metric(metric, MetricType.COUNTER)

    def gauge(self, metric: Metric) -> GuardedMetric[Gauge]:
        """The guarded gauge of ``metric`` (see :meth:`counter`)."""
        return self._declared_metric(metric, MetricType.GAUGE)

    def histogram(self, metric: Metric) -> GuardedMetric[Histogram]:
        """The guarded histogram of ``metric``, with its catalog buckets (see :meth:`counter`)."""
        return self._declared_metric(metric, MetricType.HISTOGRAM)

    def _declared_metric(self, metric: Metric, kind: MetricType) -> GuardedMetric[Any]:
        if metric.type is not kind:
            msg = f"{metric.name} is a {metric.type} in its catalog, not a {kind}"
            raise TypeError(msg)
        builtin = self._guarded.get(metric.base_name)
        if builtin is not None and builtin.metric == metric:
            return builtin
        name = exposed_name(metric, self.prefix)
        found = self._declared.get(name)
        if found is None:
            with self._declaring:  # two threads asking first must not register it twice
                found = self._declared.get(name)
                if found is None:
                    found = self._declared[name] = self._register(metric, name)
        if found.metric != metric:
            msg = f"{name} is already registered with another declaration: {found.metric!r}"
            raise ValueError(msg)
        return found

    def _register(self, metric: Metric, name: str) -> GuardedMetric[Any]:
        try:
            return self._guard(metric)
        except ValueError as error:  # prometheus_client: the name is taken on this registry
            msg = f"{name} cannot be registered: {error}"
            raise ValueError(msg) from None

    def name_of(self, metric: Metric) -> str:
        """The name a catalog metric is exposed under here."""
        return exposed_name(metric, self.prefix)

    def set_limits(self, *, max_label_sets: int, max_tenants: int) -> None:
        """New cardinality caps for every metric (see :meth:`CardinalityGuard.set_limits`)."""
        self._caps = (max_label_sets, max_tenants)
        for guarded in (*self._guarded.values(), *self._declared.values()):
            guarded.guard.set_limits(max_label_sets=max_label_sets, max_tenants=max_tenants)

    def record_http_request(self, method: str, route: str, status: int, tenant: str, seconds: float) -> None:
        """Count one served request and observe its latency: the middleware's hot path."""
        pair = self._http_pairs.get((method, route, status, tenant))
        if pair is None:
            pair = self._http_pair(method, route, status, tenant)
        pair[0].inc()
        pair[1].observe(seconds)

    def _http_pair(self, method: str, route: str, status: int, tenant: str) -> tuple[Counter, Histogram]:
        counter_values, counter_folded = self.http_requests.guard.admit((method, route, str(status), tenant))
        latency_values, latency_folded = self.http_request_duration.guard.admit((method, route))
        pair = (
            self.http_requests.collector.labels(*counter_values),
            self.http_request_duration.collector.labels(*latency_values),
        )
        if not (counter_folded or latency_folded):
            self._http_pairs[(method, route, status, tenant)] = pair
        if not counter_folded and not SERVER_ERROR_STATUS <= status < SERVER_ERROR_STATUS + 100:
            # The route's server-error series, at 0 beside its first response, so its first 5xx
            # is an increase the SLO rules count (see GuardedMetric._create_siblings).
            failing = (*counter_values[:2], str(SERVER_ERROR_STATUS), *counter_values[3:])
            if self.http_requests.guard.reserve(failing):
                self.http_requests.collector.labels(*failing)
        return pair

    def _count_overflow(self, metric_name: str, reason: str) -> None:
        self.cardinality_overflow.labels(metric_name, reason).inc()
