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
adds the SLO's labels) or nothing; ``or vector(0)`` turns "no series yet" into zero.

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


def increase_tile(series: str, previous: str) -> str:
    """Events of the last tile over the raw ``series`` (a selector); ``previous`` selects a series
    the rules record every tile, to tell whether they ran a tile ago."""
    before = f"last_over_time({series}[{GAP_TOLERANCE}] offset {TILE})"
    targets = ", ".join(TARGET_LABELS)
    return (
        "sum(\n"
        f"  ({series} - {before} >= 0)\n"
        f"  or ({series} and {before})\n"
        f"  or (({series} unless on({targets}) ({UP.name} offset {TILE} == 0)) and on() {previous} offset {TILE})\n"
        ")"
    )


def _tile(
    sel: Selector, previous: str, series: str | None = None, extra: tuple[tuple[str, str, str], ...] = ()
) -> str:
    return increase_tile(selector_for(sel, series, extra), previous)


def _ratio(sli: RatioSLI, previous: str) -> Tiles:
    total = _tile(sli.total, previous)
    if sli.bad is not None:
        return Tiles(_tile(sli.bad, previous) + _ZERO, total + _ZERO, counted=True)
    assert sli.good is not None  # guaranteed by RatioSLI's validator
    # Counters scraped a moment apart can make good exceed total for one tile; clamp at 0.
    bad = f"clamp_min({total} - ({_tile(sli.good, previous)}{_ZERO}), 0){_ZERO}"
    return Tiles(bad, total + _ZERO, counted=True)


def _latency(sli: LatencySLI, previous: str) -> Tiles:
    name = sli.histogram.metric.name
    total = _tile(sli.histogram, previous, f"{name}_count")
    fast = _tile(sli.histogram, previous, f"{name}_bucket", ((BUCKET_LABEL, "=~", le_regex(sli.threshold)),))
    return Tiles(f"clamp_min({total} - ({fast}{_ZERO}), 0){_ZERO}", total + _ZERO, counted=True)


def _freshness(sli: FreshnessSLI) -> Tiles:
    # One slice per evaluation: bad when the oldest matching dataset is older than max_age. With no
    # gauge at all there is no slice to judge (the target-down alert covers a missing exporter).
    oldest = f"min({selector_for(sli.gauge)})"
    return Tiles(f"(time() - {oldest} > bool {sli.max_age}){_ZERO}", f"count({oldest}){_ZERO}", counted=False)


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


def tile_queries(sli: SLI, previous: str) -> Tiles:
    """The PromQL of ``sli``'s two tiles; ``previous`` is the SLO's recorded total tile."""
    if isinstance(sli, RatioSLI):
        return _ratio(sli, previous)
    if isinstance(sli, LatencySLI):
        return _latency(sli, previous)
    if isinstance(sli, FreshnessSLI):
        return _freshness(sli)
    return _promql(sli)
