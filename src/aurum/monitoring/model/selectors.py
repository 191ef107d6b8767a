"""Series selectors over catalog metrics: the metric object plus label matchers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, InstanceOf, field_validator, model_validator

from aurum.contract.catalogs import current_catalogs
from aurum.contract.matching import MatchOp, label_matches, prometheus_regex_problem
from aurum.contract.metrics import Metric, is_label_name

__all__ = [
    "NOT_DECLARED",
    "MatchOp",
    "Matcher",
    "Selector",
    "is_label_name",
    "not_equal",
    "not_regex",
    "quote",
    "regex",
    "select",
]

NOT_DECLARED = (
    "is not declared by any catalog (the built-in aurum.observability.catalog or the repository's "
    "catalog/*.py); declare it there first"
)


def quote(value: str) -> str:
    """A PromQL double-quoted string literal."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


class Matcher(BaseModel):
    """One PromQL label matcher; regexes are fully anchored, as in PromQL."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    op: MatchOp
    value: str

    @field_validator("label")
    @classmethod
    def _label_name(cls, label: str) -> str:
        if not is_label_name(label):
            msg = f"{label!r} is not a label name a selector may match on"
            raise ValueError(msg)
        return label

    @model_validator(mode="after")
    def _regex_compiles(self) -> Matcher:
        if self.op in ("=~", "!~"):
            # Prometheus evaluates the rules and the runtime the same pattern with RE2 (contract.matching).
            problem = prometheus_regex_problem(self.value)
            if problem is not None:
                msg = f"label {self.label!r}: {problem}"
                raise ValueError(msg)
        return self

    def matches(self, value: str) -> bool:
        """Whether a series whose label has ``value`` is selected (an absent label is ``""``)."""
        return label_matches(self.op, self.value, value)


class Selector(BaseModel):
    """A catalog metric and matchers on its labels, validated against the catalog."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    metric: InstanceOf[Metric]
    matchers: tuple[Matcher, ...] = ()

    @model_validator(mode="after")
    def _against_catalog(self) -> Selector:
        catalogs = current_catalogs()
        if not catalogs.declares(self.metric):
            msg = f"{self.metric.name} {NOT_DECLARED}"
            raise ValueError(msg)
        seen: set[tuple[str, str]] = set()
        for matcher in self.matchers:
            label = catalogs.label(self.metric, matcher.label)
            if label is None:
                labels = ", ".join(sorted(catalogs.label_names(self.metric))) or "none"
                msg = f"{self.metric.name} has no label {matcher.label!r} (labels: {labels})"
                raise ValueError(msg)
            allowed = label.allowed
            if matcher.op in ("=", "!=") and allowed and matcher.value not in allowed:
                msg = (
                    f"{self.metric.name}: label {matcher.label!r} is one of {', '.join(allowed)}, "
                    f"never {matcher.value!r}"
                )
                raise ValueError(msg)
            if (matcher.label, matcher.op) in seen:
                msg = f"{self.metric.name}: label {matcher.label!r} is matched twice with {matcher.op}"
                raise ValueError(msg)
            seen.add((matcher.label, matcher.op))
        return self

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a series of this metric with ``labels`` is selected."""
        return all(m.matches(labels.get(m.label, "")) for m in self.matchers)

    def series(self, part: str) -> str:
        """PromQL selecting one series of a histogram: ``part`` is ``bucket``, ``count`` or ``sum``."""
        name = f"{self.metric.name}_{part}"
        if name not in self.metric.series_names() or name == self.metric.name:
            msg = f"{self.metric.name} has no series {name} (series: {', '.join(self.metric.series_names())})"
            raise ValueError(msg)
        return self._promql(name)

    def _promql(self, name: str) -> str:
        inner = ", ".join(f"{m.label}{m.op}{quote(m.value)}" for m in self.matchers)
        return f"{name}{{{inner}}}" if inner else name

    def __str__(self) -> str:
        """The PromQL selector, so declarations can write ``f"rate({ERRORS}[5m])"``."""
        return self._promql(self.metric.name)


@dataclass(frozen=True, slots=True)
class _Match:
    op: MatchOp
    value: str


def regex(pattern: str) -> _Match:
    """``label=~"pattern"`` in :func:`select`."""
    return _Match("=~", pattern)


def not_regex(pattern: str) -> _Match:
    """``label!~"pattern"`` in :func:`select`."""
    return _Match("!~", pattern)


def not_equal(value: str) -> _Match:
    """``label!="value"`` in :func:`select`."""
    return _Match("!=", value)


def select(metric: Metric, /, **labels: str | _Match) -> Selector:
    """``select(HTTP_REQUESTS_TOTAL, status=regex("5.."))``: a selector with matchers sorted by label."""
    matchers = [
        Matcher(label=name, op=spec.op, value=spec.value)
        if isinstance(spec, _Match)
        else Matcher(label=name, op="=", value=spec)
        for name, spec in sorted(labels.items())
    ]
    return Selector(metric=metric, matchers=tuple(matchers))
