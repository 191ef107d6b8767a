"""The SLO manifest (``build/slos.json``): what the runtime shim needs to report SLO status.

Applications do not install the build tools, so they cannot import the declarations; they read this
file instead (``AURUM_SLO_MANIFEST``). Numbers are strings so they stay exact.
"""

from __future__ import annotations

from typing import Any

from aurum.monitoring.compile.promql import exact_number
from aurum.monitoring.model import SLO, FreshnessSLI, LatencySLI, RatioSLI, Selector

__all__ = ["manifest"]


def _matchers(sel: Selector | None) -> list[list[str]] | None:
    return None if sel is None else [[m.label, m.op, m.value] for m in sel.matchers]


def _sli(slo: SLO) -> dict[str, Any]:
    sli = slo.sli
    if isinstance(sli, RatioSLI):
        counted = sli.bad or sli.good
        assert counted is not None
        return {
            "kind": "ratio",
            "metric": counted.metric.name,
            "total_metric": None if sli.total.metric is counted.metric else sli.total.metric.name,
            "bad": _matchers(sli.bad),
            "good": _matchers(sli.good),
            "total": _matchers(sli.total),
        }
    if isinstance(sli, LatencySLI):
        return {
            "kind": "latency",
            "metric": sli.histogram.metric.name,
            "threshold_seconds": exact_number(sli.threshold),
            "matchers": _matchers(sli.histogram),
        }
    if isinstance(sli, FreshnessSLI):
        return {
            "kind": "freshness",
            "metric": sli.gauge.metric.name,
            "max_age_seconds": str(sli.max_age),
            "matchers": _matchers(sli.gauge),
        }
    return {"kind": "promql"}


def manifest(slos: list[SLO]) -> dict[str, Any]:
    return {
        "slos": [
            {
                "name": slo.name,
                "service": slo.service,
                "objective": exact_number(slo.objective_ratio),
                "period_days": slo.period_days,
                "description": slo.description,
                "labels": slo.labels,
                "sli": _sli(slo),
            }
            for slo in sorted(slos, key=lambda s: s.name)
        ]
    }
