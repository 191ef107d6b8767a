"""The SLO Overview and SLO Detail dashboards, generated from the SLO declarations.

Both read only the output contract (``slo:*`` series and ``ALERTS``), so they work for every SLO kind.
The overview has one row per SLO with the thresholds of that SLO (its objective, its fastest tier);
the detail dashboard has an ``slo`` variable and a burn-rate panel for every alert window the
declarations use, with the window's threshold drawn from the SLO's recorded period.
"""

from __future__ import annotations

from collections.abc import Sequence

from grafanalib.core import Table, TableSortByField

from aurum.contract import conventions as conv
from aurum.contract.project import current_project
from aurum.monitoring.compile import slo_names
from aurum.monitoring.compile.panels import (
    ALERT_STATUS_UID,
    link_to,
    panel_link,
    slo_folder,
    steps,
    target,
)
from aurum.monitoring.compile.promql import selector
from aurum.monitoring.compile.slo_detail import slo_detail
from aurum.monitoring.compile.slo_groups import group_labels, group_matchers, group_variables
from aurum.monitoring.compile.slo_panels import BURN_UNIT, alerts_firing, budget_steps, fastest_burn, stat
from aurum.monitoring.model import SLO
from aurum.monitoring.model.dashboard import Board, Row

__all__ = ["slo_dashboards", "slo_overview"]


def _slo_row(slo: SLO) -> Row:
    own = [*slo_names.own_matchers(slo), *group_matchers(slo.group_by)]
    period = slo.target.period
    links = [
        panel_link(f"{slo.name} in detail", current_project().slo_detail_uid, {conv.SLO_LABEL: slo.name})
    ]
    objective = float(slo.objective_ratio)
    panels = (
        stat("Objective", selector(conv.SLO_OBJECTIVE, slo_names.own_matchers(slo)), "percentunit", steps("blue"), links=links, decimals=2),
        stat(f"SLI over {period}", f"1 - {selector(conv.slo_error_ratio(period), own)}", "percentunit",
             steps("red", (objective, "green")), links=links, decimals=3),
        stat("Error budget remaining", selector(conv.SLO_PERIOD_BUDGET_REMAINING, own), "percentunit",
             budget_steps(), links=links, decimals=1),
        stat("Burn rate now", selector(conv.SLO_CURRENT_BURN_RATE, own), BURN_UNIT,
             steps("green", (1, "orange"), (float(fastest_burn(slo)), "red")), links=links, decimals=2),
        stat("Alerts firing", alerts_firing(own[0]), "none", steps("green", (1, "red")), links=links),
    )  # fmt: skip
    # A name several services use is told apart by its service, as in the rule files.
    name = slo.name if slo_names.key(slo) == slo.name else f"{slo.name} ({slo.service})"
    return Row(title=f"{name}: {slo.description}", panels=panels, height=4)


def _by_slo(record: str, aggregation: str = "sum") -> str:
    return f"{aggregation} by ({conv.SLO_LABEL}, {conv.SERVICE_LABEL}) ({record})"


def _budget_table(grouped: bool) -> Table:
    # One row per SLO; a grouped SLO shows its worst group (least budget left, fastest burn).
    least, most = ("min", "max") if grouped else ("sum", "sum")
    columns = {"Value #A": "Budget remaining", "Value #B": "Burn rate now", "Value #C": "Objective"}
    units = {"Budget remaining": "percentunit", "Burn rate now": BURN_UNIT, "Objective": "percentunit"}
    return Table(
        title="Error budget remaining, worst first",
        description="Every SLO, sorted by the share of its period's error budget still unspent.",
        targets=[
            target(_by_slo(conv.SLO_PERIOD_BUDGET_REMAINING, least), instant=True, table=True),
            target(_by_slo(conv.SLO_CURRENT_BURN_RATE, most), instant=True, table=True),
            target(_by_slo(conv.SLO_OBJECTIVE), instant=True, table=True),
        ],
        unit="percentunit",
        thresholds=budget_steps(),
        displayMode="color-text",
        sortBy=[TableSortByField(displayName="Budget remaining", desc=False)],
        transformations=[
            {"id": "merge", "options": {}},
            {"id": "organize", "options": {"excludeByName": {"Time": True}, "renameByName": columns}},
        ],
        overrides=[
            {"matcher": {"id": "byName", "options": name}, "properties": [{"id": "unit", "value": unit}]}
            for name, unit in units.items()
        ],
        span=8,
    )


def slo_overview(slos: Sequence[SLO]) -> Board:
    """Every SLO at a glance: the budget table (worst first), then one row per SLO."""
    out_of_budget = f"count({conv.SLO_PERIOD_BUDGET_REMAINING} < 0) or vector(0)"
    firing = alerts_firing((conv.SLO_LABEL, "!=", ""))
    summary = Row(
        title="All SLOs",
        panels=(
            _budget_table(grouped=bool(group_labels(slos))),
            stat("SLOs out of budget", out_of_budget, "none", steps("green", (1, "red")), span=2),
            stat("SLO alerts firing", firing, "none", steps("green", (1, "red")), span=2),
        ),
        height=8,
    )
    return Board(
        uid=current_project().slo_overview_uid,
        title="SLO Overview",
        folder=slo_folder(),
        tags=(conv.DASHBOARD_TAG, conv.SLO_TAG, conv.GENERATED_TAG),
        description="Is every service within its objective, and which error budget is closest to spent?",
        rows=(summary, *(_slo_row(slo) for slo in sorted(slos, key=lambda s: s.name))),
        variables=group_variables(group_labels(slos)),
        links=(
            link_to(current_project().slo_detail_uid, "SLO Detail"),
            link_to(ALERT_STATUS_UID, "Alert Status"),
        ),
        time_from="now-24h",
    )


def slo_dashboards(slos: Sequence[SLO]) -> tuple[Board, ...]:
    """The generated SLO dashboards; none when there is no SLO to show."""
    if not slos:
        return ()
    return (slo_overview(slos), slo_detail(slos))
