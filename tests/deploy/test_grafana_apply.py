"""Safe apply: hand edits (after the last deploy, or between plan and apply) are conflicts left untouched
unless --force; title collisions and provisioned dashboards are refused; pruning touches only managed
dashboards; folders come first; every save names the commit."""

from __future__ import annotations

from aurum.monitoring.deploy.dashboards import MANAGED_TAG, MARKER, load_grafana
from aurum.monitoring.deploy.grafana_client import GrafanaClient
from aurum.monitoring.deploy.grafana_deploy import apply_grafana, read_grafana
from aurum.monitoring.deploy.grafana_plan import plan_grafana
from aurum.monitoring.deploy.plan import Action
from aurum.monitoring.deploy.session import HttpClient, RetryPolicy

from .conftest import TOKEN, Build, Grafana, dashboard

FAST = RetryPolicy(retries=2, backoff=0.01, timeout=0.5)


def _plan_then(grafana: Grafana, build: Build, between, *, force: bool = False):
    """Plan, run ``between`` (what happens in Grafana meanwhile), then apply that plan."""
    declared = load_grafana(build.path)
    client = GrafanaClient(HttpClient(grafana.url, token=TOKEN, policy=FAST))
    plan = plan_grafana(declared, read_grafana(client, declared, prune=False, commit="c0ffee"), prune=False)
    between()
    return plan, apply_grafana(plan, declared, client, commit="c0ffee", force=force)


def test_a_hand_edit_since_the_last_deploy_is_left_untouched(grafana: Grafana, build: Build, deploy) -> None:
    build.write(("aurum-slos", dashboard("api", "API", expr="up")))
    assert deploy().status == 0
    grafana.store.edit("api", title="API (tuned by hand)")
    build.write(("aurum-slos", dashboard("api", "API", expr="sum(up)")))
    run = deploy()
    assert run.status == 1
    assert "conflict dashboard api (API): left untouched: changed in Grafana since the last deploy" in run.out
    stored = grafana.store.dashboards["api"]
    assert (stored.version, stored.title) == (2, "API (tuned by hand)")


def test_force_overwrites_a_hand_edit(grafana: Grafana, build: Build, deploy) -> None:
    build.write(("aurum-slos", dashboard("api", "API")))
    deploy()
    grafana.store.edit("api", title="API (tuned by hand)")
    assert deploy("--force").status == 0
    stored = grafana.store.dashboards["api"]
    assert (stored.version, stored.title) == (3, "API")
    assert deploy("--detailed-exitcode").status == 0  # and the fingerprint is current again


def test_a_ui_save_that_drops_the_marker_is_a_hand_edit(grafana: Grafana, build: Build, deploy) -> None:
    build.write(("aurum-slos", dashboard("api", "API")))
    deploy()
    stored = grafana.store.dashboards["api"]
    grafana.store.save({k: v for k, v in stored.model.items() if k != MARKER}, "aurum-slos", False, "UI save")
    plan = deploy("--dry-run", "--json").json()["plan"]
    assert [i["action"] for i in plan["items"] if i["kind"] == "dashboard"] == ["conflict"]


def test_an_edit_between_plan_and_apply_is_refused_by_the_version_check(
    grafana: Grafana, build: Build, deploy
) -> None:
    build.write(("aurum-slos", dashboard("api", "API", expr="up")))
    deploy()
    build.write(("aurum-slos", dashboard("api", "API", expr="sum(up)")))
    plan, outcomes = _plan_then(grafana, build, lambda: grafana.store.edit("api", title="Edited meanwhile"))
    assert [i.action for i in plan.items if i.kind == "dashboard"] == [Action.UPDATE]
    [outcome] = outcomes
    assert not outcome.ok
    assert "changed in Grafana since it was read (version 1, now version 2)" in outcome.detail
    assert grafana.store.dashboards["api"].title == "Edited meanwhile"


def test_force_overwrites_an_edit_between_plan_and_apply(grafana: Grafana, build: Build, deploy) -> None:
    build.write(("aurum-slos", dashboard("api", "API", expr="up")))
    deploy()
    build.write(("aurum-slos", dashboard("api", "API", expr="sum(up)")))
    _, [outcome] = _plan_then(grafana, build, lambda: grafana.store.edit("api", title="Edited"), force=True)
    assert outcome.ok and "--force" in outcome.detail
    stored = grafana.store.dashboards["api"]
    assert stored.title == "API" and stored.model["panels"][0]["targets"][0]["expr"] == "sum(up)"


def test_a_title_collision_is_refused_even_with_force(grafana: Grafana, build: Build, deploy) -> None:
    """Grafana's overwrite would replace the other dashboard; the deploy never lets it get that far."""
    grafana.store.create_folder("aurum-slos", "Aurum SLOs")
    theirs = grafana.store.seed(dashboard("team-latency", "Latency", expr="theirs"), "aurum-slos")
    build.write(("aurum-slos", dashboard("aurum-latency", "Latency")))
    for flags in [(), ("--force",)]:
        run = deploy(*flags)
        assert run.status == 1
        assert (
            "title collision: dashboard team-latency in folder aurum-slos is already titled 'Latency'"
            in run.out
        )
    assert set(grafana.store.dashboards) == {"team-latency"}
    assert grafana.store.dashboards["team-latency"].model == theirs.model
    assert grafana.posts() == 0


def test_a_collision_appearing_after_the_plan_is_refused_by_grafana(grafana: Grafana, build: Build) -> None:
    build.write(("aurum-slos", dashboard("aurum-latency", "Latency")))
    grafana.store.create_folder("aurum-slos", "Aurum SLOs")

    def someone_creates_it() -> None:
        grafana.store.seed(dashboard("team-latency", "Latency", expr="theirs"), "aurum-slos")

    _, outcomes = _plan_then(grafana, build, someone_creates_it, force=True)
    [failed] = [o for o in outcomes if not o.ok]
    assert "title collision in folder aurum-slos" in failed.detail
    assert set(grafana.store.dashboards) == {"team-latency"}


