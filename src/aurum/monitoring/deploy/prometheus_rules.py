"""What a Prometheus evaluates, compared with what was deployed: by content, and by the file it read.

``GET /api/v1/rules`` (https://prometheus.io/docs/prometheus/latest/querying/api/#rules) lists every
group with the ``file`` Prometheus read it from (the path its ``rule_files`` glob matched, made
absolute) and each rule's name, query (as Prometheus prints it), ``for``, labels and annotations.
Matching groups by file *name* and rule *count* is not enough: files of the same names loaded from
another directory pass that check while the deployed ones are not read at all. Here a group counts as
deployed only when it comes from the deployed file's absolute path and every rule is the one
declared. Prometheus reprints the queries it loaded (matchers sorted, ``sum(x) by (a)`` as
``sum by (a) (x)``), so a query that is not equal as text is compared as Prometheus prints it: the
caller's ``same_query`` asks Prometheus itself (``/api/v1/format_query``) to print both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import yaml

from aurum.contract.durations import parse_duration

__all__ = ["Loaded", "LoadedRules", "Rule", "declared_rule", "declared_rules", "differences", "loaded_rules"]

Rule = tuple[Any, ...]
"""One rule as compared: kind, name, query, ``for`` in seconds, labels and annotations (sorted pairs)."""
Key = tuple[str, str]
"""``(absolute file path, group name)``."""
LoadedRules = dict[Key, tuple[Rule, ...]]


def _rule(kind: str, name: str, query: str, *, duration: float, labels: Any, annotations: Any) -> Rule:
    return (
        kind,
        name,
        query,
        float(duration),
        tuple(sorted((labels or {}).items())),
        tuple(sorted((annotations or {}).items())),
    )


def declared_rule(rule: Mapping[str, Any]) -> Rule:
    """One rule of a rule file (``record:`` or ``alert:``) in the compared form."""
    return _rule(
        "alerting" if "alert" in rule else "recording",
        rule.get("alert") or rule["record"],
        str(rule["expr"]),
        duration=parse_duration(rule["for"]) if rule.get("for") else 0,
        labels=rule.get("labels"),
        annotations=rule.get("annotations"),
    )


def declared_rules(files: Mapping[str, bytes], loaded_as: Path) -> LoadedRules:
    """What Prometheus must show for the rule ``files`` (name -> body) read from ``loaded_as``."""
    declared: LoadedRules = {}
    for name, body in files.items():
        path = str(loaded_as / name)
        for group in (yaml.safe_load(body) or {}).get("groups") or []:
            declared[(path, group["name"])] = tuple(declared_rule(rule) for rule in group.get("rules") or [])
    return declared


def loaded_rules(groups: Iterable[Mapping[str, Any]]) -> LoadedRules:
    """The ``data.groups`` of ``/api/v1/rules`` in the same form."""
    return {
        (str(group["file"]), str(group["name"])): tuple(
            _rule(
                str(rule["type"]),
                str(rule["name"]),
                str(rule["query"]),
                duration=float(rule.get("duration") or 0),
                labels=rule.get("labels"),
                annotations=rule.get("annotations"),
            )
            for rule in group.get("rules") or []
        )
        for group in groups
    }


_SHOWN = 5


def _some(names: tuple[str, ...]) -> str:
    """The first few names, and how many more: a wrong directory misses every group at once."""
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(names[:_SHOWN]) + more


@dataclass(frozen=True, slots=True)
class Loaded:
    """How what Prometheus evaluates differs from what was deployed; empty when it does not."""

    missing: tuple[str, ...] = ()
    """Declared groups Prometheus does not read from the deployed file."""
    elsewhere: tuple[str, ...] = ()
    """Of those, groups of the same file name and group name that it reads from another path."""
    different: tuple[str, ...] = ()
    """Groups read from the deployed file, with other rules than declared."""
    stale: tuple[str, ...] = ()
    """Groups still read from a file the deploy removed."""

    def __bool__(self) -> bool:
        return bool(self.missing or self.different or self.stale)

    def explain(self, loaded_as: Path) -> str:
        problems = []
        if self.missing:
            problems.append(f"not loaded: {_some(self.missing)}")
        if self.elsewhere:
            problems.append(f"Prometheus reads these from other files instead: {_some(self.elsewhere)}")
        if self.different:
            # The first in full; a wrong reload changes every group, and one example says what happened.
            more = f" (and {len(self.different) - 1} more groups)" if len(self.different) > 1 else ""
            problems.append(f"loaded with other rules than deployed: {self.different[0]}{more}")
        if self.stale:
            problems.append(f"still loaded after its file was removed: {_some(self.stale)}")
        hint = (
            f" (is this directory in Prometheus's rule_files? The groups must be read from {loaded_as}; "
            "if Prometheus sees the directory under another path, give that path as --loaded-as)"
            if self.missing
            else ""
        )
        return "; ".join(problems) + hint


SameQuery = Callable[[str, str], bool]


def _same_rules(declared: tuple[Rule, ...], loaded: tuple[Rule, ...], same_query: SameQuery) -> str | None:
    """None when the rules are the same, else the first difference."""
    if len(declared) != len(loaded):
        return f"{len(loaded)} rules loaded, {len(declared)} declared"
    for want, have in zip(declared, loaded, strict=True):
        if want[:2] != have[:2]:
            return f"{have[0]} rule {have[1]} loaded where {want[0]} rule {want[1]} is declared"
        if not same_query(want[2], have[2]):
            return f"rule {want[1]} runs {have[2]!r}, declared {want[2]!r}"
        if want[3:] != have[3:]:
            return f"rule {want[1]} has other for, labels or annotations than declared"
    return None


def differences(
    declared: LoadedRules, loaded: LoadedRules, gone: Iterable[str], same_query: SameQuery
) -> Loaded:
    """Compare by ``(absolute file path, group name)``; ``gone``: paths of files the deploy removed."""
    by_name: dict[tuple[str, str], list[str]] = {}
    for file, group in loaded:
        by_name.setdefault((PurePath(file).name, group), []).append(file)
    missing, elsewhere, different = [], [], []
    for (file, group), rules in declared.items():
        label = f"{group} ({PurePath(file).name})"
        if (file, group) not in loaded:
            missing.append(label)
            elsewhere += [f"{group} ({other})" for other in by_name.get((PurePath(file).name, group), [])]
        else:
            difference = _same_rules(rules, loaded[(file, group)], same_query)
            if difference is not None:
                different.append(f"{label}: {difference}")
    removed = set(gone)
    stale = [f"{group} ({PurePath(file).name})" for file, group in loaded if file in removed]
    return Loaded(tuple(missing), tuple(elsewhere), tuple(different), tuple(stale))
