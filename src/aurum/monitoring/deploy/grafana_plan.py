"""The Grafana plan: declared folders and dashboards against what Grafana holds. Pure.

The order of the checks for a dashboard that exists is the order of what must never happen:
overwriting a provisioned dashboard, taking over another dashboard through a title collision, taking
over another owner's dashboard (another repository deploys it: ``--force`` never overrides that),
taking over a dashboard this tool did not create, overwriting a hand edit; only then content is
compared. Pruning only ever considers the owner's own dashboards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aurum.contract.project import DEFAULT_OWNER
from aurum.monitoring.deploy.dashboards import (
    DeclaredDashboard,
    DeclaredGrafana,
    content,
    deployable,
    diff_lines,
    drifted,
    is_managed,
    marker,
    owner_of,
    tagged_owner,
)
from aurum.monitoring.deploy.grafana_client import RemoteDashboard, RemoteFolder, SearchHit
from aurum.monitoring.deploy.plan import Action, ItemKind, Plan, PlanItem
from aurum.monitoring.diff.panels import dashboard_details

__all__ = ["GrafanaState", "plan_grafana"]

JSON = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class GrafanaState:
    """What was read from Grafana for one plan."""

    folders: Mapping[str, RemoteFolder | None]
    dashboards: Mapping[str, RemoteDashboard | None]
    """Each declared uid, and each managed dashboard that is no longer declared."""
    in_folders: Sequence[SearchHit] = ()
    """Every dashboard in the declared folders, to find title collisions."""
    managed: Sequence[SearchHit] = ()
    """Every dashboard carrying the owner's tag (and, for the default owner, the untagged managed ones)."""
    all_folders: Sequence[RemoteFolder] = ()
    """Every folder, to find a folder title already taken by another uid."""
    commit: str = ""
    owner: str = DEFAULT_OWNER
    """The owner id of the repository deploying."""


def _folder_item(uid: str, title: str, state: GrafanaState) -> PlanItem:
    remote = state.folders.get(uid)
    if remote is None:
        taken = next(
            (f for f in state.all_folders if f.uid != uid and f.title.casefold() == title.casefold()), None
        )
        if taken is not None:
            # Grafana refuses a second folder of that title (409); adopting the other one is for a person to decide.
            reason = f"folder {taken.uid} already has this title: give it uid {uid}, or change the title"
            return PlanItem(ItemKind.FOLDER, uid, Action.CONFLICT, title, reason=reason)
        return PlanItem(ItemKind.FOLDER, uid, Action.CREATE, title)
    others = sorted(
        {
            owner
            for hit in state.in_folders
            if hit.folder_uid == uid and (owner := tagged_owner(hit.tags)) not in {None, state.owner}
        }
    )
    if remote.title != title and others:
        # A folder has no owner of its own; whose dashboards it holds says whose it is.
        reason = (
            f"titled {remote.title!r} and holds dashboards of {', '.join(map(str, others))}: "
            "another repository names this folder; use your own folder-uid-prefix"
        )
        return PlanItem(ItemKind.FOLDER, uid, Action.CONFLICT, title, reason=reason, forceable=False)
    if remote.title != title:
        reason = f"renamed from {remote.title!r}"
        return PlanItem(ItemKind.FOLDER, uid, Action.UPDATE, title, reason=reason, version=remote.version)
    return PlanItem(ItemKind.FOLDER, uid, Action.UNCHANGED, title)


def _collision(wanted: DeclaredDashboard, hits: Sequence[SearchHit]) -> SearchHit | None:
    """Another dashboard with the same title in the target folder.

    Compared without case: some Grafana databases (MySQL) compare titles that way, and refusing a
    little more is better than Grafana's ``overwrite`` replacing someone else's dashboard.
    """
    title = wanted.title.strip().casefold()
    return next(
        (
            h
            for h in hits
            if h.folder_uid == wanted.folder_uid
            and h.uid != wanted.uid
            and h.title.strip().casefold() == title
        ),
        None,
    )


def _deployed_from(remote: RemoteDashboard) -> str:
    found = marker(remote.model)
    commit = found.get("commit") if found else None
    return f", last deployed from commit {commit}" if commit else ""


