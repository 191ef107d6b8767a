"""Catalogs: every set of metric declarations a build knows, and what the build asks of them.

The built-in Aurum catalog, Prometheus' own series and each ``catalog/*.py`` of a repository are
catalogs alike; :class:`Catalogs` is their union, and the one place that answers "is metric X
declared, with what type, labels, closed sets and target labels?" for ``select()``, the unit-test
series, the lint, the test generator and Jsonnet. A build runs its declarations inside
:func:`using_catalogs` with the repository's catalogs; elsewhere :func:`current_catalogs` is the
built-in ones.

A metric is declared when a catalog declares its exposed name with the same shape (type, labels,
closed sets, buckets): declarations may build their own equal ``Metric`` object, but two catalogs
declaring one name with different shapes are a :class:`CatalogConflictError` naming both places.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from aurum.contract import catalog as aurum_catalog
from aurum.contract import prometheus
from aurum.contract.conventions import BUCKET_LABEL, QUANTILE_LABEL
from aurum.contract.metrics import Label, Metric, MetricType, TargetLabels
from aurum.contract.prefix import current_prefix

__all__ = [
    "BUILTIN_CATALOGS",
    "Catalog",
    "CatalogConflictError",
    "Catalogs",
    "Declaration",
    "TargetLabels",
    "current_catalogs",
    "shape",
    "using_catalogs",
]


@dataclass(frozen=True, slots=True)
class Declaration:
    """One metric as a catalog declares it, and where."""

    metric: Metric
    key: str
    """Its Python name (``HTTP_REQUESTS_TOTAL``): Jsonnet's ``aurum.metric(key)``."""
    place: str
    """``catalog/billing.py:12``, or the module of a built-in catalog."""
    scraped: bool = True
    """False for series Prometheus' rules write (``ALERTS``): they carry no target labels."""


@dataclass(frozen=True, slots=True)
class Catalog:
    """The metrics and target labels of one catalog (a module, or a ``catalog/*.py`` file)."""

    name: str
    declarations: tuple[Declaration, ...] = ()
    target_labels: tuple[tuple[TargetLabels, str], ...] = ()
    """Each with the place it was declared."""


def shape(metric: Metric) -> tuple[object, ...]:
    """What two declarations of one metric must agree on: type, labels, closed sets and buckets."""
    labels = tuple((label.name, label.allowed) for label in metric.labels)
    return (metric.type, labels, metric.buckets)


def _describe(metric: Metric) -> str:
    labels = ", ".join(
        f"{label.name}={{{'|'.join(label.allowed)}}}" if label.allowed else label.name
        for label in metric.labels
    )
    buckets = f", buckets {list(metric.buckets)}" if metric.buckets else ""
    return f"a {metric.type} with labels ({labels or 'none'}){buckets}"


class CatalogConflictError(ValueError):
    """One metric name declared with two different shapes (or one Python name given to two
    metrics); names both places. ``second`` is the later declaration, where the error is reported."""

    def __init__(self, name: str, first: Declaration, second: Declaration, message: str, field: str) -> None:
        self.name = name
        self.first = first
        self.second = second
        self.field = field
        """What disagrees: ``(shape)``, or ``(variable)`` for a Python name."""
        super().__init__(message)

    @classmethod
    def shapes(cls, name: str, first: Declaration, second: Declaration) -> CatalogConflictError:
        return cls(
            name,
            first,
            second,
            f"{name} is declared as {_describe(second.metric)}, but {first.place} declares it as "
            f"{_describe(first.metric)}",
            "(shape)",
        )

    @classmethod
    def keys(cls, first: Declaration, second: Declaration) -> CatalogConflictError:
        key = second.key
        return cls(
            second.metric.name,
            first,
            second,
            f"{key} names {second.metric.name} here, but {first.place} gives that name to "
            f"{first.metric.name}; Jsonnet's aurum.metric({key!r}) needs one meaning",
            "(variable)",
        )


