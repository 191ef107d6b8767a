"""Plain data for Prometheus rule files: what the compilers return and the I/O layer writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AlertingRule", "RecordingRule", "Rule", "RuleGroup", "rule_file"]


@dataclass(frozen=True, slots=True)
class RecordingRule:
    record: str
    expr: str
    labels: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"record": self.record, "expr": self.expr}
        if self.labels:
            out["labels"] = dict(sorted(self.labels.items()))
        return out


@dataclass(frozen=True, slots=True)
class AlertingRule:
    alert: str
    expr: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    for_: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"alert": self.alert, "expr": self.expr}
        if self.for_ is not None:
            out["for"] = self.for_
        out["labels"] = dict(sorted(self.labels.items()))
        out["annotations"] = dict(sorted(self.annotations.items()))
        return out


Rule = RecordingRule | AlertingRule


@dataclass(frozen=True, slots=True)
class RuleGroup:
    name: str
    rules: tuple[Rule, ...]
    interval: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.interval is not None:
            out["interval"] = self.interval
        out["rules"] = [rule.to_dict() for rule in self.rules]
        return out


def rule_file(groups: tuple[RuleGroup, ...]) -> dict[str, Any]:
    """The document of one Prometheus rule file."""
    return {"groups": [group.to_dict() for group in groups]}
