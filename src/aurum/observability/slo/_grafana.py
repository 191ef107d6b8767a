"""A Grafana dashboard over the SLO output contract, as plain JSON-ready dicts.

The runtime cannot use grafanalib (a build-time dependency), and does not need to: this dashboard only
reads the recorded series every SLO publishes (``slo:*`` with labels ``slo`` and ``service``), so it is
a few panels per SLO. The build renders the full, reviewed dashboards separately. Output is
deterministic: same SLOs, same dict (ids and positions follow the SLO order).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aurum.contract import conventions as conv

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aurum.observability.slo_catalog import SLODefinition

__all__ = ["DASHBOARD_UID", "grafana_dashboard", "slo_selector"]

DASHBOARD_UID = conv.RUNTIME_SLO_DASHBOARD_UID
_DATASOURCE = conv.datasource_ref()
_WIDTH = 24


def slo_selector(slo: SLODefinition) -> str:
    """``{slo="...", service="..."}``: the labels every output-contract series of ``slo`` carries."""
    slo_label, service_label = conv.SLO_LABEL, conv.SERVICE_LABEL
    return f"{{{slo_label}={json.dumps(slo.name)}, {service_label}={json.dumps(slo.service)}}}"


def _target(expr: str, legend: str, ref: str) -> dict[str, Any]:
    return {"datasource": _DATASOURCE, "expr": expr, "legendFormat": legend, "refId": ref, "instant": False}


def _panel(
    panel_id: int,
    title: str,
    kind: str,
    grid: tuple[int, int, int, int],
    targets: list[dict[str, Any]],
    *,
    unit: str,
) -> dict[str, Any]:
    x, y, w, h = grid
    return {
        "id": panel_id,
        "type": kind,
        "title": title,
        "datasource": _DATASOURCE,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": targets,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
    }


def _slo_panels(slo: SLODefinition, first_id: int, y: int) -> list[dict[str, Any]]:
    sel = slo_selector(slo)
    period = conv.slo_error_ratio(slo.period)
    row = {
        "id": first_id,
        "type": "row",
        "title": f"{slo.name} ({slo.service}): objective {slo.objective}",
        "collapsed": False,
        "gridPos": {"x": 0, "y": y, "w": _WIDTH, "h": 1},
        "panels": [],
    }
    y += 1
    remaining = f"{conv.SLO_PERIOD_BUDGET_REMAINING}{sel}"
    return [
        row,
        _panel(first_id + 1, f"SLI over {slo.period_days}d", "stat", (0, y, 6, 6),
               [_target(f"1 - {period}{sel}", "SLI", "A")], unit="percentunit"),
        _panel(first_id + 2, "Objective", "stat", (6, y, 6, 6),
               [_target(f"{conv.SLO_OBJECTIVE}{sel}", "objective", "A")], unit="percentunit"),
        _panel(first_id + 3, "Error budget remaining", "gauge", (12, y, 12, 6),
               [_target(remaining, "remaining", "A")], unit="percentunit"),
        _panel(first_id + 4, "Burn rate", "timeseries", (0, y + 6, _WIDTH, 8),
               [_target(f"{conv.SLO_CURRENT_BURN_RATE}{sel}", "current", "A"),
                _target(f"{conv.SLO_PERIOD_BURN_RATE}{sel}", "period", "B")], unit="none"),
    ]  # fmt: skip


def grafana_dashboard(slos: Sequence[SLODefinition], *, title: str = "Aurum SLOs") -> dict[str, Any]:
    """The dashboard JSON (the ``dashboard`` object of Grafana's ``POST /api/dashboards/db``)."""
    panels: list[dict[str, Any]] = []
    y = 0
    for index, slo in enumerate(slos):
        panels.extend(_slo_panels(slo, first_id=index * 10 + 1, y=y))
        y += 15
    return {
        "uid": DASHBOARD_UID,
        "title": title,
        "tags": [conv.DASHBOARD_TAG, conv.SLO_TAG, "generated-by-runtime"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "time": {"from": "now-7d", "to": "now"},
        "refresh": "1m",
        "templating": {
            "list": [
                {
                    "name": conv.DATASOURCE_VARIABLE,
                    "label": "Data source",
                    "type": conv.DATASOURCE_VARIABLE_TYPE,
                    "query": conv.DATASOURCE_TYPE,
                }
            ]
        },
        "annotations": {"list": []},
        "panels": panels,
    }
