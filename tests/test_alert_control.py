"""Alert control per SLO and per tier: the alert's name, its routing labels, its annotations and the
severity a team's Alertmanager expects reach the rule file and the generated promtool tests; the
defaults stay as they were (the goldens prove that)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from aurum.monitoring import AlertPolicy
from aurum.monitoring.cli import main
from aurum.monitoring.io.project import load_project
from aurum.monitoring.model.alerting import PAGE, AlertTier
from aurum.monitoring.pipeline import render
from tests.team_repos import routed_repo

RULES = PurePosixPath("prometheus/rules/payments.checkout-availability.yaml")
TESTS = PurePosixPath("prometheus/tests/payments.checkout-availability.test.yaml")


@pytest.fixture(scope="module")
def routed(tmp_path_factory: pytest.TempPathFactory) -> dict[PurePosixPath, Any]:
    root = routed_repo(tmp_path_factory.mktemp("routed") / "payments")
    artifacts = render(root, project=load_project(root).settings)
    return {path: yaml.safe_load(body) for path, body in artifacts.files.items() if path.suffix == ".yaml"}


def _alerts(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["alert"]: r for g in document["groups"] for r in g["rules"] if "alert" in r}


def test_the_tier_names_its_alert_and_the_policy_names_the_others(routed: dict[PurePosixPath, Any]) -> None:
    assert sorted(_alerts(routed[RULES])) == ["CheckoutBurningTicket", "CheckoutDown"]


def test_routing_labels_reach_the_alerts_and_only_the_alerts(routed: dict[PurePosixPath, Any]) -> None:
    alerts = _alerts(routed[RULES])
    page, ticket = alerts["CheckoutDown"]["labels"], alerts["CheckoutBurningTicket"]["labels"]
    assert page["team"] == ticket["team"] == "payments"
    assert page["channel"] == "pay-oncall", "the tier's label wins over the policy's"
    assert ticket["channel"] == "pay-alerts"
    assert page["priority"] == "page" and "priority" not in ticket
    assert (page["severity"], ticket["severity"]) == ("P1", "warning")
    records = [r for g in routed[RULES]["groups"] for r in g["rules"] if "record" in r]
    assert records and not any("team" in r.get("labels", {}) for r in records)


def test_annotations_are_added_and_overridden(routed: dict[PurePosixPath, Any]) -> None:
    alerts = _alerts(routed[RULES])
    page, ticket = alerts["CheckoutDown"]["annotations"], alerts["CheckoutBurningTicket"]["annotations"]
    assert page["dashboard"] == ticket["dashboard"] == "https://grafana.example/d/pay-overview"
    assert page["summary"] == "Checkout is failing for customers."
    assert ticket["summary"].startswith("The checkout-availability SLO of aurum-api is burning")
    assert page["description"] == "{{ $labels.service }}: burning at {{ $value | humanize }}x."
    assert page["runbook_url"] == ticket["runbook_url"]


def test_the_generated_tests_expect_the_custom_alerts_as_prometheus_renders_them(
    routed: dict[PurePosixPath, Any],
) -> None:
    expected = [
        alert
        for test in routed[TESTS]["tests"]
        for check in test.get("alert_rule_test", [])
        if check["alertname"] == "CheckoutDown"
        for alert in check["exp_alerts"]
    ]
    assert expected, "some generated test expects the page alert firing"
    for alert in expected:
        assert alert["exp_labels"]["team"] == "payments"
        assert alert["exp_labels"]["severity"] == "P1"
        assert alert["exp_annotations"]["dashboard"] == "https://grafana.example/d/pay-overview"
        description = alert["exp_annotations"]["description"]
        assert description.startswith("aurum-api: burning at ") and "{{" not in description


@pytest.mark.slow
def test_promtool_proves_the_custom_alerts(tmp_path: Path) -> None:
    """The rendered templates are what promtool computes: the build's proofs pass."""
    root = routed_repo(tmp_path / "payments")
    assert main(["build", "--root", str(root), "--jobs", "1"]) == 0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: AlertPolicy(labels={"severity": "high"}), "label 'severity' is set by the compiler"),
        (lambda: AlertPolicy(labels={"slo": "x"}), "label 'slo' is set by the compiler"),
        (lambda: AlertPolicy(labels={"team": ""}), "empty value"),
        (lambda: AlertPolicy(name="checkout-burn"), "must be CamelCase"),
        (
            lambda: AlertPolicy(annotations={"summary": "{{ $externalURL }}"}),
            "template {{ $externalURL }} cannot be checked",
        ),
        (
            lambda: AlertPolicy(
                tiers=(
                    PAGE.model_copy(update={"alert_name": "Same"}),
                    AlertTier(name="ticket", windows=PAGE.windows, alert_name="Same"),
                )
            ),
            "alert names must be unique",
        ),
    ],
)
def test_bad_alert_settings_are_refused_saying_why(make: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("$", r"\$").replace("{", r"\{")):
        make()


def test_an_annotation_reading_a_label_the_series_lack_is_refused() -> None:
    from aurum.monitoring import SLO, RatioSLI, select
    from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

    with pytest.raises(ValidationError, match=r"reads \$labels.team, which the alert's series do not carry"):
        SLO(
            name="checkout",
            service="payments",
            description="Checkout.",
            objective=99,
            sli=RatioSLI(bad=select(HTTP_REQUESTS_TOTAL, status="500"), total=select(HTTP_REQUESTS_TOTAL)),
            alerting=AlertPolicy(labels={"team": "payments"}, annotations={"who": "{{ $labels.team }}"}),
        )