def test_a_provisioned_dashboard_is_refused_even_with_force(grafana: Grafana, build: Build, deploy) -> None:
    grafana.store.create_folder("aurum-slos", "Aurum SLOs")
    grafana.store.seed(dashboard("api", "API", expr="from files"), "aurum-slos", provisioned=True)
    build.write(("aurum-slos", dashboard("api", "API")))
    run = deploy("--force")
    assert run.status == 1 and "provisioned from files in Grafana" in run.out
    assert grafana.store.dashboards["api"].version == 1 and grafana.posts() == 0


def test_a_dashboard_not_deployed_by_this_tool_needs_force(grafana: Grafana, build: Build, deploy) -> None:
    grafana.store.create_folder("aurum-slos", "Aurum SLOs")
    grafana.store.seed(dashboard("api", "API", expr="made by hand"), "aurum-slos")
    build.write(("aurum-slos", dashboard("api", "API")))
    run = deploy()
    assert run.status == 1 and "exists in Grafana but was not deployed by aurum-obs" in run.out
    assert MANAGED_TAG not in grafana.store.dashboards["api"].model["tags"]
    assert deploy("--force").status == 0
    assert MANAGED_TAG in grafana.store.dashboards["api"].model["tags"]


def test_prune_deletes_only_managed_dashboards(grafana: Grafana, build: Build, deploy) -> None:
    build.write(("aurum-slos", dashboard("keep", "Keep")), ("aurum-ops", dashboard("retire", "Retire")))
    assert deploy().status == 0
    grafana.store.seed(dashboard("by-hand", "By hand", tags=("aurum", "aurum-obs")), "aurum-ops")
    grafana.store.seed(dashboard("general", "In General"))
    grafana.store.seed(dashboard("from-files", "From files"), "aurum-ops", provisioned=True)
    build.write(("aurum-slos", dashboard("keep", "Keep")))
    run = deploy("--prune")
    assert run.status == 0, run.out + run.err
    assert "delete dashboard retire (Retire)" in run.out
    assert set(grafana.store.dashboards) == {"keep", "by-hand", "general", "from-files"}


def test_prune_keeps_a_retired_dashboard_edited_by_hand(grafana: Grafana, build: Build, deploy) -> None:
    build.write(("aurum-slos", dashboard("keep", "Keep")), ("aurum-ops", dashboard("retire", "Retire")))
    deploy()
    grafana.store.edit("retire", title="Someone still uses this")
    build.write(("aurum-slos", dashboard("keep", "Keep")))
    assert deploy("--prune").status == 1
    assert "retire" in grafana.store.dashboards
    assert deploy("--prune", "--force").status == 0
    assert "retire" not in grafana.store.dashboards


def test_prune_with_nothing_declared_deletes_nothing(grafana: Grafana, build: Build, deploy) -> None:
    build.write(("aurum-slos", dashboard("one", "One")), ("aurum-ops", dashboard("two", "Two")))
    deploy()
    build.write()  # folders.json but no dashboard: a dashboard build that produced nothing
    run = deploy("--prune")
    assert run.status == 1 and "nothing is declared at all" in run.out
    assert set(grafana.store.dashboards) == {"one", "two"}


def test_folders_first_then_dashboards_and_each_save_names_the_commit(
    grafana: Grafana, build: Build, deploy
) -> None:
    build.write(("aurum-slos", dashboard("one", "One")), ("aurum-ops", dashboard("two", "Two")))
    assert deploy().status == 0
    writes = [(s.method, s.path) for s in grafana.faults.seen if s.method != "GET"]
    assert writes == [("POST", "/api/folders")] * 2 + [("POST", "/api/dashboards/db")] * 2
    assert {
        uid: grafana.store.folders[d.folder_uid].title for uid, d in grafana.store.dashboards.items()
    } == {
        "one": "Aurum SLOs",
        "two": "Aurum operations",
    }
    for stored in grafana.store.dashboards.values():
        assert stored.history == [(1, "aurum-obs deploy of commit 0123456789ab")]
        assert stored.model[MARKER]["commit"] == "0123456789ab"


def test_a_renamed_folder_and_a_moved_dashboard(grafana: Grafana, build: Build, deploy) -> None:
    build.write(("aurum-slos", dashboard("one", "One")))
    deploy()
    build.write(("aurum-ops", dashboard("one", "One")), folders={"aurum-slos": "SLOs", "aurum-ops": "Ops"})
    run = deploy()
    assert run.status == 0, run.out
    assert "moves from folder aurum-slos" in run.out
    assert grafana.store.folders["aurum-slos"].title == "SLOs"
    assert grafana.store.dashboards["one"].folder_uid == "aurum-ops"


def test_a_folder_title_taken_by_another_uid_is_a_conflict(grafana: Grafana, build: Build, deploy) -> None:
    grafana.store.create_folder("made-by-hand", "Aurum SLOs")
    build.write(("aurum-slos", dashboard("one", "One")), ("aurum-ops", dashboard("two", "Two")))
    run = deploy("--force")
    assert run.status == 1
    assert (
        "folder made-by-hand already has this title: give it uid aurum-slos, or change the title" in run.out
    )
    assert "create dashboard one (One): folder aurum-slos could not be created or updated" in run.out
    assert set(grafana.store.folders) == {"made-by-hand", "aurum-ops"}
    assert set(grafana.store.dashboards) == {"two"}