@dataclass(frozen=True, slots=True)
class _Index:
    by_series: dict[str, Declaration]
    """Every family and series name (a histogram's three) to its declaration, under one prefix."""
    by_key: dict[str, Declaration]
    every: dict[str, tuple[Declaration, ...]]
    """Every declaration of each metric name, in catalog order (they differ in examples at most)."""


@dataclass(frozen=True)
class Catalogs:
    """The union of several catalogs, checked for conflicts under the prefix in effect."""

    catalogs: tuple[Catalog, ...]
    _indexes: dict[str, _Index] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index()  # conflicts are found when the catalogs are combined, not at first use

    def including(self, more: Iterable[Catalog]) -> Catalogs:
        """These catalogs and ``more`` (a repository's); ``CatalogConflictError`` on a conflict."""
        return Catalogs((*self.catalogs, *more))

    def _index(self) -> _Index:
        prefix = current_prefix()
        index = self._indexes.get(prefix)
        if index is None:
            index = self._indexes[prefix] = self._build_index()
        return index

    def _build_index(self) -> _Index:
        by_series: dict[str, Declaration] = {}
        by_key: dict[str, Declaration] = {}
        every: dict[str, list[Declaration]] = {}
        for declaration in (d for catalog in self.catalogs for d in catalog.declarations):
            metric = declaration.metric
            every.setdefault(metric.name, []).append(declaration)
            for name in dict.fromkeys((metric.name, *metric.series_names())):
                first = by_series.get(name)
                if first is not None and (
                    first.metric.name != metric.name or shape(first.metric) != shape(metric)
                ):
                    raise CatalogConflictError.shapes(name, first, declaration)
                by_series.setdefault(name, declaration)
            first = by_key.get(declaration.key)
            if first is not None and first.metric.name != metric.name:
                raise CatalogConflictError.keys(first, declaration)
            by_key.setdefault(declaration.key, declaration)
        return _Index(by_series, by_key, {name: tuple(found) for name, found in every.items()})

    def __iter__(self) -> Iterator[Declaration]:
        """Each declared metric once (the first declaration of it), in catalog order."""
        seen: set[str] = set()
        for catalog in self.catalogs:
            for declaration in catalog.declarations:
                if declaration.metric.name not in seen:
                    seen.add(declaration.metric.name)
                    yield declaration

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return tuple(declaration.metric for declaration in self)

    def declaration(self, name: str) -> Declaration | None:
        """The declaration exposing the series ``name`` (a family, or a histogram's series)."""
        return self._index().by_series.get(name)

    def lookup(self, name: str) -> Metric | None:
        """The metric exposing the series ``name`` under the prefix in effect, if any catalog declares it."""
        declaration = self.declaration(name)
        return declaration.metric if declaration is not None else None

    def declares(self, metric: Metric) -> bool:
        """Whether a catalog declares ``metric``: its name, with the same shape."""
        declared = self.lookup(metric.name)
        return declared is not None and declared.name == metric.name and shape(declared) == shape(metric)

    def by_key(self) -> Mapping[str, Metric]:
        """Every declared metric by its Python name (Jsonnet's keys)."""
        return {key: declaration.metric for key, declaration in sorted(self._index().by_key.items())}

    def target_labels(self, metric: Metric) -> tuple[Label, ...]:
        """The labels scraping adds to ``metric``'s series (none for ``ALERTS``), each name once."""
        declaration = self.declaration(metric.name)
        if declaration is not None and not declaration.scraped:
            return ()
        found: dict[str, Label] = {}
        for catalog in self.catalogs:
            for targets, _place in catalog.target_labels:
                if targets.applies_to(metric):
                    for label in targets.labels:
                        found.setdefault(label.name, label)
        if metric.jobs and prometheus.JOB.name in found:
            # The job label's values are the jobs the metric declares: what generated tests use.
            found[prometheus.JOB.name] = Label(
                prometheus.JOB.name, prometheus.JOB.description, examples=metric.jobs
            )
        return tuple(label for name, label in found.items() if name not in metric.label_names)

    def label(self, metric: Metric, name: str) -> Label | None:
        """The label ``name`` of ``metric``'s series: its own, or a target label; None when it has none."""
        if name in metric.label_names:
            return metric.label(name)
        return next((label for label in self.target_labels(metric) if label.name == name), None)

    def values(self, metric: Metric, name: str) -> tuple[str, ...]:
        """Known values of ``metric``'s label ``name``: its closed set, or the examples every catalog
        declaring the metric gives (first the ones of ``metric`` itself), for generated tests."""
        label = self.label(metric, name)
        if label is None:
            return ()
        if label.allowed:
            return label.allowed
        found = list(label.examples)
        for declaration in self._index().every.get(metric.name, ()):
            if name in declaration.metric.label_names:
                found += declaration.metric.label(name).examples
        return tuple(dict.fromkeys(found))

    def jobs(self, metric: Metric) -> tuple[str, ...]:
        """The scrape jobs that export ``metric``, over every catalog declaring it (Go's runtime
        metrics come from each exporter); empty when one of them says any job may."""
        found = [declaration.metric.jobs for declaration in self._index().every.get(metric.name, ())]
        if not found:
            found = [metric.jobs]
        if not all(found):
            return ()
        return tuple(sorted({job for jobs in found for job in jobs}))

    def label_names(self, metric: Metric, series: str | None = None) -> frozenset[str]:
        """Every label a series of ``metric`` carries: its own, the target labels, ``le`` on buckets,
        ``quantile`` on a summary's quantiles."""
        part: set[str] = set()
        if series is not None and series == f"{metric.name}_bucket":
            part = {BUCKET_LABEL}
        elif series is not None and metric.type is MetricType.SUMMARY and series == metric.name:
            part = {QUANTILE_LABEL}
        targets = {label.name for label in self.target_labels(metric)}
        return frozenset({*metric.label_names, *targets, *part})

    def series(self) -> dict[str, frozenset[str]]:
        """Every declared series name with its label names (what the lint starts from)."""
        known: dict[str, frozenset[str]] = {}
        for declaration in self:
            metric = declaration.metric
            for name in metric.series_names():
                known[name] = self.label_names(metric, name)
        return known


