"""The runtime reports a grouped SLO (``group_by`` in the manifest) per group: from the process's own
counters as from Prometheus's recorded series, one status per group value."""

from __future__ import annotations

from aurum.observability.metrics._reading import Sample
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.slo._status import evaluate_from_samples
from aurum.observability.slo_catalog import SLOManifest

METRIC = "aurum_http_requests_total"
GROUPED = {
    "name": "tenant-availability",
    "service": "aurum-api",
    "objective": "0.99",
    "period_days": 30,
    "sli": {"kind": "ratio", "metric": METRIC, "bad": [["status", "=~", "5.."]], "good": None, "total": []},
    "group_by": ["tenant_id"],
}


def _requests(tenant: str, status: str, count: float) -> Sample:
    return Sample(METRIC, {"tenant_id": tenant, "status": status, "method": "GET", "path": "/"}, count)


def test_the_manifest_keeps_group_by_and_omits_it_when_empty() -> None:
    manifest = SLOManifest.model_validate({"slos": [GROUPED, {**GROUPED, "name": "whole", "group_by": []}]})
    assert manifest.slos[0].group_by == ("tenant_id",)
    documents = manifest.document()["slos"]
    assert documents[0]["group_by"] == ["tenant_id"]
    assert "group_by" not in documents[1]


def test_the_process_source_reports_one_status_per_group() -> None:
    slo = SLOManifest.model_validate({"slos": [GROUPED]}).slos[0]
    samples = [
        _requests("acme-corp", "500", 50),
        _requests("acme-corp", "200", 50),
        _requests("globex", "200", 1000),
    ]
    report = evaluate_from_samples([slo], samples, ObservabilitySettings(), uptime=60)
    by_tenant = {status.group["tenant_id"]: status for status in report.slos}
    assert sorted(by_tenant) == ["acme-corp", "globex"]
    assert by_tenant["acme-corp"].error_ratio == 0.5
    assert by_tenant["acme-corp"].status == "breached"
    assert by_tenant["globex"].error_ratio == 0
    assert by_tenant["globex"].status == "met"
    assert report.overall == "breached"
