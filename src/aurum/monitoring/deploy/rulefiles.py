"""Rule files deployed into a directory (Prometheus's ``rule_files``, or PrometheusRule manifests). Pure
apart from :func:`read_yaml_files`.

A deployed file starts with two comment lines: that aurum-obs manages it for an owner (the owner id of
the repository's ``[tool.aurum-obs]``) and from which commit, and the fingerprint of the rest of the
file. A file without them was not written by this tool and is never overwritten without ``--force``
nor pruned; a file of another owner is never overwritten (not even with ``--force``) nor pruned; a
file whose rest no longer matches its fingerprint was edited by hand since the deploy, and is a
conflict like a hand-edited dashboard. A header without an owner was written before owners existed,
by the bundled repository: its owner is :data:`DEFAULT_OWNER`.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from aurum.contract.project import DEFAULT_OWNER
from aurum.monitoring.deploy.plan import Action, ItemKind, Plan, PlanItem
from aurum.monitoring.deploy.session import DeployError

__all__ = [
    "file_owner",
    "managed_file",
    "operator_manifest",
    "plan_files",
    "read_yaml_files",
    "split_header",
]

_FIRST = "# Managed by aurum-obs for {owner} (commit {commit}): edit the declarations, not this file."
_FIRST_RE = re.compile(rb"^# Managed by aurum-obs(?: for (\S+))? \(commit")
_SECOND = "# aurum-obs-fingerprint: "


def body_fingerprint(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


def managed_file(body: bytes, commit: str, owner: str = DEFAULT_OWNER) -> bytes:
    """``body`` with the two header lines."""
    header = f"{_FIRST.format(owner=owner, commit=commit)}\n{_SECOND}{body_fingerprint(body)}\n"
    return header.encode() + body


def file_owner(data: bytes) -> str | None:
    """The owner a deployed file's header names; None for a file aurum-obs did not write."""
    if split_header(data)[0] is None:
        return None
    found = _FIRST_RE.match(data)
    return found.group(1).decode() if found and found.group(1) else DEFAULT_OWNER


def split_header(data: bytes) -> tuple[str | None, bytes]:
    """The recorded fingerprint (None when the file is not managed) and the body."""
    lines = data.split(b"\n", 2)
    if (
        len(lines) == 3
        and lines[0].startswith(b"# Managed by aurum-obs")
        and lines[1].startswith(_SECOND.encode())
    ):
        return lines[1][len(_SECOND) :].decode().strip(), lines[2]
    return None, data


def read_yaml_files(directory: Path) -> dict[str, bytes]:
    """Every ``*.yaml``/``*.yml`` directly in ``directory`` (an absent directory holds none)."""
    if not directory.is_dir():
        return {}
    return {
        p.name: p.read_bytes()
        for p in sorted(directory.iterdir())
        if p.suffix in {".yaml", ".yml"} and p.is_file()
    }


def _diff(old: bytes, new: bytes, old_name: str, new_name: str) -> tuple[str, ...]:
    return tuple(
        difflib.unified_diff(
            old.decode(errors="replace").splitlines(),
            new.decode().splitlines(),
            old_name,
            new_name,
            n=2,
            lineterm="",
        )
    )


def _verdict(  # noqa: PLR0911 - one return per verdict
    wanted: bytes | None, current: bytes | None, owner: str
) -> tuple[Action, str, bool] | None:
    """``(action, reason, forceable)`` for one file; None for a file that is neither declared nor ours."""
    recorded, body = split_header(current) if current is not None else (None, b"")
    drifted = recorded is not None and recorded != body_fingerprint(body)
    other = file_owner(current) if current is not None and recorded is not None else None
    if other is not None and other != owner:
        if wanted is None:  # another repository's file: never ours to prune
            return None
        reason = f"written for {other!r}: another repository deploys this file; use your own rule-file-prefix"
        return Action.CONFLICT, reason, False
    if wanted is None:  # in the directory, not declared: pruned only when managed
        if recorded is None:
            return None
        if drifted:
            return Action.CONFLICT, "no longer declared, but edited by hand since the last deploy", True
        return Action.DELETE, "no longer declared", False
    if current is None:
        return Action.CREATE, "", False
    if recorded is None:
        return Action.CONFLICT, "exists but was not written by aurum-obs", True
    if drifted:
        return Action.CONFLICT, "edited by hand since the last deploy", True
    return (Action.UNCHANGED, "", False) if body == wanted else (Action.UPDATE, "", False)


def _file_item(
    name: str, wanted: bytes | None, current: bytes | None, where: str, owner: str
) -> PlanItem | None:
    verdict = _verdict(wanted, current, owner)
    if verdict is None:
        return None
    action, reason, forceable = verdict
    diff: tuple[str, ...] = ()
    if current is not None and wanted is not None and action in {Action.UPDATE, Action.CONFLICT}:
        diff = _diff(split_header(current)[1], wanted, f"{where}/{name}", f"declared {name}")
    return PlanItem(ItemKind.RULE_FILE, name, action, reason=reason, diff=diff, forceable=forceable)


def plan_files(
    target: str,
    wanted: Mapping[str, bytes],
    current: Mapping[str, bytes],
    where: str,
    *,
    prune: bool,
    owner: str = DEFAULT_OWNER,
) -> Plan:
    """Declared file bodies (no header) against the directory's current files, for ``owner``."""
    items = [
        item
        for name in sorted(wanted)
        if (item := _file_item(name, wanted[name], current.get(name), where, owner))
    ]
    orphans = [
        item
        for name in sorted(set(current) - set(wanted))
        if (item := _file_item(name, None, current[name], where, owner)) is not None
    ]
    if not prune:
        notes = (
            (f"{len(orphans)} managed files are no longer declared; --prune deletes them.",)
            if orphans
            else ()
        )
        return Plan(target, tuple(items), notes)
    if not wanted:
        orphans = [
            PlanItem(
                o.kind,
                o.name,
                Action.CONFLICT,
                reason="nothing is declared at all: refusing to delete every managed file",
                forceable=True,
            )
            for o in orphans
        ]
    return Plan(target, tuple(items + orphans))


def operator_manifest(name: str, rule_file: bytes, namespace: str | None, labels: Mapping[str, str]) -> bytes:
    """A ``PrometheusRule`` (prometheus-operator) holding the groups of one rule file."""
    try:
        groups = yaml.safe_load(rule_file)["groups"]
    except (yaml.YAMLError, KeyError, TypeError) as error:
        raise DeployError(f"{name}: not a Prometheus rule file: {error}") from None
    metadata: dict[str, object] = {"name": f"aurum-{Path(name).stem}"}
    if namespace:
        metadata["namespace"] = namespace
    metadata["labels"] = {
        "app.kubernetes.io/managed-by": "aurum-obs",
        "app.kubernetes.io/part-of": "aurum-observability",
        **labels,
    }
    manifest = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": metadata,
        "spec": {"groups": groups},
    }
    return yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=1 << 16).encode()
