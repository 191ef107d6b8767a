"""Multi-window, multi-burn-rate alert policy (Google SRE workbook, "Alerting on SLOs", table 5-8).

The policy also says what each alert looks like to the team's Alertmanager: its name, the labels it
routes on (``team``, ``channel``, the severity labels the team expects) and its annotations (a
dashboard link, another summary), for every tier of the SLO or for one tier; a tier's settings win
over the policy's, and both over the defaults.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from aurum.contract import conventions as conv
from aurum.contract.conventions import RESERVED_LABELS
from aurum.contract.metrics import is_label_name, is_label_syntax
from aurum.monitoring.model.duration import Duration, format_duration

__all__ = ["DEFAULT_SEVERITIES", "PAGE", "TICKET", "AlertPolicy", "AlertTier", "BurnWindow"]

DEFAULT_SEVERITIES = {"page": "critical", "ticket": "warning"}
"""Severity label of a tier that does not set one, by tier name."""

LONG_WINDOW_SECONDS = 86_400
"""Windows from this length on are sums of 5-minute rollups (see ``compile.slo_names``)."""

_TIER_NAME_RE = re.compile(r"^[a-z][a-z0-9]*$")
_ALERT_NAME_RE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
# The generated tests state what each annotation renders to, so only templates they can render are
# allowed: the alert's value and its labels.
_TEMPLATE_RE = re.compile(r"{{.*?}}")
ALLOWED_TEMPLATE_RE = re.compile(r"^{{ *(?:\$value *\| *humanize|\$labels\.[a-zA-Z_][a-zA-Z0-9_]*) *}}$")


def _alert_name(name: str) -> str:
    if not _ALERT_NAME_RE.match(name):
        msg = f"alert name {name!r} must be CamelCase letters and digits, such as 'CheckoutBurning'"
        raise ValueError(msg)
    return name


def checked_extra_labels(labels: dict[str, str], *, reader: str, reserved_hint: str = "") -> dict[str, str]:
    """Labels a declaration adds (an SLO's, a tier's routing labels), sorted: valid names, none the
    compiler sets, no empty value (``reader``, Prometheus or Alertmanager, treats it as no label)."""
    for name, value in labels.items():
        if not is_label_name(name):
            msg = f"{name!r} is not a valid Prometheus label name"
            raise ValueError(msg)
        if name in RESERVED_LABELS:
            msg = f"label {name!r} is set by the compiler and cannot be overridden{reserved_hint}"
            raise ValueError(msg)
        if not value:
            msg = f"label {name!r} has an empty value, which {reader} treats as no label"
            raise ValueError(msg)
    return dict(sorted(labels.items()))


def _routing_labels(labels: dict[str, str]) -> dict[str, str]:
    return checked_extra_labels(
        labels, reader="Alertmanager", reserved_hint=" (severity: set the tier's severity)"
    )


def _annotations(annotations: dict[str, str]) -> dict[str, str]:
    for name, value in annotations.items():
        if not is_label_syntax(name):
            msg = f"{name!r} is not a valid annotation name"
            raise ValueError(msg)
        if not value.strip():
            msg = f"annotation {name!r} is empty"
            raise ValueError(msg)
        for template in _TEMPLATE_RE.findall(value):
            if not ALLOWED_TEMPLATE_RE.match(template):
                msg = (
                    f"annotation {name!r}: template {template} cannot be checked by the generated tests; "
                    "use {{ $value | humanize }} or {{ $labels.<name> }}"
                )
                raise ValueError(msg)
    return dict(sorted(annotations.items()))


AlertName = Annotated[str, AfterValidator(_alert_name)]
RoutingLabels = Annotated[dict[str, str], AfterValidator(_routing_labels)]
"""Labels added to an alert (and only to it) for routing: ``team``, ``channel``, ``priority``."""
AlertAnnotations = Annotated[dict[str, str], AfterValidator(_annotations)]
"""Annotations added to an alert, or replacing its ``summary``, ``description`` or ``runbook_url``."""


class BurnWindow(BaseModel):
    """Alert when ``budget_percent`` of the period's error budget is spent within ``long``.

    The ``short`` window must confirm the burn is still going on, so the alert resets soon after
    the problem stops instead of staying up for the whole long window.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    long: Duration
    short: Duration
    budget_percent: Decimal = Field(gt=0, le=100)

    @field_validator("long", "short")
    @classmethod
    def _whole_tiles(cls, seconds: int, info: ValidationInfo) -> int:
        # Windows are sums of one-minute tiles, and from a day on of 5-minute rollups: a window
        # between two of them would silently mean the next one up.
        step = conv.BASE_WINDOW_SECONDS if seconds >= LONG_WINDOW_SECONDS else conv.TILE_SECONDS
        window = f"the {info.field_name} window ({format_duration(seconds)})"
        if seconds < conv.TILE_SECONDS:
            msg = f"{window} is shorter than a tile ({conv.TILE}), the resolution of SLO windows"
            raise ValueError(msg)
        if seconds % step:
            unit = format_duration(step)
            msg = (
                f"{window} is not a whole number of {unit}: SLO windows are counted in tiles of 1m, "
                "and from a day on in 5-minute rollups, so it would not mean what it says"
            )
            raise ValueError(msg)
        return seconds

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
    alert_name: AlertName | None = None
    """The name of this tier's alert (default: the policy's name and the tier, else the convention)."""
    labels: RoutingLabels = Field(default_factory=dict)
    """Labels of this tier's alert only, over the policy's."""
    annotations: AlertAnnotations = Field(default_factory=dict)
    """Annotations of this tier's alert only, over the policy's and the defaults."""

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
    name: AlertName | None = None
    """Starts every tier's alert name: ``CheckoutBurn`` names ``CheckoutBurnPage`` and ``CheckoutBurnTicket``."""
    labels: RoutingLabels = Field(default_factory=dict)
    """Labels on every alert of the SLO (not on its recorded series): what Alertmanager routes on."""
    annotations: AlertAnnotations = Field(default_factory=dict)
    """Annotations on every alert of the SLO, over the defaults (``summary``, ``dashboard``...)."""

    @model_validator(mode="after")
    def _names(self) -> AlertPolicy:
        names = [tier.name for tier in self.tiers]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            msg = f"tier names must be unique, {', '.join(duplicates)} is repeated"
            raise ValueError(msg)
        tier_names = [tier.alert_name for tier in self.tiers if tier.alert_name]
        repeated = sorted({name for name in tier_names if tier_names.count(name) > 1})
        if repeated:
            msg = f"alert names must be unique, {', '.join(repeated)} is given to two tiers"
            raise ValueError(msg)
        unknown = sorted(self.disabled - set(names))
        if unknown:
            msg = f"cannot disable unknown tier {', '.join(unknown)} (tiers: {', '.join(names)})"
            raise ValueError(msg)
        return self

    @property
    def enabled_tiers(self) -> tuple[AlertTier, ...]:
        return tuple(tier for tier in self.tiers if tier.name not in self.disabled)
