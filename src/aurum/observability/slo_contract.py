"""The SLO output contract: the series the rule compiler records for every SLO.

Dashboards, the runtime's ``/v1/observability/slos`` and alerts read these names; the compiler writes
them. Every one carries the labels ``slo`` and ``service`` (plus the SLO's own labels). Pure data and
standard library only, like :mod:`aurum.observability.catalog`, which re-exports these names.
"""

from __future__ import annotations

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

SLO_LABEL = "slo"
SLO_SERVICE_LABEL = "service"
SLO_OBJECTIVE = "slo:objective:ratio"
SLO_ERROR_BUDGET = "slo:error_budget:ratio"
SLO_TIME_PERIOD = "slo:time_period:days"
SLO_CURRENT_BURN_RATE = "slo:current_burn_rate:ratio"
SLO_PERIOD_BURN_RATE = "slo:period_burn_rate:ratio"
SLO_PERIOD_BUDGET_REMAINING = "slo:period_error_budget_remaining:ratio"
SLO_INFO = "slo:info"
"""Always 1; labels ``slo``, ``service``, ``objective``, ``period`` and ``description``."""


def slo_error_ratio(window: str) -> str:
    """The recorded SLI error ratio over ``window`` (a Prometheus duration such as ``5m`` or ``30d``)."""
    return f"slo:sli_error:ratio_rate{window}"
