"""Rule groups to a Mimir/Cortex ruler (the stand-in): plan, apply, prune within the tool's namespaces
only, the tenant header, retries under faults, and promtool first."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from aurum.monitoring.cli import main
from aurum.monitoring.deploy.standins import Faults, MimirStandin, serve

from .conftest import Run

TOKEN = "mimir-secret-token-value"


@dataclass
class Ruler:
    url: str
    app: MimirStandin
    faults: Faults

    def groups(self, tenant: str = "team-a") -> dict[str, list[str]]:
        return {ns: sorted(groups) for ns, groups in self.app.tenants.get(tenant, {}).items()}


@pytest.fixture
def ruler() -> Iterator[Ruler]:
    app, faults = MimirStandin(TOKEN), Faults()
    with serve(app, faults) as url:
        yield Ruler(url, app, faults)


def _group(name: str, expr: str = "up") -> dict:
    return {"name": name, "rules": [{"record": f"{name.replace('-', '_')}:up", "expr": expr}]}


def _build(tmp_path: Path, files: dict[str, list[dict]]) -> Path:
    rules = tmp_path / "build" / "prometheus" / "rules"
    if rules.exists():
        for old in rules.iterdir():
            old.unlink()
    rules.mkdir(parents=True, exist_ok=True)
    for name, groups in files.items():
        (rules / name).write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    return tmp_path / "build"


@pytest.fixture
def deploy(ruler: Ruler, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("MIMIR_TOKEN", TOKEN)

    def run(build: Path, *flags: str) -> Run:
        capsys.readouterr()
        argv = ["deploy", "mimir", "--url", ruler.url, "--tenant", "team-a", "--build", str(build)]
        status = main([*argv, "--timeout", "0.5", "--retries", "3", "--backoff", "0.01", *flags])
        captured = capsys.readouterr()
        return Run(status, captured.out, captured.err)

    return run


def _actions(run: Run) -> dict[str, str]:
    found = re.findall(
        r"^(create|update|unchanged|conflict|delete) +rule group +(\S+)  ", run.out, re.MULTILINE
    )
    return {name: action for action, name in found}


def test_each_rule_file_becomes_a_namespace_for_the_tenant(tmp_path: Path, ruler: Ruler, deploy) -> None:
    build = _build(
        tmp_path, {"api.yaml": [_group("api-sli"), _group("api-alerts")], "data.yaml": [_group("data")]}
    )
    run = deploy(build)
    assert run.status == 0, run.out + run.err
    assert ruler.groups() == {"aurum-obs-api": ["api-alerts", "api-sli"], "aurum-obs-data": ["data"]}
    assert ruler.groups("team-b") == {}
    assert deploy(build, "--detailed-exitcode").status == 0  # nothing left to change


def test_plan_states_and_prune_only_within_the_tools_namespaces(tmp_path: Path, ruler: Ruler, deploy) -> None:
    deploy(
        _build(tmp_path, {"api.yaml": [_group("api-sli"), _group("api-old")], "data.yaml": [_group("data")]})
    )
    ruler.app.tenants["team-a"]["team-x"] = {"theirs": _group("theirs")}
    build = _build(
        tmp_path,
        {"api.yaml": [_group("api-sli", "sum(up)"), _group("api-new")], "data.yaml": [_group("data")]},
    )
    plan = deploy(build, "--dry-run", "--prune", "--verbose")
    assert _actions(plan) == {
        "aurum-obs-api/api-new": "create",
        "aurum-obs-api/api-sli": "update",
        "aurum-obs-data/data": "unchanged",
        "aurum-obs-api/api-old": "delete",
    }
    assert "-  expr: up" in plan.out and "+  expr: sum(up)" in plan.out
    run = deploy(build, "--prune")
    assert run.status == 0, run.out + run.err
    assert ruler.groups() == {
        "aurum-obs-api": ["api-new", "api-sli"],
        "aurum-obs-data": ["data"],
        "team-x": ["theirs"],
    }


def test_without_prune_retired_groups_stay(tmp_path: Path, ruler: Ruler, deploy) -> None:
    deploy(_build(tmp_path, {"api.yaml": [_group("api-sli"), _group("api-old")]}))
    run = deploy(_build(tmp_path, {"api.yaml": [_group("api-sli")]}))
    assert run.status == 0 and "1 managed rule groups are no longer declared" in run.out
    assert ruler.groups() == {"aurum-obs-api": ["api-old", "api-sli"]}


def test_a_bad_rule_never_reaches_the_ruler(tmp_path: Path, ruler: Ruler, deploy) -> None:
    run = deploy(_build(tmp_path, {"api.yaml": [_group("api-sli", "sum(rate(up[5m])")]}))
    assert run.status == 1 and "promtool rejected the rules" in run.err
    assert ruler.faults.seen == []


def test_faults_are_retried_and_a_failure_is_named_then_converges(
    tmp_path: Path, ruler: Ruler, deploy
) -> None:
    build = _build(tmp_path, {"api.yaml": [_group("api-sli")], "data.yaml": [_group("data")]})
    ruler.faults.add("status", times=2, status=503, method="POST")
    ruler.faults.add("drop", method="GET")
    assert deploy(build).status == 0
    assert ruler.groups() == {"aurum-obs-api": ["api-sli"], "aurum-obs-data": ["data"]}

    ruler.app.tenants.clear()
    ruler.faults.clear()
    ruler.faults.add(
        "status", times=4, status=500, method="POST", path="/prometheus/config/v1/rules/aurum-obs-api"
    )
    run = deploy(build)
    assert run.status == 1
    assert (
        "create rule group aurum-obs-api/api-sli: POST /prometheus/config/v1/rules/aurum-obs-api: the ruler answered 500"
        in run.out
    )
    assert "Applied:\n  create rule group aurum-obs-data/data" in run.out
    assert TOKEN not in run.out + run.err
    ruler.faults.clear()
    assert deploy(build).status == 0
    assert ruler.groups() == {"aurum-obs-api": ["api-sli"], "aurum-obs-data": ["data"]}


@pytest.mark.parametrize("kind", ["truncate", "truncate-chunked"])
def test_answers_whose_body_breaks_off_are_retried_and_writes_read_back(
    tmp_path: Path, ruler: Ruler, deploy, kind: str
) -> None:
    build = _build(tmp_path, {"api.yaml": [_group("api-sli")], "data.yaml": [_group("data")]})
    ruler.faults.add(kind, times=2, method="GET")  # the listing read while planning
    ruler.faults.add(kind, times=4, method="POST", path="/prometheus/config/v1/rules/aurum-obs-api")
    run = deploy(build)
    assert run.status == 0, run.out + run.err
    assert ruler.faults.count("POST", "/prometheus/config/v1/rules/aurum-obs-api") == 4  # every attempt
    assert "Failed" not in run.out
    assert "create rule group aurum-obs-api/api-sli (done, though the ruler's answer was lost (" in run.out
    assert "(after 4 attempts)" in run.out
    assert ruler.groups() == {"aurum-obs-api": ["api-sli"], "aurum-obs-data": ["data"]}


def test_a_missing_tenant_or_token_is_explained(tmp_path: Path, ruler: Ruler, deploy, monkeypatch) -> None:
    build = _build(tmp_path, {"api.yaml": [_group("api-sli")]})
    monkeypatch.setenv("MIMIR_TOKEN", "wrong")
    run = deploy(build)
    assert (
        run.status == 1
        and "the ruler answered 401" in run.err
        and "check --tenant and MIMIR_TOKEN" in run.err
    )
