"""SLO definitions at runtime (a configured manifest or the bundled one) and their evaluation from process metrics."""

from __future__ import annotations

import json
import os
import time
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from aurum.observability import catalog
from aurum.observability.metrics import increment_cache_operation, set_data_last_updated
from aurum.observability.metrics._reading import Sample, collect_samples, histogram_quantile
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.slo._status import evaluate_from_samples, status_of
from aurum.observability.slo_catalog import (
    MAX_MANIFEST_BYTES,
    Matcher,
    SLOManifest,
    bundled_slos,
    get_slos,
    load_manifest,
)
from aurum.observability.slo_dashboard import check_slo_status, get_slo_dashboard_config

MANIFEST = {
    "slos": [
        {
            "name": "api-availability",
            "service": "aurum-api",
            "objective": "0.999",
            "period_days": 30,
            "description": "...",
            "labels": {},
            "sli": {
                "kind": "ratio",
                "metric": "aurum_http_requests_total",
                "bad": [["status", "=~", "5.."]],
                "good": None,
                "total": [],
            },
        },
        {
            "name": "api-latency",
            "service": "aurum-api",
            "objective": "0.95",
            "period_days": 30,
            "sli": {
                "kind": "latency",
                "metric": "aurum_http_request_duration_seconds",
                "threshold_seconds": "0.5",
                "matchers": [],
            },
        },
        {
            "name": "data-freshness",
            "service": "aurum-data",
            "objective": "0.99",
            "period_days": 30,
            "sli": {
                "kind": "freshness",
                "metric": "aurum_data_last_updated_timestamp_seconds",
                "max_age_seconds": "3600",
                "matchers": [],
            },
        },
        {
            "name": "custom",
            "service": "aurum-api",
            "objective": "0.9",
            "period_days": 7,
            "sli": {"kind": "promql"},
        },
    ]
}


def test_the_manifest_format_of_the_build_contract_is_read_exactly(tmp_path):
    path = tmp_path / "slos.json"
    path.write_text(json.dumps(MANIFEST))
    slos = load_manifest(path)
    assert [slo.name for slo in slos] == ["api-availability", "api-latency", "data-freshness", "custom"]
    assert slos[0].objective == Decimal("0.999")
    assert slos[0].error_budget == Decimal("0.001")
    assert slos[1].sli.threshold_seconds == Decimal("0.5")  # type: ignore[union-attr]  # a LatencySLI here
    assert slos[0].sli.bad == (Matcher(label="status", op="=~", value="5.."),)  # type: ignore[union-attr]  # a RatioSLI
    # Round trip: what we serve is what the build wrote.
    assert json.loads(SLOManifest(slos=slos).model_dump_json())["slos"][0]["sli"]["bad"] == [
        ["status", "=~", "5.."]
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"objective": 0.999}, "as a string to keep it exact"),
        ({"objective": "1.5"}, "less than 1"),
        ({"sli": {"kind": "ratio", "metric": "m", "bad": [], "good": []}}, "exactly one of 'bad' and 'good'"),
        (
            {"sli": {"kind": "ratio", "metric": "m", "bad": None, "good": None}},
            "exactly one of 'bad' and 'good'",
        ),
        ({"sli": {"kind": "ratio", "metric": "m", "bad": [["status", "~", "5.."]]}}, "input_value='~'"),
        ({"sli": {"kind": "ratio", "metric": "m", "bad": [["status", "="]]}}, "a matcher is"),
        ({"name": "Bad Name"}, "pattern"),
    ],
)
def test_invalid_manifests_are_rejected_with_the_file_named(tmp_path, change, message):
    broken = json.loads(json.dumps(MANIFEST))
    broken["slos"][0].update(change)
    path = tmp_path / "slos.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(ValueError, match=r"slos\.json") as caught:
        load_manifest(path)
    assert message in str(caught.value)


