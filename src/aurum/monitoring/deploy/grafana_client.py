"""The Grafana HTTP API calls the deploy makes, and what their answers mean.

Endpoints (https://grafana.com/docs/grafana/latest/developers/http_api/): ``/api/health``,
``/api/folders``, ``/api/dashboards/db``, ``/api/dashboards/uid/:uid`` and ``/api/search``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from aurum.monitoring.deploy.session import DeployError, HttpClient, attempts, error_message

__all__ = ["GrafanaClient", "RemoteDashboard", "RemoteFolder", "SaveRejectedError", "SearchHit"]

PAGE = 1000


@dataclass(frozen=True, slots=True)
class RemoteFolder:
    uid: str
    title: str
    version: int | None


@dataclass(frozen=True, slots=True)
class RemoteDashboard:
    uid: str
    version: int
    folder_uid: str
    provisioned: bool
    model: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.model.get("title", ""))


@dataclass(frozen=True, slots=True)
class SearchHit:
    uid: str
    title: str
    folder_uid: str
    tags: tuple[str, ...] = ()


class SaveRejectedError(DeployError):
    """Grafana refused a save; ``code`` is Grafana's status (``version-mismatch``, ``name-exists``) or
    ``provisioned``."""

    def __init__(self, message: str, code: str, status: int) -> None:
        super().__init__(message)
        self.code, self.status = code, status


class GrafanaClient:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def _fail(self, response: requests.Response, what: str) -> DeployError:
        status = response.status_code
        if status == 401:
            msg = (
                f"Grafana at {self.http.base_url} rejected the token (401) while trying to {what}: "
                "set GRAFANA_TOKEN to a valid service account token of this Grafana"
            )
        elif status == 403:
            msg = f"Grafana at {self.http.base_url} refused to {what} (403): the token's role lacks the permission"
        else:
            tries = attempts(response)
            after = f" after {tries} attempts" if tries > 1 else ""
            msg = f"cannot {what}: Grafana answered {status}{after}: {error_message(response)}"
        return DeployError(self.http.scrub(msg))

    def _json(self, response: requests.Response, what: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise DeployError(
                f"cannot {what}: Grafana answered {response.status_code} without JSON"
            ) from None

    def preflight(self) -> str:
        """Reachable, healthy, and accepting the token; returns Grafana's version."""
        try:
            health = self.http.request("GET", "/api/health")
        except DeployError as error:
            raise DeployError(f"Grafana is unreachable: {error}") from None
        if health.status_code != 200:
            raise self._fail(health, "check its health (GET /api/health)")
        version = str(self._json(health, "check its health").get("version", "unknown"))
        # /api/health needs no token: an authenticated read is what proves the token works.
        probe = self.http.request("GET", "/api/search", params={"limit": 1})
        if probe.status_code != 200:
            raise self._fail(probe, "search dashboards with the token")
        return version

    def folder(self, uid: str) -> RemoteFolder | None:
        response = self.http.request("GET", f"/api/folders/{uid}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._fail(response, f"read folder {uid}")
        body = self._json(response, f"read folder {uid}")
        return RemoteFolder(uid, str(body.get("title", "")), body.get("version"))

    def folders(self) -> list[RemoteFolder]:
        """Every folder (Grafana lists at most ``limit`` per page)."""
        found: list[RemoteFolder] = []
        for page in range(1, 1000):
            response = self.http.request("GET", "/api/folders", params={"limit": PAGE, "page": page})
            if response.status_code != 200:
                raise self._fail(response, "list folders")
            listed = self._json(response, "list folders")
            found += [RemoteFolder(str(f["uid"]), str(f.get("title", "")), None) for f in listed]
            if len(listed) < PAGE:
                return found
        return found

    def create_folder(self, uid: str, title: str) -> str:
        """Create; returns a note when the folder turned out to exist already, with this title."""
        response = self.http.request("POST", "/api/folders", json={"uid": uid, "title": title})
        if response.status_code == 200:
            return ""
        existing = self.folder(uid) if response.status_code in {400, 409} else None
        if existing is not None and existing.title == title:
            return "already existed"  # created by an earlier attempt whose answer was lost, or concurrently
        raise self._fail(response, f"create folder {uid} ({title!r})")

    def update_folder(self, uid: str, title: str, version: int | None) -> None:
        body = {"title": title, "version": version, "overwrite": False}
        response = self.http.request("PUT", f"/api/folders/{uid}", json=body)
        if response.status_code != 200:
            raise self._fail(response, f"rename folder {uid} to {title!r}")

    def dashboard(self, uid: str) -> RemoteDashboard | None:
        response = self.http.request("GET", f"/api/dashboards/uid/{uid}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._fail(response, f"read dashboard {uid}")
        body = self._json(response, f"read dashboard {uid}")
        model, meta = body.get("dashboard") or {}, body.get("meta") or {}
        return RemoteDashboard(
            uid,
            int(model.get("version") or meta.get("version") or 0),
            str(meta.get("folderUid") or ""),
            bool(meta.get("provisioned")),
            model,
        )

    def search(self, *, tag: str | None = None, folder_uids: list[str] | None = None) -> list[SearchHit]:
        """Every dashboard matching, page by page."""
        params: dict[str, Any] = {"type": "dash-db", "limit": PAGE}
        if tag:
            params["tag"] = tag
        if folder_uids:
            params["folderUIDs"] = folder_uids  # repeated, as Grafana reads it
        hits: list[SearchHit] = []
        for page in range(1, 1000):
            response = self.http.request("GET", "/api/search", params={**params, "page": page})
            if response.status_code != 200:
                raise self._fail(response, "search dashboards")
            found = self._json(response, "search dashboards")
            hits += [
                SearchHit(
                    str(h["uid"]),
                    str(h.get("title", "")),
                    str(h.get("folderUid") or ""),
                    tuple(str(tag) for tag in h.get("tags") or ()),
                )
                for h in found
            ]
            if len(found) < PAGE:
                break
        return hits

    def save(self, model: Mapping[str, Any], folder_uid: str, message: str) -> int:
        """Save with ``overwrite: false``: Grafana checks ``model['version']`` and the title for us.

        Returns the new version; raises :class:`SaveRejectedError` for 412 and provisioned dashboards.
        """
        body = {"dashboard": model, "folderUid": folder_uid, "overwrite": False, "message": message}
        response = self.http.request("POST", "/api/dashboards/db", json=body)
        if response.status_code == 200:
            return int(self._json(response, "save a dashboard").get("version", 0))
        reason = self.http.scrub(error_message(response))
        if response.status_code == 412:
            code = str(self._json(response, "save a dashboard").get("status", "precondition-failed"))
            raise SaveRejectedError(reason, code, 412)
        if response.status_code == 400 and "provisioned" in reason.lower():
            raise SaveRejectedError(reason, "provisioned", 400)
        raise self._fail(response, f"save dashboard {model.get('uid')}")

    def delete(self, uid: str) -> bool:
        """Delete; False when it was already gone."""
        response = self.http.request("DELETE", f"/api/dashboards/uid/{uid}")
        if response.status_code == 404:
            return False
        if response.status_code != 200:
            raise self._fail(response, f"delete dashboard {uid}")
        return True
