"""Board -> Grafana dashboard JSON: layout, panel ids, datasource references, then normalisation."""

from __future__ import annotations

import json
import string
from decimal import Decimal
from typing import Any

import attr
from grafanalib._gen import DashboardEncoder
from grafanalib.core import Dashboard, GridPos, Panel, RowPanel, Target, Templating, Time

from aurum.monitoring.compile.grafana_json import normalise_grafanalib
from aurum.monitoring.compile.panels import DATASOURCE, datasource_variable
from aurum.monitoring.model.dashboard import GRID_WIDTH, Board, Row

__all__ = ["compile_board", "row_widths"]


class _Encoder(DashboardEncoder):  # type: ignore[misc]  # grafanalib is untyped
    """grafanalib's encoder, plus exact decimals (objectives and thresholds from the settings)."""

    def default(self, obj: object) -> object:
        if isinstance(obj, Decimal):
            return float(obj)
        return super().default(obj)


def row_widths(row: Row) -> list[int]:
    """Grid width of each panel: ``2 * span``, or an equal share of what the spans leave."""
    fixed = sum(2 * panel.span for panel in row.panels if panel.span)
    free = [panel for panel in row.panels if not panel.span]
    left = GRID_WIDTH - fixed
    share, extra = divmod(left, len(free)) if free and left >= len(free) else (GRID_WIDTH, 0)
    widths, given = [], 0
    for panel in row.panels:
        if panel.span:
            widths.append(2 * panel.span)
            continue
        widths.append(share + (1 if given < extra else 0))
        given += 1
    return widths


def _target(target: Target, index: int) -> Target:
    return attr.evolve(
        target,
        datasource=target.datasource or dict(DATASOURCE),
        refId=target.refId or string.ascii_uppercase[index % 26] * (1 + index // 26),
    )


def _place(panel: Panel, grid: GridPos, panel_id: int) -> Panel:
    return attr.evolve(
        panel,
        gridPos=grid,
        id=panel.id or panel_id,
        span=None,
        dataSource=panel.dataSource or dict(DATASOURCE),
        targets=[_target(target, index) for index, target in enumerate(panel.targets)],
    )


def _layout(board: Board) -> list[Panel]:
    """Rows top to bottom; in a row, panels left to right, wrapping onto a new line when full."""
    taken = {panel.id for row in board.rows for panel in row.panels if panel.id}
    ids = (number for number in range(1, 10_000) if number not in taken)
    panels: list[Panel] = []
    y = 0
    for row in board.rows:
        if row.title:
            panels.append(
                RowPanel(title=row.title, gridPos=GridPos(h=1, w=GRID_WIDTH, x=0, y=y), id=next(ids))
            )
            y += 1
        x = 0
        for panel, width in zip(row.panels, row_widths(row), strict=True):
            if x + width > GRID_WIDTH:
                x, y = 0, y + row.height
            panels.append(_place(panel, GridPos(h=row.height, w=width, x=x, y=y), next(ids)))
            x += width
        y += row.height
    return panels


def compile_board(board: Board) -> dict[str, Any]:
    """The dashboard JSON Grafana imports (the ``dashboard`` object of its HTTP API)."""
    dashboard = Dashboard(
        title=board.title,
        uid=board.uid,
        tags=list(board.tags),
        description=board.description,
        editable=False,
        graphTooltip=1,
        links=list(board.links),
        panels=_layout(board),
        refresh=board.refresh,
        templating=Templating(list=[datasource_variable(), *board.variables]),
        time=Time(board.time_from, "now"),
        timezone="browser",
    )
    document: dict[str, Any] = json.loads(json.dumps(dashboard.to_json_data(), cls=_Encoder))
    return normalise_grafanalib(document)
