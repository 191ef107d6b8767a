"""The metric catalog is the names contract: exact names, types and labels, pure data."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aurum.observability import catalog
from aurum.observability.catalog import MetricType

CONTRACT = {
    "aurum_http_requests_total": ("counter", ("method", "path", "status", "tenant_id")),
    "aurum_http_request_duration_seconds": ("histogram", ("method", "path")),
    "aurum_business_transactions_total": ("counter", ("transaction", "category", "status")),
    "aurum_cache_operations_total": ("counter", ("cache_type", "operation", "result")),
    "aurum_data_last_updated_timestamp_seconds": ("gauge", ("dataset",)),
    "aurum_db_query_duration_seconds": ("histogram", ("operation", "table")),
    "aurum_db_pool_connections": ("gauge", ("pool", "state")),
    "aurum_rate_limit_decisions_total": ("counter", ("tenant_id", "result")),
}


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_contract_metric_has_exact_type_and_labels(name: str) -> None:
    metric = catalog.metric_by_name(name)
    assert metric is not None, f"{name} missing from the catalog"
    kind, labels = CONTRACT[name]
    assert metric.type == kind
    assert metric.label_names == labels
    assert metric.help and metric.unit


def test_closed_label_sets_are_the_documented_values() -> None:
    assert catalog.BUSINESS_TRANSACTIONS_TOTAL.label("status").allowed == ("success", "failure")
    assert catalog.CACHE_OPERATIONS_TOTAL.label("result").allowed == ("hit", "miss", "error")
    assert catalog.DB_POOL_CONNECTIONS.label("state").allowed == ("in_use", "idle", "max")
    assert catalog.RATE_LIMIT_DECISIONS_TOTAL.label("result").allowed == ("allowed", "limited")


def test_http_latency_buckets_include_the_slo_thresholds() -> None:
    assert {0.1, 0.25, 0.5, 1.0, 2.5} <= set(catalog.HTTP_REQUEST_DURATION_SECONDS.buckets)


def test_histogram_series_resolve_to_their_family() -> None:
    duration = catalog.HTTP_REQUEST_DURATION_SECONDS
    for suffix in ("_bucket", "_count", "_sum"):
        assert catalog.metric_by_name(duration.name + suffix) is duration
    assert catalog.metric_by_name("aurum_http_requests_total_bucket") is None
    assert catalog.metric_by_name("nope") is None


def test_counter_family_name_drops_total_for_prometheus_client() -> None:
    assert catalog.HTTP_REQUESTS_TOTAL.family == "aurum_http_requests"
    assert catalog.DB_POOL_CONNECTIONS.family == "aurum_db_pool_connections"


def _in_fresh_interpreter(code: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, **env}
    )
    return done.stdout


def test_prefix_comes_from_the_environment() -> None:
    code = "from aurum.observability import catalog; print(catalog.HTTP_REQUESTS_TOTAL.name)"
    assert _in_fresh_interpreter(code, AURUM_METRICS_PREFIX="acme_").strip() == "acme_http_requests_total"


def test_invalid_prefix_is_refused_with_the_variable_named() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import aurum.observability.catalog"],
        capture_output=True,
        text=True,
        env={**os.environ, "AURUM_METRICS_PREFIX": "9bad-"},
        check=False,
    )
    assert done.returncode != 0
    assert "AURUM_METRICS_PREFIX" in done.stderr


DATA_MODULES = ("catalog", "metric_prefix", "slo_contract", "platform_records", "log_fields")


@pytest.mark.parametrize("module", DATA_MODULES)
def test_catalog_imports_only_the_standard_library(module: str) -> None:
    """The catalog and its data modules import the standard library and each other, nothing else."""
    tree = ast.parse((Path(catalog.__file__).parent / f"{module}.py").read_text())
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    siblings = {f"aurum.observability.{name}" for name in DATA_MODULES}
    outside = {
        name
        for name in imported
        if name not in siblings and name.split(".")[0] not in sys.stdlib_module_names
    }
    assert outside <= {"__future__"}, outside


def test_catalog_re_exports_the_slo_contract_and_log_fields() -> None:
    from aurum.observability import log_fields, slo_contract

    for name in slo_contract.__all__:
        assert getattr(catalog, name) is getattr(slo_contract, name), name
    assert catalog.LOG_FIELDS is log_fields.LOG_FIELDS
    assert catalog.LogField is log_fields.LogField
    assert catalog.slo_error_ratio("5m") == "slo:sli_error:ratio_rate5m"


def test_counters_end_in_total_and_histograms_have_buckets() -> None:
    for metric in catalog.METRICS:
        if metric.type is MetricType.COUNTER:
            assert metric.name.endswith("_total")
        assert bool(metric.buckets) == (metric.type is MetricType.HISTOGRAM)
