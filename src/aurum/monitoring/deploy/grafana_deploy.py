"""Reading Grafana's state for a plan, and applying a plan: folders first, then dashboards, then deletes.

Every save is conditional on the version read while planning (``overwrite`` is never sent), so a
dashboard edited between plan and apply is refused by Grafana itself (412 ``version-mismatch``) and
left as it is. A 412 can also mean that an earlier attempt of the same save landed and only its answer
was lost; the dashboard is read again, and if it holds exactly what was being saved, that is a success.
The same read-back decides a write whose every attempt lost its answer (dropped, or its body broken
off): a save or folder that did land is reported applied, never "failed (left as they were)".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aurum.contract.project import DEFAULT_OWNER
from aurum.monitoring.deploy.dashboards import (
    MANAGED_TAG,
    MARKER,
    DeclaredGrafana,
    content,
    deployable,
    marker,
    owner_of,
    owner_tag,
)
from aurum.monitoring.deploy.grafana_client import GrafanaClient, RemoteDashboard, SaveRejectedError
from aurum.monitoring.deploy.grafana_plan import GrafanaState
from aurum.monitoring.deploy.plan import Action, ItemKind, Outcome, Plan, PlanItem
from aurum.monitoring.deploy.report import Progress
from aurum.monitoring.deploy.session import DeployError

__all__ = ["apply_grafana", "read_grafana"]


def read_grafana(
    client: GrafanaClient,
    declared: DeclaredGrafana,
    *,
    prune: bool,
    commit: str,
    owner: str = DEFAULT_OWNER,
) -> GrafanaState:
    folders = {uid: client.folder(uid) for uid in sorted(declared.folders)}
    dashboards: dict[str, RemoteDashboard | None] = {
        d.uid: client.dashboard(d.uid) for d in declared.dashboards
    }
    existing = sorted(uid for uid, folder in folders.items() if folder is not None)
    in_folders = client.search(folder_uids=existing) if existing else []
    # The owner's dashboards; for the default owner also those deployed before owners were tagged.
    managed = client.search(tag=MANAGED_TAG if owner == DEFAULT_OWNER else owner_tag(owner))
    all_folders = client.folders() if None in folders.values() else []
    if prune:
        for hit in managed:
            if hit.uid not in dashboards:
                dashboards[hit.uid] = client.dashboard(hit.uid)
    return GrafanaState(folders, dashboards, in_folders, managed, all_folders, commit, owner)


def _is(remote: RemoteDashboard | None, wanted: dict[str, Any], folder_uid: str) -> bool:
    """Whether Grafana holds exactly ``wanted`` (marker included) in ``folder_uid``."""
    if remote is None or remote.folder_uid != folder_uid:
        return False
    found = marker(remote.model)
    return content(remote.model) == content(wanted) and found is not None and found == wanted[MARKER]


def _folder_is(client: GrafanaClient, uid: str, title: str) -> bool:
    found = client.folder(uid)
    return found is not None and found.title == title


class _Applier:
    def __init__(
        self, client: GrafanaClient, declared: DeclaredGrafana, commit: str, force: bool, owner: str
    ) -> None:
        self.client, self.force, self.commit, self.owner = client, force, commit, owner
        self.models = {d.uid: d for d in declared.dashboards}
        self.failed_folders: set[str] = set()
        self.message = f"aurum-obs deploy of commit {commit}"

    def folder(self, item: PlanItem) -> Outcome:
        try:
            if item.action is Action.CREATE:
                return Outcome(item, True, self.client.create_folder(item.name, item.title))
            self.client.update_folder(item.name, item.title, item.version)
            return Outcome(item, True)
        except DeployError as error:
            if self._landed(lambda: _folder_is(self.client, item.name, item.title)):
                return Outcome(item, True, f"done, though Grafana's answer was lost ({error})")
            self.failed_folders.add(item.name)
            return Outcome(item, False, str(error))

    def _landed(self, check: Callable[[], bool]) -> bool:
        """After a write whose answer never came whole: read back whether it was done anyway."""
        try:
            return check()
        except DeployError:  # Grafana is not answering reads either: the write stays reported as failed
            return False

    def dashboard(self, item: PlanItem) -> Outcome:
        if item.where in self.failed_folders:
            return Outcome(item, False, f"folder {item.where} could not be created or updated")
        wanted = deployable(self.models[item.name].model, self.commit, self.owner)
        try:
            return self._save(item, wanted)
        except DeployError as error:
            if self._landed(lambda: _is(self.client.dashboard(item.name), wanted, item.where)):
                return Outcome(item, True, f"saved, though Grafana's answer was lost ({error})")
            return Outcome(item, False, str(error))

    def _save(self, item: PlanItem, wanted: dict[str, Any]) -> Outcome:
        try:
            self.client.save({**wanted, "version": item.version or 0}, item.where, self.message)
            return Outcome(item, True)
        except SaveRejectedError as rejected:
            if rejected.code == "name-exists":
                return Outcome(item, False, f"title collision in folder {item.where} (Grafana: {rejected})")
            if rejected.code != "version-mismatch":
                return Outcome(item, False, f"refused by Grafana: {rejected}")
        current = self.client.dashboard(item.name)
        if _is(current, wanted, item.where):
            return Outcome(item, True, "an earlier attempt had already saved it")
        now = f"version {current.version}" if current else "deleted"
        taken_by = owner_of(current.model) if current else None
        if taken_by not in {None, self.owner}:  # another repository deployed it meanwhile: never forced
            now += f", deployed by {taken_by!r}"
        if not self.force or current is None or taken_by not in {None, self.owner}:
            read = f"version {item.version}" if item.version else "absent"
            forced = "" if taken_by not in {None, self.owner} else ", --force overwrites"
            detail = f"changed in Grafana since it was read ({read}, now {now}); left untouched{forced}"
            return Outcome(item, False, detail)
        self.client.save({**wanted, "version": current.version}, item.where, self.message)
        return Outcome(item, True, f"overwrote changes made in Grafana since it was read ({now}), --force")

    def delete(self, item: PlanItem) -> Outcome:
        try:
            current = self.client.dashboard(item.name)
            if current is None:
                return Outcome(item, True, "already gone")
            # DELETE takes no version, so the check is ours: the window is the time of one request.
            if current.version != item.version:
                return Outcome(
                    item,
                    False,
                    f"changed in Grafana since it was read (now version {current.version}); not deleted",
                )
            self.client.delete(item.name)
            return Outcome(item, True)
        except DeployError as error:
            return Outcome(item, False, str(error))


def apply_grafana(
    plan: Plan,
    declared: DeclaredGrafana,
    client: GrafanaClient,
    *,
    commit: str,
    force: bool,
    progress: Progress | None = None,
    owner: str = DEFAULT_OWNER,
) -> list[Outcome]:
    """Apply every change (and, with ``--force``, every forceable conflict); report the rest as failed."""
    applier = _Applier(client, declared, commit, force, owner)
    folders: list[tuple[PlanItem, Callable[[PlanItem], Outcome]]] = []
    saves: list[tuple[PlanItem, Callable[[PlanItem], Outcome]]] = []
    deletes: list[tuple[PlanItem, Callable[[PlanItem], Outcome]]] = []
    refused: list[Outcome] = []
    for item in plan.items:
        if item.action is Action.UNCHANGED:
            continue
        if not item.applies(force):
            refused.append(Outcome(item, False, f"left untouched: {item.reason}"))
            if item.kind is ItemKind.FOLDER:
                applier.failed_folders.add(item.name)
        elif item.kind is ItemKind.FOLDER:
            folders.append((item, applier.folder))
        elif item.name in applier.models:
            saves.append((item, applier.dashboard))
        else:  # a managed dashboard no longer declared: --prune
            deletes.append((item, applier.delete))
    steps = folders + saves + deletes  # folders must exist before their dashboards
    outcomes: list[Outcome] = []
    total = len(steps) + len(refused)
    for index, (item, step) in enumerate(steps, start=1):
        outcomes.append(step(item))
        if progress:
            progress(index, total, item, outcomes[-1])
    for index, outcome in enumerate(refused, start=len(steps) + 1):
        outcomes.append(outcome)
        if progress:
            progress(index, total, outcome.item, outcome)
    return outcomes
