"""Dashboards as the build wrote them, and what a deployed dashboard carries: pure functions.

Comparison ignores what Grafana changes on every save (``id``, ``version``, ``iteration``) and what the
deploy adds (the managed tag and the marker), so "unchanged" means the content is the same.

A deployed dashboard carries two things Grafana keeps as they were posted:

- the tag ``aurum-obs-managed``, and the tag ``aurum-obs-owner:<owner>`` of the repository's owner id
  (``[tool.aurum-obs]``): ownership. ``/api/search?tag=…`` finds every dashboard of the owner, so
  ``--prune`` can delete the owner's dashboards that are no longer declared, and nothing else;
- the top-level field ``aurumObs`` in the dashboard JSON: the owner, the fingerprint (sha256) of the
  content that was deployed, and the commit it came from. When the content in Grafana no longer has that
  fingerprint, someone changed it by hand since the deploy. A save from Grafana's UI that drops the
  field is noticed the same way: a managed dashboard without a fingerprint has been edited.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aurum.contract.conventions import DASHBOARDS_DIR, FOLDERS_FILE
from aurum.contract.project import DEFAULT_OWNER
from aurum.monitoring.deploy.session import DeployError

__all__ = [
    "MANAGED_TAG",
    "MARKER",
    "OWNER_TAG_PREFIX",
    "DeclaredDashboard",
    "DeclaredGrafana",
    "content",
    "deployable",
    "diff_lines",
    "drifted",
    "fingerprint",
    "is_managed",
    "load_grafana",
    "marker",
    "owner_of",
    "owner_tag",
    "tagged_owner",
]

MANAGED_TAG = "aurum-obs-managed"
MARKER = "aurumObs"
OWNER_TAG_PREFIX = "aurum-obs-owner:"
VOLATILE = frozenset({"id", "version", "iteration"})

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class DeclaredDashboard:
    uid: str
    folder_uid: str
    model: JSON
    path: str

    @property
    def title(self) -> str:
        return str(self.model.get("title", ""))


@dataclass(frozen=True, slots=True)
class DeclaredGrafana:
    folders: dict[str, str]
    """Folder uid -> title."""
    dashboards: tuple[DeclaredDashboard, ...]


def content(model: Mapping[str, Any]) -> JSON:
    """The dashboard without volatile fields, the marker and the managed tag."""
    out = {k: copy.deepcopy(v) for k, v in model.items() if k not in VOLATILE and k != MARKER}
    if isinstance(out.get("tags"), list):
        out["tags"] = [tag for tag in out["tags"] if not _ownership(tag)]
    return out


def _ownership(tag: object) -> bool:
    return tag == MANAGED_TAG or (isinstance(tag, str) and tag.startswith(OWNER_TAG_PREFIX))


def owner_tag(owner: str) -> str:
    return OWNER_TAG_PREFIX + owner


def tagged_owner(tags: Sequence[object]) -> str | None:
    """The owner a managed dashboard's tags name; None when the tags say it is not managed.

    A dashboard deployed before owners existed carries only the managed tag: it was deployed from the
    bundled repository, whose owner is :data:`DEFAULT_OWNER`.
    """
    owners = [
        tag.removeprefix(OWNER_TAG_PREFIX)
        for tag in tags
        if isinstance(tag, str) and tag.startswith(OWNER_TAG_PREFIX)
    ]
    if owners:
        return owners[0]
    return DEFAULT_OWNER if MANAGED_TAG in tags else None


def owner_of(model: Mapping[str, Any]) -> str | None:
    """Who deployed this dashboard (the marker's owner, else its tags'); None when no aurum-obs did."""
    found = marker(model)
    if found is not None and isinstance(found.get("owner"), str):
        return str(found["owner"])
    return tagged_owner(list(model.get("tags") or [])) or (DEFAULT_OWNER if found is not None else None)


def _canonical(document: object) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(model: Mapping[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(_canonical(content(model)).encode()).hexdigest()


def deployable(model: Mapping[str, Any], commit: str, owner: str = DEFAULT_OWNER) -> JSON:
    """What is posted: the content, the managed and owner tags, and the marker with its fingerprint."""
    out = content(model)
    # Grafana will hand ``tags`` back even when the model had none: fingerprint it as it will come back.
    out["tags"] = list(out.get("tags") or [])
    deployed = fingerprint(out)
    out["tags"] += [MANAGED_TAG, owner_tag(owner)]
    out[MARKER] = {"managedBy": "aurum-obs", "owner": owner, "fingerprint": deployed, "commit": commit}
    return out


def marker(model: Mapping[str, Any]) -> Mapping[str, Any] | None:
    found = model.get(MARKER)
    return found if isinstance(found, Mapping) else None


def is_managed(model: Mapping[str, Any]) -> bool:
    return MANAGED_TAG in (model.get("tags") or []) or marker(model) is not None


def drifted(model: Mapping[str, Any]) -> bool:
    """A managed dashboard whose content is no longer what was deployed."""
    found = marker(model)
    return found is None or found.get("fingerprint") != fingerprint(model)


def diff_lines(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, old_name: str, new_name: str
) -> tuple[str, ...]:
    """A unified diff of the two contents as indented, key-sorted JSON."""

    def lines(model: Mapping[str, Any] | None) -> list[str]:
        return json.dumps(content(model), indent=2, sort_keys=True).splitlines() if model is not None else []

    return tuple(difflib.unified_diff(lines(old), lines(new), old_name, new_name, n=2, lineterm=""))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DeployError(f"{path}: cannot be read as JSON: {error}") from None


def load_grafana(build: Path) -> DeclaredGrafana:
    """``build/grafana/folders.json`` and ``build/grafana/dashboards/<folder-uid>/<uid>.json``."""
    folders_file = build / FOLDERS_FILE
    if not folders_file.is_file():
        raise DeployError(f"{folders_file} is missing: run the build first (aurum-obs build)")
    folders = _read_json(folders_file)
    if not isinstance(folders, dict) or not all(isinstance(v, str) and v for v in folders.values()):
        raise DeployError(f"{folders_file}: expected an object mapping folder uid to folder title")
    dashboards: list[DeclaredDashboard] = []
    problems: list[str] = []
    for path in sorted((build / DASHBOARDS_DIR).glob("*/*.json")):
        shown = str(path.relative_to(build))
        model = _read_json(path)
        folder_uid, uid = path.parent.name, path.stem
        if not isinstance(model, dict) or model.get("uid") != uid:
            problems.append(f"{shown}: the dashboard's uid must be {uid!r}, as its file name")
            continue
        if not str(model.get("title") or "").strip():
            problems.append(f"{shown}: the dashboard has no title")
        if folder_uid not in folders:
            problems.append(f"{shown}: folder {folder_uid!r} has no title in {FOLDERS_FILE}")
        model = {k: v for k, v in model.items() if k not in VOLATILE}
        dashboards.append(DeclaredDashboard(uid, folder_uid, model, shown))
    seen: dict[tuple[str, str], str] = {}
    uids: dict[str, str] = {}
    for item in dashboards:
        if item.uid in uids:
            problems.append(f"{item.path}: uid {item.uid!r} is also declared in {uids[item.uid]}")
        uids[item.uid] = item.path
        key = (item.folder_uid, item.title.casefold())
        if key in seen:
            problems.append(
                f"{item.path}: title {item.title!r} is also used by {seen[key]} in the same folder"
            )
        seen[key] = item.path
    if problems:
        raise DeployError("invalid dashboards in the build output:\n" + "\n".join(problems))
    return DeclaredGrafana(dict(folders), tuple(dashboards))
