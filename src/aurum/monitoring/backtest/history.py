"""Reading an SLO's one-minute tiles from Prometheus, as its compiled rules would have recorded them.

The tile recording rules are the only ones that read the raw series; the backtest asks Prometheus
to evaluate their queries (the compiler's own, see :func:`tile_expressions`) with ``query_range``
at the rules' one-minute step, so counter resets, scrape gaps and new series are handled by
Prometheus exactly as the rules would have met them. Everything built on the tiles
is replayed by :mod:`aurum.monitoring.backtest.replay`. The range is read in chunks of
:data:`CHUNK_POINTS` evaluations, well under Prometheus' 11,000 points per series.
"""

from __future__ import annotations

from collections.abc import Callable

import promql_parser

from aurum.contract import conventions as conv
from aurum.monitoring.backtest.replay import History
from aurum.monitoring.compile.simulate import STEP_SECONDS
from aurum.monitoring.compile.sli_queries import Tiles, tile_queries
from aurum.monitoring.model import SLO
from aurum.monitoring.model.prometheus import UP
from aurum.monitoring.report.reader import PrometheusReader

__all__ = ["CHUNK_POINTS", "read_history", "resets", "tile_expressions"]

CHUNK_POINTS = 1440
"""Evaluations per ``query_range`` request: one day at the one-minute step."""

Progress = Callable[[str], None]


_RAN = "aurum_backtest_rules_ran"
"""Where the tile queries ask whether the rules ran a minute before (their own recorded tile)."""


def tile_expressions(slo: SLO) -> Tiles:
    """The queries of ``slo``'s two tile recording rules, as the compiler writes them, except that
    "did the rules run a minute before" is always true: the backtest supposes they ran throughout."""
    tiles = tile_queries(slo.sli, _RAN)
    ran = f"{_RAN} offset {conv.TILE}"

    def always(query: str) -> str:
        return query.replace(ran, "vector(1)")

    return Tiles(always(tiles.bad), always(tiles.total), tiles.counted)


def _series(reader: PrometheusReader, expr: str, start: int, end: int) -> dict[int, float]:
    values: dict[int, float] = {}
    for samples in reader.range(expr, start, end, STEP_SECONDS):
        for t, v in samples.points:
            values[round(t)] = values.get(round(t), 0.0) + v
    return values


def read_history(
    reader: PrometheusReader, slo: SLO, start: int, end: int, progress: Progress | None = None
) -> History:
    """``slo``'s two tiles at every minute from ``start`` to ``end`` (aligned down to the minute)."""
    start, end = start - start % STEP_SECONDS, end - end % STEP_SECONDS
    tiles = tile_expressions(slo)
    bad_expr, total_expr = tiles.bad, tiles.total
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
        tiles.counted,
    )


def resets(reader: PrometheusReader, slo: SLO, start: int, end: int) -> int:
    """Counter resets of the raw series the SLI reads over the history (the tiles count from 0 after one);
    a series two selectors read (bad and total) is counted once."""
    seconds = max(end - start, STEP_SECONDS)
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for name, selector in _raw_selectors(slo):
        for samples in reader.range(f"resets({selector}[{seconds}s])", end, end, STEP_SECONDS):
            found[name, frozenset(samples.labels.items())] = samples.points[-1][1] if samples.points else 0.0
    return int(sum(found.values()))


def _raw_selectors(slo: SLO) -> list[tuple[str, str]]:
    """Metric name and selector of each SLI series the tiles read now (``promql-parser``): not the
    look-backs (``offset``) nor ``up``, which only say whether a new series was scraped before."""
    found: list[tuple[str, str]] = []

    def visit(node: object) -> None:
        if not isinstance(node, promql_parser.VectorSelector) or node.offset or node.name == UP.name:
            return
        if (str(node.name), str(node)) not in found:
            found.append((str(node.name), str(node)))

    tiles = tile_expressions(slo)
    for expr in (tiles.bad, tiles.total):
        promql_parser.walk(promql_parser.parse(expr), visit)
    return found