@pytest.mark.parametrize("where", ["/dev/zero", "a directory", "a fifo", "too large"])
def test_a_manifest_path_that_is_no_manifest_file_is_refused_without_reading_it(tmp_path, where):
    """``/dev/zero`` once filled memory; a FIFO would block the SLO check forever."""
    path = {"/dev/zero": Path("/dev/zero"), "a directory": tmp_path}.get(where, tmp_path / "slos.json")
    if where == "a fifo":
        os.mkfifo(path)
    elif where == "too large":
        path.write_bytes(b" " * (MAX_MANIFEST_BYTES + 1))
    reason = f"is larger than {MAX_MANIFEST_BYTES} bytes" if where == "too large" else "is not a regular file"
    with pytest.raises(ValueError, match=f"^SLO manifest {path}: {reason}$"):
        load_manifest(path)


def test_duplicate_slo_names_are_rejected():
    doubled = {"slos": [MANIFEST["slos"][0], MANIFEST["slos"][0]]}
    with pytest.raises(ValidationError, match="repeated: api-availability"):
        SLOManifest.model_validate(doubled)


def test_the_bundled_manifest_holds_the_six_spec_slos():
    slos = {slo.name: slo for slo in get_slos(ObservabilitySettings())}
    assert {name: str(slo.objective) for name, slo in slos.items()} == {
        "api-availability": "0.999",
        "api-latency": "0.95",
        "scenario-creation": "0.995",
        "scenario-runs": "0.95",
        "data-freshness": "0.99",
        "cache-hit-rate": "0.9",
    }
    assert {slo.period_days for slo in slos.values()} == {30}
    assert {slo.sli.metric for slo in slos.values()} <= {m.name for m in catalog.METRICS}  # type: ignore[union-attr]  # no PromQL SLI among the bundled
    assert slos["api-latency"].sli.threshold_seconds == Decimal("0.5")  # type: ignore[union-attr]  # a LatencySLI


def test_manifest_is_re_read_when_it_changes(tmp_path):
    path = tmp_path / "slos.json"
    path.write_text(json.dumps({"slos": MANIFEST["slos"][:1]}))
    settings = ObservabilitySettings(slo_manifest=path)
    assert len(get_slos(settings)) == 1
    path.write_text(json.dumps(MANIFEST))
    import os

    os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    assert len(get_slos(settings)) == 4


@pytest.mark.parametrize(
    ("op", "value", "actual", "expected"),
    [
        ("=~", "5..", "503", True),
        ("=~", "5..", "5034", False),  # anchored, as in PromQL
        ("!~", "hit|miss", "error", True),
        ("=", "", None, True),  # a missing label equals the empty string
        ("!=", "get", "set", True),
    ],
)
def test_matchers_have_promql_semantics(op, value, actual, expected):
    labels = {} if actual is None else {"l": actual}
    assert Matcher(label="l", op=op, value=value).matches(labels) is expected


def test_process_status_computes_each_sli_kind(metrics):
    for _ in range(9):
        metrics.record_http_request("GET", "/a", 200, "", 0.1)
    metrics.record_http_request("GET", "/a", 503, "", 2.0)
    for result in ("hit", "hit", "hit", "miss"):
        increment_cache_operation("scenario", "get", result)
    increment_cache_operation("scenario", "set", "miss")  # not a lookup: outside the SLI
    now = time.time()
    set_data_last_updated("fresh", now - 60)
    set_data_last_updated("stale", now - 7200)
    report = check_slo_status()
    by_name = {slo.name: slo for slo in report.slos}
    assert by_name["api-availability"].error_ratio == pytest.approx(0.1)
    assert by_name["api-availability"].period_burn_rate == pytest.approx(100)  # over the lifetime
    assert by_name["api-availability"].burn_rate == pytest.approx(100)
    assert by_name["api-availability"].current_burn_rate is None  # a process has no short window
    assert by_name["api-availability"].status == "breached"
    assert by_name["api-latency"].sli_value == pytest.approx(0.9)  # 9 of 10 within 0.5 s
    assert by_name["cache-hit-rate"].sli_value == pytest.approx(0.75)
    assert by_name["data-freshness"].error_ratio == 1.0  # one stale dataset makes the slice bad
    assert by_name["scenario-runs"].status == "no_data"
    assert report.source == "process"


