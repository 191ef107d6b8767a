"""The SLO manifest (``slos.json``): the one model the build writes it with and the runtime reads it with.

Applications do not install the build tools, so they cannot import the declarations; they read this
instead (``AURUM_SLO_MANIFEST``, or the manifest of the bundled declarations shipped with the
package). Numbers travel as strings and are held as ``Decimal``, so ``0.999`` stays ``0.999``; the
objective is a ratio, and everything derived from it comes from :class:`~aurum.contract.objective.Objective`.

Matchers are ``[label, op, value]`` with PromQL semantics: regexes are fully anchored and a missing
label matches as the empty string. In a ratio SLI whose bad (or good) events come from the total's
own counter, they are counted among the total's series (``bad`` is applied together with
``total``); with a ``total_metric`` of their own, their matchers stand alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from aurum.contract.matching import MatchOp, label_matches, prometheus_regex_problem
from aurum.contract.objective import Objective, exact_text

__all__ = [
    "SLI",
    "ExactDecimal",
    "FreshnessSLI",
    "LatencySLI",
    "Matcher",
    "Matchers",
    "PromqlSLI",
    "RatioSLI",
    "SLODefinition",
    "SLOManifest",
]


def _exact(value: object) -> object:
    # A float has already lost exactness (0.1 is not 0.1); the manifest writes numbers as strings.
    if isinstance(value, float):
        msg = f"write {value!r} as a string to keep it exact"
        raise ValueError(msg)
    return value


ExactDecimal = Annotated[Decimal, BeforeValidator(_exact), PlainSerializer(exact_text, return_type=str)]
"""A decimal read from and written as a string, exactly (``"0.999"``, ``"3600"``)."""

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Matcher(BaseModel):
    """One PromQL label matcher; written ``[label, op, value]`` in the manifest."""

    model_config = _FROZEN

    label: str
    op: MatchOp
    value: str

    @model_validator(mode="before")
    @classmethod
    def _from_triple(cls, data: Any) -> Any:
        if isinstance(data, list | tuple):
            if len(data) != 3:
                msg = f"a matcher is [label, op, value], got {data!r}"
                raise ValueError(msg)
            return {"label": data[0], "op": data[1], "value": data[2]}
        return data

    @model_validator(mode="after")
    def _regex_compiles(self) -> Matcher:
        # A hand-written or stale manifest is refused when read, never when an SLO is evaluated.
        problem = prometheus_regex_problem(self.value) if self.op in ("=~", "!~") else None
        if problem is not None:
            msg = f"label {self.label!r}: {problem}"
            raise ValueError(msg)
        return self

    @model_serializer
    def _to_triple(self) -> list[str]:
        return [self.label, self.op, self.value]

    def matches(self, labels: Mapping[str, str]) -> bool:
        return label_matches(self.op, self.value, labels.get(self.label, ""))

    def promql(self) -> str:
        return f"{self.label}{self.op}{json.dumps(self.value)}"


Matchers = tuple[Matcher, ...]


class RatioSLI(BaseModel):
    model_config = _FROZEN

    kind: Literal["ratio"] = "ratio"
    metric: str
    total_metric: str | None = None
    """The total's counter when it is not ``metric`` (None: the same counter)."""
    bad: Matchers | None = None
    good: Matchers | None = None
    total: Matchers = ()

    @model_validator(mode="after")
    def _one_of_bad_good(self) -> RatioSLI:
        if (self.bad is None) == (self.good is None):
            msg = "a ratio SLI has exactly one of 'bad' and 'good' as a list (the other null)"
            raise ValueError(msg)
        return self


class LatencySLI(BaseModel):
    model_config = _FROZEN

    kind: Literal["latency"] = "latency"
    metric: str
    threshold_seconds: ExactDecimal = Field(gt=0)
    matchers: Matchers = ()


class FreshnessSLI(BaseModel):
    model_config = _FROZEN

    kind: Literal["freshness"] = "freshness"
    metric: str
    max_age_seconds: ExactDecimal = Field(gt=0)
    matchers: Matchers = ()


class PromqlSLI(BaseModel):
    """A raw-PromQL SLI: only Prometheus can evaluate it (its queries stay in the build)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    kind: Literal["promql"] = "promql"


SLI = Annotated[RatioSLI | LatencySLI | FreshnessSLI | PromqlSLI, Field(discriminator="kind")]


class SLODefinition(BaseModel):
    """One SLO as the runtime needs it: what to measure, and the objective to measure it against."""

    model_config = _FROZEN

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    service: str
    objective: ExactDecimal = Field(gt=0, lt=1)
    """A ratio: ``0.999``."""
    period_days: int = Field(ge=1)
    description: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    sli: SLI
    group_by: tuple[str, ...] = ()
    """Labels the SLO is measured per group of; written only when there are some, so the manifest
    of an SLO measured as a whole is as it was."""

    @model_serializer(mode="wrap")
    def _without_empty_grouping(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        document: dict[str, Any] = handler(self)
        if not self.group_by:
            document.pop("group_by", None)
        return document

    @property
    def target(self) -> Objective:
        return Objective(self.objective, self.period_days)

    @property
    def error_budget(self) -> Decimal:
        return self.target.error_budget

    @property
    def period(self) -> str:
        """The period as a window name (``30d``)."""
        return self.target.period


class SLOManifest(BaseModel):
    model_config = _FROZEN

    slos: tuple[SLODefinition, ...]

    @model_validator(mode="after")
    def _unique_names(self) -> SLOManifest:
        names = [f"{slo.name} of {slo.service}" for slo in self.slos]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            msg = f"SLOs (service and name) must be unique; repeated: {', '.join(duplicates)}"
            raise ValueError(msg)
        return self

    def document(self) -> dict[str, Any]:
        """The JSON document of ``slos.json`` (numbers as exact strings)."""
        return self.model_dump(mode="json")
