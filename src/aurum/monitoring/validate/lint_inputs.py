"""What the lint reads (rendered rule files and dashboards, with where they were declared) and reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aurum.contract.lint_settings import Category

__all__ = ["DashboardFile", "Finding", "RuleFile"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: ``file:line: obj: field 'field': message`` once reported."""

    file: str
    line: int | None
    obj: str
    field: str
    message: str
    category: Category = Category.CORRECTNESS
    """Style, undeclared metrics and untested alerts follow the policy of the file's source tree."""


@dataclass(frozen=True)
class RuleFile:
    """One rendered rule file and where its rules were declared."""

    file: str
    document: Mapping[str, Any]
    lines: Mapping[str, int] = field(default_factory=dict)
    """Declaration line of each rule, by alert or record name, when known."""
    tests: Mapping[str, Any] | None = None
    """The promtool test file of these rules."""
    handwritten: bool = True
    """Hand-written alerts need tests showing them firing and quiet; generated ones come with theirs."""

    def rules(self) -> list[Mapping[str, Any]]:
        return [rule for group in self.document.get("groups", []) for rule in group.get("rules", [])]


@dataclass(frozen=True)
class DashboardFile:
    """One rendered dashboard, the folder it goes to, and where it was declared."""

    file: str
    line: int | None
    folder: tuple[str, str]
    """``(uid, title)`` of the Grafana folder."""
    dashboard: Mapping[str, Any]
