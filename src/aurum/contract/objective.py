"""An SLO's target, and the one place its other forms are derived: percent, error budget, period.

Declarations state the objective in percent (``99.9``) and the manifest stores the ratio
(``0.999``); both turn it into an :class:`Objective`, so the budget the rules record, the one the
runtime reports and the one the model checks its alert tiers against are the same exact number.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from aurum.contract.durations import format_duration

__all__ = ["DAY_SECONDS", "Objective", "exact_text"]

DAY_SECONDS = 86_400


def exact_text(value: Decimal) -> str:
    """A decimal written out exactly, without exponent or trailing zeros: ``0.9``, ``3600``."""
    return format(value.normalize(), "f")


@dataclass(frozen=True, slots=True)
class Objective:
    """The share of good events (or time) to reach, as an exact ratio, over ``period_days``."""

    ratio: Decimal
    period_days: int

    def __post_init__(self) -> None:
        if not (self.ratio.is_finite() and 0 < self.ratio < 1):
            msg = f"an objective is a ratio strictly between 0 and 1, not {self.ratio}"
            raise ValueError(msg)
        if self.period_days < 1:
            msg = f"the period is at least one day, not {self.period_days}"
            raise ValueError(msg)
        object.__setattr__(self, "ratio", self.ratio.normalize())

    @classmethod
    def from_percent(cls, percent: Decimal, period_days: int) -> Objective:
        """``99.9`` -> ratio ``0.999``, exact."""
        return cls(percent / 100, period_days)

    @property
    def percent(self) -> Decimal:
        return (self.ratio * 100).normalize()

    @property
    def error_budget(self) -> Decimal:
        """``1 - ratio``, exact: ``0.001`` for ``0.999``."""
        return (1 - self.ratio).normalize()

    @property
    def budget_fraction(self) -> Fraction:
        """The error budget for exact arithmetic (burn factors, thresholds)."""
        return Fraction(self.error_budget)

    @property
    def period_seconds(self) -> int:
        return self.period_days * DAY_SECONDS

    @property
    def period(self) -> str:
        """The period as a window name (``30d``), as in ``slo:sli_error:ratio_rate30d``."""
        return format_duration(self.period_seconds)
