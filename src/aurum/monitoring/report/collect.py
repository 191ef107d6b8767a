"""What one SLO did between two times, read from the series its rules record and from ``ALERTS``.

Every query reads the output contract (``slo:*`` series), never the raw metrics, so the report shows
what the dashboards and alerts saw. Incidents are the runs of ``ALERTS{alertstate="firing"}`` samples
of the SLO's alerts; the budget an incident spent is the period's budget remaining just before it
began minus what remained when it ended (or when the report ends, for an alert still firing).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from aurum.contract import conventions as conv
from aurum.monitoring.compile.promql import selector
from aurum.monitoring.model import SLO, format_duration
from aurum.monitoring.model.prometheus import ALERTS
from aurum.monitoring.report.reader import PrometheusReader, Samples

__all__ = ["BurnWindow", "Incident", "SLOReport", "collect", "step_for"]

FIRING = "firing"
"""``ALERTS``' ``alertstate`` of an alert past its ``for`` (the other is ``pending``)."""
POINTS = 600
"""Points per plotted series: enough for a smooth line, few enough for any range."""

Points = tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class BurnWindow:
    tier: str
    window: str
    threshold: float
    points: Points


@dataclass(frozen=True, slots=True)
class Incident:
    alert: str
    severity: str
    start: float
    end: float | None
    """``None``: still firing when the report ends."""
    budget_spent: float | None
    """Share of the period's error budget spent from its start to its end; ``None`` without data."""


@dataclass(frozen=True, slots=True)
class SLOReport:
    slo: SLO
    start: float
    end: float
    step: int
    sli: Points
    """``1 -`` the error ratio over 1h."""
    sli_period: Points
    objective: float
    budget_remaining: Points
    burn: tuple[BurnWindow, ...]
    incidents: tuple[Incident, ...]

    @property
    def budget_at_end(self) -> float | None:
        return self.budget_remaining[-1][1] if self.budget_remaining else None

    @property
    def sli_at_end(self) -> float | None:
        return self.sli_period[-1][1] if self.sli_period else None


def step_for(start: float, end: float) -> int:
    return max(math.ceil((end - start) / POINTS), 1)


def _own(slo: SLO) -> list[tuple[str, str, str]]:
    return [(conv.SLO_LABEL, "=", slo.name)]


def _one(series: list[Samples]) -> Points:
    """The points of a query that selects one series (the first when it selects more)."""
    return tuple(p for p in series[0].points if math.isfinite(p[1])) if series else ()


def _burn_windows(
    reader: PrometheusReader, slo: SLO, start: float, end: float, step: int
) -> list[BurnWindow]:
    budget = selector(conv.SLO_ERROR_BUDGET, _own(slo))
    windows = []
    for tier in slo.alerting.enabled_tiers:
        for window in tier.windows:
            threshold = float(window.burn_factor(slo.period_seconds))
            for seconds in (window.long, window.short):
                name = format_duration(seconds)
                ratio = selector(conv.slo_error_ratio(name), _own(slo))
                points = _one(reader.range(f"{ratio} / {budget}", start, end, step))
                windows.append(BurnWindow(tier.name, name, threshold, points))
    return windows


def _runs(samples: Samples, end: float) -> list[tuple[float, float | None]]:
    """Contiguous runs of samples: a gap of more than three evaluation intervals ends a run."""
    times = [t for t, _ in samples.points]
    if not times:
        return []
    gaps = [b - a for a, b in itertools.pairwise(times)]
    interval = statistics.median(gaps) if gaps else 1.0
    runs: list[tuple[float, float | None]] = []
    first = previous = times[0]
    for t in times[1:]:
        if t - previous > 3 * interval:
            runs.append((first, previous))
            first = t
        previous = t
    ongoing = end - previous <= 3 * interval
    runs.append((first, None if ongoing else previous))
    return runs


def _incidents(reader: PrometheusReader, slo: SLO, start: float, end: float) -> list[Incident]:
    firing = selector(ALERTS.name, [*_own(slo), (conv.ALERTSTATE_LABEL, "=", FIRING)])
    remaining = selector(conv.SLO_PERIOD_BUDGET_REMAINING, _own(slo))
    incidents = []
    for series in reader.raw(firing, start, end):
        for began, ended in _runs(series, end):
            before = reader.at(remaining, began - 1)
            after = reader.at(remaining, ended if ended is not None else end)
            spent = before - after if before is not None and after is not None else None
            name = series.labels.get(conv.ALERTNAME_LABEL, "?")
            severity = series.labels.get(conv.SEVERITY_LABEL, "")
            incidents.append(Incident(name, severity, began, ended, spent))
    return sorted(incidents, key=lambda i: (i.start, i.alert))


def collect(reader: PrometheusReader, slo: SLO, start: float, end: float) -> SLOReport:
    step = step_for(start, end)
    own = _own(slo)
    period = format_duration(slo.period_seconds)
    sli = _one(reader.range(f"1 - {selector(conv.slo_error_ratio('1h'), own)}", start, end, step))
    sli_period = _one(reader.range(f"1 - {selector(conv.slo_error_ratio(period), own)}", start, end, step))
    budget = _one(reader.range(selector(conv.SLO_PERIOD_BUDGET_REMAINING, own), start, end, step))
    return SLOReport(
        slo=slo,
        start=start,
        end=end,
        step=step,
        sli=sli,
        sli_period=sli_period,
        objective=float(slo.objective_ratio),
        budget_remaining=budget,
        burn=tuple(_burn_windows(reader, slo, start, end, step)),
        incidents=tuple(_incidents(reader, slo, start, end)),
    )


def collect_all(
    reader: PrometheusReader, slos: Sequence[SLO], start: float | None, end: float
) -> list[SLOReport]:
    """Each SLO from ``start``, or over its own period before ``end`` when no start is given."""
    return [
        collect(reader, slo, start if start is not None else end - slo.period_seconds, end) for slo in slos
    ]
