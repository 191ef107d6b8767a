"""Catalog types: a metric family, its labels, and the series recording rules derive from metrics.

A :class:`Metric` is declared without the metric prefix (``base_name``); its exposed name is
``prefix + base_name`` when it is ``prefixed`` (the Aurum catalog's are, explicitly), or
``base_name`` alone, the default (a team's own metrics, an exporter's, Prometheus' ``up``).
``metric.name`` resolves under the prefix in effect (see :mod:`aurum.contract.prefix`), so declarations and compilers keep writing ``metric.name``;
``metric.name_for(prefix)`` gives the name under any prefix, which is how the runtime names its
instruments from its own settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from aurum.contract.prefix import current_prefix

__all__ = [
    "Label",
    "Metric",
    "MetricType",
    "RecordedSeries",
    "TargetLabels",
    "is_label_name",
    "is_label_syntax",
    "is_metric_name",
]


class MetricType(StrEnum):
    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"
    SUMMARY = "summary"
    """Quantiles an exporter computed (series ``name{quantile}``, ``name_count``, ``name_sum``), as Go
    and Java clients expose them. Never emitted by the runtime shim."""
    UNKNOWN = "unknown"
    """Exposed untyped (many of node exporter's ``node_vmstat_*`` and ``node_netstat_*``): Prometheus
    stores it like a gauge, but nothing says whether it only grows, so the lint's type rules (a
    counter function of a gauge, a threshold on a raw counter) leave it alone. Never emitted by the
    runtime shim."""


@dataclass(frozen=True, slots=True)
class Label:
    """A label name with what is known about its values.

    ``allowed`` is a closed set (the runtime and the lint reject anything else); ``examples`` are
    typical values of an open label, used where a tool must invent realistic series (generated
    promtool tests, demo traffic). ``pattern`` is a regular expression every value of an open label
    matches (``[1-5][0-9][0-9]`` for a numeric status): the lint refuses a matcher it can never meet.
    """

    name: str
    description: str
    allowed: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    pattern: str = ""

    @property
    def values(self) -> tuple[str, ...]:
        """Known values: the closed set when there is one, otherwise the examples."""
        return self.allowed or self.examples


_HISTOGRAM_SERIES = ("bucket", "count", "sum")
_METRIC_NAME_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def is_metric_name(name: str) -> bool:
    """A valid Prometheus metric (or recorded series) name."""
    return _METRIC_NAME_RE.match(name) is not None


def is_label_syntax(name: str) -> bool:
    """Prometheus' label name syntax (which annotation names follow too)."""
    return _LABEL_NAME_RE.match(name) is not None


def is_label_name(name: str) -> bool:
    """A Prometheus label name a declaration may use: valid, and not reserved (``__`` prefix)."""
    return is_label_syntax(name) and not name.startswith("__")


