"""The two tiles of every SLI kind: bad and total events of the last minute.

Counter SLIs (ratio and latency) count a tile exactly, per raw series, from counter samples instead
of ``rate()``: the series' value now minus its last value before the tile, read up to
:data:`~aurum.contract.conventions.GAP_TOLERANCE` back. So the first sample after a scrape gap
carries the whole increase across the gap, a tile has no extrapolation and no ramp, and tiles taken
every minute add up to exactly the events of any window. Per series:

- the value grew: the difference;
- the value fell (the process restarted and its counter began again at 0): the value itself;
- the series is new: its value, the events it counted before its first scrape (the first failure
  of a route, a pod just replaced). Not right after its target failed a scrape (``up == 0`` a tile
  ago): a series reappearing after a partition longer than the tolerance would count its whole
  lifetime. Nor when the rules did not run a tile ago: after an outage of Prometheus itself every
  series looks new.

Each query is an aggregate without grouping, so it yields one series (to which the recording rule
adds the SLO's labels) or nothing; ``or vector(0)`` turns "no series yet" into zero. A grouped SLO
(``group_by``) aggregates ``by`` its group labels instead, one series per group value; where a group
has no bad event, bad is zero by the group's total (``or 0 * total``), since ``vector(0)`` carries
no group labels.

Time-based SLIs (freshness, a raw ``error_ratio``) and raw PromQL event queries are sampled: a tile
is the evaluation's own value (a slice, or the query's rate over the base window).
"""

from __future__ import annotations

from dataclasses import dataclass

from aurum.contract.conventions import BASE_WINDOW, BUCKET_LABEL, GAP_TOLERANCE, TILE
from aurum.monitoring.compile.promql import le_regex, selector_for
from aurum.monitoring.model import SLI, FreshnessSLI, LatencySLI, PromQLSLI, RatioSLI, Selector
from aurum.monitoring.model.prometheus import TARGET_LABELS, UP
from aurum.monitoring.model.sli import WINDOW_PLACEHOLDER

__all__ = ["Tiles", "increase_tile", "tile_queries"]

_ZERO = " or vector(0)"


@dataclass(frozen=True, slots=True)
class Tiles:
    bad: str
    total: str
    counted: bool
    """True when the tiles count events exactly (counters); False when they are sampled values."""


@dataclass(frozen=True, slots=True)
class _Grouping:
    labels: tuple[str, ...] = ()

    def by(self, aggregation: str) -> str:
        """``sum`` or ``sum by (tenant_id)``."""
        return f"{aggregation} by ({', '.join(self.labels)}) " if self.labels else aggregation

    def zero(self, total: str) -> str:
        """What fills in zero: ``vector(0)``, or per group the group's total times zero."""
        return f" or 0 * {total}" if self.labels else _ZERO

    def total(self, total: str) -> str:
        """A group exists while it has events; an ungrouped total is zero-filled."""
        return total if self.labels else total + _ZERO


def increase_tile(series: str, previous: str, group: _Grouping | None = None) -> str:
    """Events of the last tile over the raw ``series`` (a selector); ``previous`` selects a series
    the rules record every tile, to tell whether they ran a tile ago."""
    group = group or _Grouping()
    before = f"last_over_time({series}[{GAP_TOLERANCE}] offset {TILE})"
    targets = ", ".join(TARGET_LABELS)
    return (
        f"{group.by('sum')}(\n"
        f"  ({series} - {before} >= 0)\n"
        f"  or ({series} and {before})\n"
        f"  or (({series} unless on({targets}) ({UP.name} offset {TILE} == 0)) and on() {previous} offset {TILE})\n"
        ")"
    )


def _tile(
    group: _Grouping,
    sel: Selector,
    previous: str,
    series: str | None = None,
    extra: tuple[tuple[str, str, str], ...] = (),
) -> str:
    return increase_tile(selector_for(sel, series, extra), previous, group)


def _ratio(sli: RatioSLI, previous: str, group: _Grouping) -> Tiles:
    total = _tile(group, sli.total, previous)
    if sli.bad is not None:
        return Tiles(_tile(group, sli.bad, previous) + group.zero(total), group.total(total), counted=True)
    assert sli.good is not None  # guaranteed by RatioSLI's validator
    # Counters scraped a moment apart can make good exceed total for one tile; clamp at 0.
    good = _tile(group, sli.good, previous) + group.zero(total)
    bad = f"clamp_min({total} - ({good}), 0){group.zero(total)}"
    return Tiles(bad, group.total(total), counted=True)


def _latency(sli: LatencySLI, previous: str, group: _Grouping) -> Tiles:
    name = sli.histogram.metric.name
    total = _tile(group, sli.histogram, previous, f"{name}_count")
    bucket = ((BUCKET_LABEL, "=~", le_regex(sli.threshold)),)
    fast = _tile(group, sli.histogram, previous, f"{name}_bucket", bucket) + group.zero(total)
    return Tiles(f"clamp_min({total} - ({fast}), 0){group.zero(total)}", group.total(total), counted=True)


def _freshness(sli: FreshnessSLI, group: _Grouping) -> Tiles:
    # One slice per evaluation: bad when the oldest matching dataset is older than max_age. With no
    # gauge at all there is no slice to judge (the target-down alert covers a missing exporter).
    oldest = f"{group.by('min')}({selector_for(sli.gauge)})"
    total = group.total(f"{group.by('count')}({oldest})")
    if group.labels:
        return Tiles(f"(time() - {oldest} > bool {sli.max_age})", total, counted=False)
    return Tiles(f"(time() - {oldest} > bool {sli.max_age}){_ZERO}", total, counted=False)


def _promql(sli: PromQLSLI) -> Tiles:
    def fill(query: str) -> str:
        return query.replace(WINDOW_PLACEHOLDER, BASE_WINDOW)

    if sli.error_ratio is not None:
        # Time-weighted: each evaluation with a defined ratio is one slice weighing that ratio.
        # ">= 0" drops NaN (no traffic), which would otherwise poison every window.
        ratio = f"avg({fill(sli.error_ratio)}) >= 0"
        return Tiles(f"({ratio}){_ZERO}", f"count({ratio}){_ZERO}", counted=False)
    assert sli.errors is not None and sli.total is not None  # guaranteed by PromQLSLI's validator
    # The query's own rates over the base window, sampled every tile: proportional to events, so
    # ratios are event-weighted, with the query's window as a ramp at the edges.
    return Tiles(f"sum({fill(sli.errors)}){_ZERO}", f"sum({fill(sli.total)}){_ZERO}", counted=False)


def tile_queries(sli: SLI, previous: str, group_by: tuple[str, ...] = ()) -> Tiles:
    """The PromQL of ``sli``'s two tiles (per group of ``group_by`` if any); ``previous`` is the
    SLO's recorded total tile."""
    group = _Grouping(group_by)
    if isinstance(sli, RatioSLI):
        return _ratio(sli, previous, group)
    if isinstance(sli, LatencySLI):
        return _latency(sli, previous, group)
    if isinstance(sli, FreshnessSLI):
        return _freshness(sli, group)
    return _promql(sli)  # never grouped (the model refuses it)
