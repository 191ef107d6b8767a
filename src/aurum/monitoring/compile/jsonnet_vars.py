"""The external variables every Jsonnet declaration sees: the catalog and the SLOs, as plain JSON.

Keys are the Python names (``catalog.metrics.HTTP_REQUESTS_TOTAL.name``), so Jsonnet refers to the
same objects as Python does and a metric prefix change (``AURUM_METRICS_PREFIX``) reaches both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aurum.monitoring.compile import conventions as conv
from aurum.monitoring.compile.manifest import manifest
from aurum.monitoring.compile.slo_rules import alert_labels
from aurum.monitoring.model import SLO, format_duration
from aurum.monitoring.model import prometheus as builtin
from aurum.observability import catalog
from aurum.observability.catalog import Metric

__all__ = ["catalog_variable", "slos_variable"]


def _metric(metric: Metric) -> dict[str, Any]:
    return {
        "name": metric.name,
        "type": str(metric.type),
        "help": metric.help,
        "unit": metric.unit,
        "labels": {
            label.name: {"allowed": list(label.allowed), "examples": list(label.examples)}
            for label in metric.labels
        },
        "buckets": list(metric.buckets),
        "series": list(metric.series_names()),
    }


def _named(module: object, kind: type) -> dict[str, Any]:
    return {name: value for name, value in vars(module).items() if name.isupper() and isinstance(value, kind)}


def catalog_variable() -> dict[str, Any]:
    """``std.extVar('catalog')``: metrics, Prometheus' own series, and recorded series names."""
    metrics = {name: _metric(m) for name, m in _named(catalog, Metric).items() if m in catalog.METRICS}
    # Every output-contract name has a colon, as Prometheus recommends for recorded series.
    records = {name: value for name, value in _named(catalog, str).items() if ":" in value}
    records |= {"SLO_BAD_EVENTS": conv.BAD_EVENTS_RECORD, "SLO_TOTAL_EVENTS": conv.TOTAL_EVENTS_RECORD}
    return {
        "prefix": catalog.METRICS_PREFIX,
        "metrics": metrics,
        "prometheus": {name: _metric(m) for name, m in _named(builtin, Metric).items()},
        "records": dict(sorted(records.items())),
        "slo_error_ratio_prefix": catalog.slo_error_ratio(""),
    }


def slos_variable(slos: Sequence[SLO]) -> list[dict[str, Any]]:
    """``std.extVar('slos')``: each SLO as in ``slos.json``, plus its period, windows and alerts."""
    by_name = {slo.name: slo for slo in slos}
    entries = []
    for entry in manifest(list(slos))["slos"]:
        slo = by_name[entry["name"]]
        entries.append(
            {
                **entry,
                "period": format_duration(slo.period_seconds),
                "windows": [format_duration(window) for window in conv.windows(slo)],
                "runbook_url": conv.runbook_url(slo),
                "alerts": [
                    {"name": conv.alert_name(slo, tier), "labels": alert_labels(slo, tier)}
                    for tier in slo.alerting.enabled_tiers
                ],
            }
        )
    return entries
