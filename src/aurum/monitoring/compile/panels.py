"""Conventions and small builders shared by every dashboard: the datasource, targets, thresholds, links.

Declarations build their panels with grafanalib; these helpers keep the repetitive parts (the
``datasource`` variable, threshold steps, links between dashboards) identical everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from grafanalib.core import DashboardLink, Target, Template, TimeSeries

from aurum.contract import conventions as conv
from aurum.contract.metrics import RecordedSeries
from aurum.contract.project import current_project
from aurum.monitoring.model.dashboard import Folder

__all__ = [
    "ALERT_STATUS_UID",
    "DATASOURCE",
    "DATASOURCE_VARIABLE",
    "PLATFORM_FOLDER",
    "SLO_DETAIL_UID",
    "SLO_FOLDER",
    "SLO_OVERVIEW_UID",
    "dashboard_url",
    "dashed",
    "datasource_variable",
    "link_to",
    "panel_link",
    "query_variable",
    "series",
    "slo_folder",
    "steps",
    "target",
]

DATASOURCE_VARIABLE = conv.DATASOURCE_VARIABLE
DATASOURCE: dict[str, str] = conv.datasource_ref()
"""How every panel and query refers to the Prometheus data source chosen in the variable."""

SLO_FOLDER = Folder(uid=conv.SLO_FOLDER_UID, title=conv.SLO_FOLDER_TITLE)
"""The generated SLO folder under the default prefixes; a build uses :func:`slo_folder`."""
PLATFORM_FOLDER = Folder(uid=conv.PLATFORM_FOLDER_UID, title=conv.PLATFORM_FOLDER_TITLE)

SLO_OVERVIEW_UID = conv.SLO_OVERVIEW_UID
SLO_DETAIL_UID = conv.SLO_DETAIL_UID
ALERT_STATUS_UID = conv.ALERT_STATUS_UID


def slo_folder() -> Folder:
    """The generated SLO folder of the project being built (its uid prefix and title)."""
    project = current_project()
    return Folder(uid=project.slo_folder_uid, title=project.slo_folder_title)


def datasource_variable() -> Template:
    """The ``datasource`` variable every board starts with: any Prometheus data source."""
    return Template(
        name=DATASOURCE_VARIABLE,
        label="Data source",
        type=conv.DATASOURCE_VARIABLE_TYPE,
        query=conv.DATASOURCE_TYPE,
        hide=0,
    )


def query_variable(name: str, query: str, label: str, default: str | None = None) -> Template:
    """A variable filled by a Prometheus query such as ``label_values(slo:info, slo)``."""
    return Template(
        name=name, label=label, query=query, dataSource=dict(DATASOURCE), default=default, refresh=1, sort=1
    )


def target(
    expr: str | RecordedSeries, legend: str = "", *, instant: bool = False, table: bool = False
) -> Target:
    """A Prometheus query on the ``datasource`` variable; refIds are assigned when the board compiles."""
    return Target(
        expr=str(expr),
        legendFormat=legend,
        instant=instant,
        format="table" if table else "time_series",
        datasource=dict(DATASOURCE),
    )


def steps(base: str, *above: tuple[float, str]) -> list[dict[str, Any]]:
    """Threshold steps: ``steps("red", (0.99, "green"))`` is red below 0.99 and green from it on."""
    return [{"color": base, "value": None}, *({"color": color, "value": value} for value, color in above)]


def series(
    title: str,
    expr: str | RecordedSeries,
    legend: str,
    unit: str,
    thresholds: list[dict[str, Any]],
    **options: Any,
) -> TimeSeries:
    """A time series of one query, its thresholds drawn as lines when there is more than a base color."""
    return TimeSeries(
        title=title,
        targets=[target(expr, legend)],
        unit=unit,
        thresholds=thresholds,
        thresholdsStyleMode="line" if len(thresholds) > 1 else "off",
        **options,
    )


def dashed(series: str, color: str = "red") -> dict[str, Any]:
    """A field override drawing the series whose legend is ``series`` as a dashed line (a threshold)."""
    return {
        "matcher": {"id": "byName", "options": series},
        "properties": [
            {"id": "custom.lineStyle", "value": {"dash": [10, 10], "fill": "dash"}},
            {"id": "color", "value": {"fixedColor": color, "mode": "fixed"}},
        ],
    }


def dashboard_url(uid: str, variables: Mapping[str, str] | None = None) -> str:
    """``/d/<uid>``, with variables as ``var-<name>`` query parameters."""
    query = urlencode({f"var-{name}": value for name, value in (variables or {}).items()})
    return f"/d/{uid}?{query}" if query else f"/d/{uid}"


def link_to(uid: str, title: str) -> DashboardLink:
    """A link in the dashboard's header to another dashboard, keeping the time range."""
    return DashboardLink(title=title, type="link", uri=dashboard_url(uid), keepTime=True, icon="dashboard")


def panel_link(title: str, uid: str, variables: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A panel link (the panel's corner menu) to another dashboard, keeping the time range."""
    url = dashboard_url(uid, variables)
    separator = "&" if "?" in url else "?"
    return {"title": title, "url": f"{url}{separator}${{__url_time_range}}"}
