"""The SLO output contract's names as the runtime's SLO modules import them.

Defined in :mod:`aurum.contract.conventions`; this module only re-exports them until those modules
import the conventions directly.
"""

from __future__ import annotations

from aurum.contract.conventions import (
    SERVICE_LABEL,
    SLO_CURRENT_BURN_RATE,
    SLO_ERROR_BUDGET,
    SLO_INFO,
    SLO_LABEL,
    SLO_OBJECTIVE,
    SLO_PERIOD_BUDGET_REMAINING,
    SLO_PERIOD_BURN_RATE,
    SLO_TIME_PERIOD,
    slo_error_ratio,
)

SLO_SERVICE_LABEL = SERVICE_LABEL

__all__ = [
    "SLO_CURRENT_BURN_RATE",
    "SLO_ERROR_BUDGET",
    "SLO_INFO",
    "SLO_LABEL",
    "SLO_OBJECTIVE",
    "SLO_PERIOD_BUDGET_REMAINING",
    "SLO_PERIOD_BURN_RATE",
    "SLO_SERVICE_LABEL",
    "SLO_TIME_PERIOD",
    "slo_error_ratio",
]
