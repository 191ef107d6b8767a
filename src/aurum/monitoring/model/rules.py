"""Hand-written alerts and recording rules (``alerts/``, ``recording_rules/``), with their unit tests.

The SLO burn-rate rules are generated; these are the rest. They are typed like the SLO model, but
the conventions every alert must follow (CamelCase name, severity, a plain-sentence summary, a
templated description, a runbook) are checked by the build's lint on the rendered rules, so that
Python and Jsonnet declarations get the same messages.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    InstanceOf,
    field_validator,
    model_validator,
)

from aurum.contract import conventions as conv
from aurum.contract.catalogs import current_catalogs
from aurum.contract.metrics import Metric, MetricType, RecordedSeries, is_metric_name
from aurum.monitoring.model.duration import Duration
from aurum.monitoring.model.selectors import NOT_DECLARED, is_label_name

__all__ = ["Alert", "AlertTest", "Fired", "Record", "Series", "bucket", "series"]

_NUMBER = r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"
_VALUES_RE = re.compile(rf"^(?:_|stale|{_NUMBER})(?:(?:[+-]{_NUMBER})?x\d+)?$")
_PARTS = {MetricType.HISTOGRAM: ("bucket", "count", "sum"), MetricType.SUMMARY: ("", "count", "sum")}
"""The series parts a unit-test series of each metric type may name."""
_ALERT_LABELS = frozenset({conv.ALERTNAME_LABEL, conv.SEVERITY_LABEL, conv.METRIC_NAME_LABEL})


def _recorded_name(value: object) -> object:
    # A recorded series of the catalog is named when it is used: under the build's prefix.
    return value.name if isinstance(value, RecordedSeries) else value


SeriesName = Annotated[str, BeforeValidator(_recorded_name)]
"""A recorded series' name, given as a string or as a catalog ``RecordedSeries``."""


def _labels(labels: dict[str, str]) -> dict[str, str]:
    for name, value in labels.items():
        if not is_label_name(name):
            msg = f"{name!r} is not a valid Prometheus label name"
            raise ValueError(msg)
        if not value:
            msg = f"label {name!r} has an empty value, which Prometheus treats as no label"
            raise ValueError(msg)
    return dict(sorted(labels.items()))


class Series(BaseModel):
    """One input series of a unit test: a metric's series, its labels, and promtool's value notation.

    ``metric`` is a catalog metric, one of Prometheus' own series (``up``), or the name of a recorded
    series (an output-contract constant such as ``catalog.SLO_PERIOD_BUDGET_REMAINING``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    metric: InstanceOf[Metric] | SeriesName
    part: Literal["", "bucket", "count", "sum"] = ""
    labels: dict[str, str] = Field(default_factory=dict)
    values: str

    @field_validator("values")
    @classmethod
    def _values(cls, values: str) -> str:
        bad = [token for token in values.split() if not _VALUES_RE.match(token)]
        if not values.split() or bad:
            msg = f"{values!r} is not promtool's series notation (such as '0+60x30', '1x10 0x10' or '_x5 3')"
            raise ValueError(msg)
        return values

    @model_validator(mode="after")
    def _against_metric(self) -> Series:
        if isinstance(self.metric, str):
            if not is_metric_name(self.metric):
                msg = f"{self.metric!r} is not a metric name"
                raise ValueError(msg)
            return self
        metric, catalogs = self.metric, current_catalogs()
        if not catalogs.declares(metric):
            msg = f"{metric.name} {NOT_DECLARED}"
            raise ValueError(msg)
        if self.part not in _PARTS.get(metric.type, ("",)):
            msg = (
                f"{metric.name}: give part='bucket', 'count' or 'sum' for histograms, 'count' or 'sum' "
                "(or none, for the quantiles) for summaries, and none for other metrics"
            )
            raise ValueError(msg)
        allowed = catalogs.label_names(metric, self.name)
        for name, value in self.labels.items():
            if name not in allowed:
                msg = f"{metric.name} has no label {name!r} (labels: {', '.join(sorted(allowed)) or 'none'})"
                raise ValueError(msg)
            label = catalogs.label(metric, name)
            closed = label.allowed if label is not None else ()
            if closed and value not in closed:
                msg = f"{metric.name}: label {name!r} is one of {', '.join(closed)}, never {value!r}"
                raise ValueError(msg)
        if self.part == "bucket" and conv.BUCKET_LABEL not in self.labels:
            msg = f"{metric.name}: a bucket series needs its 'le' label"
            raise ValueError(msg)
        return self

    @property
    def name(self) -> str:
        base = self.metric if isinstance(self.metric, str) else self.metric.name
        return f"{base}_{self.part}" if self.part else base

    @field_validator("labels")
    @classmethod
    def _label_names(cls, labels: dict[str, str]) -> dict[str, str]:
        return _labels(labels)


def series(metric: Metric | RecordedSeries | str, values: str, /, **labels: str) -> Series:
    """``series(HTTP_REQUESTS_TOTAL, "0+60x30", path="/api/scenarios", status="200")``."""
    return Series(metric=_recorded_name(metric), values=values, labels=labels)


def bucket(metric: Metric, le: str, values: str, /, **labels: str) -> Series:
    """A histogram bucket series: ``bucket(HTTP_REQUEST_DURATION_SECONDS, "+Inf", "0+60x30", ...)``."""
    return Series(metric=metric, part="bucket", values=values, labels={**labels, conv.BUCKET_LABEL: le})


class Fired(BaseModel):
    """One alert expected to fire: the labels its expression yields and its rendered description."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    labels: dict[str, str] = Field(default_factory=dict)
    description: str

    @field_validator("labels")
    @classmethod
    def _label_names(cls, labels: dict[str, str]) -> dict[str, str]:
        return _labels(labels)


