"""The metric catalog is the names contract: exact names, types and labels, pure data."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aurum.contract.prefix import check_prefix, using_prefix
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


def test_importing_the_catalog_reads_no_environment() -> None:
    """AURUM_METRICS_PREFIX is a build setting the CLI reads; the catalog's names do not follow it."""
    code = "from aurum.observability import catalog; print(catalog.HTTP_REQUESTS_TOTAL.name)"
    assert _in_fresh_interpreter(code, AURUM_METRICS_PREFIX="acme_").strip() == "aurum_http_requests_total"


def test_a_metric_is_named_under_any_prefix_and_under_the_one_in_effect() -> None:
    requests, duration = catalog.HTTP_REQUESTS_TOTAL, catalog.HTTP_REQUEST_DURATION_SECONDS
    assert requests.name_for("acme_") == "acme_http_requests_total"
    assert requests.family_for("acme_") == "acme_http_requests"
    assert duration.series_names_for("") == (
        "http_request_duration_seconds_bucket",
        "http_request_duration_seconds_count",
        "http_request_duration_seconds_sum",
    )
    assert requests.name == "aurum_http_requests_total"
    with using_prefix("acme_"):
        assert requests.name == "acme_http_requests_total"
        assert str(catalog.HTTP_REQUEST_RATE_BY_ROUTE) == "path:acme_http_requests:rate5m"
        assert catalog.metric_by_name("acme_http_requests_total") is requests
        assert catalog.metric_by_name("aurum_http_requests_total") is None
    assert requests.name == "aurum_http_requests_total"
    assert catalog.HTTP_REQUEST_RATE_BY_ROUTE.name == "path:aurum_http_requests:rate5m"


def test_a_metric_without_prefix_keeps_its_name_under_every_prefix() -> None:
    from aurum.monitoring.model.prometheus import UP

    with using_prefix("acme_"):
        assert UP.name == "up"
    assert UP.name_for("acme_") == "up"


@pytest.mark.parametrize("prefix", ["9bad_", "bad-", "a b"])
def test_invalid_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="not a valid Prometheus metric name prefix"):
        check_prefix(prefix)


CONTRACT_DIR = Path(__file__).resolve().parents[1] / "src" / "aurum" / "contract"
CONTRACT_DEPENDENCIES = {"pydantic", "re2"}
"""What the contract may import besides the standard library: runtime dependencies only (pydantic for
its models, google-re2 for matchers evaluated as Prometheus does), never the build's."""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        and (not isinstance(node, ast.ImportFrom) or node.module)
        for alias in node.names
    }


@pytest.mark.parametrize("path", sorted(CONTRACT_DIR.glob("*.py")), ids=lambda path: path.name)
def test_the_contract_imports_only_the_standard_library_runtime_dependencies_and_itself(path: Path) -> None:
    outside = {
        name
        for name in _imports(path)
        if not name.startswith("aurum.contract")
        and name.split(".")[0] not in {*sys.stdlib_module_names, *CONTRACT_DEPENDENCIES}
    }
    assert outside <= {"__future__"}, outside


def test_the_runtime_catalog_imports_only_the_contract_and_its_log_fields() -> None:
    imported = _imports(Path(catalog.__file__))
    assert {name for name in imported if name.startswith("aurum.")} <= {
        "aurum.contract.catalog",
        "aurum.contract.conventions",
        "aurum.contract.metrics",
        "aurum.contract.prefix",
        "aurum.observability.log_fields",
    }


def test_catalog_re_exports_the_slo_contract_and_log_fields() -> None:
    from aurum.contract import conventions
    from aurum.observability import log_fields

    for name in ("SLO_OBJECTIVE", "SLO_INFO", "SLO_PERIOD_BUDGET_REMAINING", "SLO_LABEL", "slo_error_ratio"):
        assert getattr(catalog, name) is getattr(conventions, name), name
    assert catalog.LOG_FIELDS is log_fields.LOG_FIELDS
    assert catalog.LogField is log_fields.LogField
    assert catalog.slo_error_ratio("5m") == "slo:sli_error:ratio_rate5m"


def test_counters_end_in_total_and_histograms_have_buckets() -> None:
    for metric in catalog.METRICS:
        if metric.type is MetricType.COUNTER:
            assert metric.name.endswith("_total")
        assert bool(metric.buckets) == (metric.type is MetricType.HISTOGRAM)