@pytest.mark.parametrize(
    ("ages", "error_ratio"),
    [
        ((60, 120, 1800), 0.0),
        ((60, 120, 3601), 1.0),  # one of three stale: bad, as the rule's min(gauge) judges it
        ((7200, 7200), 1.0),
    ],
)
def test_process_freshness_follows_the_compiled_rule(ages, error_ratio):
    slos = [slo for slo in bundled_slos() if slo.name == "data-freshness"]
    now = time.time()
    metric = catalog.DATA_LAST_UPDATED_TIMESTAMP_SECONDS.name
    samples = [Sample(metric, {"dataset": f"d{index}"}, now - age) for index, age in enumerate(ages)]
    (status,) = evaluate_from_samples(slos, samples, ObservabilitySettings(), uptime=1.0).slos
    assert status.error_ratio == error_ratio
    assert status.status == ("met" if error_ratio == 0 else "breached")


def test_latency_threshold_between_buckets_rounds_down_and_says_so():
    slos = [
        slo.model_copy(update={"sli": slo.sli.model_copy(update={"threshold_seconds": Decimal("0.3")})})
        for slo in bundled_slos()
        if slo.name == "api-latency"
    ]
    samples = [
        Sample("aurum_http_request_duration_seconds_bucket", {"le": le}, count)
        for le, count in (("0.25", 8.0), ("0.5", 9.0), ("+Inf", 10.0))
    ]
    report = evaluate_from_samples(slos, samples, ObservabilitySettings(), uptime=1.0)
    latency = report.by_name("api-latency")
    assert latency is not None
    assert latency.sli_value == pytest.approx(0.8)
    assert latency.detail == "threshold rounded down to the bucket le=0.25"


@pytest.mark.parametrize(
    ("remaining", "expected"),
    [(None, "no_data"), (-0.1, "breached"), (0.04, "at_risk"), (0.05, "at_risk"), (0.5, "met")],
)
def test_status_is_judged_on_the_budget_left(remaining, expected):
    assert status_of(remaining, alert_threshold=0.95) == expected


def test_histogram_quantile_matches_promql():
    buckets = [(0.1, 50.0), (0.5, 90.0), (1.0, 100.0), (float("inf"), 100.0)]
    assert histogram_quantile(0.5, buckets) == pytest.approx(0.1)
    assert histogram_quantile(0.7, buckets) == pytest.approx(0.3)
    assert histogram_quantile(0.95, buckets) == pytest.approx(0.75)
    assert histogram_quantile(0.5, [(float("inf"), 0.0)]) is None
    assert histogram_quantile(0.99, [(1.0, 1.0), (float("inf"), 10.0)]) == 1.0


def test_grafana_dashboard_reads_only_the_output_contract():
    dashboard = get_slo_dashboard_config().generate_grafana_dashboard()
    assert dashboard == get_slo_dashboard_config().generate_grafana_dashboard()  # deterministic
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    assert len(exprs) == 6 * 5
    contract = (
        catalog.SLO_OBJECTIVE,
        catalog.SLO_PERIOD_BUDGET_REMAINING,
        catalog.SLO_CURRENT_BURN_RATE,
        catalog.SLO_PERIOD_BURN_RATE,
        catalog.slo_error_ratio("30d"),
    )
    for expr in exprs:
        assert any(name in expr for name in contract), expr
        assert 'slo="' in expr
        assert 'service="' in expr
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))


def test_grafana_expressions_parse_as_promql():
    promql_parser = pytest.importorskip("promql_parser")  # the build extra's parser, present in dev venvs
    dashboard = get_slo_dashboard_config().generate_grafana_dashboard()
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            promql_parser.parse(target["expr"])


def test_collect_samples_reads_a_registry(metrics):
    metrics.record_http_request("GET", "/a", 200, "", 0.1)
    assert metrics.registry is not None  # isolated registries always have one
    names = {sample.name for sample in collect_samples(metrics.registry)}
    assert "aurum_http_requests_total" in names