@dataclass(frozen=True, slots=True)
class Metric:
    """One metric family as exposed to Prometheus (counters' names include ``_total``)."""

    base_name: str
    """The name without the prefix: ``http_requests_total``."""
    type: MetricType
    help: str
    unit: str
    labels: tuple[Label, ...]
    buckets: tuple[float, ...] = ()
    prefixed: bool = False
    """Whether the exposed name starts with the build's prefix: the Aurum application's metrics do;
    metrics named by someone else (a team's, an exporter's, Prometheus' ``up``) are exposed as declared."""
    jobs: tuple[str, ...] = ()
    """The scrape jobs that export it (``job`` label values); empty when any job may."""
    _by_name: dict[str, Label] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {label.name: label for label in self.labels})
        if not is_metric_name(self.base_name):
            msg = f"{self.base_name!r} is not a valid Prometheus metric name"
            raise ValueError(msg)
        for label in self.labels:
            if not is_label_name(label.name):
                msg = f"{self.base_name}: {label.name!r} is not a label name a metric may declare"
                raise ValueError(msg)
        if len(self._by_name) != len(self.labels):
            msg = f"{self.base_name}: a label is declared twice ({', '.join(self.label_names)})"
            raise ValueError(msg)
        if (self.type is MetricType.HISTOGRAM) != bool(self.buckets):
            msg = f"{self.base_name}: buckets are required for histograms and only for them"
            raise ValueError(msg)
        if list(self.buckets) != sorted(set(self.buckets)):
            msg = f"{self.base_name}: buckets must be strictly increasing"
            raise ValueError(msg)
        if self.type is MetricType.COUNTER and not self.base_name.endswith("_total"):
            msg = f"{self.base_name}: counter names end in _total"
            raise ValueError(msg)

    def name_for(self, prefix: str) -> str:
        """The exposed name under ``prefix``."""
        return f"{prefix}{self.base_name}" if self.prefixed else self.base_name

    @property
    def name(self) -> str:
        """The exposed name under the prefix in effect (the build's, or the default one)."""
        return self.name_for(current_prefix())

    def family_for(self, prefix: str) -> str:
        """The name prometheus_client expects under ``prefix``: counters are declared without ``_total``."""
        name = self.name_for(prefix)
        return name.removesuffix("_total") if self.type is MetricType.COUNTER else name

    @property
    def family(self) -> str:
        return self.family_for(current_prefix())

    def series_names_for(self, prefix: str) -> tuple[str, ...]:
        """Every series name Prometheus stores for this family under ``prefix``."""
        name = self.name_for(prefix)
        if self.type is MetricType.HISTOGRAM:
            return tuple(f"{name}_{part}" for part in _HISTOGRAM_SERIES)
        if self.type is MetricType.SUMMARY:
            return (name, f"{name}_count", f"{name}_sum")
        return (name,)

    def series_names(self) -> tuple[str, ...]:
        return self.series_names_for(current_prefix())

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    def with_examples(self, **examples: tuple[str, ...]) -> Metric:
        """This metric with more example values for open labels: what a team's catalog declares so
        that the tests generated for its SLOs can make series of a built-in metric with its values
        (``HTTP_REQUESTS_TOTAL.with_examples(path=("/api/billing/charges",))``)."""
        for name in examples:
            if self.label(name).allowed:
                msg = f"{self.base_name}: label {name!r} is a closed set; its values cannot be extended"
                raise ValueError(msg)
        labels = tuple(
            replace(label, examples=tuple(dict.fromkeys((*label.examples, *examples.get(label.name, ())))))
            for label in self.labels
        )
        return replace(self, labels=labels)

    def label(self, name: str) -> Label:
        """The label called ``name``; ``KeyError`` naming the metric when it has none."""
        try:
            return self._by_name[name]
        except KeyError:
            msg = f"{self.name} has no label {name!r} (labels: {', '.join(self.label_names) or 'none'})"
            raise KeyError(msg) from None


@dataclass(frozen=True, slots=True)
class TargetLabels:
    """Labels that scraping, relabelling or external labels add to scraped series.

    ``cluster``, ``namespace``, ``region``: Prometheus (or the agent in front of it) attaches them,
    so no exporter declares them. With ``jobs`` empty they are on every scraped series; otherwise on
    the series of those jobs only (and on ``up``, which every job has).
    """

    labels: tuple[Label, ...]
    jobs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.labels:
            msg = "TargetLabels needs at least one label"
            raise ValueError(msg)
        for label in self.labels:
            if not is_label_name(label.name):
                msg = f"{label.name!r} is not a label name a target may carry"
                raise ValueError(msg)

    def applies_to(self, metric: Metric) -> bool:
        """Whether series of ``metric`` carry these labels (a metric of unknown jobs may)."""
        return not self.jobs or not metric.jobs or bool(set(self.jobs) & set(metric.jobs))


@dataclass(frozen=True, slots=True)
class RecordedSeries:
    """A series a recording rule records: ``<aggregation labels>:<metric>:<operation>``.

    The metric part is under the prefix (``path:aurum_http_requests:rate5m``), so, like a metric's,
    the name resolves when it is used; ``str()`` is the name, so it reads as PromQL in f-strings.
    """

    level: str
    """The labels kept, joined by ``_`` (``path``)."""
    metric: str
    """The metric part without the prefix (``http_requests``)."""
    operation: str
    """What was computed, with its window (``rate5m``)."""
    prefixed: bool = False
    """As for :class:`Metric`: the Aurum platform's records say ``prefixed=True``; a team's are named as declared."""

    def name_for(self, prefix: str) -> str:
        metric = f"{prefix}{self.metric}" if self.prefixed else self.metric
        return f"{self.level}:{metric}:{self.operation}"

    @property
    def name(self) -> str:
        return self.name_for(current_prefix())

    def __str__(self) -> str:
        return self.name
