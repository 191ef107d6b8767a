"""A plan: what a deploy would do to each object, and why. Shared by every target; pure data.

Every object gets one action:

- ``create``: declared, not in the target;
- ``update``: declared, in the target with other content (the diff says what changes);
- ``unchanged``: same content; nothing is sent, so the target's version history stays clean;
- ``conflict``: the deploy must not touch it without a person deciding: changed by hand since the
  last deploy, not deployed by this tool, provisioned, or a title collision. ``forceable`` says
  whether ``--force`` may override it (a title collision or a provisioned dashboard never);
- ``delete``: managed by this tool, no longer declared, and ``--prune`` was given.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Action", "ItemKind", "Outcome", "Plan", "PlanItem"]


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    DELETE = "delete"


CHANGES = frozenset({Action.CREATE, Action.UPDATE, Action.DELETE})


class ItemKind(StrEnum):
    """What a plan item is; its value is how the plan table and ``--json`` name it."""

    FOLDER = "folder"
    DASHBOARD = "dashboard"
    RULE_FILE = "rule file"
    RULE_GROUP = "rule group"


@dataclass(frozen=True, slots=True)
class PlanItem:
    kind: ItemKind
    name: str
    """What identifies it in the target: a uid, a file name, ``namespace/group``."""
    action: Action
    title: str = ""
    where: str = ""
    """Its folder, directory or namespace."""
    reason: str = ""
    diff: tuple[str, ...] = ()
    forceable: bool = False
    version: int | None = None
    """The version read while planning; a save is conditional on it."""
    changes: tuple[str, ...] = ()
    """What the diff changes, as a reviewer reads it (a dashboard's panels by identity); the table
    shows these instead of the raw diff when there are any."""

    def applies(self, force: bool) -> bool:
        """Whether apply acts on it: a change, or a conflict that ``--force`` overrides."""
        return self.action in CHANGES or (force and self.action is Action.CONFLICT and self.forceable)

    def label(self) -> str:
        return f"{self.kind} {self.name}" + (
            f" ({self.title})" if self.title and self.title != self.name else ""
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "name": self.name,
            "title": self.title,
            "where": self.where,
            "action": str(self.action),
            "reason": self.reason,
            "forceable": self.forceable,
            "diff": list(self.diff),
            "changes": list(self.changes),
        }


@dataclass(frozen=True, slots=True)
class Plan:
    target: str
    items: tuple[PlanItem, ...]
    notes: tuple[str, ...] = field(default=())

    def counts(self) -> Counter[Action]:
        return Counter(item.action for item in self.items)

    @property
    def has_changes(self) -> bool:
        return any(item.action in CHANGES for item in self.items)

    def conflicts(self, force: bool) -> list[PlanItem]:
        """Conflicts that stop the deploy: all of them, or with ``--force`` those it cannot override."""
        return [i for i in self.items if i.action is Action.CONFLICT and not (force and i.forceable)]

    def to_json(self) -> dict[str, Any]:
        counts = self.counts()
        return {
            "target": self.target,
            "items": [item.to_json() for item in self.items],
            "summary": {str(action): counts.get(action, 0) for action in Action},
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """What applying one plan item did."""

    item: PlanItem
    ok: bool
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.item.kind,
            "name": self.item.name,
            "action": str(self.item.action),
            "ok": self.ok,
            "detail": self.detail,
        }
