"""Reading an SLO's base series from Prometheus, as its compiled rules would have recorded them.

The base recording rules are the only ones that read the raw series; the backtest asks Prometheus
to evaluate their very expressions (from the compiled rule groups, not rewritten) with
``query_range`` at the rules' one-minute step, so ``rate()``, counter resets and staleness are
handled by Prometheus exactly as the rules would have met them. Everything built on the base series
is replayed by :mod:`aurum.monitoring.backtest.replay`. The range is read in chunks of
:data:`CHUNK_POINTS` evaluations, well under Prometheus' 11,000 points per series.
"""

from __future__ import annotations

from collections.abc import Callable

import promql_parser

from aurum.contract import conventions as conv
from aurum.contract.conventions import SLOGroup
from aurum.monitoring.backtest.replay import History
from aurum.monitoring.compile import slo_names
from aurum.monitoring.compile.rules import RecordingRule
from aurum.monitoring.compile.simulate import STEP_SECONDS
from aurum.monitoring.compile.slo_rules import compile_slo
from aurum.monitoring.model import SLO
from aurum.monitoring.report.reader import PrometheusReader

__all__ = ["CHUNK_POINTS", "base_expressions", "read_history", "resets"]

CHUNK_POINTS = 1440
"""Evaluations per ``query_range`` request: one day at the one-minute step."""

Progress = Callable[[str], None]


def base_expressions(slo: SLO) -> tuple[str, str]:
    """The expressions of ``slo``'s compiled bad and total base recording rules."""
    sli_group = slo_names.group_name(slo, SLOGroup.SLI)
    found: dict[str, str] = {}
    for group in compile_slo(slo):
        if group.name == sli_group:
            found |= {r.record: r.expr for r in group.rules if isinstance(r, RecordingRule)}
    return found[conv.SLO_BAD_EVENTS], found[conv.SLO_TOTAL_EVENTS]


def _series(reader: PrometheusReader, expr: str, start: int, end: int) -> dict[int, float]:
    values: dict[int, float] = {}
    for samples in reader.range(expr, start, end, STEP_SECONDS):
        for t, v in samples.points:
            values[round(t)] = values.get(round(t), 0.0) + v
    return values


def read_history(
    reader: PrometheusReader, slo: SLO, start: int, end: int, progress: Progress | None = None
) -> History:
    """``slo``'s base series at every minute from ``start`` to ``end`` (aligned down to the minute)."""
    start, end = start - start % STEP_SECONDS, end - end % STEP_SECONDS
    bad_expr, total_expr = base_expressions(slo)
    present = " or ".join(f"count({selector})" for _, selector in _raw_selectors(slo))
    bad: dict[int, float] = {}
    total: dict[int, float] = {}
    seen: dict[int, float] = {}
    chunk = CHUNK_POINTS * STEP_SECONDS
    chunks = -(-(end - start + STEP_SECONDS) // chunk)
    for number, first in enumerate(range(start, end + 1, chunk), start=1):
        last = min(first + chunk - STEP_SECONDS, end)
        bad |= _series(reader, bad_expr, first, last)
        total |= _series(reader, total_expr, first, last)
        seen |= _series(reader, present, first, last)
        if progress:
            progress(f"{slo.name}: read {number}/{chunks} chunks of {CHUNK_POINTS} evaluations")
    times = range(start, end + 1, STEP_SECONDS)
    return History(
        start,
        STEP_SECONDS,
        tuple(bad.get(t) for t in times),
        tuple(total.get(t) for t in times),
        tuple(t in seen for t in times),
    )


def resets(reader: PrometheusReader, slo: SLO, start: int, end: int) -> int:
    """Counter resets of the raw series the SLI reads over the history (``rate()`` handles them);
    a series two selectors read (bad and total) is counted once."""
    seconds = max(end - start, STEP_SECONDS)
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for name, selector in _raw_selectors(slo):
        for samples in reader.range(f"resets({selector}[{seconds}s])", end, end, STEP_SECONDS):
            found[name, frozenset(samples.labels.items())] = samples.points[-1][1] if samples.points else 0.0
    return int(sum(found.values()))


def _raw_selectors(slo: SLO) -> list[tuple[str, str]]:
    """Metric name and selector of each raw selector the base expressions read (``promql-parser``)."""
    found: list[tuple[str, str]] = []

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector) and (str(node.name), str(node)) not in found:
            found.append((str(node.name), str(node)))

    for expr in base_expressions(slo):
        promql_parser.walk(promql_parser.parse(expr), visit)
    return found
