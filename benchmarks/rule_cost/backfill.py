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


def base_rates(histories: list[History], minutes: range) -> Iterator[str]:
    """``slo:sli_bad_events:rate5m`` and ``slo:sli_total_events:rate5m``: our compiler's base series."""
    for index, name in enumerate(("slo:sli_bad_events:rate5m", "slo:sli_total_events:rate5m")):
        for history in histories:
            labels = _labels(history, name)
            for minute in minutes:
                value = _rates(history, minute)[index]
                yield f"{labels} {value!r} {history.start + minute * STEP}\n"


def rollups(histories: list[History], minutes: range) -> Iterator[str]:
    """``slo:sli_*_events:rollup5m``: our long windows' input, every 5 minutes as in production.

    The base series is evaluated every minute in production; the rollup sums its samples of the
    preceding 5 minutes.
    """
    for bad_or_total, name in enumerate(("slo:sli_bad_events:rollup5m", "slo:sli_total_events:rollup5m")):
        for history in histories:
            labels = _labels(history, name)
            for minute in minutes:
                if (history.start // STEP + minute) % SPAN:
                    continue
                value = sum(
                    _rates(history, m)[bad_or_total] for m in range(max(1, minute - SPAN + 1), minute + 1)
                )
                yield f"{labels} {value!r} {history.start + minute * STEP}\n"


def ratio_5m(histories: list[History], name: str, minutes: range) -> Iterator[str]:
    """The 5-minute error ratio the average-of-ratios shape averages over its period."""
    for history in histories:
        labels = _labels(history, name)
        for minute in minutes:
            bad, total = _rates(history, minute)
            if total > 0:
                yield f"{labels} {bad / total!r} {history.start + minute * STEP}\n"
