"""The report's plots, drawn with matplotlib's Agg backend (no display, no network) into PNG bytes.

One figure per SLO, its panels sharing the time axis: the SLI against the objective, the error budget
burning down over the period, then the burn rate of each alert tier's windows against that tier's
threshold. Every incident is shaded across all panels, so cause and effect line up. Pure: the same
report gives the same bytes (the PNG carries no date).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib as mpl

mpl.use("Agg")  # before pyplot: no display is ever needed, and none may be there

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from aurum.monitoring.report.collect import Points, SLOReport

__all__ = ["slo_figure"]

TIER_COLOURS = ("#c0392b", "#e67e22", "#8e44ad", "#2c3e50")
INCIDENT = "#f5b7b1"


DAY = 86_400.0


def _day(t: float) -> float:
    """matplotlib's date axis counts days since 1970-01-01 UTC."""
    return t / DAY


def _times(points: Points) -> list[float]:
    return [_day(t) for t, _ in points]


def _values(points: Points) -> list[float]:
    return [v for _, v in points]


def _shade(axes: Sequence[Axes], report: SLOReport) -> None:
    for incident in report.incidents:
        began = _day(incident.start)
        ended = _day(incident.end if incident.end is not None else report.end)
        for ax in axes:
            ax.axvspan(began, ended, color=INCIDENT, alpha=0.5, linewidth=0)


def _sli(ax: Axes, report: SLOReport) -> None:
    ax.plot(_times(report.sli), _values(report.sli), color="#2980b9", linewidth=1.2, label="SLI over 1h")
    period = report.slo.period_days
    ax.plot(
        _times(report.sli_period),
        _values(report.sli_period),
        color="#16a085",
        linewidth=1.6,
        label=f"SLI over {period}d",
    )
    ax.axhline(
        report.objective,
        color="#7f8c8d",
        linestyle="--",
        linewidth=1,
        label=f"objective {report.objective:g}",
    )
    values = [report.objective, *_values(report.sli), *_values(report.sli_period)]
    low = min(values)
    span = max(1 - low, 1e-6)
    ax.set_ylim(low - span * 0.1, 1 + span * 0.05)  # an SLI never exceeds 1: no room wasted above it
    ax.set_ylabel("SLI")
    ax.set_title("SLI against the objective", loc="left", fontsize=10)


def _budget(ax: Axes, report: SLOReport) -> None:
    times, values = _times(report.budget_remaining), _values(report.budget_remaining)
    ax.plot(times, values, color="#27ae60", linewidth=1.6, label="budget remaining")
    ax.axhline(0, color="#c0392b", linewidth=1)
    if times:
        ax.fill_between(times, values, 0, where=[v < 0 for v in values], color="#c0392b", alpha=0.25)
    ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    ax.set_ylabel("budget")
    ax.set_title(f"Error budget remaining over the {report.slo.period_days}d period", loc="left", fontsize=10)


def _burn(ax: Axes, report: SLOReport, tier: str, colour: str) -> None:
    windows = [w for w in report.burn if w.tier == tier]
    for index, window in enumerate(windows):
        style = "-" if index % 2 == 0 else ":"
        ax.plot(_times(window.points), _values(window.points), color=colour, linestyle=style, linewidth=1.2,
                label=f"{window.window} window")  # fmt: skip
    for threshold in sorted({w.threshold for w in windows}):
        ax.axhline(
            threshold, color=colour, linestyle="--", linewidth=1, alpha=0.8, label=f"threshold {threshold:g}x"
        )
    ax.set_yscale("symlog", linthresh=1)  # 0.5x and 300x on one axis; zero stays drawable
    ax.set_ylim(bottom=0)
    ax.set_ylabel("burn rate")
    ax.set_title(f"Burn rate, {tier} tier, against its thresholds", loc="left", fontsize=10)


def slo_figure(report: SLOReport) -> bytes:
    """The SLO's panels as one PNG."""
    tiers = list(dict.fromkeys(w.tier for w in report.burn))
    rows = 2 + len(tiers)
    figure, axes = plt.subplots(rows, 1, figsize=(10, 2.3 * rows), sharex=True, squeeze=False)
    panels = [ax for (ax,) in axes]
    try:
        _sli(panels[0], report)
        _budget(panels[1], report)
        for index, tier in enumerate(tiers):
            _burn(panels[2 + index], report, tier, TIER_COLOURS[index % len(TIER_COLOURS)])
        _shade(panels, report)
        start, end = _day(report.start), _day(report.end)
        for ax in panels:
            ax.set_xlim(start, end)
            ax.grid(visible=True, alpha=0.3)
            ax.legend(loc="upper left", fontsize=7, frameon=False, ncol=4)
        locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]  # matplotlib.dates has no annotations
        panels[-1].xaxis.set_major_locator(locator)
        formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]  # as above
        panels[-1].xaxis.set_major_formatter(formatter)
        panels[-1].set_xlabel("UTC")
        figure.suptitle(f"{report.slo.name} ({report.slo.service})", x=0.01, ha="left", fontsize=12)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=90, metadata={"Software": None})
        return out.getvalue()
    finally:
        plt.close(figure)
