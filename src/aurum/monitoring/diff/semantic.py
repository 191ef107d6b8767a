"""What changed between two rendered trees, in the reviewer's terms rather than files. Pure.

Input is two maps from output path (``prometheus/rules/x.yaml``, ``slos.json``,
``grafana/dashboards/<folder>/<uid>.json``) to file text, as the build renders them. Output is a list
of :class:`Change`. Something added or removed whole (an SLO, a rule file, a dashboard) is one change
whose contents are folded into its details; something changed lists what changed, as values
(``objective: 0.999 → 0.9995``), an expression as a unified diff, a dashboard panel by panel.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import yaml

from aurum.contract.conventions import DASHBOARDS_DIR, FOLDERS_FILE, MANIFEST_FILE, RULES_DIR, TESTS_DIR
from aurum.monitoring.diff.panels import dashboard_details, panel_count, panel_keys
from aurum.monitoring.diff.values import Detail, field_details, shown

__all__ = ["Change", "semantic_diff"]

Files = Mapping[str, str]

RULES, TESTS, DASHBOARDS = (f"{directory}/" for directory in (RULES_DIR, TESTS_DIR, DASHBOARDS_DIR))
MANIFEST, FOLDERS = str(MANIFEST_FILE), str(FOLDERS_FILE)


@dataclass(frozen=True, slots=True)
class Change:
    section: str
    """``SLO``, ``rule file``, ``recording rule``, ``alert``, ``folder``, ``dashboard``,
    ``generated tests``, ``other output``."""
    name: str
    kind: str
    """``added``, ``removed``, ``changed`` or ``renamed``."""
    where: str = ""
    summary: str = ""
    """The rest of the change's one line (``objective 0.999, service billing``)."""
    details: tuple[Detail, ...] = ()
    diff: tuple[str, ...] = ()
    """A unified diff of the expression, when one changed."""
    folded: bool = False
    """Details that describe what was added or removed whole: shown folded (``<details>``)."""


def _text_diff(old: str, new: str) -> tuple[str, ...]:
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), "before", "after", n=1, lineterm="")
    return tuple(list(lines)[2:])  # the file headers say nothing here


