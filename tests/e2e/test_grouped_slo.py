"""An SLO measured per tenant, run in the demo stack (real Prometheus, the demo app and its traffic of
three tenants): Prometheus records every SLO series per tenant, and the runtime's
``/v1/observability/slos`` reports one status per tenant, read from those series."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from aurum.monitoring.cli import main
from examples.demo_app.traffic import TENANTS
from examples.demo_stack.stack import demo_stack
from tests.e2e.conftest import poll
from tests.team_repos import grouped_repo

pytestmark = pytest.mark.slow

SLO = "tenant-availability"


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], set[str], str]]:
    root = grouped_repo(tmp_path_factory.mktemp("grouped") / "tenants")
    assert main(["build", "--root", str(root), "--jobs", "1"]) == 0
    with demo_stack(root / "build") as stack:

        def tenants() -> set[str]:
            found = stack.prom.query(f'slo:sli_total_events:rate5m{{slo="{SLO}"}}')
            return {series["metric"].get("tenant_id", "") for series in found}

        recorded, _ = poll(tenants, lambda t: set(TENANTS) <= t, timeout=90)

        def per_tenant(report: dict[str, Any]) -> bool:
            measured = {
                s.get("group", {}).get("tenant_id")
                for s in report["slos"]
                if s["name"] == SLO and s["error_budget_remaining"] is not None
            }
            return report["source"] == "prometheus" and set(TENANTS) <= measured

        report, _ = poll(lambda: stack.app_get("/v1/observability/slos"), per_tenant, timeout=150)
        yield report, recorded, stack.logs()


def test_prometheus_records_the_slo_per_tenant(observed: tuple[dict[str, Any], set[str], str]) -> None:
    _, recorded, logs = observed
    assert set(TENANTS) <= recorded, logs


def test_the_runtime_reports_one_status_per_tenant(observed: tuple[dict[str, Any], set[str], str]) -> None:
    report, _, logs = observed
    statuses = [s for s in report["slos"] if s["name"] == SLO]
    tenants = [s["group"]["tenant_id"] for s in statuses]
    # Every tenant the traffic sends (the demo may add others, such as a burst tenant), once each.
    assert set(TENANTS) <= set(tenants) and len(tenants) == len(set(tenants)), (report, logs)
    for status in statuses:
        assert status["source"] == "prometheus"
        assert set(status["group"]) == {"tenant_id"}
        if status["group"]["tenant_id"] in TENANTS:  # the steady tenants' budgets are measured by now
            assert status["error_budget_remaining"] is not None
