"""A team's alert settings reach its Alertmanager: a repository whose SLO names its page alert, adds
routing labels and replaces annotations is built and run in the demo stack (real Prometheus and
Alertmanager, the demo app, a webhook receiver); a full outage delivers that alert to the webhook
exactly as declared."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from aurum.monitoring.cli import main
from examples.demo_stack.stack import demo_stack
from tests.e2e.conftest import poll
from tests.team_repos import routed_repo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def delivered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[dict[str, Any]], str]]:
    """What the webhook received within 150 s of every request failing."""
    root = routed_repo(tmp_path_factory.mktemp("routed") / "payments")
    assert main(["build", "--root", str(root), "--jobs", "1"]) == 0
    with demo_stack(root / "build") as stack:
        time.sleep(5)  # a few healthy evaluations first
        stack.set_faults(error_rate=1.0)

        def paged(alerts: list[dict[str, Any]]) -> bool:
            return any(a["labels"].get("alertname") == "CheckoutDown" for a in alerts)

        received, _ = poll(stack.webhook.alerts, paged, timeout=150)
        yield received, stack.logs()


def test_the_webhook_receives_the_named_labelled_annotated_page(
    delivered: tuple[list[dict[str, Any]], str],
) -> None:
    received, logs = delivered
    pages = [a for a in received if a["labels"].get("alertname") == "CheckoutDown"]
    assert pages, f"no CheckoutDown at the webhook; received {received}\n{logs}"
    page = pages[0]
    assert page["status"] == "firing"
    assert {
        "team": "payments",
        "channel": "pay-oncall",
        "priority": "page",
        "severity": "P1",
        "tier": "page",
        "slo": "checkout-availability",
        "service": "aurum-api",
    }.items() <= page["labels"].items()
    annotations = page["annotations"]
    assert annotations["summary"] == "Checkout is failing for customers."
    assert annotations["dashboard"] == "https://grafana.example/d/pay-overview"
    assert annotations["description"].startswith("aurum-api: burning at ")
    assert not any(a["labels"].get("alertname", "").endswith("ErrorBudgetBurnPage") for a in received)
