"""Declarations -> OpenSLO v1 documents (``aurum-obs export openslo``).

One ``Service`` per service and one ``SLO`` per declaration, each with its SLI and alert policies
inline, so the file stands alone. What OpenSLO has a field for is written there: the queries (a
ratio of counters as ``counter: true`` selectors, a latency SLI as ``<h>_bucket{le=...}`` over
``<h>_count``, a freshness SLI as the threshold ``time() - min(<gauge>) <= max age``, raw PromQL with
Sloth's ``{{.window}}``), ``targetPercent``, the rolling period, and each alert tier as an
``AlertPolicy`` with one ``burnrate`` ``AlertCondition`` per window (threshold = burn factor,
``lookbackWindow`` = long window, ``alertAfter`` = ``for``). What it has no field for goes in
``metadata.annotations`` under ``aurum-obs/``: the short window and the exact budget share of each
condition, the tier's name, severity, labels and annotations, the policy's name, labels, annotations
and disabled tiers, the runbook. ``aurum-obs import openslo`` reads them back, so the round trip
gives declarations that compile to the same rules. OpenSLO v1 allows one condition per policy; a
tier of several windows keeps them all, in order, the fastest first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aurum.contract.conventions import BUCKET_LABEL
from aurum.contract.durations import format_duration
from aurum.monitoring.compile.promql import selector_for
from aurum.monitoring.migrate.openslo import ANNOTATION_PREFIX, OPENSLO_API
from aurum.monitoring.model import SLO, FreshnessSLI, LatencySLI, PromQLSLI, RatioSLI
from aurum.monitoring.model.alerting import AlertTier
from aurum.monitoring.model.sli import WINDOW_PLACEHOLDER

__all__ = ["openslo_documents"]

_GO_WINDOW = "{{.window}}"


def _annotations(values: dict[str, str]) -> dict[str, dict[str, str]]:
    return (
        {"annotations": {ANNOTATION_PREFIX + key: value for key, value in values.items()}} if values else {}
    )


def _source(query: str) -> dict[str, Any]:
    return {
        "metricSource": {
            "type": "Prometheus",
            "spec": {"query": query.replace(WINDOW_PLACEHOLDER, _GO_WINDOW)},
        }
    }


def _indicator(slo: SLO) -> tuple[dict[str, Any], dict[str, Any]]:
    """The SLI document's spec and annotations, and what the objective adds (a threshold's op/value)."""
    sli, name = slo.sli, {"name": f"{slo.name}-sli"}
    if isinstance(sli, RatioSLI):
        part = ("bad", sli.bad) if sli.bad is not None else ("good", sli.good)
        assert part[1] is not None  # RatioSLI has exactly one of them
        spec = {
            "ratioMetric": {"counter": True, part[0]: _source(str(part[1])), "total": _source(str(sli.total))}
        }
        return {"metadata": name, "spec": spec}, {}
    if isinstance(sli, LatencySLI):
        histogram = sli.histogram
        bucket = selector_for(
            histogram, f"{histogram.metric.name}_bucket", [(BUCKET_LABEL, "=", str(sli.threshold))]
        )
        count = selector_for(histogram, f"{histogram.metric.name}_count")
        spec = {"ratioMetric": {"counter": True, "good": _source(bucket), "total": _source(count)}}
        return {"metadata": name, "spec": spec}, {}
    if isinstance(sli, FreshnessSLI):
        spec = {"thresholdMetric": _source(f"time() - min({sli.gauge})")}
        return {"metadata": name, "spec": spec}, {"op": "lte", "value": sli.max_age}
    assert isinstance(sli, PromQLSLI)
    metadata = {**name, **_annotations({"sli": "promql"})}
    if sli.error_ratio is not None:
        spec = {"ratioMetric": {"rawType": "failure", "raw": _source(sli.error_ratio)}}
    else:
        assert sli.errors is not None and sli.total is not None
        spec = {"ratioMetric": {"counter": False, "bad": _source(sli.errors), "total": _source(sli.total)}}
    return {"metadata": metadata, "spec": spec}, {}


def _number(value: Any) -> int | float:
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


def _policy(slo: SLO, tier: AlertTier) -> dict[str, Any]:
    extra = {"tier": tier.name, "severity": tier.severity}
    if tier.alert_name:
        extra["alert-name"] = tier.alert_name
    if tier.labels:
        extra["labels"] = json.dumps(tier.labels, sort_keys=True)
    if tier.annotations:
        extra["annotations"] = json.dumps(tier.annotations, sort_keys=True)
    conditions = []
    for window in tier.windows:
        condition: dict[str, Any] = {
            "kind": "burnrate",
            "op": "gte",
            "threshold": _number(window.burn_factor(slo.period_seconds)),
            "lookbackWindow": format_duration(window.long),
        }
        if tier.for_ is not None:
            condition["alertAfter"] = format_duration(tier.for_)
        exact = {"short-window": format_duration(window.short), "budget-percent": str(window.budget_percent)}
        conditions.append(
            {
                "kind": "AlertCondition",
                "metadata": {
                    "name": f"{slo.name}-{tier.name}-{format_duration(window.long)}",
                    **_annotations(exact),
                },
                "spec": {"severity": tier.severity, "condition": condition},
            }
        )
    return {
        "kind": "AlertPolicy",
        "metadata": {"name": f"{slo.name}-{tier.name}", **_annotations(extra)},
        "spec": {"alertWhenBreaching": True, "conditions": conditions},
    }


def _slo(slo: SLO) -> dict[str, Any]:
    policy = slo.alerting
    extra: dict[str, str] = {}
    if policy.name:
        extra["alert-name"] = policy.name
    if policy.labels:
        extra["alert-labels"] = json.dumps(policy.labels, sort_keys=True)
    if policy.annotations:
        extra["alert-annotations"] = json.dumps(policy.annotations, sort_keys=True)
    if policy.disabled:
        extra["disabled"] = json.dumps(sorted(policy.disabled))
    if slo.runbook_url:
        extra["runbook-url"] = slo.runbook_url
    metadata: dict[str, Any] = {"name": slo.name, **_annotations(extra)}
    if slo.labels:
        metadata["labels"] = dict(slo.labels)
    indicator, objective = _indicator(slo)
    return {
        "apiVersion": OPENSLO_API,
        "kind": "SLO",
        "metadata": metadata,
        "spec": {
            "service": slo.service,
            "description": slo.description,
            "indicator": indicator,
            "timeWindow": [{"duration": f"{slo.period_days}d", "isRolling": True}],
            "budgetingMethod": "Occurrences",
            "objectives": [{"displayName": slo.name, "targetPercent": _number(slo.objective), **objective}],
            "alertPolicies": [_policy(slo, tier) for tier in policy.tiers],
        },
    }


def openslo_documents(slos: Sequence[SLO]) -> list[dict[str, Any]]:
    """Services first (in name order), then the SLOs in declaration order."""
    services = [
        {"apiVersion": OPENSLO_API, "kind": "Service", "metadata": {"name": service}, "spec": {}}
        for service in sorted({slo.service for slo in slos})
    ]
    return [*services, *(_slo(slo) for slo in slos)]
