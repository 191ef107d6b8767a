"""What an import understood of a foreign specification, before it becomes declaration files.

A draft names the declaration's parts in this repository's terms (a ratio of catalog counters or raw
PromQL, the alert policy's tiers and windows), so the Sloth and OpenSLO readers share one renderer,
and every refusal names the foreign file, the SLO and the foreign field it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "AlertDraft",
    "BurnWindowDraft",
    "FreshnessDraft",
    "ImportRefusedError",
    "LatencyDraft",
    "MatcherDraft",
    "MetricUse",
    "Problem",
    "PromQLDraft",
    "RatioDraft",
    "SLIDraft",
    "SLODraft",
    "SelectorDraft",
    "TierDraft",
]


@dataclass(frozen=True, order=True)
class Problem:
    """Something of a specification this repository cannot express, where it is."""

    file: str
    slo: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"SLO {self.slo!r}" if self.slo else "document"
        return f"{self.file}: {where}: field {self.field!r}: {self.message}"


class ImportRefusedError(Exception):
    """One or more problems: nothing is written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class MatcherDraft:
    label: str
    op: str  # "=", "!=", "=~", "!~"
    value: str


@dataclass(frozen=True)
class SelectorDraft:
    """``sum(rate(<metric>{<matchers>}[window]))`` of a counter: a catalog selector."""

    metric: str
    matchers: tuple[MatcherDraft, ...]


@dataclass(frozen=True)
class RatioDraft:
    """A ratio of catalog counters: bad (or good) events over total events."""

    total: SelectorDraft
    bad: SelectorDraft | None = None
    good: SelectorDraft | None = None


@dataclass(frozen=True)
class PromQLDraft:
    """Raw PromQL with the ``{window}`` placeholder: errors and total, or an error ratio."""

    errors: str | None = None
    total: str | None = None
    error_ratio: str | None = None


@dataclass(frozen=True)
class LatencyDraft:
    """Requests at or under ``threshold`` seconds, from a histogram (``metric`` is its family name)."""

    histogram: SelectorDraft
    threshold: Decimal


@dataclass(frozen=True)
class FreshnessDraft:
    """A timestamp gauge younger than ``max_age``."""

    gauge: SelectorDraft
    max_age: str


SLIDraft = RatioDraft | PromQLDraft | LatencyDraft | FreshnessDraft


@dataclass(frozen=True)
class BurnWindowDraft:
    long: str
    short: str
    budget_percent: Decimal


@dataclass(frozen=True)
class TierDraft:
    """A tier (``page`` or ``ticket``); ``windows`` None keeps the default table's windows."""

    name: str
    windows: tuple[BurnWindowDraft, ...] | None = None
    severity: str | None = None
    alert_name: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    for_: str | None = None


@dataclass(frozen=True)
class AlertDraft:
    name: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    tiers: tuple[TierDraft, ...] = (TierDraft("page"), TierDraft("ticket"))
    disabled: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MetricUse:
    """A metric a query reads, the labels it matches on and values that satisfy (or not) its matchers."""

    name: str
    labels: dict[str, tuple[str, ...]]
    jobs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SLODraft:
    origin: str  # the file it came from, as the user named it
    name: str
    service: str
    description: str
    objective: Decimal  # percent
    sli: SLIDraft
    period_days: int = 30
    labels: dict[str, str] = field(default_factory=dict)
    alerting: AlertDraft = field(default_factory=AlertDraft)
    metrics: tuple[MetricUse, ...] = ()
    runbook_url: str | None = None
