"""What changed between two rendered trees, in the reviewer's terms rather than files. Pure.

Input is two maps from output path (``prometheus/rules/x.yaml``, ``slos.json``,
``grafana/dashboards/<folder>/<uid>.json``) to file text, as the build renders them. Output is a
list of :class:`Change`: SLOs, recording rules, alerts, dashboards and their panels added, removed
or changed, each with the details that changed (an expression as a unified diff).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import yaml

from aurum.contract.conventions import DASHBOARDS_DIR, FOLDERS_FILE, MANIFEST_FILE, RULES_DIR, TESTS_DIR

__all__ = ["Change", "semantic_diff"]

Files = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Change:
    section: str
    """``SLO``, ``recording rule``, ``alert``, ``folder``, ``dashboard``, ``generated tests``."""
    name: str
    kind: str
    """``added``, ``removed`` or ``changed``."""
    where: str = ""
    details: tuple[str, ...] = ()
    diff: tuple[str, ...] = ()
    """A unified diff of the expression, when one changed."""


def _text_diff(old: str, new: str) -> tuple[str, ...]:
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), "before", "after", n=1, lineterm="")
    return tuple(list(lines)[2:])  # the file headers say nothing here


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out |= _flat(item, f"{prefix}.{key}" if prefix else str(key))
        return out
    return {prefix: value}


def _field_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], skip: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    before, after = _flat(old), _flat(new)
    return tuple(
        f"{key}: {json.dumps(before.get(key))} → {json.dumps(after.get(key))}"
        for key in sorted(set(before) | set(after))
        if key not in skip and before.get(key) != after.get(key)
    )


def _keyed(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    for key in sorted(set(old) | set(new)):
        yield key, old.get(key), new.get(key)


def _slos(old: Files, new: Files) -> list[Change]:
    def load(files: Files) -> dict[str, Any]:
        text = files.get(str(MANIFEST_FILE))
        return {slo["name"]: slo for slo in json.loads(text)["slos"]} if text else {}

    changes = []
    for name, before, after in _keyed(load(old), load(new)):
        if before is None:
            changes.append(
                Change(
                    "SLO",
                    name,
                    "added",
                    details=(f"objective {after['objective']}, service {after['service']}",),
                )
            )
        elif after is None:
            changes.append(Change("SLO", name, "removed"))
        elif before != after:
            changes.append(Change("SLO", name, "changed", details=_field_changes(before, after)))
    return changes


def _rules(files: Files) -> dict[tuple[str, str, str], dict[str, Any]]:
    """``(kind, group, name#n) -> rule`` for every rule in every rule file."""
    rules: dict[tuple[str, str, str], dict[str, Any]] = {}
    for path, text in files.items():
        if PurePosixPath(path).parent != RULES_DIR:
            continue
        for group in (yaml.safe_load(text) or {}).get("groups") or []:
            seen: dict[str, int] = {}
            for rule in group.get("rules") or []:
                kind = "alert" if "alert" in rule else "recording rule"
                name = str(rule.get("alert") or rule.get("record"))
                seen[name] = seen.get(name, 0) + 1
                key = name if seen[name] == 1 else f"{name}#{seen[name]}"
                rules[(kind, group["name"], key)] = rule
    return rules


def _rule_changes(old: Files, new: Files) -> list[Change]:
    before, after = _rules(old), _rules(new)
    changes = []
    for kind, group, name in sorted(set(before) | set(after)):
        was, now = before.get((kind, group, name)), after.get((kind, group, name))
        if now is not None and was is None:
            changes.append(Change(kind, name, "added", group, diff=_text_diff("", str(now["expr"]))))
        elif now is None:
            changes.append(Change(kind, name, "removed", group))
        elif was is not None and was != now:
            details = _field_changes(was, now, frozenset({"expr"}))
            diff = _text_diff(str(was["expr"]), str(now["expr"])) if was["expr"] != now["expr"] else ()
            changes.append(Change(kind, name, "changed", group, details, diff))
    return changes


def _dashboards(files: Files) -> dict[str, tuple[str, dict[str, Any]]]:
    """``uid -> (folder uid, dashboard)``."""
    found = {}
    for path, text in files.items():
        parts = PurePosixPath(path).parts
        if len(parts) == 4 and parts[:2] == DASHBOARDS_DIR.parts and path.endswith(".json"):
            found[PurePosixPath(path).stem] = (parts[2], json.loads(text))
    return found


def _panels(dashboard: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Panels by id (rows' nested panels included), or by title when a panel has no id."""
    panels: dict[str, dict[str, Any]] = {}
    stack = list(dashboard.get("panels") or [])
    while stack:
        panel = stack.pop(0)
        stack += panel.get("panels") or []
        key = f"#{panel['id']}" if "id" in panel else repr(panel.get("title", ""))
        panels[key] = {k: v for k, v in panel.items() if k != "panels"}
    return panels


def _panel_details(key: str, was: Mapping[str, Any] | None, now: Mapping[str, Any] | None) -> list[str]:
    title = str((now or was or {}).get("title", ""))
    label = f"panel {key} {title!r}"
    if was is None:
        return [f"{label} added"]
    if now is None:
        return [f"{label} removed"]
    lines = []
    exprs = (
        {t.get("refId", i): t.get("expr", "") for i, t in enumerate(p.get("targets") or [])}
        for p in (was, now)
    )
    old_exprs, new_exprs = exprs
    for ref, before, after in _keyed(old_exprs, new_exprs):
        if before != after:
            lines.append(f"{label} query {ref}: {before or '(none)'} → {after or '(none)'}")
    other = sorted(k for k in set(was) | set(now) if k != "targets" and was.get(k) != now.get(k))
    if other:
        lines.append(f"{label} changed: {', '.join(other)}")
    return lines


def _dashboard_changes(old: Files, new: Files) -> list[Change]:
    before, after = _dashboards(old), _dashboards(new)
    changes = []
    for uid in sorted(set(before) | set(after)):
        if uid not in before:
            folder, dashboard = after[uid]
            count = len(_panels(dashboard))
            changes.append(
                Change("dashboard", uid, "added", folder, (f"{dashboard.get('title')!r}, {count} panels",))
            )
            continue
        if uid not in after:
            changes.append(Change("dashboard", uid, "removed", before[uid][0]))
            continue
        (old_folder, was), (new_folder, now) = before[uid], after[uid]
        details = [f"moved from folder {old_folder} to {new_folder}"] if old_folder != new_folder else []
        details += [d for d in _field_changes(was, now, frozenset({"panels"})) if not d.startswith("panels")]
        old_panels, new_panels = _panels(was), _panels(now)
        for key, p_was, p_now in _keyed(old_panels, new_panels):
            if p_was != p_now:
                details += _panel_details(key, p_was, p_now)
        if details:
            changes.append(Change("dashboard", uid, "changed", new_folder, tuple(details)))
    return changes


def _folders(old: Files, new: Files) -> list[Change]:
    def load(files: Files) -> dict[str, str]:
        text = files.get(str(FOLDERS_FILE))
        return dict(json.loads(text)) if text else {}

    changes = []
    for uid, before, after in _keyed(load(old), load(new)):
        if before is None:
            changes.append(Change("folder", uid, "added", details=(repr(after),)))
        elif after is None:
            changes.append(Change("folder", uid, "removed"))
        elif before != after:
            changes.append(Change("folder", uid, "changed", details=(f"title: {before!r} → {after!r}",)))
    return changes


def _tests(old: Files, new: Files) -> list[Change]:
    paths = {p for p in set(old) | set(new) if PurePosixPath(p).parent == TESTS_DIR}
    changed = sorted(p for p in paths if old.get(p) != new.get(p))
    if not changed:
        return []
    count = f"{len(changed)} file" + ("s" if len(changed) > 1 else "")
    return [Change("generated tests", count, "changed", details=tuple(changed))]


def semantic_diff(old: Files, new: Files) -> list[Change]:
    return (
        _slos(old, new)
        + _rule_changes(old, new)
        + _folders(old, new)
        + _dashboard_changes(old, new)
        + _tests(old, new)
    )