def _keyed(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    return [(key, old.get(key), new.get(key)) for key in sorted(set(old) | set(new))]


def _slo_summary(slo: Mapping[str, Any]) -> str:
    sli = slo.get("sli") or {}
    parts = [f"objective {shown(slo.get('objective'))}", f"over {slo.get('period_days')}d"]
    parts += [f"service {slo.get('service')}", f"{sli.get('kind')} SLI of {sli.get('metric')}"]
    return ", ".join(parts)


def _slos(old: Files, new: Files) -> list[Change]:
    def load(files: Files) -> dict[str, Any]:
        text = files.get(MANIFEST)
        return {slo["name"]: slo for slo in json.loads(text)["slos"]} if text else {}

    changes = []
    for name, before, after in _keyed(load(old), load(new)):
        if before is None:
            description = (Detail(str(after.get("description"))),) if after.get("description") else ()
            changes.append(Change("SLO", name, "added", summary=_slo_summary(after), details=description))
        elif after is None:
            changes.append(Change("SLO", name, "removed", summary=_slo_summary(before)))
        elif before != after:
            changes.append(Change("SLO", name, "changed", details=tuple(field_details(before, after))))
    return changes


RuleKey = tuple[str, str]
"""``(kind, name#n)``: a rule is known by its name within its file, so moving it to another group
(or renaming the group) reads as a changed field, not as one rule removed and another added."""


def _rule_file(text: str) -> dict[RuleKey, dict[str, Any]]:
    """Every rule, with its group's name in the field ``group``."""
    rules: dict[RuleKey, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for group in (yaml.safe_load(text) or {}).get("groups") or []:
        for rule in group.get("rules") or []:
            kind = "alert" if "alert" in rule else "recording rule"
            name = str(rule.get("alert") or rule.get("record"))
            seen[name] = seen.get(name, 0) + 1
            key = name if seen[name] == 1 else f"{name}#{seen[name]}"
            rules[(kind, key)] = {"group": str(group["name"]), **rule}
    return rules


def _file_contents(rules: Mapping[RuleKey, Any]) -> tuple[str, tuple[Detail, ...]]:
    groups: dict[str, list[str]] = {}
    for (kind, name), rule in rules.items():
        groups.setdefault(rule["group"], []).append(name if kind == "recording rule" else f"alert {name}")
    alerts = sum(1 for kind, _ in rules if kind == "alert")
    records = len(rules) - alerts
    summary = f"{len(groups)} groups, {records} recording rules, {alerts} alerts"
    return summary, tuple(Detail(f"group {g}: {', '.join(names)}") for g, names in groups.items())


def _rule_changes(old: Files, new: Files) -> list[Change]:
    paths = sorted(p for p in set(old) | set(new) if p.startswith(RULES))
    changes: list[Change] = []
    for path in paths:
        name = path.removeprefix(RULES)
        if path not in old or path not in new:
            kind = "added" if path in new else "removed"
            summary, details = _file_contents(_rule_file((new if path in new else old)[path]))
            changes.append(Change("rule file", name, kind, summary=summary, details=details, folded=True))
            continue
        before, after = _rule_file(old[path]), _rule_file(new[path])
        for kind, rule in sorted(set(before) | set(after)):
            was, now = before.get((kind, rule)), after.get((kind, rule))
            if was is None and now is not None:
                diff = _text_diff("", str(now["expr"]))
                changes.append(Change(kind, rule, "added", now["group"], diff=diff))
            elif now is None and was is not None:
                changes.append(Change(kind, rule, "removed", was["group"]))
            elif was is not None and now is not None and was != now:
                details = tuple(field_details(was, now, skip=frozenset({"expr"})))
                diff = _text_diff(str(was["expr"]), str(now["expr"])) if was["expr"] != now["expr"] else ()
                changes.append(Change(kind, rule, "changed", now["group"], details=details, diff=diff))
    return changes


def _dashboards(files: Files) -> dict[str, tuple[str, dict[str, Any]]]:
    """``uid -> (folder uid, dashboard)``."""
    found = {}
    for path, text in files.items():
        parts = PurePosixPath(path).parts
        if len(parts) == 4 and path.startswith(DASHBOARDS) and path.endswith(".json"):
            found[PurePosixPath(path).stem] = (parts[2], json.loads(text))
    return found


def _contents(dashboard: Mapping[str, Any]) -> tuple[str, tuple[Detail, ...]]:
    summary = f"{shown(dashboard.get('title'))}, {panel_count(dashboard)} panels"
    return summary, tuple(Detail(key) for key in panel_keys(dashboard))


def _same_dashboard(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """The same title, or the same content under another uid and title."""
    if a.get("title") == b.get("title"):
        return True
    return {k: v for k, v in a.items() if k not in {"uid", "title"}} == {
        k: v for k, v in b.items() if k not in {"uid", "title"}
    }


def _dashboard_changes(old: Files, new: Files) -> list[Change]:
    before, after = _dashboards(old), _dashboards(new)
    gone = [uid for uid in sorted(before) if uid not in after]
    came = [uid for uid in sorted(after) if uid not in before]
    changes = []
    # A uid that changed, its title or content kept, is a rename, not one dashboard deleted and another made.
    for uid in list(came):
        twin = next((g for g in gone if _same_dashboard(before[g][1], after[uid][1])), None)
        if twin is None:
            continue
        gone.remove(twin)
        came.remove(uid)
        (old_folder, was), (new_folder, now) = before[twin], after[uid]
        details = [Detail("uid", twin, uid), *_moved(old_folder, new_folder)]
        details += [d for d in dashboard_details(was, now) if d.what != "uid"]
        changes.append(Change("dashboard", f"{twin} → {uid}", "renamed", new_folder, details=tuple(details)))
    for uid in sorted({*before, *after}):
        if uid in came or uid in gone:
            folder, model = (after if uid in came else before)[uid]
            summary, holds = _contents(model)
            kind = "added" if uid in came else "removed"
            changes.append(Change("dashboard", uid, kind, folder, summary, holds, folded=True))
        elif uid in before and uid in after:
            (old_folder, was), (new_folder, now) = before[uid], after[uid]
            details = [*_moved(old_folder, new_folder), *dashboard_details(was, now)]
            if details:
                changes.append(Change("dashboard", uid, "changed", new_folder, details=tuple(details)))
    return sorted(changes, key=lambda c: c.name)


def _moved(old_folder: str, new_folder: str) -> list[Detail]:
    return [Detail("folder", old_folder, new_folder)] if old_folder != new_folder else []


def _folders(old: Files, new: Files) -> list[Change]:
    def load(files: Files) -> dict[str, str]:
        text = files.get(FOLDERS)
        return dict(json.loads(text)) if text else {}

    changes = []
    for uid, before, after in _keyed(load(old), load(new)):
        if before is None:
            changes.append(Change("folder", uid, "added", summary=shown(after)))
        elif after is None:
            changes.append(Change("folder", uid, "removed", summary=shown(before)))
        elif before != after:
            changes.append(
                Change("folder", uid, "changed", details=(Detail("title", shown(before), shown(after)),))
            )
    return changes


def _files(
    section: str, wanted: Callable[[str], bool], prefix: str = ""
) -> Callable[[Files, Files], list[Change]]:
    def changes(old: Files, new: Files) -> list[Change]:
        found = []
        for path in sorted(p for p in set(old) | set(new) if wanted(p)):
            if old.get(path) == new.get(path):
                continue
            kind = "added" if path not in old else "removed" if path not in new else "changed"
            found.append(Change(section, path.removeprefix(prefix), kind))
        return found

    return changes


_KNOWN = (RULES, TESTS, DASHBOARDS)
_tests = _files("generated tests", lambda p: p.startswith(TESTS), TESTS)
_other = _files("other output", lambda p: not p.startswith(_KNOWN) and p not in {MANIFEST, FOLDERS})


def semantic_diff(old: Files, new: Files) -> list[Change]:
    return (
        _slos(old, new)
        + _rule_changes(old, new)
        + _folders(old, new)
        + _dashboard_changes(old, new)
        + _tests(old, new)
        + _other(old, new)
    )
