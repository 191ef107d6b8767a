"""The external variables every Jsonnet declaration sees: the catalog and the SLOs, as plain JSON.

Keys are the Python names (``catalog.metrics.HTTP_REQUESTS_TOTAL.name``), so Jsonnet refers to the
same objects as Python does, and names are resolved under the build's metric prefix for both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aurum.contract import catalog
from aurum.contract import conventions as conv
from aurum.contract.catalogs import current_catalogs
from aurum.contract.metrics import Metric
from aurum.contract.prefix import current_prefix
from aurum.monitoring.compile import slo_names
from aurum.monitoring.compile.manifest import manifest
from aurum.monitoring.compile.slo_rules import alert_labels
from aurum.monitoring.model import SLO, format_duration
from aurum.monitoring.model import prometheus as builtin

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
        "jobs": list(metric.jobs),
    }


def _named(module: object, kind: type) -> dict[str, Any]:
    return {name: value for name, value in vars(module).items() if name.isupper() and isinstance(value, kind)}


def catalog_variable() -> dict[str, Any]:
    """``std.extVar('catalog')``: metrics, Prometheus' own series, recorded series, shared names."""
    # Every catalog's metrics, the repository's included, by their Python names.
    metrics = {name: _metric(m) for name, m in current_catalogs().by_key().items()}
    # The output contract's series are the conventions' SLO_* names (all start with "slo:").
    records = {name: value for name, value in _named(conv, str).items() if value.startswith("slo:")}
    records |= {name: series.name for name, series in catalog.PLATFORM_RECORDS.items()}
    return {
        "prefix": current_prefix(),
        "metrics": metrics,
        "prometheus": {name: _metric(m) for name, m in _named(builtin, Metric).items()},
        "records": dict(sorted(records.items())),
        "slo_error_ratio_prefix": conv.slo_error_ratio(""),
        "conventions": {
            "datasource": conv.datasource_ref(),
            "datasource_type": conv.DATASOURCE_TYPE,
            "datasource_variable": conv.DATASOURCE_VARIABLE,
            "datasource_variable_type": conv.DATASOURCE_VARIABLE_TYPE,
        },
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
                "period": slo.target.period,
                "windows": [format_duration(window) for window in slo_names.windows(slo)],
                "runbook_url": slo_names.runbook_url(slo),
                "alerts": [
                    {"name": slo_names.alert_name(slo, tier), "labels": alert_labels(slo, tier)}
                    for tier in slo.alerting.enabled_tiers
                ],
            }
        )
    return entries
