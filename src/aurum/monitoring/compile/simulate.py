"""An exact model of what Prometheus computes from the compiled rules, for generated unit tests.

The generated promtool tests assert *when* an alert fires and the ``$value`` its description shows.
Rather than guessing safe times, the generator replays the synthetic input through this model with
exact fractions and asserts only at minutes where the result is far from any threshold or rounding
boundary, so float noise in Prometheus cannot flip the outcome.

Semantics modelled: one-minute input steps and an evaluation step of one minute or a whole number of
them (a scenario spanning days is evaluated every 5 minutes, see :mod:`promtool_tests`). promtool
evaluates every group at every step whatever its ``interval``, and at the same instants, so the
model evaluates every rule at each step too. A counter SLI's tile at an evaluation is the increase
of its counters since the minute before (the input has a sample every minute), a sampled SLI's tile
the evaluation's own value. Range selectors are modelled in both of Prometheus' semantics
(:class:`Semantics`): 2.x includes both ends of a range, 3.x leaves its start out. The rules' ranges
are chosen so that both give the same samples; the generator asserts only what both agree on.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from aurum.contract.conventions import BASE_WINDOW_SECONDS, TILE_SECONDS
from aurum.monitoring.compile.slo_names import LONG_GROUP_INTERVAL, LONG_WINDOW_FROM
from aurum.monitoring.compile.slo_rules import span_before
from aurum.monitoring.model import SLO, AlertTier, BurnWindow

__all__ = ["BaseSeries", "Replay", "Semantics", "humanize", "shown_burn_rate"]

STEP_SECONDS = 60
_MARGIN = Fraction(1, 10**9)
_ROLLUP_BACK = TILE_SECONDS // 2
"""The rollup's ``offset`` (see :func:`slo_rules._long_group`)."""


class Semantics(StrEnum):
    """Which samples a range selector ``[r]`` evaluated at ``t`` holds."""

    V2 = "2.x"
    """``[t - r, t]``: both ends included (Prometheus 2.x, as Debian and Ubuntu ship it)."""
    V3 = "3.x"
    """``(t - r, t]``: left-open (Prometheus 3.0 and later)."""


