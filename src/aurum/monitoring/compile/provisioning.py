"""Grafana file provisioning: the folder index and the dashboard provider file for the rendered folders.

``build/grafana/dashboards/<folder-uid>/<dashboard-uid>.json`` mounted at :data:`DASHBOARDS_MOUNT`
and ``build/grafana/provisioning/dashboards.yaml`` mounted in ``/etc/grafana/provisioning/dashboards/``
give Grafana every dashboard, each in its folder, without the HTTP API.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aurum.monitoring.model.dashboard import Folder

__all__ = ["DASHBOARDS_MOUNT", "folders_document", "provisioning_document"]

DASHBOARDS_MOUNT = "/var/lib/grafana/dashboards/aurum"
"""Where the provider expects ``build/grafana/dashboards`` inside the Grafana container."""


def _unique(folders: Iterable[Folder]) -> list[Folder]:
    return sorted({folder.uid: folder for folder in folders}.values(), key=lambda folder: folder.uid)


def folders_document(folders: Iterable[Folder]) -> dict[str, str]:
    """``grafana/folders.json``: folder uid -> title, for the deploy to create folders before dashboards."""
    return {folder.uid: folder.title for folder in _unique(folders)}


def provisioning_document(folders: Iterable[Folder], mount: str = DASHBOARDS_MOUNT) -> dict[str, Any]:
    """One file provider per folder, so each folder keeps its uid and title."""
    return {
        "apiVersion": 1,
        "providers": [
            {
                "name": folder.uid,
                "orgId": 1,
                "type": "file",
                "folder": folder.title,
                "folderUid": folder.uid,
                # The files are the source of truth: edits in the UI could not be saved back.
                "allowUiUpdates": False,
                "disableDeletion": False,
                "updateIntervalSeconds": 60,
                "options": {"path": f"{mount}/{folder.uid}", "foldersFromFilesStructure": False},
            }
            for folder in _unique(folders)
        ],
    }
