"""Panels both SLO dashboards use: current values with thresholds over the output contract."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from grafanalib.core import Stat

from aurum.contract import conventions as conv
from aurum.monitoring.compile.panels import steps, target
from aurum.monitoring.compile.promql import selector
from aurum.monitoring.model import SLO
from aurum.monitoring.model.prometheus import ALERTS

__all__ = ["BURN_UNIT", "alerts_firing", "budget_steps", "fastest_burn", "stat"]

BURN_UNIT = "suffix:x"
"""Burn rates are multiples of the sustainable rate."""


def stat(title: str, expr: str, unit: str, thresholds: list[dict[str, Any]], **options: Any) -> Stat:
    """A single current value (the last one), coloured by ``thresholds``."""
    defaults: dict[str, Any] = {"graphMode": "none", "reduceCalc": "lastNotNull", "colorMode": "value"}
    return Stat(
        title=title, targets=[target(expr)], format=unit, thresholds=thresholds, **{**defaults, **options}
    )


def budget_steps() -> list[dict[str, Any]]:
    """Budget remaining: red once spent, orange in its last quarter."""
    return steps("red", (0, "orange"), (0.25, "green"))


def alerts_firing(slo_matcher: tuple[str, str, str]) -> str:
    """How many alerts of the SLOs ``slo_matcher`` selects are firing (0, not empty, when none)."""
    firing = selector(ALERTS.name, [(conv.ALERTSTATE_LABEL, "=", "firing"), slo_matcher])
    return f"count({firing}) or vector(0)"


def fastest_burn(slo: SLO) -> Fraction:
    """The highest burn factor any enabled tier of ``slo`` alerts at (1 without tiers)."""
    factors = [w.burn_factor(slo.period_seconds) for t in slo.alerting.enabled_tiers for w in t.windows]
    return max(factors, default=Fraction(1))
