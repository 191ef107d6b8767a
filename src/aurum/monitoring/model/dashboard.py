"""Dashboards declared with grafanalib panels, wrapped in what the build needs to place them.

A :class:`Board` is a Grafana folder, a stable uid, a title, tags and rows of grafanalib panels. The
compiler computes the layout (so panels never overlap), numbers the panels, points every query at the
``datasource`` variable unless it names one itself, and normalises grafanalib's JSON.
"""

from __future__ import annotations

from grafanalib.core import DashboardLink, Panel, RowPanel, Template
from pydantic import BaseModel, ConfigDict, Field, InstanceOf, field_validator

from aurum.contract.conventions import DATASOURCE_VARIABLE, grafana_uid_problem

__all__ = ["GRID_WIDTH", "Board", "Folder", "Row"]

GRID_WIDTH = 24
"""Grafana's grid is 24 columns wide."""


def _uid(uid: str) -> str:
    problem = grafana_uid_problem(uid)
    if problem is not None:
        raise ValueError(problem)
    return uid


class Folder(BaseModel):
    """A Grafana folder; its uid names the output directory ``build/grafana/dashboards/<uid>/``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    uid: str
    title: str = Field(min_length=1)

    @field_validator("uid")
    @classmethod
    def _uid(cls, uid: str) -> str:
        return _uid(uid)


class Row(BaseModel):
    """A titled band of panels laid out left to right, wrapping at the grid's width.

    A panel's width is ``span`` (grafanalib's 12-column unit, so ``span=6`` is half the width); panels
    without one share what the row has left equally. Every panel of the row is ``height`` units tall.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    title: str = ""
    panels: tuple[InstanceOf[Panel], ...] = Field(min_length=1)
    height: int = Field(default=8, ge=1, le=40)

    @field_validator("panels")
    @classmethod
    def _panels(cls, panels: tuple[Panel, ...]) -> tuple[Panel, ...]:
        for panel in panels:
            if isinstance(panel, RowPanel):
                msg = "a Row holds panels; declare another Row instead of a RowPanel"
                raise ValueError(msg)
            if panel.gridPos is not None:
                msg = f"panel {panel.title!r}: the layout is computed, leave gridPos unset (use span)"
                raise ValueError(msg)
            span = panel.span
            if span is not None and (not isinstance(span, int) or not 1 <= span <= GRID_WIDTH // 2):
                msg = f"panel {panel.title!r}: span is a width from 1 to 12 (half grid columns), not {span!r}"
                raise ValueError(msg)
        return panels


class Board(BaseModel):
    """One Grafana dashboard: where it goes, how it is identified, and its rows."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    uid: str
    title: str = Field(min_length=1)
    folder: Folder
    tags: tuple[str, ...] = Field(min_length=1)
    description: str = ""
    rows: tuple[Row, ...] = Field(min_length=1)
    variables: tuple[InstanceOf[Template], ...] = ()
    """Template variables after the ``datasource`` one, which every board gets."""
    links: tuple[InstanceOf[DashboardLink], ...] = ()
    time_from: str = "now-6h"
    refresh: str = "1m"

    @field_validator("uid")
    @classmethod
    def _uid(cls, uid: str) -> str:
        return _uid(uid)

    @field_validator("variables")
    @classmethod
    def _variables(cls, variables: tuple[Template, ...]) -> tuple[Template, ...]:
        if any(variable.name == DATASOURCE_VARIABLE for variable in variables):
            msg = f"the {DATASOURCE_VARIABLE!r} variable is added to every board; do not declare it"
            raise ValueError(msg)
        return variables
