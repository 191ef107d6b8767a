"""The SLO list at runtime: the build's manifest (``AURUM_SLO_MANIFEST``) or the six built-in SLOs.

The build compiles ``slos/`` into ``build/slos.json``; the runtime reads that file when
``AURUM_SLO_MANIFEST`` points at it, so what ``/v1/observability/slos`` reports is what the rules
enforce. Without a manifest, :func:`default_slos` gives the spec's six SLOs with the objective
overrides of the settings. The manifest's model is :mod:`aurum.contract.slo_manifest`, the one
the build writes it with.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aurum.contract.slo_manifest import (
    FreshnessSLI,
    LatencySLI,
    Matcher,
    PromqlSLI,
    RatioSLI,
    SLODefinition,
    SLOManifest,
)
from aurum.observability import catalog

if TYPE_CHECKING:
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
