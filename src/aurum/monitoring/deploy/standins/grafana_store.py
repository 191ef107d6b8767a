"""The state of the stand-in Grafana and the save rules it enforces, as Grafana's dashboard store does.

Followed documentation and behaviour (Grafana 9-11, the legacy ``/api/dashboards`` API):

- Dashboard HTTP API, "Create / Update dashboard"
  (https://grafana.com/docs/grafana/latest/developers/http_api/dashboard/): the dashboard is found by
  ``uid``; when it exists and the posted ``dashboard.version`` differs from the stored one, the save
  is refused with 412 ``{"status": "version-mismatch"}`` unless ``overwrite`` is true; another
  dashboard with the same title in the same folder gives 412 ``{"status": "name-exists"}``, and with
  ``overwrite: true`` the posted dashboard *replaces that other dashboard* (its id and uid are taken
  over), which is why the deploy never relies on ``overwrite``. Each save increments ``version``
  (1 for a new dashboard) and records ``message`` in the version history; a message over 500
  characters, an empty title or an invalid uid is a 400.
- Provisioning, "Dashboards" (https://grafana.com/docs/grafana/latest/administration/provisioning/):
  a dashboard provisioned from files cannot be saved or deleted through the API; Grafana answers 400
  "Cannot save provisioned dashboard" / "provisioned dashboard cannot be deleted", and the read API
  shows ``meta.provisioned: true``. The version check happens before this one, as in Grafana.
- Folder HTTP API (https://grafana.com/docs/grafana/latest/developers/http_api/folder/): folders have
  a uid and a title; creating an existing uid (or title) is a 409; updates are version-checked (412).
"""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass, field
from typing import Any

__all__ = ["GrafanaError", "GrafanaStore", "StoredDashboard", "StoredFolder"]

_UID = re.compile(r"^[a-zA-Z0-9\-_.]*$")


class GrafanaError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code

    def body(self) -> dict[str, Any]:
        return {"message": self.message} | ({"status": self.code} if self.code else {})


@dataclass
class StoredFolder:
    id: int
    uid: str
    title: str
    version: int = 1

    def to_json(self) -> dict[str, Any]:
        url = f"/dashboards/f/{self.uid}/"
        return {"id": self.id, "uid": self.uid, "title": self.title, "url": url, "version": self.version}


@dataclass
class StoredDashboard:
    id: int
    uid: str
    folder_uid: str
    model: dict[str, Any]
    """The dashboard JSON exactly as saved, with ``id``, ``uid`` and ``version`` set by the store."""
    provisioned: bool = False
    history: list[tuple[int, str]] = field(default_factory=list)
    """``(version, message)`` of every save."""

    @property
    def version(self) -> int:
        return int(self.model["version"])

    @property
    def title(self) -> str:
        return str(self.model.get("title", ""))


class GrafanaStore:
    """Dashboards and folders of one organisation; every method is atomic under one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.folders: dict[str, StoredFolder] = {}
        self.dashboards: dict[str, StoredDashboard] = {}
        self._next_id = 1

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    # folders

    def create_folder(self, uid: str, title: str) -> StoredFolder:
        with self.lock:
            if not title.strip():
                raise GrafanaError(400, "Folder title cannot be empty")
            if uid in self.folders or uid in self.dashboards:
                raise GrafanaError(409, "A folder/dashboard with the same uid already exists")
            if any(f.title == title for f in self.folders.values()):
                raise GrafanaError(
                    409, "A folder or dashboard in the general folder with the same name already exists"
                )
            folder = StoredFolder(self._id(), uid, title)
            self.folders[uid] = folder
            return folder

    def update_folder(self, uid: str, title: str, version: int | None, overwrite: bool) -> StoredFolder:
        with self.lock:
            folder = self.folders.get(uid)
            if folder is None:
                raise GrafanaError(404, "Folder not found", "not-found")
            if not overwrite and version != folder.version:
                raise GrafanaError(412, "The folder has been changed by someone else", "version-mismatch")
            folder.title, folder.version = title, folder.version + 1
            return folder

    # dashboards

    def save(self, posted: dict[str, Any], folder_uid: str, overwrite: bool, message: str) -> StoredDashboard:
        """``POST /api/dashboards/db`` with Grafana's checks, in Grafana's order."""
        with self.lock:
            model = copy.deepcopy(posted)
            title = str(model.get("title") or "").strip()
            uid = str(model.get("uid") or "").strip() or f"gen{self._next_id:06d}"
            self._validate(title, uid, folder_uid, message)
            version = int(model.get("version") or 0)
            existing = self.dashboards.get(uid)
            if existing is not None and version != existing.version:
                if not overwrite:
                    raise GrafanaError(
                        412, "The dashboard has been changed by someone else", "version-mismatch"
                    )
                version = existing.version
            same_title = self._same_title(title, folder_uid, uid)
            if same_title is not None:
                if not overwrite:
                    msg = "A dashboard with the same name in the folder already exists"
                    raise GrafanaError(412, msg, "name-exists")
                # Grafana's overwrite takes the other dashboard over: its id, uid and version.
                existing, uid, version = same_title, same_title.uid, same_title.version
            if existing is not None and existing.provisioned:
                raise GrafanaError(400, "Cannot save provisioned dashboard")
            model.update(title=title, uid=uid)
            if existing is None:
                stored = StoredDashboard(self._id(), uid, folder_uid, model)
                model.update(id=stored.id, version=1)
            else:
                stored = existing
                model.update(id=existing.id, version=version + 1)
                stored.model, stored.folder_uid = model, folder_uid
            stored.history.append((stored.version, message))
            self.dashboards[uid] = stored
            return stored

    def _validate(self, title: str, uid: str, folder_uid: str, message: str) -> None:
        if not title:
            raise GrafanaError(400, "Dashboard title cannot be empty")
        if not _UID.match(uid):
            raise GrafanaError(400, "uid contains illegal characters")
        if len(uid) > 40:
            raise GrafanaError(400, "uid too long, max 40 characters")
        if len(message) > 500:
            raise GrafanaError(400, "message too long, max 500 characters")
        if folder_uid and folder_uid not in self.folders:
            raise GrafanaError(400, "Folder not found")

    def _same_title(self, title: str, folder_uid: str, uid: str) -> StoredDashboard | None:
        """Another dashboard with this title in this folder (SQLite, Grafana's default, compares exactly)."""
        return next(
            (
                d
                for d in self.dashboards.values()
                if d.folder_uid == folder_uid and d.title == title and d.uid != uid
            ),
            None,
        )

    def delete(self, uid: str) -> StoredDashboard:
        with self.lock:
            stored = self.dashboards.get(uid)
            if stored is None:
                raise GrafanaError(404, "Dashboard not found", "not-found")
            if stored.provisioned:
                raise GrafanaError(400, "provisioned dashboard cannot be deleted")
            del self.dashboards[uid]
            return stored

    # what tests do to Grafana by hand

    def seed(
        self, model: dict[str, Any], folder_uid: str = "", *, provisioned: bool = False
    ) -> StoredDashboard:
        """A dashboard someone created in the UI (or a provisioned one)."""
        stored = self.save({**model, "version": 0}, folder_uid, overwrite=False, message="created by hand")
        stored.provisioned = provisioned
        return stored

    def edit(self, uid: str, **changes: Any) -> StoredDashboard:
        """A hand edit in the UI: the fields change and the version goes up, as a UI save does."""
        with self.lock:
            stored = self.dashboards[uid]
            model = {**stored.model, **changes}
            return self.save(model, stored.folder_uid, overwrite=False, message="edited by hand")
