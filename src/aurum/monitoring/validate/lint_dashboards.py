"""Lint of dashboards: identity, panel ids, layout, the datasource variable, and every query."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from aurum.contract import conventions as conv
from aurum.contract.lint_settings import Category
from aurum.monitoring.validate.lint_inputs import DashboardFile, Finding
from aurum.monitoring.validate.queries import (
    expand_variables,
    label_values_problems,
    query_category,
    query_problems,
)
from aurum.monitoring.validate.series import KnownSeries

__all__ = ["dashboard_findings", "dashboard_problems"]

GRID_WIDTH = 24
_VARIABLE_UIDS = (conv.DATASOURCE_UID, f"${conv.DATASOURCE_VARIABLE}")

Problem = tuple[str, str]
"""``(field, message)``."""
Categorised = tuple[str, str, Category]
"""``(field, message, category)``: queries may read a metric no catalog declares, which follows a policy."""


def _uses_variable(datasource: Any) -> bool:
    # Before Grafana 8.3 a datasource was its name, so the variable was the string "$datasource"
    # (grafonnet-lib and grafana-builder mixins still write that); Grafana reads it as the variable.
    if isinstance(datasource, str):
        return datasource in _VARIABLE_UIDS
    return isinstance(datasource, Mapping) and datasource.get("uid") in _VARIABLE_UIDS


def _title(panel: Mapping[str, Any]) -> str:
    return repr(panel.get("title") or f"#{panel.get('id', '?')}")


def _flatten(
    panels: Sequence[Mapping[str, Any]], path: str = "panels"
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for index, panel in enumerate(panels):
        yield f"{path}[{index}]", panel
        yield from _flatten(panel.get("panels") or [], f"{path}[{index}].panels")


def _every_panel(dashboard: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The panels, nested ones included, then those of the pre-5.0 ``rows`` layout that
    grafonnet-lib and grafana-builder mixins still render: Grafana migrates those rows to panels
    on load, placing each itself, so their queries and ids are checked and their layout is not."""
    yield from _flatten(dashboard.get("panels") or [])
    for index, row in enumerate(dashboard.get("rows") or []):
        if isinstance(row, Mapping):
            yield from _flatten(row.get("panels") or [], f"rows[{index}].panels")


def _overlaps(a: Mapping[str, int], b: Mapping[str, int]) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def _grid(panel: Mapping[str, Any]) -> dict[str, int] | None:
    """The panel's position; Grafana takes a missing ``x`` or ``y`` as 0, but needs ``w`` and ``h``."""
    grid = panel.get("gridPos")
    if not isinstance(grid, Mapping):
        return None
    placed = {"x": 0, "y": 0, **grid}
    if not all(isinstance(placed[k], int) for k in "xywh" if k in placed) or not {"w", "h"} <= set(placed):
        return None
    return {k: int(placed[k]) for k in "xywh"}


def _layout_problems(panels: Sequence[Mapping[str, Any]], path: str) -> Iterator[Problem | Categorised]:
    """Panels side by side must not overlap; a collapsed row's panels are checked among themselves."""
    placed: list[tuple[Mapping[str, Any], Mapping[str, int]]] = []
    for index, panel in enumerate(panels):
        where = f"{path}[{index}].gridPos"
        grid = _grid(panel)
        if grid is None:
            yield where, f"panel {_title(panel)} has no gridPos with integers w and h (x and y default to 0)"
            continue
        if grid["x"] < 0 or grid["x"] + grid["w"] > GRID_WIDTH:
            yield where, f"panel {_title(panel)} extends past the grid's {GRID_WIDTH} columns"
        for other, other_grid in placed:
            if _overlaps(grid, other_grid):
                # Grafana's grid pushes an overlapping panel down on load, so every panel still
                # shows, only not where it was placed: a layout mistake, judged as style.
                yield where, f"panel {_title(panel)} overlaps panel {_title(other)}", Category.STYLE
        placed.append((panel, grid))
        if panel.get("panels"):
            yield from _layout_problems(panel["panels"], f"{path}[{index}].panels")


def _id_problems(dashboard: Mapping[str, Any]) -> Iterator[Problem]:
    seen: dict[Any, Mapping[str, Any]] = {}
    for path, panel in _every_panel(dashboard):
        panel_id = panel.get("id")
        if panel_id is None:
            yield f"{path}.id", f"panel {_title(panel)} has no id"
        elif panel_id in seen:
            yield (
                f"{path}.id",
                f"panel {_title(panel)} has id {panel_id}, like panel {_title(seen[panel_id])}",
            )
        else:
            seen[panel_id] = panel


