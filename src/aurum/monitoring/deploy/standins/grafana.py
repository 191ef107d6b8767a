"""A stand-in Grafana HTTP API on loopback, because Grafana cannot be installed where the tests run.

It reproduces only what the deploy relies on, each behaviour from Grafana's HTTP API documentation
(save rules in :mod:`.grafana_store`):

- Authentication (https://grafana.com/docs/grafana/latest/developers/http_api/auth/): every endpoint
  but health needs ``Authorization: Bearer <service account token>``; otherwise 401
  ``{"message": "Unauthorized"}``.
- Health (https://grafana.com/docs/grafana/latest/developers/http_api/other/#health-api):
  ``GET /api/health`` answers without authentication, ``{"database": "ok", "version": …}``.
- Dashboards (https://grafana.com/docs/grafana/latest/developers/http_api/dashboard/):
  ``POST /api/dashboards/db`` with ``dashboard``, ``folderUid``, ``overwrite``, ``message`` answers
  ``{"id", "uid", "url", "status": "success", "version", "slug", "folderUid"}``;
  ``GET /api/dashboards/uid/:uid`` answers ``{"dashboard": …, "meta": {"version", "folderUid",
  "folderTitle", "provisioned", …}}`` or 404 ``{"message": "Dashboard not found"}``;
  ``DELETE /api/dashboards/uid/:uid`` answers ``{"title", "message", "id"}`` or 404.
- Folders (https://grafana.com/docs/grafana/latest/developers/http_api/folder/): ``GET /api/folders``,
  ``GET /api/folders/:uid`` (404 when missing), ``POST /api/folders`` (409 for an existing uid),
  ``PUT /api/folders/:uid`` (412 on a version mismatch).
- Search (https://grafana.com/docs/grafana/latest/developers/http_api/folder_dashboard_search/):
  ``GET /api/search`` with ``query`` (title substring, case-insensitive), repeated ``tag`` (all must
  match), ``type``, ``folderUIDs``, ``dashboardUIDs``, ``limit`` (default 1000) and ``page``; hits are
  sorted by title.

Faults (bursts of 5xx, slow answers, dropped connections, 401) are injected by
:func:`aurum.monitoring.deploy.standins.server.serve`, between the socket and this app.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aurum.monitoring.deploy.standins.grafana_store import GrafanaError, GrafanaStore, StoredDashboard
from aurum.monitoring.deploy.standins.server import Reply, Request

__all__ = ["GrafanaStandin"]


def _json(status: int, body: object) -> Reply:
    return Reply(status, json.dumps(body).encode())


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


class GrafanaStandin:
    """The app: routes requests to :class:`GrafanaStore`; ``store`` is open for tests to inspect."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.store = GrafanaStore()

    def handle(self, request: Request) -> Reply:
        if request.method == "GET" and request.path == "/api/health":
            return _json(200, {"commit": "standin", "database": "ok", "version": "11.0.0-standin"})
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _json(401, {"message": "Unauthorized"})
        try:
            return self._route(request)
        except GrafanaError as error:
            return _json(error.status, error.body())
        except (ValueError, KeyError, TypeError) as error:
            return _json(400, {"message": f"bad request: {error}"})

    def _route(self, request: Request) -> Reply:  # noqa: PLR0911 - one return per route
        method, parts = request.method, request.path.strip("/").split("/")
        body: dict[str, Any] = json.loads(request.body) if request.body else {}
        match method, parts:
            case "GET", ["api", "search"]:
                return _json(200, self._search(request.query))
            case "GET", ["api", "dashboards", "uid", uid]:
                return _json(200, self._get_dashboard(uid))
            case "DELETE", ["api", "dashboards", "uid", uid]:
                stored = self.store.delete(uid)
                return _json(
                    200,
                    {"title": stored.title, "message": f"Dashboard {stored.title} deleted", "id": stored.id},
                )
            case "POST", ["api", "dashboards", "db"]:
                return _json(200, self._save(body))
            case "GET", ["api", "folders"]:
                folders = sorted(self.store.folders.values(), key=lambda f: f.title)
                return _json(200, [{"id": f.id, "uid": f.uid, "title": f.title} for f in folders])
            case "GET", ["api", "folders", uid]:
                folder = self.store.folders.get(uid)
                if folder is None:
                    raise GrafanaError(404, "Folder not found", "not-found")
                return _json(200, folder.to_json())
            case "POST", ["api", "folders"]:
                return _json(
                    200, self.store.create_folder(str(body.get("uid") or ""), str(body["title"])).to_json()
                )
            case "PUT", ["api", "folders", uid]:
                version = body.get("version")
                folder = self.store.update_folder(
                    uid,
                    str(body["title"]),
                    int(version) if version is not None else None,
                    bool(body.get("overwrite")),
                )
                return _json(200, folder.to_json())
        return _json(404, {"message": "Not found"})

    def _save(self, body: dict[str, Any]) -> dict[str, Any]:
        dashboard = body.get("dashboard")
        if not isinstance(dashboard, dict):
            raise GrafanaError(400, "bad request data: dashboard is required")
        stored = self.store.save(
            dashboard,
            str(body.get("folderUid") or ""),
            bool(body.get("overwrite")),
            str(body.get("message") or ""),
        )
        slug = _slug(stored.title)
        return {
            "id": stored.id,
            "uid": stored.uid,
            "url": f"/d/{stored.uid}/{slug}",
            "status": "success",
            "version": stored.version,
            "slug": slug,
            "folderUid": stored.folder_uid,
        }

    def _get_dashboard(self, uid: str) -> dict[str, Any]:
        with self.store.lock:
            stored = self.store.dashboards.get(uid)
            if stored is None:
                raise GrafanaError(404, "Dashboard not found", "not-found")
            folder = self.store.folders.get(stored.folder_uid)
            meta = {
                "type": "db",
                "canSave": not stored.provisioned,
                "slug": _slug(stored.title),
                "url": f"/d/{uid}/{_slug(stored.title)}",
                "version": stored.version,
                "folderId": folder.id if folder else 0,
                "folderUid": stored.folder_uid,
                "folderTitle": folder.title if folder else "General",
                "provisioned": stored.provisioned,
                "provisionedExternalId": f"{uid}.json" if stored.provisioned else "",
            }
            return {"dashboard": json.loads(json.dumps(stored.model)), "meta": meta}

    def _search(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        text = (query.get("query") or [""])[0].lower()
        tags = set(query.get("tag", []))
        kinds = set(query.get("type", []))
        folders = {uid for value in query.get("folderUIDs", []) for uid in value.split(",")}
        uids = {uid for value in query.get("dashboardUIDs", []) for uid in value.split(",")}
        limit = int((query.get("limit") or ["1000"])[0])
        page = int((query.get("page") or ["1"])[0])
        with self.store.lock:
            hits = [
                self._hit(d)
                for d in self.store.dashboards.values()
                if text in d.title.lower()
                and tags <= set(d.model.get("tags") or [])
                and (not folders or d.folder_uid in folders)
                and (not uids or d.uid in uids)
                and (not kinds or "dash-db" in kinds)
            ]
        hits.sort(key=lambda hit: (str(hit["title"]).lower(), hit["uid"]))
        return hits[(page - 1) * limit : page * limit]

    def _hit(self, stored: StoredDashboard) -> dict[str, Any]:
        folder = self.store.folders.get(stored.folder_uid)
        return {
            "id": stored.id,
            "uid": stored.uid,
            "title": stored.title,
            "url": f"/d/{stored.uid}/{_slug(stored.title)}",
            "type": "dash-db",
            "tags": list(stored.model.get("tags") or []),
            "isStarred": False,
            "folderUid": stored.folder_uid,
            "folderTitle": folder.title if folder else "",
        }
