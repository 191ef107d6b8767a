"""An SLO is its service and its name: the same name under two services builds, with distinct series
reads, rule files, groups, alerts, runbooks and dashboard rows; twice the same pair is an error."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest
import yaml

from aurum.monitoring.cli import main
from aurum.monitoring.io.declarations import DeclarationError
from aurum.monitoring.pipeline import render
from tests.team_repos import SLO_FILE, team_repo


def _two_services(root: Path, second: str = "search-api") -> Path:
    team_repo(root, None, slo="availability", service="payments-api", dashboard=None)
    (root / "slos" / "search.py").write_text(SLO_FILE.format(name="availability", service=second))
    return root


def test_one_name_under_two_services_builds_apart(tmp_path: Path) -> None:
    files = render(_two_services(tmp_path / "repo")).files
    rules = {str(p.name): yaml.safe_load(b) for p, b in files.items() if p.parent.name == "rules"}
    assert sorted(rules) == ["availability.payments-api.yaml", "availability.search-api.yaml"]
    for service, document in (("payments-api", rules["availability.payments-api.yaml"]),
                              ("search-api", rules["availability.search-api.yaml"])):  # fmt: skip
        groups = [g["name"] for g in document["groups"]]
        assert groups[0] == f"aurum-slo-availability.{service}-sli"
        for rule in (r for g in document["groups"] for r in g["rules"]):
            assert rule["labels"]["service"] == service
            # Every read of a recorded series selects this SLO's service: never the other's.
            for read in [part for part in rule["expr"].split("slo:")[1:] if "{" in part.split("(")[0]]:
                assert f'service="{service}"' in read, rule["expr"]
    alerts = {r["alert"]: r for d in rules.values() for g in d["groups"] for r in g["rules"] if "alert" in r}
    assert sorted(alerts) == [
        "PaymentsApiAvailabilityErrorBudgetBurnPage",
        "PaymentsApiAvailabilityErrorBudgetBurnTicket",
        "SearchApiAvailabilityErrorBudgetBurnPage",
        "SearchApiAvailabilityErrorBudgetBurnTicket",
    ]
    runbook = alerts["SearchApiAvailabilityErrorBudgetBurnPage"]["annotations"]["runbook_url"]
    assert runbook.endswith("/slo/search-api/availability")
    tests = sorted(p.name for p in files if p.parent.name == "tests")
    assert "availability.search-api.test.yaml" in tests
    overview = json.loads(files[PurePosixPath("grafana/dashboards/aurum-slos/aurum-slo-overview.json")])
    rows = [p["title"].split(":")[0] for p in overview["panels"] if p["type"] == "row"]
    assert rows == ["All SLOs", "availability (payments-api)", "availability (search-api)"]
    manifest = json.loads(files[PurePosixPath("slos.json")])
    assert [(s["name"], s["service"]) for s in manifest["slos"]] == [
        ("availability", "payments-api"),
        ("availability", "search-api"),
    ]


def test_a_name_one_service_uses_keeps_its_short_names(tmp_path: Path) -> None:
    files = render(team_repo(tmp_path / "repo", None, slo="availability", dashboard=None)).files
    assert PurePosixPath("prometheus/rules/availability.yaml") in files


def test_the_same_service_and_name_twice_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DeclarationError, match="'availability of payments-api' is already declared at slos/"):
        render(_two_services(tmp_path / "repo", second="payments-api"))


@pytest.mark.slow
def test_promtool_proves_both(tmp_path: Path) -> None:
    assert main(["build", "--root", str(_two_services(tmp_path / "repo")), "--jobs", "1"]) == 0
