"""The SLO list at runtime: the build's manifest (``AURUM_SLO_MANIFEST``) or the six built-in SLOs.

The build compiles ``slos/`` into ``build/slos.json``; the runtime reads that file when
``AURUM_SLO_MANIFEST`` points at it, so what ``/v1/observability/slos`` reports is what the rules
enforce. Without a manifest, :func:`default_slos` gives the spec's six SLOs with the objective
overrides of the settings. Numbers travel as strings and are held as ``Decimal`` so ``0.999`` stays
``0.999``.

Matchers are ``[label, op, value]`` with PromQL semantics: regexes are fully anchored and a missing
label matches as the empty string. In a ratio SLI whose bad (or good) events come from the total's
own counter, they are counted among the total's series (``bad`` is applied together with
``total``); with a ``total_metric`` of their own, their matchers stand alone.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_serializer, model_validator

from aurum.observability import catalog
from aurum.observability.label_matching import MatchOp, label_matches

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from aurum.observability.settings import ObservabilitySettings

__all__ = [
    "FreshnessSLI",
    "LatencySLI",
    "Matcher",
    "PromqlSLI",
    "RatioSLI",
    "SLODefinition",
    "SLOManifest",
    "default_slos",
    "get_slos",
    "load_manifest",
]


def _exact(value: object) -> object:
    # A float has already lost exactness (0.1 is not 0.1); the manifest writes numbers as strings.
    if isinstance(value, float):
        msg = f"write {value!r} as a string to keep it exact"
        raise ValueError(msg)
    return value


ExactDecimal = Annotated[Decimal, BeforeValidator(_exact)]
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
        if isinstance(data, (list, tuple)):
            if len(data) != 3:
                msg = f"a matcher is [label, op, value], got {data!r}"
                raise ValueError(msg)
            return {"label": data[0], "op": data[1], "value": data[2]}
        return data

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
    model_config = _FROZEN

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    service: str
    objective: ExactDecimal = Field(gt=0, lt=1)
    period_days: int = Field(ge=1)
    description: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    sli: SLI

    @property
    def error_budget(self) -> Decimal:
        return 1 - self.objective


class SLOManifest(BaseModel):
    model_config = _FROZEN

    slos: tuple[SLODefinition, ...]

    @model_validator(mode="after")
    def _unique_names(self) -> SLOManifest:
        names = [slo.name for slo in self.slos]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            msg = f"SLO names must be unique; repeated: {', '.join(duplicates)}"
            raise ValueError(msg)
        return self


def _m(label: str, op: str, value: str) -> list[str]:
    return [label, op, value]


def default_slos(settings: ObservabilitySettings) -> tuple[SLODefinition, ...]:
    """The spec's six SLOs, with the settings' objective and threshold overrides."""
    http = catalog.HTTP_REQUESTS_TOTAL.name
    business = catalog.BUSINESS_TRANSACTIONS_TOTAL.name
    create, run = _m("transaction", "=", "scenario_create"), _m("transaction", "=", "scenario_run")
    failure = _m("status", "=", "failure")
    get = _m("operation", "=", "get")
    threshold = settings.slo_api_latency_target / 1000
    raw: list[dict[str, Any]] = [
        {
            "name": "api-availability",
            "service": "aurum-api",
            "objective": settings.slo_api_availability_target,
            "description": "Share of API requests answered without a server error (5xx).",
            "sli": {"kind": "ratio", "metric": http, "bad": [_m("status", "=~", "5..")], "total": []},
        },
        {
            "name": "api-latency",
            "service": "aurum-api",
            "objective": Decimal("0.95"),
            "description": f"Share of API requests served within {settings.slo_api_latency_target} ms.",
            "sli": {
                "kind": "latency",
                "metric": catalog.HTTP_REQUEST_DURATION_SECONDS.name,
                "threshold_seconds": threshold,
            },
        },
        {
            "name": "scenario-creation",
            "service": "aurum-scenarios",
            "objective": Decimal("0.995"),
            "description": "Share of scenario creations that succeed.",
            "sli": {"kind": "ratio", "metric": business, "bad": [failure, create], "total": [create]},
        },
        {
            "name": "scenario-runs",
            "service": "aurum-scenarios",
            "objective": settings.slo_scenario_success_target,
            "description": "Share of scenario runs that succeed.",
            "sli": {"kind": "ratio", "metric": business, "bad": [failure, run], "total": [run]},
        },
        {
            "name": "data-freshness",
            "service": "aurum-data",
            "objective": Decimal("0.99"),
            "description": "Share of time every dataset was refreshed within the last hour.",
            "sli": {
                "kind": "freshness",
                "metric": catalog.DATA_LAST_UPDATED_TIMESTAMP_SECONDS.name,
                "max_age_seconds": Decimal(3600),
            },
        },
        {
            "name": "cache-hit-rate",
            "service": "aurum-api",
            "objective": Decimal("0.90"),
            "description": "Share of scenario cache reads answered from the cache.",
            "sli": {
                "kind": "ratio",
                "metric": catalog.CACHE_OPERATIONS_TOTAL.name,
                "bad": [get, _m("result", "=", "miss")],
                "total": [get, _m("result", "=~", "hit|miss")],
            },
        },
    ]
    return tuple(SLODefinition.model_validate({"period_days": 30, **slo}) for slo in raw)


def load_manifest(path: Path) -> tuple[SLODefinition, ...]:
    """The SLOs of a manifest file; ``ValueError`` naming the file when it is invalid."""
    try:
        return SLOManifest.model_validate_json(path.read_bytes()).slos
    except (OSError, ValueError) as exc:
        msg = f"SLO manifest {path}: {exc}"
        raise ValueError(msg) from exc


_cache_lock = threading.Lock()
_cache: tuple[tuple[Path, int], tuple[SLODefinition, ...]] | None = None


def get_slos(settings: ObservabilitySettings) -> tuple[SLODefinition, ...]:
    """The manifest's SLOs when ``AURUM_SLO_MANIFEST`` is set (re-read when it changes), else defaults."""
    global _cache  # noqa: PLW0603 - a one-entry cache keyed by path and modification time
    path = settings.slo_manifest
    if path is None:
        return default_slos(settings)
    try:
        key = (path, path.stat().st_mtime_ns)
    except OSError as exc:
        msg = f"SLO manifest {path}: {exc}"
        raise ValueError(msg) from exc
    with _cache_lock:
        if _cache is not None and _cache[0] == key:
            return _cache[1]
    slos = load_manifest(path)
    with _cache_lock:
        _cache = (key, slos)
    return slos