def _dashboard_item(  # noqa: PLR0911 - one return per verdict, in the order they are checked
    wanted: DeclaredDashboard, remote: RemoteDashboard | None, state: GrafanaState
) -> PlanItem:
    item = PlanItem(ItemKind.DASHBOARD, wanted.uid, Action.CREATE, wanted.title, wanted.folder_uid)

    def conflict(
        reason: str, *, forceable: bool, diff: tuple[str, ...] = (), changes: tuple[str, ...] = ()
    ) -> PlanItem:
        version = remote.version if remote else None
        return PlanItem(
            item.kind,
            item.name,
            Action.CONFLICT,
            item.title,
            item.where,
            reason,
            diff,
            forceable,
            version,
            changes,
        )

    collision = _collision(wanted, state.in_folders)
    if collision is not None:
        return conflict(
            f"title collision: dashboard {collision.uid} in folder {wanted.folder_uid} is already titled "
            f"{collision.title!r}; rename one of them",
            forceable=False,
        )
    if remote is None:
        return item
    desired = deployable(wanted.model, state.commit)
    diff = diff_lines(remote.model, desired, f"grafana/{wanted.uid} (version {remote.version})", wanted.path)
    changes = _changes(remote.model, desired)
    if remote.provisioned:
        return conflict(
            "provisioned from files in Grafana: change it where it is provisioned", forceable=False
        )
    owner = owner_of(remote.model)
    if owner is not None and owner != state.owner:
        return conflict(
            f"owned by {owner!r}: another repository deploys this uid; give yours another uid "
            "(the project's dashboard-uid-prefix)",
            forceable=False,
        )
    if not is_managed(remote.model):
        return conflict(
            "exists in Grafana but was not deployed by aurum-obs", forceable=True, diff=diff, changes=changes
        )
    if drifted(remote.model):
        reason = (
            f"changed in Grafana since the last deploy (now version {remote.version}{_deployed_from(remote)})"
        )
        return conflict(reason, forceable=True, diff=diff, changes=changes)
    moved = remote.folder_uid != wanted.folder_uid
    if content(remote.model) == content(desired) and not moved:
        return PlanItem(
            item.kind, item.name, Action.UNCHANGED, item.title, item.where, version=remote.version
        )
    reason = f"moves from folder {remote.folder_uid or 'General'}" if moved else ""
    return PlanItem(
        item.kind,
        item.name,
        Action.UPDATE,
        item.title,
        item.where,
        reason,
        diff,
        version=remote.version,
        changes=changes,
    )


def _changes(remote: JSON, desired: JSON) -> tuple[str, ...]:
    """What Grafana's copy would become, panel by panel (the same diff a pull request shows)."""
    return tuple(detail.text() for detail in dashboard_details(content(remote), content(desired)))


def _prune_item(hit: SearchHit, remote: RemoteDashboard, nothing_declared: bool) -> PlanItem:
    item = PlanItem(
        ItemKind.DASHBOARD, hit.uid, Action.DELETE, remote.title, remote.folder_uid, version=remote.version
    )

    def conflict(reason: str, *, forceable: bool) -> PlanItem:
        return PlanItem(
            item.kind, item.name, Action.CONFLICT, item.title, item.where, reason, (), forceable, item.version
        )

    if remote.provisioned:
        return conflict("no longer declared, but provisioned from files in Grafana", forceable=False)
    if drifted(remote.model):
        return conflict(
            "no longer declared, but changed in Grafana since the last deploy; deleting would lose that",
            forceable=True,
        )
    if nothing_declared:
        # An empty build output (a failed or skipped dashboard build) must not wipe Grafana.
        return conflict(
            "nothing is declared at all: refusing to delete every managed dashboard", forceable=True
        )
    return PlanItem(
        item.kind,
        item.name,
        Action.DELETE,
        item.title,
        item.where,
        "no longer declared",
        version=item.version,
    )


def plan_grafana(declared: DeclaredGrafana, state: GrafanaState, *, prune: bool) -> Plan:
    items = [_folder_item(uid, title, state) for uid, title in sorted(declared.folders.items())]
    items += [_dashboard_item(d, state.dashboards.get(d.uid), state) for d in declared.dashboards]
    uids = {d.uid for d in declared.dashboards}
    orphans = [hit for hit in state.managed if hit.uid not in uids and tagged_owner(hit.tags) == state.owner]
    notes: tuple[str, ...] = ()
    if prune:
        for hit in orphans:
            remote = state.dashboards.get(hit.uid)
            # Read again for the plan: the owner recorded in the dashboard itself must be ours too.
            if remote is not None and owner_of(remote.model) == state.owner:
                items.append(_prune_item(hit, remote, not declared.dashboards))
    elif orphans:
        names = ", ".join(hit.uid for hit in orphans)
        notes = (
            f"{len(orphans)} managed dashboards are no longer declared ({names}); --prune deletes them.",
        )
    return Plan("Grafana", tuple(items), notes)
