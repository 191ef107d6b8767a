"""The two base series of every SLI kind: bad and total events over the base window.

Each query is an aggregate without grouping, so it yields one series (to which the recording rule
adds the SLO's labels) or nothing. ``or vector(0)`` turns "no series yet" into zero: an app that
served no request, or never failed one, then records 0 instead of leaving a gap, and zero total
events make every ratio window empty rather than NaN.
"""

from __future__ import annotations

from aurum.contract.conventions import BASE_WINDOW, BUCKET_LABEL
from aurum.monitoring.compile.promql import le_regex, selector_for
from aurum.monitoring.model import SLI, FreshnessSLI, LatencySLI, PromQLSLI, RatioSLI, Selector
from aurum.monitoring.model.sli import WINDOW_PLACEHOLDER

__all__ = ["base_queries"]

_ZERO = " or vector(0)"


def _rate(sel: Selector, series: str | None = None, extra: tuple[tuple[str, str, str], ...] = ()) -> str:
    return f"sum(rate({selector_for(sel, series, extra)}[{BASE_WINDOW}]))"


def _ratio(sli: RatioSLI) -> tuple[str, str]:
    total = _rate(sli.total)
    if sli.bad is not None:
        return _rate(sli.bad) + _ZERO, total + _ZERO
    assert sli.good is not None  # guaranteed by RatioSLI's validator
    # Counters scraped a moment apart can make good exceed total for one evaluation; clamp at 0.
    return f"clamp_min({total} - ({_rate(sli.good)}{_ZERO}), 0){_ZERO}", total + _ZERO


def _latency(sli: LatencySLI) -> tuple[str, str]:
    name = sli.histogram.metric.name
    total = _rate(sli.histogram, f"{name}_count")
    fast = _rate(sli.histogram, f"{name}_bucket", ((BUCKET_LABEL, "=~", le_regex(sli.threshold)),))
    return f"clamp_min({total} - ({fast}{_ZERO}), 0){_ZERO}", total + _ZERO


def _freshness(sli: FreshnessSLI) -> tuple[str, str]:
    # One slice per evaluation: bad when the oldest matching dataset is older than max_age. With no
    # gauge at all there is no slice to judge (the target-down alert covers a missing exporter).
    oldest = f"min({selector_for(sli.gauge)})"
    return f"(time() - {oldest} > bool {sli.max_age}){_ZERO}", f"count({oldest}){_ZERO}"


def _promql(sli: PromQLSLI) -> tuple[str, str]:
    def fill(query: str) -> str:
        return query.replace(WINDOW_PLACEHOLDER, BASE_WINDOW)

    if sli.error_ratio is not None:
        # Time-weighted: each evaluation with a defined ratio is one slice weighing that ratio.
        # ">= 0" drops NaN (no traffic), which would otherwise poison every window.
        ratio = f"avg({fill(sli.error_ratio)}) >= 0"
        return f"({ratio}){_ZERO}", f"count({ratio}){_ZERO}"
    assert sli.errors is not None and sli.total is not None  # guaranteed by PromQLSLI's validator
    return f"sum({fill(sli.errors)}){_ZERO}", f"sum({fill(sli.total)}){_ZERO}"


def base_queries(sli: SLI) -> tuple[str, str]:
    """``(bad, total)`` PromQL for ``sli`` over the base window."""
    if isinstance(sli, RatioSLI):
        return _ratio(sli)
    if isinstance(sli, LatencySLI):
        return _latency(sli)
    if isinstance(sli, FreshnessSLI):
        return _freshness(sli)
    return _promql(sli)
