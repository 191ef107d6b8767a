"""Every window's error against the exact event ratio, over the last day of the history.

For one SLO of each rule set, each window's recording rule is evaluated by the benchmark's
Prometheus (``query_range``) over the last day: every minute, and windows of a day or more every
5 minutes (where our rollups are; the other shapes' long windows read raw series over days, so a
step of 5 minutes keeps the measurement short), and compared at every step with the exact ratio of
the window ``(t - W, t]``, computed
from the synthetic counters: bad events over all events of those minutes. Steps whose window holds
no bad event at all have no relative error and are left out (night-time 5-minute windows).

Our windows read recorded tiles, which the benchmark backfills; :func:`tile_mismatch` evaluates the
tile rules themselves over the same day, from the raw counters, and compares them with what was
backfilled, so the windows are measured over what the rules would have recorded.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from aurum.monitoring.model import parse_duration
from benchmarks.rule_cost.backfill import SPAN, tile
from benchmarks.rule_cost.prom import Server
from benchmarks.rule_cost.synthetic import STEP, History

DAY_MINUTES = 1440
LONG_FROM = 86_400


@dataclass(frozen=True)
class Errors:
    median: float
    p95: float
    max: float
    points: int


def _rule(rules: dict[str, Any], record: str, slo: str) -> str | None:
    for group in rules["groups"]:
        for rule in group["rules"]:
            if rule.get("record") == record and rule.get("labels", {}).get("slo") == slo:
                return str(rule["expr"])
    return None


def _steps(history: History, last: int, step_minutes: int) -> tuple[int, int]:
    """First and last minute of the day ending at ``last``, on the ``step_minutes`` grid."""
    first = max(0, last - DAY_MINUTES)
    first += -(history.start // STEP + first) % step_minutes
    return first, last


def window_errors(
    server: Server, rules: dict[str, Any], prefix: str, windows: list[str], *, history: History, last: int
) -> dict[str, Errors]:
    """Relative error distribution of each window's rule (``<prefix><window>``) for ``history``."""
    found = {}
    for window in windows:
        seconds = parse_duration(window)
        expr = _rule(rules, f"{prefix}{window}", history.tenant)
        if expr is None:
            continue
        step_minutes = SPAN if seconds >= LONG_FROM else 1
        first, end = _steps(history, last, step_minutes)
        values = server.query_range(
            expr, history.start + first * STEP, history.start + end * STEP, step_minutes * STEP
        )
        errors = []
        for timestamp, value in values:
            minute = (int(timestamp) - history.start) // STEP
            bad, total = history.events(max(0, minute - seconds // STEP), minute)
            if bad > 0:
                errors.append(abs(value - bad / total) / (bad / total))
        if len(errors) >= 20:
            found[window] = Errors(
                statistics.median(errors), statistics.quantiles(errors, n=20)[18], max(errors), len(errors)
            )
    return found


def tile_mismatch(server: Server, rules: dict[str, Any], history: History, last: int) -> tuple[int, float]:
    """(minutes compared, largest difference) between our tile rules evaluated now and the tiles
    backfilled, over the last day."""
    first, end = _steps(history, last, 1)
    compared, worst = 0, 0.0
    for index, record in enumerate(("slo:sli_bad_events:increase1m", "slo:sli_total_events:increase1m")):
        expr = _rule(rules, record, history.tenant)
        assert expr is not None, record
        for timestamp, value in server.query_range(
            expr, history.start + first * STEP, history.start + end * STEP, STEP
        ):
            minute = (int(timestamp) - history.start) // STEP
            worst = max(worst, abs(value - tile(history, minute)[index]))
            compared += 1
    return compared, worst
