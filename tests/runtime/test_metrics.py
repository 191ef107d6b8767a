"""Metrics built from the catalog: names, cached label children, the cardinality guard."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram

from aurum.observability import catalog
from aurum.observability.catalog import OVERFLOW_LABEL_VALUE, MetricType
from aurum.observability.metrics import (
    REQUEST_LATENCY,
    Recorded,
    increment_business_transactions,
    increment_cache_operation,
    increment_rate_limit_decision,
    set_data_last_updated,
    set_db_pool_connections,
)
from aurum.observability.metrics._instruments import AurumMetrics, GuardedMetric
from aurum.observability.testing import isolated_registry, sample_value


def overflow_count(metrics: AurumMetrics, metric: str, reason: str) -> float:
    return sample_value(metrics, catalog.CARDINALITY_OVERFLOW_TOTAL.name, metric=metric, reason=reason) or 0.0


def test_every_catalog_metric_is_registered_with_its_type_labels_and_buckets():
    registry = CollectorRegistry()
    metrics = AurumMetrics(registry)
    for metric in catalog.METRICS:
        guarded = metrics.metric(metric)
        collector = guarded.collector
        assert collector._labelnames == metric.label_names  # type: ignore[attr-defined]  # prometheus_client internals: no public accessor
        expected = {MetricType.COUNTER: Counter, MetricType.HISTOGRAM: Histogram}.get(metric.type)
        if expected is not None:
            assert isinstance(collector, expected)
        if metric.type is MetricType.HISTOGRAM:
            assert tuple(collector._upper_bounds[:-1]) == metric.buckets  # type: ignore[attr-defined]  # as above
        child = guarded.labels(*[label.values[0] for label in metric.labels])
        if metric.type is MetricType.COUNTER:
            child.inc()
        elif metric.type is MetricType.HISTOGRAM:
            child.observe(0.1)
        else:
            child.set(1)
        exposed = {sample.name for family in registry.collect() for sample in family.samples}
        assert set(metric.series_names()) <= exposed, metric.name


class CountingCalls:
    """Stands in for ``target`` and counts the calls of its method ``name``."""

    def __init__(self, target: object, name: str) -> None:
        self.target = target
        self.name = name
        self.calls = 0

    def __getattr__(self, attribute: str) -> Any:
        found = getattr(self.target, attribute)
        if attribute != self.name:
            return found

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return found(*args, **kwargs)

        return counted


def count_slow_path(guarded: GuardedMetric[Any]) -> tuple[CountingCalls, CountingCalls]:
    """Wrap the guard's ``admit`` and the collector's ``labels``: what a cache hit must not call."""
    guard = CountingCalls(guarded.guard, "admit")
    collector = CountingCalls(guarded.collector, "labels")
    guarded.guard = guard  # type: ignore[assignment]  # a stand-in with the same methods
    guarded.collector = collector
    return guard, collector


def test_labels_are_cached_and_a_second_call_skips_the_guard_and_collector(metrics):
    guarded = metrics.business_transactions
    guard, collector = count_slow_path(guarded)
    first = guarded.labels(transaction="scenario_create", category="scenario", status="success")
    # One admission; two children: the one asked for and its failure beside it, at 0.
    assert (guard.calls, collector.calls) == (1, 2)
    assert list(guarded._children) == [
        ("scenario_create", "scenario", "success"),
        ("scenario_create", "scenario", "failure"),
    ]
    assert guarded._children["scenario_create", "scenario", "success"] is first
    # Keywords in another order and positions are the same key: served from the cache.
    again = guarded.labels(status="success", category="scenario", transaction="scenario_create")
    positional = guarded.labels("scenario_create", "scenario", "success")
    failure = guarded.labels("scenario_create", "scenario", "failure")
    assert again is first
    assert positional is first
    assert failure is guarded._children["scenario_create", "scenario", "failure"]
    assert (guard.calls, collector.calls) == (1, 2)


def test_a_single_label_is_cached_under_its_bare_value(metrics):
    guarded = metrics.data_last_updated
    guard, collector = count_slow_path(guarded)
    first = guarded.labels(dataset="curves")
    assert guarded._children == {"curves": first}
    assert guarded.labels("curves") is first
    assert (guard.calls, collector.calls) == (1, 1)


def test_record_http_request_caches_both_children_of_a_request(metrics):
    counter_guard, counter = count_slow_path(metrics.http_requests)
    latency_guard, latency = count_slow_path(metrics.http_request_duration)
    metrics.record_http_request("GET", "/a", 200, "acme", 0.1)
    assert list(metrics._http_pairs) == [("GET", "/a", 200, "acme")]
    metrics.record_http_request("GET", "/a", 200, "acme", 0.1)
    # The counter's second child is the route's 500, created at 0 beside its first response.
    assert [c.calls for c in (counter_guard, counter, latency_guard, latency)] == [1, 2, 1, 1]
    labels = {"method": "GET", "path": "/a", "status": "200", "tenant_id": "acme"}
    assert sample_value(metrics, "aurum_http_requests_total", **labels) == 2
    assert sample_value(metrics, "aurum_http_requests_total", **{**labels, "status": "500"}) == 0


def test_a_counter_creates_the_other_values_of_its_closed_label_at_0(metrics):
    """The bad series exist before the first bad event, so that event is an increase."""
    metrics.cache_operations.labels("redis", "get", "hit").inc()
    metrics.business_transactions.labels("scenario_run", "scenario", "success").inc()
    for result in ("miss", "error"):
        assert (
            sample_value(
                metrics, "aurum_cache_operations_total", cache_type="redis", operation="get", result=result
            )
            == 0
        )
    assert (
        sample_value(
            metrics,
            "aurum_business_transactions_total",
            transaction="scenario_run",
            category="scenario",
            status="failure",
        )
        == 0
    )


def test_children_created_ahead_take_free_room_only_and_never_fold(metrics):
    """At the cardinality cap a counter creates no child ahead of its first event, and counts no overflow."""
    metrics.set_limits(max_label_sets=1, max_tenants=10)
    metrics.record_http_request("GET", "/a", 200, "acme", 0.1)
    labels = {"method": "GET", "path": "/a", "status": "500", "tenant_id": "acme"}
    assert sample_value(metrics, "aurum_http_requests_total", **labels) is None
    assert overflow_count(metrics, "aurum_http_requests_total", "label_sets") == 0


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((), {"transaction": "x", "category": "y"}),
        (("x", "y"), {}),
        ((), {"transaction": "x", "category": "y", "st": "z"}),
    ],
)
def test_wrong_label_names_or_counts_are_rejected(metrics, args, kwargs):
    with pytest.raises(ValueError, match="takes exactly the labels"):
        metrics.business_transactions.labels(*args, **kwargs)


def test_closed_label_values_are_rejected(metrics):
    with pytest.raises(ValueError, match="status='maybe' is not one of"):
        metrics.business_transactions.labels("scenario_create", "scenario", "maybe")


def test_default_cap_is_1000_label_sets_and_the_excess_folds_and_is_counted(metrics):
    for index in range(1005):
        increment_business_transactions(f"kind-{index}", "scenario", "failure")
    name = catalog.BUSINESS_TRANSACTIONS_TOTAL.name
    series = [
        sample
        for family in metrics.registry.collect()  # type: ignore[union-attr]  # isolated registries always have one
        for sample in family.samples
        if sample.name == name
    ]
    # 1000 admitted label sets and the overflow one: each kind's failure with its success created
    # beside it at 0, so the cap holds 500 kinds and the other 505 fold.
    assert len(series) == 1001
    folded = {"transaction": OVERFLOW_LABEL_VALUE, "category": OVERFLOW_LABEL_VALUE, "status": "failure"}
    assert sample_value(metrics, name, **folded) == 505
    assert overflow_count(metrics, name, "label_sets") == 505
    # Admitted label sets keep working after the cap is reached.
    increment_business_transactions("kind-0", "scenario", "failure")
    assert sample_value(metrics, name, transaction="kind-0", category="scenario", status="failure") == 2


def test_tenants_have_their_own_cap_of_100_and_bounded_labels_survive_folding(metrics):
    for index in range(130):
        metrics.record_http_request("GET", "/api/scenarios", 503, f"tenant-{index}", 0.01)
    name = catalog.HTTP_REQUESTS_TOTAL.name
    folded = {"method": "GET", "path": "/api/scenarios", "status": "503", "tenant_id": OVERFLOW_LABEL_VALUE}
    assert sample_value(metrics, name, **folded) == 30
    assert overflow_count(metrics, name, "tenant_id") == 30
    # Every request is still counted with its status, so a 5xx error-rate SLO stays exact.
    total = sum(
        sample.value
        for family in metrics.registry.collect()  # type: ignore[union-attr]  # isolated registries always have one
        for sample in family.samples
        if sample.name == name and sample.labels["status"] == "503"
    )
    assert total == 130


def test_caps_are_configurable_and_folding_keeps_method_and_status():
    with isolated_registry(max_label_sets=2, max_tenants=1000) as metrics:
        for route in ("/a", "/b", "/c", "/d"):
            metrics.record_http_request("POST", route, 201, "acme", 0.2)
        name = catalog.HTTP_REQUESTS_TOTAL.name
        labels = {
            "method": "POST",
            "path": OVERFLOW_LABEL_VALUE,
            "status": "201",
            "tenant_id": OVERFLOW_LABEL_VALUE,
        }
        # /a and its 500 created beside it at 0 fill the counter's cap; /b, /c and /d fold.
        assert sample_value(metrics, name, **labels) == 3
        assert overflow_count(metrics, name, "label_sets") == 3
        latency = catalog.HTTP_REQUEST_DURATION_SECONDS.name
        assert sample_value(metrics, f"{latency}_count", method="POST", path=OVERFLOW_LABEL_VALUE) == 2


def test_request_latency_handle_follows_the_current_registry():
    with isolated_registry() as first:
        REQUEST_LATENCY.labels(method="POST", path="/api/scenarios").observe(0.3)
    with isolated_registry() as second:
        REQUEST_LATENCY.labels(method="POST", path="/api/scenarios").observe(0.3)
        REQUEST_LATENCY.labels(method="POST", path="/api/scenarios").observe(0.3)
    labels = {"method": "POST", "path": "/api/scenarios"}
    assert sample_value(first, "aurum_http_request_duration_seconds_count", **labels) == 1
    assert sample_value(second, "aurum_http_request_duration_seconds_count", **labels) == 2


def test_helpers_record_before_returning_an_awaitable_that_is_already_done(metrics):
    result = increment_business_transactions("scenario_run", "scenario", "failure")
    assert isinstance(result, Recorded)
    labels = {"transaction": "scenario_run", "category": "scenario", "status": "failure"}
    assert sample_value(metrics, "aurum_business_transactions_total", **labels) == 1
    asyncio.run(_await(result))
    assert sample_value(metrics, "aurum_business_transactions_total", **labels) == 1


async def _await(awaitable: Recorded) -> None:
    await awaitable
    await awaitable  # awaiting twice is harmless


def test_other_business_helpers(metrics):
    increment_cache_operation("scenario", "get", "hit")
    increment_rate_limit_decision("acme", "limited")
    set_data_last_updated("curves", 1700000000.0)
    set_db_pool_connections("primary", in_use=3, idle=7, max_size=10)
    assert (
        sample_value(
            metrics, "aurum_cache_operations_total", cache_type="scenario", operation="get", result="hit"
        )
        == 1
    )
    assert sample_value(metrics, "aurum_rate_limit_decisions_total", tenant_id="acme", result="limited") == 1
    assert (
        sample_value(metrics, "aurum_data_last_updated_timestamp_seconds", dataset="curves") == 1700000000.0
    )
    assert sample_value(metrics, "aurum_db_pool_connections", pool="primary", state="max") == 10
    assert sample_value(metrics, "aurum_db_pool_connections", pool="primary", state="in_use") == 3


def test_instruments_are_named_with_the_prefix_they_are_given():
    from prometheus_client import CollectorRegistry

    metrics = AurumMetrics(CollectorRegistry(), prefix="acme_")
    metrics.business_transactions.labels("scenario_create", "scenario", "success").inc()
    metrics.record_http_request("GET", "/x", 200, "", 0.1)
    labels = {"transaction": "scenario_create", "category": "scenario", "status": "success"}
    assert sample_value(metrics, "acme_business_transactions_total", **labels) == 1
    assert sample_value(metrics, "aurum_business_transactions_total", **labels) is None
    assert sample_value(metrics, "acme_http_request_duration_seconds_count", method="GET", path="/x") == 1
    assert metrics.name_of(catalog.HTTP_REQUESTS_TOTAL) == "acme_http_requests_total"
