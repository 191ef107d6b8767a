"""The Grafana plan: every state shown in the table and in --json, the dry run changes nothing, and the
detailed exit codes."""

from __future__ import annotations

import re

from .conftest import Build, Grafana, Run, dashboard


def _rows(run: Run) -> dict[str, tuple[str, str]]:
    """``name -> (action, kind)`` from the plan table."""
    rows = {}
    for line in run.out.splitlines():
        match = re.match(r"^(create|update|unchanged|conflict|delete)\s+(folder|dashboard)\s+(\S+)", line)
        if match:
            rows[match.group(3)] = (match.group(1), match.group(2))
    return rows


def _deploy_all_states(grafana: Grafana, build: Build, deploy) -> None:
    """Deploy four dashboards, then edit one by hand and declare a different set."""
    build.write(
        ("aurum-slos", dashboard("changed", "Changed", expr="up")),
        ("aurum-slos", dashboard("same", "Same")),
        ("aurum-slos", dashboard("edited", "Edited")),
        ("aurum-ops", dashboard("retired", "Retired")),
    )
    assert deploy().status == 0
    grafana.store.edit("edited", title="Edited by hand")
    build.write(
        ("aurum-slos", dashboard("changed", "Changed", expr="sum(up)")),
        ("aurum-slos", dashboard("same", "Same")),
        ("aurum-slos", dashboard("edited", "Edited")),
        ("aurum-ops", dashboard("fresh", "Fresh")),
        folders={"aurum-slos": "Aurum SLOs", "aurum-ops": "Aurum operations", "aurum-new": "New folder"},
    )


def test_plan_table_shows_every_state(grafana: Grafana, build: Build, deploy) -> None:
    _deploy_all_states(grafana, build, deploy)
    run = deploy("--dry-run", "--prune", "--verbose")
    assert _rows(run) == {
        "aurum-new": ("create", "folder"),
        "aurum-ops": ("unchanged", "folder"),
        "aurum-slos": ("unchanged", "folder"),
        "fresh": ("create", "dashboard"),
        "changed": ("update", "dashboard"),
        "same": ("unchanged", "dashboard"),
        "edited": ("conflict", "dashboard"),
        "retired": ("delete", "dashboard"),
    }
    assert (
        "changed in Grafana since the last deploy (now version 2, last deployed from commit 0123456789ab)"
        in run.out
    )
    # what changes, panel by panel as in a pull request: the update's query, what was edited by hand
    assert "update dashboard changed (Changed):\n  panel 'Requests' query A: up → sum(up)\n" in run.out
    assert 'conflict dashboard edited (Edited):\n  title: "Edited by hand" → "Edited"\n' in run.out
    assert "Plan: 2 to create, 1 to update, 1 to delete, 3 unchanged, 1 in conflict." in run.out


def test_unchanged_objects_are_counted_but_listed_only_with_verbose(
    grafana: Grafana, build: Build, deploy
) -> None:
    _deploy_all_states(grafana, build, deploy)
    run = deploy("--dry-run", "--prune")
    assert {name for name, (action, _) in _rows(run).items() if action == "unchanged"} == set()
    assert set(_rows(run)) == {"aurum-new", "fresh", "changed", "edited", "retired"}
    assert "Plan: 2 to create, 1 to update, 1 to delete, 3 unchanged, 1 in conflict." in run.out
    assert "3 unchanged not listed (--verbose lists them)." in run.out


def test_the_raw_json_diff_stays_in_json(grafana: Grafana, build: Build, deploy) -> None:
    _deploy_all_states(grafana, build, deploy)
    plan = deploy("--dry-run", "--json").json()["plan"]
    changed = next(item for item in plan["items"] if item["name"] == "changed")
    assert changed["changes"] == ["panel 'Requests' query A: up → sum(up)"]
    assert '+          "expr": "sum(up)",' in changed["diff"]


def test_plan_json_has_the_same_states_and_the_diff(grafana: Grafana, build: Build, deploy) -> None:
    _deploy_all_states(grafana, build, deploy)
    plan = deploy("--dry-run", "--prune", "--json").json()["plan"]
    actions = {item["name"]: item["action"] for item in plan["items"]}
    assert actions == {
        "aurum-new": "create",
        "aurum-ops": "unchanged",
        "aurum-slos": "unchanged",
        "fresh": "create",
        "changed": "update",
        "same": "unchanged",
        "edited": "conflict",
        "retired": "delete",
    }
    assert plan["summary"] == {"create": 2, "update": 1, "unchanged": 3, "conflict": 1, "delete": 1}
    edited = next(item for item in plan["items"] if item["name"] == "edited")
    assert edited["forceable"] and any("Edited by hand" in line for line in edited["diff"])


def test_dry_run_changes_nothing(grafana: Grafana, build: Build, deploy) -> None:
    _deploy_all_states(grafana, build, deploy)
    before = {uid: (d.version, d.folder_uid) for uid, d in grafana.store.dashboards.items()}
    grafana.faults.clear()
    assert deploy("--dry-run", "--prune", "--force").status == 0
    assert {uid: (d.version, d.folder_uid) for uid, d in grafana.store.dashboards.items()} == before
    assert "aurum-new" not in grafana.store.folders
    assert {seen.method for seen in grafana.faults.seen} == {"GET"}


def test_without_prune_undeclared_dashboards_are_only_mentioned(
    grafana: Grafana, build: Build, deploy
) -> None:
    _deploy_all_states(grafana, build, deploy)
    run = deploy("--dry-run")
    assert "retired" not in _rows(run)
    assert "1 managed dashboards are no longer declared (retired); --prune deletes them." in run.out


def test_detailed_exit_codes(grafana: Grafana, build: Build, deploy) -> None:
    build.write(("aurum-slos", dashboard("one", "One")))
    assert deploy("--dry-run", "--detailed-exitcode").status == 2  # changes planned
    assert deploy("--detailed-exitcode").status == 2  # changes applied
    assert deploy("--dry-run", "--detailed-exitcode").status == 0  # nothing left to do
    assert deploy("--detailed-exitcode").status == 0
    grafana.store.edit("one", title="One, edited")
    assert deploy("--dry-run", "--detailed-exitcode").status == 1  # a conflict is an error


def test_unchanged_dashboards_are_not_saved_again(grafana: Grafana, build: Build, deploy) -> None:
    """Grafana's version history stays clean: a second deploy of the same content posts nothing."""
    build.write(("aurum-slos", dashboard("one", "One")), ("aurum-ops", dashboard("two", "Two")))
    assert deploy().status == 0
    posts = grafana.posts()
    run = deploy()
    assert run.status == 0 and grafana.posts() == posts
    assert [d.version for d in grafana.store.dashboards.values()] == [1, 1]


def test_a_dashboard_without_tags_is_unchanged_on_the_next_deploy(
    grafana: Grafana, build: Build, deploy
) -> None:
    """The managed tag gives it ``tags`` in Grafana; that must be neither a change nor drift."""
    model = dashboard("bare", "Bare")
    del model["tags"]
    build.write(("aurum-slos", model))
    assert deploy().status == 0
    assert deploy("--dry-run", "--detailed-exitcode").status == 0
