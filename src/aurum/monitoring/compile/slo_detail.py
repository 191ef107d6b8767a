"""The SLO Detail dashboard: one SLO (the ``slo`` variable) against its objective, budget and alerts."""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from decimal import Decimal

from grafanalib.core import Table, TimeSeries

from aurum.contract import conventions as conv
from aurum.contract.objective import DAY_SECONDS
from aurum.contract.project import current_project
from aurum.monitoring.compile.panels import (
    ALERT_STATUS_UID,
    dashed,
    link_to,
    query_variable,
    slo_folder,
    steps,
    target,
)
from aurum.monitoring.compile.promql import exact_number, selector
from aurum.monitoring.compile.slo_groups import group_labels, group_matchers, group_variables
from aurum.monitoring.compile.slo_panels import BURN_UNIT, alerts_firing, budget_steps, stat
from aurum.monitoring.model import SLO, format_duration
from aurum.monitoring.model.alerting import BurnWindow
from aurum.monitoring.model.dashboard import Board, Row
from aurum.monitoring.model.prometheus import ALERTS

__all__ = ["slo_detail"]

_OWN = [(conv.SLO_LABEL, "=", f"${conv.SLO_LABEL}")]
"""The series of the SLO chosen in the dashboard's ``slo`` variable."""
# The group labels of the SLOs being drawn (set by slo_detail): their variables narrow every panel.
_groups: ContextVar[tuple[str, ...]] = ContextVar("aurum_slo_detail_groups", default=())
_THRESHOLD = "threshold"

Window = tuple[str, int, int, Decimal]
"""An alert window as the dashboards group them: tier name, long and short window, budget share."""


def _series(record: str, extra: Sequence[tuple[str, str, str]] = ()) -> str:
    return selector(record, [*_OWN, *group_matchers(_groups.get(), record), *extra])


def _period_ratio(slos: Sequence[SLO]) -> str:
    """The error ratio over each SLO's own period, whichever period that is."""
    periods = {slo.period_seconds for slo in slos}
    if len(periods) == 1:
        return _series(conv.slo_error_ratio(format_duration(periods.pop())))
    return f"{_series(conv.SLO_PERIOD_BURN_RATE)} * {_series(conv.SLO_ERROR_BUDGET)}"


def _burn(window: int) -> str:
    return f"{_series(conv.slo_error_ratio(format_duration(window)))} / {_series(conv.SLO_ERROR_BUDGET)}"


def _windows(slos: Sequence[SLO]) -> dict[Window, list[str]]:
    """Every alert window of the declarations, fastest burn first, with the SLOs alerting on it."""
    found: dict[Window, list[str]] = {}
    for slo in sorted(slos, key=lambda s: s.name):
        for tier in slo.alerting.enabled_tiers:
            for w in tier.windows:
                found.setdefault((tier.name, w.long, w.short, w.budget_percent), []).append(slo.name)
    return dict(sorted(found.items(), key=lambda item: (-item[0][3] / item[0][1], item[0][1])))


def _burn_panel(window: Window, users: list[str], everyone: bool) -> TimeSeries:
    tier, long, short, budget = window
    # The threshold is budget% of the period's budget spent within the long window: it scales with
    # the period, which the SLO records in days.
    factor = exact_number(BurnWindow(long=long, short=short, budget_percent=budget).burn_factor(DAY_SECONDS))
    only = [] if everyone else [(conv.SLO_LABEL, "=~", "|".join(users))]
    long_name, short_name = format_duration(long), format_duration(short)
    return TimeSeries(
        title=f"Burn rate over {long_name} and {short_name} ({tier})",
        description=(
            f"The {tier} tier fires when both windows burn faster than the threshold: {budget}% of the "
            f"period's error budget spent in {long_name}."
            + ("" if everyone else f" Used by {', '.join(users)}.")
        ),
        targets=[
            target(_burn(short), f"{short_name} window"),
            target(_burn(long), f"{long_name} window"),
            target(f"{_series(conv.SLO_TIME_PERIOD, only)} * {factor}", _THRESHOLD),
        ],
        unit=BURN_UNIT,
        overrides=[dashed(_THRESHOLD)],
        thresholds=steps("green"),
    )


