"""What an import saw of a running system's metrics, before it becomes catalog declarations.

Both sources (a Prometheus' API, a saved exposition) reduce to :class:`Observed` families: a name,
the type, help and unit its exposition declared, and the label values seen on its series.
:func:`to_metrics` turns them into catalog :class:`Metric` objects, or says why one cannot be (a
gauge histogram has no catalog type, a counter must end in ``_total``, the built-in catalogs already
declare it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from aurum.contract.catalogs import BUILTIN_CATALOGS
from aurum.contract.conventions import BUCKET_LABEL, QUANTILE_LABEL
from aurum.contract.metrics import Label, Metric, MetricType, TargetLabels
from aurum.contract.prometheus import TARGET_LABELS

__all__ = [
    "NO_METADATA",
    "Imported",
    "Observed",
    "Skipped",
    "series_of",
    "to_metrics",
    "without_target_labels",
]

NO_METADATA = "none"
"""The type of a series name no metadata describes."""
_TYPES = {
    "counter": MetricType.COUNTER,
    "gauge": MetricType.GAUGE,
    "histogram": MetricType.HISTOGRAM,
    "summary": MetricType.SUMMARY,
    # Untyped: not called a gauge, which would make rate() of an untyped counter look like a bug.
    "unknown": MetricType.UNKNOWN,
    "untyped": MetricType.UNKNOWN,
}
# Prometheus stores these like gauges; the catalog says so rather than dropping them.
_AS_GAUGE = frozenset({"info", "stateset"})


@dataclass
class Observed:
    """One metric family as stored: a counter's or an info's ``name`` is its series' name (with
    ``_total`` or ``_info``), a histogram's or a summary's is the family's."""

    name: str
    type: str
    help: str = ""
    unit: str = ""
    labels: dict[str, set[str]] = field(default_factory=dict)
    """Label name to the values seen (``le`` of a histogram's buckets excluded)."""
    buckets: set[float] = field(default_factory=set)
    jobs: set[str] = field(default_factory=set)

    def see(self, labels: Mapping[str, str], *, part: str | None = None) -> None:
        """Record one series of this family with ``labels`` (``__name__`` already removed); ``part``
        is the label the series' kind adds (``le`` of a bucket, ``quantile`` of a summary), not the
        family's own."""
        for name, value in labels.items():
            if not value:  # Prometheus stores an empty value as no label at all
                continue
            if name == part:
                if name == BUCKET_LABEL and not math.isinf(bound := float(value)):
                    self.buckets.add(bound)
            elif name == "job":
                self.jobs.add(value)
            elif name not in TARGET_LABELS:
                self.labels.setdefault(name, set()).add(value)


def series_of(name: str, kind: str) -> dict[str, str | None]:
    """The series names a family ``name`` of type ``kind`` stores, each with the label its part
    adds (``le`` on buckets, ``quantile`` on a summary's quantiles).

    ``_created`` series belong to nobody: they are timestamps the catalog does not declare.
    """
    if kind == "histogram":
        return {f"{name}_bucket": BUCKET_LABEL, f"{name}_count": None, f"{name}_sum": None}
    if kind == "summary":
        return {name: QUANTILE_LABEL, f"{name}_count": None, f"{name}_sum": None}
    return {name: None}


@dataclass(frozen=True, slots=True)
class Skipped:
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class Imported:
    metrics: tuple[Metric, ...]
    skipped: tuple[Skipped, ...]


def _label(name: str, values: Iterable[str], examples: int) -> Label:
    return Label(name, "", examples=tuple(sorted(values)[:examples]))


def _metric(family: Observed, examples: int) -> Metric:
    return Metric(
        base_name=family.name,
        type=_TYPES.get(family.type, MetricType.GAUGE),
        help=family.help,
        unit=family.unit,
        labels=tuple(_label(label, family.labels[label], examples) for label in sorted(family.labels)),
        buckets=tuple(sorted(family.buckets)),
        jobs=tuple(sorted(family.jobs)),
    )


def _why_not(family: Observed) -> str | None:
    if BUILTIN_CATALOGS.lookup(family.name) is not None:
        return "declared by the built-in catalogs already"
    if family.type == NO_METADATA:
        return "no metadata (a recorded series, or one Prometheus writes itself)"
    if family.type not in _TYPES and family.type not in _AS_GAUGE:
        return f"a {family.type}, which the catalog has no type for"
    if family.type == "histogram" and not family.buckets:
        return "a histogram without a finite bucket"
    return None


def without_target_labels(families: Iterable[Observed], targets: Iterable[TargetLabels]) -> None:
    """Drop from each family the labels scraping adds to its jobs' series (they are declared apart)."""
    groups = list(targets)
    for family in families:
        for group in groups:
            if not group.jobs or family.jobs & set(group.jobs):
                for label in group.labels:
                    family.labels.pop(label.name, None)


def to_metrics(families: Iterable[Observed], *, examples: int) -> Imported:
    """Catalog metrics for ``families`` (sorted by name), and the ones that cannot be, with why."""
    metrics: list[Metric] = []
    skipped: list[Skipped] = []
    for family in sorted(families, key=lambda f: f.name):
        reason = _why_not(family)
        if reason is None:
            try:
                metrics.append(_metric(family, examples))
                continue
            except ValueError as error:  # what the catalog refuses (a counter not ending in _total)
                reason = str(error).removeprefix(f"{family.name}: ")
        skipped.append(Skipped(family.name, reason))
    return Imported(tuple(metrics), tuple(skipped))