@dataclass(frozen=True)
class BaseSeries:
    """The recorded tiles, one value per evaluation (``step`` seconds apart), as whole numbers
    times ``unit``; and what the rules built on them record.

    Integers keep replays exact and fast: a test replays thousands of windows per minute of input.
    """

    bad: tuple[int, ...]
    total: tuple[int, ...]
    unit: Fraction = Fraction(1)
    """What one unit of a tile is in the base series (``rate5m``): 1/300 of an event per second for
    counted events, 1 for sampled tiles (which the base series copies)."""
    step: int = STEP_SECONDS
    semantics: Semantics = Semantics.V2
    counted: bool = True
    _bad_sums: tuple[int, ...] = field(init=False, repr=False)
    _total_sums: tuple[int, ...] = field(init=False, repr=False)
    _rollup_bad_sums: tuple[int, ...] = field(init=False, repr=False)
    _rollup_total_sums: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        bad = tuple(itertools.accumulate(self.bad, initial=0))
        total = tuple(itertools.accumulate(self.total, initial=0))
        object.__setattr__(self, "_bad_sums", bad)
        object.__setattr__(self, "_total_sums", total)
        for name, sums in (("_rollup_bad_sums", bad), ("_rollup_total_sums", total)):
            rollups = []
            for index in range(len(self.bad)):
                first, last = self.selected(index, LONG_GROUP_INTERVAL, _ROLLUP_BACK)
                rollups.append(sums[last + 1] - sums[first] if last >= first else 0)
            object.__setattr__(self, name, tuple(itertools.accumulate(rollups, initial=0)))

    @classmethod
    def from_increments(cls, bad: Sequence[int], total: Sequence[int]) -> BaseSeries:
        """Events per minute (index 0 is the first sample, always 0) -> one-minute tiles."""
        return cls(tuple(bad), tuple(total), Fraction(1, BASE_WINDOW_SECONDS))

    @classmethod
    def sampled(cls, bad: Sequence[int], total: Sequence[int]) -> BaseSeries:
        """One slice per minute: 1 bad or 0, out of 1 (or 0 where there is nothing to judge)."""
        return cls(tuple(bad), tuple(total), Fraction(1), counted=False)

    def every(self, minutes: int) -> BaseSeries:
        """The tiles as recorded when the rules are evaluated every ``minutes`` (on minute 0, then
        every ``minutes``): a counter tile still covers the minute before its evaluation only."""
        if minutes == self.step // STEP_SECONDS:
            return self
        if self.step != STEP_SECONDS or (BASE_WINDOW_SECONDS // STEP_SECONDS) % minutes:
            msg = f"cannot evaluate every {minutes} minutes: the base window must be a whole number of steps"
            raise ValueError(msg)
        return BaseSeries(
            self.bad[::minutes],
            self.total[::minutes],
            self.unit,
            minutes * STEP_SECONDS,
            self.semantics,
            self.counted,
        )

    def under(self, semantics: Semantics) -> BaseSeries:
        """The same tiles read with ``semantics``' range selectors."""
        return BaseSeries(self.bad, self.total, self.unit, self.step, semantics, self.counted)

    def selected(self, index: int, range_seconds: int, offset: int = 0) -> tuple[int, int]:
        """Evaluations ``first..last`` whose samples ``[range] offset`` holds at evaluation ``index``."""
        end = index * self.step - offset
        start = end - range_seconds
        last = end // self.step
        first = -(-start // self.step) if self.semantics is Semantics.V2 else start // self.step + 1
        return max(0, first), min(last, len(self.bad) - 1)

    def sums(self, first: int, last: int, *, rollups: bool = False) -> tuple[int, int]:
        """Sums of bad and total over evaluations ``first..last`` inclusive, in ``unit``: of the
        tiles, or of their 5-minute rollups."""
        if last < first:
            return 0, 0
        if rollups:
            bad, total = self._rollup_bad_sums, self._rollup_total_sums
        else:
            bad, total = self._bad_sums, self._total_sums
        return bad[last + 1] - bad[first], total[last + 1] - total[first]

    def window(self, window_seconds: int, index: int) -> tuple[int, int]:
        """Bad and total events of ``slo:sli_error:ratio_rate<window>`` at evaluation ``index``."""
        long = window_seconds >= LONG_WINDOW_FROM
        step = LONG_GROUP_INTERVAL if long else TILE_SECONDS
        first, last = self.selected(index, span_before(window_seconds, step))
        return self.sums(first, last, rollups=long)

    def base(self, index: int) -> tuple[int, int]:
        """The base series (``rate5m``) at evaluation ``index``, in ``unit``."""
        if not self.counted:
            return self.sums(index, index)
        return self.window(BASE_WINDOW_SECONDS, index)


@dataclass(frozen=True)
class Replay:
    """The SLO's recorded ratios and alert states at every minute of one synthetic input.

    Minutes between two evaluations see what the earlier one recorded, as promtool compares an
    ``eval_time`` with the last evaluation at or before it.
    """

    slo: SLO
    base: BaseSeries

    @property
    def step_minutes(self) -> int:
        return self.base.step // STEP_SECONDS

    @property
    def minutes(self) -> int:
        return (len(self.base.total) - 1) * self.step_minutes + 1

    def evaluations(self, first: int, last: int) -> range:
        """The minutes in ``first..last`` at which the rules are evaluated."""
        step = self.step_minutes
        return range(-(-first // step) * step, last + 1, step)

    def base_sums(self, t: int) -> tuple[int, int]:
        """The base series (bad, total) recorded at minute ``t``, in ``base.unit``."""
        return self.base.base(t // self.step_minutes)

    def _window(self, window_seconds: int, t: int) -> tuple[int, int]:
        return self.base.window(window_seconds, t // self.step_minutes)

    def ratio(self, window_seconds: int, t: int) -> Fraction | None:
        """``slo:sli_error:ratio_rate<window>`` at minute ``t``; None where the rule yields nothing."""
        bad, total = self._window(window_seconds, t)
        return Fraction(bad, total) if total > 0 else None

    def _condition(self, tier: AlertTier, t: int) -> tuple[bool, bool, Fraction | None]:
        """(condition holds, result is robust against float noise, short window's error ratio)."""
        budget = Fraction(self.slo.error_budget)
        robust = True
        for window in tier.windows:
            # burn > factor  <=>  bad / total > factor * budget  <=>  bad * den > total * num
            num, den = _threshold(window, self.slo.period_seconds, budget)
            holds = True
            for seconds in (window.short, window.long):
                bad, total = self._window(seconds, t)
                if total <= 0:
                    holds = False
                    continue
                gap = bad * den - total * num
                robust = robust and abs(gap) * _MARGIN.denominator > total * num
                holds = holds and gap > 0
            if holds:
                return True, robust, self.ratio(window.short, t)
        return False, robust, None

    def firing(self, tier: AlertTier, t: int) -> tuple[bool, bool, Fraction | None]:
        """Whether ``tier``'s alert fires at ``t`` (its condition held for ``for``), robustly, and the
        error ratio of the short window its ``$value`` comes from."""
        # Prometheus fires once the condition has held for ``for``, counted in whole evaluations.
        step = self.step_minutes
        hold = -(-(tier.for_ or 0) // self.base.step)
        robust, value = True, None
        now = t // step * step
        for minute in range(now - hold * step, now + 1, step):
            if minute < 0:
                return False, robust, None
            holds, stable, current = self._condition(tier, minute)
            robust = robust and stable
            if not holds:
                return False, robust, None
            if minute == now:
                value = current
        return True, robust, value


@functools.lru_cache(maxsize=256)
def _threshold(window: BurnWindow, period_seconds: int, budget: Fraction) -> tuple[int, int]:
    """The error ratio above which ``window`` burns too fast, as numerator and denominator."""
    ratio = window.burn_factor(period_seconds) * budget
    return ratio.numerator, ratio.denominator


def humanize(value: float) -> str:
    """Go's Prometheus template function ``humanize``: 4 significant digits and an SI prefix."""
    if value == 0 or math.isnan(value) or math.isinf(value):
        return _go_g(value)
    prefixes_up, prefixes_down = (
        ("k", "M", "G", "T", "P", "E", "Z", "Y"),
        ("m", "u", "n", "p", "f", "a", "z", "y"),
    )
    prefix = ""
    if abs(value) >= 1:
        for candidate in prefixes_up:
            if abs(value) < 1000:
                break
            prefix, value = candidate, value / 1000
    else:
        for candidate in prefixes_down:
            if abs(value) >= 1:
                break
            prefix, value = candidate, value * 1000
    return f"{_go_g(value)}{prefix}"


def _go_g(value: float) -> str:
    """Go's ``%.4g``; Python's matches it for finite values, Go spells infinities ``+Inf``."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return f"{value:.4g}"


def shown_burn_rate(ratio: Fraction, budget: Decimal) -> str | None:
    """What ``{{ $value | humanize }}`` prints for an error ratio over the budget, or None when
    float noise could change the printed digits.

    A ratio of exactly 1 (every event bad) is x / x in Prometheus too, so its burn rate is the very
    float ``1.0 / budget`` that Python computes; anything else is checked for a stable rendering.
    """
    if ratio == 1:
        return humanize(1.0 / float(budget))
    value = ratio / Fraction(budget)
    low, high = float(value * (1 - _MARGIN)), float(value * (1 + _MARGIN))
    text = humanize(float(value))
    return text if humanize(low) == text == humanize(high) else None
