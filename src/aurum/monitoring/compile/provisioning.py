"""Grafana file provisioning: the folder index, the dashboard provider file and the data source.

``build/grafana/dashboards/<folder-uid>/<dashboard-uid>.json`` mounted at :data:`DASHBOARDS_MOUNT`,
``build/grafana/provisioning/dashboards.yaml`` mounted in ``/etc/grafana/provisioning/dashboards/``
and ``build/grafana/provisioning/datasources.yaml`` in ``/etc/grafana/provisioning/datasources/`` give
Grafana every dashboard, each in its folder, reading a Prometheus, without a click or the HTTP API.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aurum.contract.conventions import DATASOURCE_TYPE
from aurum.monitoring.model.dashboard import Folder

__all__ = [
    "DASHBOARDS_MOUNT",
    "PROMETHEUS_URL_VARIABLE",
    "PROVISIONED_DATASOURCE_UID",
    "datasource_document",
    "folders_document",
    "provisioning_document",
]

DASHBOARDS_MOUNT = "/var/lib/grafana/dashboards/aurum"
"""Where the provider expects ``build/grafana/dashboards`` inside the Grafana container."""

PROMETHEUS_URL_VARIABLE = "AURUM_PROMETHEUS_URL"
"""The environment variable Grafana reads the data source's URL from (the build cannot know it; the
runtime shim reads the same variable to find the Prometheus that evaluates the SLO rules)."""
PROVISIONED_DATASOURCE_UID = "aurum-prometheus"


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


def datasource_document(url_variable: str = PROMETHEUS_URL_VARIABLE) -> dict[str, Any]:
    """One Prometheus data source, Grafana's default, so every dashboard's ``datasource`` variable
    (type ``prometheus``, no current value) selects it at once.

    Grafana expands ``$NAME`` from its environment in provisioning values (Grafana documentation,
    "Provision Grafana", "Use environment variables"), so one file serves every environment.
    """
    return {
        "apiVersion": 1,
        "datasources": [
            {
                "name": "Prometheus",
                "uid": PROVISIONED_DATASOURCE_UID,
                "type": DATASOURCE_TYPE,
                "access": "proxy",
                "url": f"${url_variable}",
                "isDefault": True,
                # As the dashboards: the file is the source of truth.
                "editable": False,
            }
        ],
    }
