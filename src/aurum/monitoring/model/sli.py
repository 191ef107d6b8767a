"""The kinds of service level indicator an SLO can be measured with."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from aurum.contract.metrics import MetricType
from aurum.monitoring.model.duration import Duration
from aurum.monitoring.model.selectors import Selector

__all__ = ["SLI", "FreshnessSLI", "LatencySLI", "PromQLSLI", "RatioSLI"]

WINDOW_PLACEHOLDER = "{window}"


class _SLIBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @property
    def event_based(self) -> bool:
        """Event-based SLIs weigh every request equally; time-based ones every evaluation slice."""
        return True


def _require_type(selector: Selector, expected: MetricType, role: str) -> Selector:
    if selector.metric.type is not expected:
        msg = f"{role} must select a {expected}, but {selector.metric.name} is a {selector.metric.type}"
        raise ValueError(msg)
    return selector


class RatioSLI(_SLIBase):
    """Bad (or good) events over total events, from catalog counters."""

    kind: Literal["ratio"] = "ratio"
    bad: Selector | None = None
    good: Selector | None = None
    total: Selector

    @field_validator("bad", "good", "total")
    @classmethod
    def _counters(cls, selector: Selector | None) -> Selector | None:
        return None if selector is None else _require_type(selector, MetricType.COUNTER, "a ratio SLI")

    @model_validator(mode="after")
    def _bad_or_good(self) -> RatioSLI:
        if (self.bad is None) == (self.good is None):
            msg = "give exactly one of 'bad' and 'good' events"
            raise ValueError(msg)
        return self


class LatencySLI(_SLIBase):
    """Share of requests served at or under ``threshold`` seconds, from a catalog histogram."""

    kind: Literal["latency"] = "latency"
    histogram: Selector
    threshold: Decimal = Field(gt=0, description="Seconds; must be one of the histogram's buckets.")

    @field_validator("histogram")
    @classmethod
    def _histogram(cls, selector: Selector) -> Selector:
        return _require_type(selector, MetricType.HISTOGRAM, "a latency SLI")

    @field_validator("threshold")
    @classmethod
    def _threshold_is_a_bucket(cls, threshold: Decimal, info: ValidationInfo) -> Decimal:
        histogram = info.data.get("histogram")
        if histogram is None:
            return threshold  # reported on its own field
        buckets = [Decimal(str(bucket)) for bucket in histogram.metric.buckets]
        if threshold not in buckets:
            listed = ", ".join(str(bucket) for bucket in buckets)
            msg = (
                f"{threshold} s is not a bucket of {histogram.metric.name} "
                f"(buckets: {listed}); the share under it could only be estimated"
            )
            raise ValueError(msg)
        return threshold


class FreshnessSLI(_SLIBase):
    """A timestamp gauge must be younger than ``max_age``; judged per evaluation slice."""

    kind: Literal["freshness"] = "freshness"
    gauge: Selector
    max_age: Duration

    @field_validator("gauge")
    @classmethod
    def _gauge(cls, selector: Selector) -> Selector:
        return _require_type(selector, MetricType.GAUGE, "a freshness SLI")

    @property
    def event_based(self) -> bool:
        return False


class PromQLSLI(_SLIBase):
    """Escape hatch: raw PromQL with a ``{window}`` placeholder.

    Give ``errors`` and ``total`` (event-weighted, like the other kinds) or a single ``error_ratio``
    (time-weighted: each evaluation counts once, whatever its traffic).
    """

    kind: Literal["promql"] = "promql"
    errors: str | None = None
    total: str | None = None
    error_ratio: str | None = None

    @field_validator("errors", "total", "error_ratio")
    @classmethod
    def _has_placeholder(cls, query: str | None) -> str | None:
        if query is not None and WINDOW_PLACEHOLDER not in query:
            msg = f"the query must contain the {WINDOW_PLACEHOLDER} placeholder for its range: {query!r}"
            raise ValueError(msg)
        return query

    @model_validator(mode="after")
    def _one_form(self) -> PromQLSLI:
        pair = self.errors is not None and self.total is not None
        single = self.error_ratio is not None and self.errors is None and self.total is None
        if pair == single:
            msg = "give either both 'errors' and 'total', or 'error_ratio' alone"
            raise ValueError(msg)
        return self

    @property
    def event_based(self) -> bool:
        return self.error_ratio is None


SLI = Annotated[RatioSLI | LatencySLI | FreshnessSLI | PromQLSLI, Field(discriminator="kind")]
