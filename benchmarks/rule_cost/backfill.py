"""Recorded series a rule set reads over long windows, computed for the whole history.

They follow the rules' own formulas with Prometheus 2.x semantics on one-minute samples: a range
includes both ends, so ``rate(x[5m])`` at minute t is ``(x[t] - x[t-5]) / 300`` with no
extrapolation. Writing them next to the raw series means no rule set is measured on a shorter
history than it needs.
"""

from __future__ import annotations

from collections.abc import Iterator

from benchmarks.rule_cost.synthetic import STEP, History

SPAN = 5  # minutes in the base window


def _rates(history: History, minute: int) -> tuple[float, float]:
    # Minute 0 has no earlier sample, so no rate: the rules' "or vector(0)" records 0 there.
    first = max(0, minute - SPAN)
    bad = sum(values[minute] - values[first] for values in history.bad.values())
    good = sum(values[minute] - values[first] for values in history.good.values())
    return bad / 300, (bad + good) / 300


def _labels(history: History, name: str) -> str:
    return f'{name}{{service="bench",slo="{history.tenant}"}}'


def tile(history: History, minute: int) -> tuple[int, int]:
    """Bad and total events of the minute ending at ``minute`` (0 at the first sample)."""
    if minute == 0:
        return 0, 0
    bad = sum(values[minute] - values[minute - 1] for values in history.bad.values())
    good = sum(values[minute] - values[minute - 1] for values in history.good.values())
    return bad, bad + good


def tiles(histories: list[History], minutes: range) -> Iterator[str]:
    """``slo:sli_*_events:increase1m``: our compiler's one-minute tiles, exact counter increases."""
    for index, name in enumerate(("slo:sli_bad_events:increase1m", "slo:sli_total_events:increase1m")):
        for history in histories:
            labels = _labels(history, name)
            for minute in minutes:
                yield f"{labels} {tile(history, minute)[index]} {history.start + minute * STEP}\n"


def rollups(histories: list[History], minutes: range) -> Iterator[str]:
    """``slo:sli_*_events:increase5m``: our long windows' input, every 5 minutes as in production.

    The rollup sums the tiles of the five minutes before it (its range ends 30 s back).
    """
    for index, name in enumerate(("slo:sli_bad_events:increase5m", "slo:sli_total_events:increase5m")):
        for history in histories:
            labels = _labels(history, name)
            for minute in minutes:
                if (history.start // STEP + minute) % SPAN:
                    continue
                value = sum(tile(history, m)[index] for m in range(max(0, minute - SPAN), minute))
                yield f"{labels} {value} {history.start + minute * STEP}\n"


def ratio_5m(histories: list[History], name: str, minutes: range) -> Iterator[str]:
    """The 5-minute error ratio the average-of-ratios shape averages over its period."""
    for history in histories:
        labels = _labels(history, name)
        for minute in minutes:
            bad, total = _rates(history, minute)
            if total > 0:
                yield f"{labels} {bad / total!r} {history.start + minute * STEP}\n"