def _query_problems(dashboard: Mapping[str, Any], known: KnownSeries) -> Iterator[Problem | Categorised]:
    for path, panel in _every_panel(dashboard):
        targets = panel.get("targets") or []
        # A panel of another data source (Grafana's "-- Mixed --" in mixins) is fine when every
        # query names the variable itself: each query picks its own data source.
        by_target = all(_uses_variable(target.get("datasource")) for target in targets)
        if targets and not _uses_variable(panel.get("datasource")) and not by_target:
            yield (
                f"{path}.datasource",
                f"panel {_title(panel)} does not query the {conv.DATASOURCE_UID} variable",
            )
        for index, target in enumerate(targets):
            where = f"{path}.targets[{index}]"
            if "datasource" in target and not _uses_variable(target["datasource"]):
                yield (
                    f"{where}.datasource",
                    f"a query of panel {_title(panel)} does not use {conv.DATASOURCE_UID}",
                )
            expr = target.get("expr")
            if not isinstance(expr, str) or not expr.strip():
                yield f"{where}.expr", f"a query of panel {_title(panel)} has no PromQL expression"
                continue
            for problem in query_problems(expand_variables(expr), known):
                yield f"{where}.expr", f"panel {_title(panel)}: {problem}", query_category(problem)


def _variable_problems(dashboard: Mapping[str, Any], known: KnownSeries) -> Iterator[Problem | Categorised]:
    variables = (dashboard.get("templating") or {}).get("list") or []
    name, kind = conv.DATASOURCE_VARIABLE, conv.DATASOURCE_VARIABLE_TYPE
    if not any(v.get("name") == name and v.get("type") == kind for v in variables):
        yield "templating", f"no {name!r} variable of type {kind} for the panels to query"
    for index, variable in enumerate(variables):
        if variable.get("type") != "query":
            continue
        where = f"templating.list[{index}]"
        if not _uses_variable(variable.get("datasource")):
            yield (
                f"{where}.datasource",
                f"variable {variable.get('name')!r} does not query {conv.DATASOURCE_UID}",
            )
        query = variable.get("query")
        text = query.get("query") if isinstance(query, Mapping) else query
        for problem in label_values_problems(str(text or ""), known) or []:
            yield (
                f"{where}.query",
                f"variable {variable.get('name')!r}: {problem}",
                query_category(problem),
            )


def dashboard_problems(dashboard: Mapping[str, Any], known: KnownSeries) -> list[Categorised]:
    """Every problem of one dashboard, except collisions with other dashboards."""
    problems: list[Problem | Categorised] = []
    for key in ("uid", "title"):
        if not dashboard.get(key):
            problems.append((key, f"missing: every dashboard needs a stable {key}"))
    uid = dashboard.get("uid")
    if uid and (problem := conv.grafana_uid_problem(uid)) is not None:
        problems.append(("uid", f"{problem}; it names the dashboard's file, <uid>.json"))
    problems += [*_id_problems(dashboard), *_layout_problems(dashboard.get("panels") or [], "panels")]
    problems += [*_variable_problems(dashboard, known), *_query_problems(dashboard, known)]
    return [problem if len(problem) == 3 else (*problem, Category.CORRECTNESS) for problem in problems]


def _name(item: DashboardFile, index: int) -> str:
    dashboard = item.dashboard
    return f"Dashboard {dashboard.get('uid') or dashboard.get('title') or f'#{index + 1}'!r}"


def dashboard_findings(dashboards: Sequence[DashboardFile], known: KnownSeries) -> list[Finding]:
    """Problems of every dashboard, then uids and folder titles that collide across dashboards."""
    findings: list[Finding] = []
    uids: dict[str, str] = {}
    folders: dict[str, tuple[str, str]] = {}
    for index, item in enumerate(dashboards):
        obj = _name(item, index)
        where = f"{item.file}:{item.line}" if item.line else item.file
        for field, message, category in dashboard_problems(item.dashboard, known):
            findings.append(Finding(item.file, item.line, obj, field, message, category))
        uid = str(item.dashboard.get("uid") or "")
        if uid and uid in uids:
            message = f"{uid!r} is also the uid of the dashboard at {uids[uid]}"
            findings.append(Finding(item.file, item.line, obj, "uid", message))
        uids.setdefault(uid, where)
        folder_uid, title = item.folder
        if folder_uid in folders and folders[folder_uid][0] != title:
            first_title, first_where = folders[folder_uid]
            message = f"folder {folder_uid!r} is titled {title!r} here but {first_title!r} at {first_where}"
            findings.append(Finding(item.file, item.line, obj, "folder", message))
        folders.setdefault(folder_uid, (title, where))
    return findings
