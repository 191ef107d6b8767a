"""Synthetic request history: traffic that swings more than 10x over the day, error bursts at busy hours.

Each SLO is a tenant of ``aurum_http_requests_total`` with 24 raw series (3 routes x 2 methods x
2 status codes x 2 instances). Counters are whole numbers derived from cumulative floats, so they
only ever grow and the exact error ratio of any window is known from the very values written.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

STEP = 60
ROUTES = ("/api/scenarios", "/api/scenarios/{scenario_id}", "/api/curves")
METHODS = ("GET", "POST")
INSTANCES = ("api-0", "api-1")
BASE_ERROR_RATIO = 0.0005
STEADY_ERROR_RATIO = 0.01


@dataclass(frozen=True)
class History:
    """Per-minute counter values of every series of one SLO (tenant)."""

    tenant: str
    start: int
    minutes: int
    good: dict[tuple[str, str, str], list[int]]
    bad: dict[tuple[str, str, str], list[int]]

    def events(self, first: int, last: int) -> tuple[int, int]:
        """Bad and all events between minutes ``first`` and ``last`` (counter increases)."""
        bad = sum(values[last] - values[first] for values in self.bad.values())
        good = sum(values[last] - values[first] for values in self.good.values())
        return bad, bad + good

    def exact_error_ratio(self, first: int, last: int) -> float:
        """Bad events over all events between minutes ``first`` and ``last`` (counter increases)."""
        bad = sum(values[last] - values[first] for values in self.bad.values())
        good = sum(values[last] - values[first] for values in self.good.values())
        return bad / (bad + good)


def _traffic(minute_of_day: int) -> float:
    """Requests per minute: 60 at 02:00, 720 at 14:00 (a 12x swing)."""
    phase = 2 * math.pi * (minute_of_day - 120) / 1440
    return 60 * (1 + 11 * (1 - math.cos(phase)) / 2)


def _error_ratios(minutes: int, start: int, rng: random.Random, burst_probability: float) -> list[float]:
    """Mostly 0.05 % errors; on most days a 30-120 minute burst of 1-6 % around the afternoon peak.

    Without bursts the ratio is a steady 1 %: enough bad events that a short history's every ratio is
    well defined, and a constant ratio that any event weighting must reproduce.
    """
    if not burst_probability:
        return [STEADY_ERROR_RATIO] * minutes
    ratios = [BASE_ERROR_RATIO] * minutes
    first_day = start // 86_400
    for day in range(first_day, first_day + minutes // 1440 + 2):
        if rng.random() < burst_probability:
            begin = day * 1440 + rng.randrange(12 * 60, 16 * 60) - start // STEP
            length, ratio = rng.randrange(30, 120), rng.uniform(0.01, 0.06)
            for minute in range(max(0, begin), min(minutes, begin + length)):
                ratios[minute] = ratio
    return ratios


def generate(tenant: str, start: int, minutes: int, seed: int, burst_probability: float = 0.7) -> History:
    rng = random.Random(seed)
    weights = {key: rng.uniform(0.5, 1.5) for key in _keys()}
    scale = sum(weights.values())
    errors = _error_ratios(minutes, start, rng, burst_probability)
    good: dict[tuple[str, str, str], list[int]] = {key: [] for key in weights}
    bad: dict[tuple[str, str, str], list[int]] = {key: [] for key in weights}
    cumulative_good = cumulative_bad = 0.0
    for minute in range(minutes):
        if minute:
            total = _traffic((start // STEP + minute) % 1440) * rng.uniform(0.9, 1.1)
            cumulative_bad += total * errors[minute]
            cumulative_good += total * (1 - errors[minute])
        for key, weight in weights.items():
            good[key].append(math.floor(cumulative_good * weight / scale))
            bad[key].append(math.floor(cumulative_bad * weight / scale))
    return History(tenant, start, minutes, good, bad)


def _keys() -> list[tuple[str, str, str]]:
    return [(route, method, instance) for route in ROUTES for method in METHODS for instance in INSTANCES]


def openmetrics_lines(histories: list[History], metric: str, minutes: range) -> Iterator[str]:
    """The raw counters of ``minutes`` as one OpenMetrics family (no TYPE: stored as plain series)."""
    for history in histories:
        for status, series in (("200", history.good), ("500", history.bad)):
            for (route, method, instance), values in series.items():
                labels = (
                    f'{metric}{{instance="{instance}",method="{method}",path="{route}",'
                    f'status="{status}",tenant_id="{history.tenant}"}}'
                )
                for minute in minutes:
                    yield f"{labels} {values[minute]} {history.start + minute * STEP}\n"
