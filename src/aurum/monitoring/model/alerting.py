"""Multi-window, multi-burn-rate alert policy (Google SRE workbook, "Alerting on SLOs", table 5-8)."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from aurum.monitoring.model.duration import Duration, format_duration

__all__ = ["DEFAULT_SEVERITIES", "PAGE", "TICKET", "AlertPolicy", "AlertTier", "BurnWindow"]

DEFAULT_SEVERITIES = {"page": "critical", "ticket": "warning"}
"""Severity label of a tier that does not set one, by tier name."""

_TIER_NAME_RE = re.compile(r"^[a-z][a-z0-9]*$")


class BurnWindow(BaseModel):
    """Alert when ``budget_percent`` of the period's error budget is spent within ``long``.

    The ``short`` window must confirm the burn is still going on, so the alert resets soon after
    the problem stops instead of staying up for the whole long window.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    long: Duration
    short: Duration
    budget_percent: Decimal = Field(gt=0, le=100)

    @model_validator(mode="after")
    def _short_shorter(self) -> BurnWindow:
        if self.short >= self.long:
            msg = (
                f"the short window ({format_duration(self.short)}) must be shorter than the long window "
                f"({format_duration(self.long)})"
            )
            raise ValueError(msg)
        return self

    def burn_factor(self, period_seconds: int) -> Fraction:
        """How many times faster than sustainable the budget burns: 2 % in 1h of 30d gives 14.4."""
        return Fraction(self.budget_percent) / 100 * period_seconds / self.long


class AlertTier(BaseModel):
    """One alert per SLO and tier; it fires when any of its windows burns too fast."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str
    severity: str = Field(default="", validate_default=True)
    windows: tuple[BurnWindow, ...] = Field(min_length=1)
    for_: Duration | None = Field(default=None, alias="for")

    @field_validator("severity")
    @classmethod
    def _severity(cls, severity: str, info: ValidationInfo) -> str:
        # The name is declared first, so it is validated by now (absent only when it was invalid).
        name = info.data.get("name")
        if not severity and name in DEFAULT_SEVERITIES:
            return DEFAULT_SEVERITIES[name]
        if not severity:
            known = ", ".join(f"{tier}: {label}" for tier, label in DEFAULT_SEVERITIES.items())
            msg = f"set a severity: only tiers with a default have one ({known})"
            raise ValueError(msg)
        return severity

    @field_validator("name")
    @classmethod
    def _tier_name(cls, name: str) -> str:
        if not _TIER_NAME_RE.match(name):
            msg = f"tier name {name!r} must be a lowercase word such as 'page' or 'ticket'"
            raise ValueError(msg)
        return name


PAGE = AlertTier(
    name="page",
    windows=(
        BurnWindow(long="1h", short="5m", budget_percent=Decimal(2)),
        BurnWindow(long="6h", short="30m", budget_percent=Decimal(5)),
    ),
)
TICKET = AlertTier(
    name="ticket",
    windows=(
        BurnWindow(long="1d", short="2h", budget_percent=Decimal(10)),
        BurnWindow(long="3d", short="6h", budget_percent=Decimal(10)),
    ),
)


class AlertPolicy(BaseModel):
    """The tiers an SLO alerts with; ``disabled`` switches tiers off by name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tiers: tuple[AlertTier, ...] = (PAGE, TICKET)
    disabled: frozenset[str] = frozenset()

    @model_validator(mode="after")
    def _names(self) -> AlertPolicy:
        names = [tier.name for tier in self.tiers]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            msg = f"tier names must be unique, {', '.join(duplicates)} is repeated"
            raise ValueError(msg)
        unknown = sorted(self.disabled - set(names))
        if unknown:
            msg = f"cannot disable unknown tier {', '.join(unknown)} (tiers: {', '.join(names)})"
            raise ValueError(msg)
        return self

    @property
    def enabled_tiers(self) -> tuple[AlertTier, ...]:
        return tuple(tier for tier in self.tiers if tier.name not in self.disabled)