class AlertTest(BaseModel):
    """A promtool unit test of one alert: input series, and at each time the alerts expected.

    ``expect={"10m": (), "20m": (Fired(...),)}`` says nothing fires at 10 minutes and one alert fires
    at 20. Every alert needs a test in which it fires and one in which it stays quiet.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    series: tuple[Series, ...] = Field(min_length=1)
    expect: dict[Duration, tuple[Fired, ...]] = Field(min_length=1)
    interval: Duration = 60


class Alert(BaseModel):
    """A hand-written alerting rule and the unit tests that show it firing and staying quiet."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str
    expr: str = Field(min_length=1)
    for_: Duration | None = Field(default=None, alias="for")
    severity: str
    summary: str
    description: str
    runbook_url: str
    labels: dict[str, str] = Field(default_factory=dict)
    tests: tuple[AlertTest, ...] = ()

    @field_validator("labels")
    @classmethod
    def _own_labels(cls, labels: dict[str, str]) -> dict[str, str]:
        reserved = sorted(_ALERT_LABELS & set(labels))
        if reserved:
            msg = f"label {reserved[0]!r} is set from the alert's own fields; use them instead"
            raise ValueError(msg)
        return _labels(labels)

    @property
    def rule_labels(self) -> dict[str, str]:
        """The labels the rule sets: ``severity`` and the alert's own (an empty severity is left out)."""
        severity = {conv.SEVERITY_LABEL: self.severity} if self.severity else {}
        return dict(sorted({**self.labels, **severity}.items()))

    @property
    def annotations(self) -> dict[str, str]:
        """The rule's annotations; empty ones are left out, so the lint reports them as missing."""
        found = {
            conv.SUMMARY_ANNOTATION: self.summary,
            conv.DESCRIPTION_ANNOTATION: self.description,
            conv.RUNBOOK_ANNOTATION: self.runbook_url,
        }
        return {key: value for key, value in found.items() if value}


class Record(BaseModel):
    """A hand-written recording rule; ``record`` is an output-contract name of the catalog."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record: SeriesName
    expr: str = Field(min_length=1)
    labels: dict[str, str] = Field(default_factory=dict)

    @field_validator("record")
    @classmethod
    def _record_name(cls, record: str) -> str:
        if not is_metric_name(record):
            msg = f"{record!r} is not a valid metric name"
            raise ValueError(msg)
        return record

    @field_validator("labels")
    @classmethod
    def _label_names(cls, labels: dict[str, str]) -> dict[str, str]:
        return _labels(labels)