def _module_catalog(name: str, module: object, metrics: Iterable[Metric]) -> Catalog:
    keys = {
        id(value): key for key, value in vars(module).items() if key.isupper() and isinstance(value, Metric)
    }
    return Catalog(name, tuple(Declaration(metric, keys[id(metric)], name) for metric in metrics))


_AURUM = _module_catalog("aurum.observability.catalog", aurum_catalog, aurum_catalog.METRICS)
_PROMETHEUS = Catalog(
    "aurum.contract.prometheus",
    (
        Declaration(prometheus.UP, "UP", "aurum.contract.prometheus"),
        Declaration(prometheus.ALERTS, "ALERTS", "aurum.contract.prometheus", scraped=False),
        *(
            Declaration(metric, metric.base_name.upper(), "aurum.contract.prometheus")
            for metric in prometheus.SCRAPE_SERIES
        ),
    ),
    ((TargetLabels(prometheus.SCRAPE_LABELS), "aurum.contract.prometheus"),),
)

BUILTIN_CATALOGS = Catalogs((_AURUM, _PROMETHEUS))
"""The built-in Aurum catalog and Prometheus' own series: what every build knows."""

_current: ContextVar[Catalogs] = ContextVar("aurum_catalogs", default=BUILTIN_CATALOGS)


def current_catalogs() -> Catalogs:
    """The catalogs of the build running here (the built-in ones outside a build)."""
    return _current.get()


@contextmanager
def using_catalogs(catalogs: Catalogs) -> Iterator[None]:
    """Run declarations, compilers and the lint with ``catalogs`` within the block."""
    token = _current.set(catalogs)
    try:
        yield
    finally:
        _current.reset(token)
