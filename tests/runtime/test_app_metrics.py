"""The shim emits the application's own metrics only: the built-in Aurum catalog, plus a team's
catalog metrics through the generic accessors (counter, gauge, histogram), each guarded and cached."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from aurum.contract.catalogs import BUILTIN_CATALOGS
from aurum.observability import catalog
from aurum.observability.catalog import OVERFLOW_LABEL_VALUE, Label, Metric, MetricType
from aurum.observability.metrics import AurumMetrics, counter, gauge, histogram
from aurum.observability.testing import isolated_registry, sample_value

TEAM_CATALOG = Path(__file__).parents[1] / "fixtures" / "team-repo" / "catalog" / "billing.py"


def _load(path: Path) -> ModuleType:
    # An application imports its catalog as a module of its own; the build's loader is not involved.
    spec = importlib.util.spec_from_file_location("billing_catalog", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BILLING = _load(TEAM_CATALOG)


def _families(registry: CollectorRegistry) -> set[str]:
    return {family.name for family in registry.collect()}


def test_the_shim_registers_the_built_in_catalog_and_nothing_any_other_catalog_declares() -> None:
    registry = CollectorRegistry()
    AurumMetrics(registry)
    expected = {metric.family for metric in (*catalog.METRICS, catalog.CARDINALITY_OVERFLOW_TOTAL)}
    assert _families(registry) == expected
    others = {d.metric.family for d in BUILTIN_CATALOGS if d.metric not in catalog.METRICS}
    assert others >= {"up", "ALERTS", "scrape_duration_seconds"}
    assert not others & _families(registry)


def test_a_team_metric_is_registered_only_once_the_application_uses_it() -> None:
    charges = counter(BILLING.CHARGES_TOTAL)
    with isolated_registry() as metrics:
        assert metrics.registry is not None
        assert "billing_charges" not in _families(metrics.registry)
        charges.labels(provider="stripe", outcome="ok").inc()
        charges.labels(provider="stripe", outcome="ok").inc()
        assert sample_value(metrics, "billing_charges_total", provider="stripe", outcome="ok") == 2
        exposition = generate_latest(metrics.registry).decode()
        assert 'billing_charges_total{outcome="ok",provider="stripe"} 2.0' in exposition
        assert (
            "# HELP billing_charges_total Charges attempted, by payment provider and outcome." in exposition
        )
        assert "billing_charge_duration_seconds" not in exposition  # declared, never used


def test_a_team_histogram_has_its_catalog_buckets_and_a_gauge_sets() -> None:
    with isolated_registry() as metrics:
        histogram(BILLING.CHARGE_DURATION_SECONDS).labels(provider="adyen").observe(0.3)
        gauge(BILLING.LEDGER_CLOSED_TIMESTAMP_SECONDS).labels(ledger="eur").set(1_700_000_000)
        name = "billing_charge_duration_seconds_bucket"
        assert sample_value(metrics, name, provider="adyen", le="0.25") == 0
        assert sample_value(metrics, name, provider="adyen", le="0.5") == 1
        assert metrics.registry is not None
        bounds = {
            sample.labels["le"]
            for family in metrics.registry.collect()
            for sample in family.samples
            if sample.name == name
        }
        assert bounds == {"0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "+Inf"}
        assert sample_value(metrics, "billing_ledger_closed_timestamp_seconds", ledger="eur") == 1_700_000_000


def test_team_metrics_have_cached_children_and_closed_sets() -> None:
    with isolated_registry() as metrics:
        guarded = metrics.counter(BILLING.CHARGES_TOTAL)
        first = guarded.labels(provider="stripe", outcome="ok")
        assert guarded.labels(provider="stripe", outcome="ok") is first
        assert metrics.counter(BILLING.CHARGES_TOTAL) is guarded
        with pytest.raises(ValueError, match="outcome='refunded' is not one of"):
            guarded.labels(provider="stripe", outcome="refunded")


def test_team_metrics_fold_past_the_cardinality_cap_and_count_it() -> None:
    with isolated_registry(max_label_sets=2) as metrics:
        charges = counter(BILLING.CHARGES_TOTAL)
        for provider in ("stripe", "adyen", "paypal"):
            charges.labels(provider=provider, outcome="error").inc()
        # stripe's error and its ok, created beside it at 0, fill the cap; adyen and paypal fold.
        assert sample_value(metrics, "billing_charges_total", provider="stripe", outcome="ok") == 0
        assert (
            sample_value(metrics, "billing_charges_total", provider=OVERFLOW_LABEL_VALUE, outcome="error")
            == 2
        )
        overflow = "aurum_observability_cardinality_overflow_total"
        assert sample_value(metrics, overflow, metric="billing_charges_total", reason="label_sets") == 2


def test_the_wrong_accessor_is_refused_when_the_handle_is_made() -> None:
    with pytest.raises(TypeError, match="billing_charges_total is a counter in its catalog, not a gauge"):
        gauge(BILLING.CHARGES_TOTAL)


def test_another_declaration_of_a_registered_name_is_refused() -> None:
    other = Metric(
        base_name="billing_charges_total",
        type=MetricType.COUNTER,
        help="Another shape.",
        unit="charges",
        labels=(Label("provider", "Provider."),),
    )
    with isolated_registry() as metrics:
        metrics.counter(BILLING.CHARGES_TOTAL)
        with pytest.raises(
            ValueError, match="billing_charges_total is already registered with another declaration"
        ):
            metrics.counter(other)


def test_a_built_in_metric_through_the_accessor_is_the_built_in_collector() -> None:
    with isolated_registry() as metrics:
        assert metrics.counter(catalog.HTTP_REQUESTS_TOTAL) is metrics.http_requests