def _status(slos: Sequence[SLO]) -> Row:
    return Row(
        title="Status",
        panels=(
            stat("Objective", _series(conv.SLO_OBJECTIVE), "percentunit", steps("blue"), decimals=2),
            stat("SLI over the period", f"1 - {_period_ratio(slos)}", "percentunit", steps("blue"), decimals=3),
            stat("Error budget remaining", _series(conv.SLO_PERIOD_BUDGET_REMAINING), "percentunit",
                 budget_steps(), decimals=1),
            stat("Burn rate now", _series(conv.SLO_CURRENT_BURN_RATE), BURN_UNIT,
                 steps("green", (1, "orange")), decimals=2),
            stat("Alerts firing", alerts_firing(_OWN[0]), "none", steps("green", (1, "red"))),
        ),
        height=4,
    )  # fmt: skip


def _indicator(slos: Sequence[SLO]) -> Row:
    sli = TimeSeries(
        title="SLI against objective",
        targets=[
            target(f"1 - {_series(conv.slo_error_ratio('1h'))}", "SLI over 1h"),
            target(f"1 - {_period_ratio(slos)}", "SLI over the period"),
            target(_series(conv.SLO_OBJECTIVE), "objective"),
        ],
        unit="percentunit",
        overrides=[dashed("objective")],
        thresholds=steps("green"),
    )
    burn_down = TimeSeries(
        title="Error budget remaining over the period",
        description="Burn-down of the period's error budget: below 0 the objective is missed.",
        targets=[target(_series(conv.SLO_PERIOD_BUDGET_REMAINING), "budget remaining")],
        unit="percentunit",
        thresholds=steps("red", (0, "green")),
        thresholdsStyleMode="line",
    )
    return Row(title="Indicator and error budget", panels=(sli, burn_down))


def _events() -> Row:
    rates = TimeSeries(
        title="Bad and total events",
        description="Per second over 5m; for a freshness SLI, 1 bad or 0 out of 1 slice per evaluation.",
        targets=[
            target(_series(conv.SLO_BAD_EVENTS), "bad"),
            target(_series(conv.SLO_TOTAL_EVENTS), "total"),
        ],
        unit="ops",
        thresholds=steps("green"),
    )
    alerts = Table(
        title="Alerts of this SLO",
        targets=[target(selector(ALERTS.name, _OWN), instant=True, table=True)],
        unit="none",
        transformations=[{"id": "organize", "options": {"excludeByName": {"Time": True, "Value": True}}}],
    )
    return Row(title="Events and alerts", panels=(rates, alerts))


def slo_detail(slos: Sequence[SLO]) -> Board:
    """One SLO in depth; the burn-rate panels cover every alert window the SLOs declare."""
    token = _groups.set(group_labels(slos))
    try:
        return _board(slos)
    finally:
        _groups.reset(token)


def _board(slos: Sequence[SLO]) -> Board:
    names = sorted(slo.name for slo in slos)
    windows = _windows(slos)
    burn = tuple(_burn_panel(window, users, len(users) == len(slos)) for window, users in windows.items())
    return Board(
        uid=current_project().slo_detail_uid,
        title="SLO Detail",
        folder=slo_folder(),
        tags=(conv.DASHBOARD_TAG, conv.SLO_TAG, conv.GENERATED_TAG),
        description="Is this SLO within its objective, how fast is it spending its budget, and why?",
        rows=(
            _status(slos),
            _indicator(slos),
            *((Row(title="Burn rate by alert window", panels=burn),) if burn else ()),
            _events(),
        ),
        variables=(
            query_variable(
                conv.SLO_LABEL, f"label_values({conv.SLO_INFO}, {conv.SLO_LABEL})", "SLO", names[0]
            ),
            *group_variables(_groups.get()),
        ),
        links=(
            link_to(current_project().slo_overview_uid, "SLO Overview"),
            link_to(ALERT_STATUS_UID, "Alert Status"),
        ),
        time_from="now-7d",
    )
