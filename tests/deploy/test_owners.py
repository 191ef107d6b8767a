"""Two repositories with different owners deploy to one Grafana (the stand-in), one real Prometheus's
rules directory and one ruler (the Mimir stand-in), in both orders and with ``--prune``: neither
changes or deletes anything of the other, each converges, and an object of another owner under the
same name is a conflict that ``--force`` does not override."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aurum.monitoring.cli import main
from aurum.monitoring.deploy.standins import Faults, GrafanaStandin, MimirStandin, serve
from tests.team_repos import PAYMENTS_PROJECT, ROGUE_PROJECT, SEARCH_PROJECT, team_repo

from .conftest import TOKEN, Run
from .test_prometheus_deploy import Prometheus, prometheus  # noqa: F401 - the real Prometheus fixture

pytestmark = pytest.mark.slow

MIMIR_TOKEN = "mimir-secret-token-value"
TENANT = "shared"


@dataclass
class Targets:
    grafana_url: str
    grafana: GrafanaStandin
    ruler_url: str
    ruler: MimirStandin
    prometheus: Prometheus

    def state(self) -> dict[str, Any]:
        """Everything every target holds: dashboards (version and model), folders, files, groups."""
        store = self.grafana.store
        return {
            "dashboards": {
                uid: (stored.version, json.dumps(stored.model, sort_keys=True))
                for uid, stored in store.dashboards.items()
            },
            "folders": {uid: folder.title for uid, folder in store.folders.items()},
            "files": {p.name: p.read_bytes() for p in sorted(self.prometheus.rules_dir.glob("*.yaml"))},
            "groups": json.dumps(self.ruler.tenants.get(TENANT, {}), sort_keys=True),
        }

    def owned_by(self, state: dict[str, Any], prefix: str) -> dict[str, Any]:
        """The part of ``state`` whose names start with one team's prefix."""
        groups = json.loads(state["groups"])
        return {
            "dashboards": {u: d for u, d in state["dashboards"].items() if u.startswith(prefix)},
            "folders": {u: t for u, t in state["folders"].items() if u.startswith(prefix)},
            "files": {n: b for n, b in state["files"].items() if n.startswith(prefix)},
            "groups": {n: g for n, g in groups.items() if n.startswith(prefix)},
        }


@pytest.fixture
def targets(prometheus: Prometheus) -> Any:  # noqa: F811 - the fixture imported above
    grafana, ruler = GrafanaStandin(TOKEN), MimirStandin(MIMIR_TOKEN)
    with serve(grafana, Faults()) as grafana_url, serve(ruler, Faults()) as ruler_url:
        yield Targets(grafana_url, grafana, ruler_url, ruler, prometheus)


@pytest.fixture
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The payments and the search team's repositories, built once for the module."""
    built = {}
    for name, project, slo in (
        ("payments", PAYMENTS_PROJECT, "checkout-availability"),
        ("search", SEARCH_PROJECT, "query-availability"),
        ("rogue", ROGUE_PROJECT, "checkout-availability"),
    ):
        dashboard = {
            "payments": ("pay-overview", "Payments", "pay-team", "Payments Team"),
            "search": ("search-overview", "Search", "search-team", "Search Team"),
            "rogue": ("pay-overview", "Rogue", "pay-team", "Rogue Team"),
        }[name]
        root = team_repo(tmp_path_factory.mktemp(name) / name, project, slo=slo, dashboard=dashboard)
        assert main(["build", "--root", str(root), "--jobs", "1"]) == 0
        built[name] = root
    return built


Deploy = Callable[..., Run]


@pytest.fixture
def deploy(targets: Targets, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Deploy:
    """``deploy(repo, target, *flags)``: ``aurum-obs deploy`` of one repository's build to one target."""
    monkeypatch.setenv("GRAFANA_TOKEN", TOKEN)
    monkeypatch.setenv("MIMIR_TOKEN", MIMIR_TOKEN)

    def run(repo: Path, target: str, *flags: str) -> Run:
        where = {
            "grafana": ["--url", targets.grafana_url],
            "prometheus": ["--url", targets.prometheus.url, "--rules-dir", str(targets.prometheus.rules_dir)],
            "mimir": ["--url", targets.ruler_url, "--tenant", TENANT],
        }[target]
        capsys.readouterr()
        argv = ["deploy", target, *where, "--root", str(repo), "--build", str(repo / "build")]
        status = main([*argv, "--timeout", "5", "--retries", "1", "--backoff", "0.01", *flags])
        captured = capsys.readouterr()
        return Run(status, captured.out, captured.err)

    return run


TARGETS = ("grafana", "prometheus", "mimir")


def _prefix(name: str) -> str:
    return "pay-" if name == "payments" else "search-"


def _owned(targets: Targets, state: dict[str, Any], name: str) -> dict[str, Any]:
    owned = targets.owned_by(state, _prefix(name))
    # Rule files and ruler namespaces carry the team's other prefixes.
    files = "payments." if name == "payments" else "search."
    namespaces = "payments-" if name == "payments" else "search-"
    owned["files"] = {n: b for n, b in state["files"].items() if n.startswith(files)}
    owned["groups"] = {n: g for n, g in json.loads(state["groups"]).items() if n.startswith(namespaces)}
    return owned


@pytest.mark.parametrize("order", [("payments", "search"), ("search", "payments")])
def test_two_owners_share_every_target_without_touching_each_other(
    order: tuple[str, str], repos: dict[str, Path], targets: Targets, deploy: Deploy
) -> None:
    first, second = order
    for target in TARGETS:
        run = deploy(repos[first], target, "--prune")
        assert run.status == 0, run.out + run.err
    after_first = targets.state()
    mine = _owned(targets, after_first, first)
    assert all(mine.values()), f"{first} deployed something to every target: {mine}"

    for target in TARGETS:
        run = deploy(repos[second], target, "--prune", "--verbose")
        assert run.status == 0, run.out + run.err
        assert not re.search(r"^delete ", run.out, re.MULTILINE), run.out  # the plan deletes nothing
    after_second = targets.state()
    assert _owned(targets, after_second, first) == mine, f"{second} changed what {first} deployed"
    theirs = _owned(targets, after_second, second)
    assert all(theirs.values())

    for name in order:  # each converges: a second apply, with --prune, changes nothing
        for target in TARGETS:
            run = deploy(repos[name], target, "--prune", "--detailed-exitcode")
            assert run.status == 0, f"{name} {target} is not a no-op:\n{run.out}{run.err}"
    assert targets.state() == after_second


def test_another_owners_names_are_conflicts_force_does_not_override(
    repos: dict[str, Path], targets: Targets, deploy: Deploy
) -> None:
    for target in ("grafana", "prometheus"):
        assert deploy(repos["payments"], target, "--prune").status == 0
    before = targets.state()
    for target in ("grafana", "prometheus"):
        run = deploy(repos["rogue"], target, "--prune", "--force")
        assert run.status == 1, run.out + run.err
        assert "another repository" in run.out, run.out
    assert targets.state() == before
    plan = deploy(repos["rogue"], "grafana", "--dry-run", "--force")
    assert "owned by 'team-payments': another repository deploys this uid" in plan.out
    assert "holds dashboards of team-payments" in plan.out
    files = deploy(repos["rogue"], "prometheus", "--dry-run", "--force")
    assert "written for 'team-payments': another repository deploys this file" in files.out
