"""The SLO: one frozen, validated object per objective, from which rules, tests and dashboards derive."""

from __future__ import annotations

import re
from decimal import Decimal
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

from aurum.contract.conventions import SERVICE_LABEL, SLO_LABEL
from aurum.contract.objective import Objective
from aurum.monitoring.model.alerting import AlertPolicy, checked_extra_labels
from aurum.monitoring.model.duration import format_duration
from aurum.monitoring.model.grouping import check_group_by
from aurum.monitoring.model.sli import SLI

__all__ = ["SLO"]

_KEBAB = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
_LABEL_TEMPLATE_RE = re.compile(r"{{ *\$labels\.([a-zA-Z_][a-zA-Z0-9_]*) *}}")


def _kebab(value: str) -> str:
    if not re.match(_KEBAB, value) or len(value) > 63:
        msg = f"{value!r} must be lowercase kebab-case of at most 63 characters, such as 'api-availability'"
        raise ValueError(msg)
    return value


def _one_line(value: str) -> str:
    if not value.strip() or "\n" in value or len(value) > 300:
        msg = "must be one non-empty line of at most 300 characters (it becomes a label value)"
        raise ValueError(msg)
    return value


def _http_url(value: str) -> str:
    if not re.match(r"^https?://\S+$", value):
        msg = f"{value!r} is not an http(s) URL"
        raise ValueError(msg)
    return value


Name = Annotated[str, AfterValidator(_kebab)]


class SLO(BaseModel):
    """A service level objective.

    ``objective`` is a percentage kept as an exact decimal: ``99.9`` compiles to ``0.999``, never to
    ``0.9990000000000001``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    service: Name
    description: Annotated[str, AfterValidator(_one_line)]
    objective: Decimal = Field(gt=0, lt=100, description="Percentage of good events (or time).")
    period_days: int = Field(default=30, ge=1, le=365)
    sli: SLI
    labels: dict[str, str] = Field(default_factory=dict)
    group_by: tuple[str, ...] = ()
    """Labels of the SLI's series to measure it per group of (``("tenant_id",)``): every window, burn
    rate, budget and alert is then computed for each group value apart."""
    alerting: AlertPolicy = Field(default_factory=AlertPolicy, validate_default=True)
    runbook_url: Annotated[str, AfterValidator(_http_url)] | None = None

    @field_validator("objective")
    @classmethod
    def _finite(cls, objective: Decimal) -> Decimal:
        if not objective.is_finite():
            msg = "the objective must be a finite percentage"
            raise ValueError(msg)
        return objective

    @field_validator("labels")
    @classmethod
    def _label_names(cls, labels: dict[str, str]) -> dict[str, str]:
        return checked_extra_labels(labels, reader="Prometheus")

    @field_validator("group_by")
    @classmethod
    def _groupable(cls, group_by: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        sli = info.data.get("sli")
        if sli is None:
            return group_by  # reported on its own field
        fixed = sorted(set(group_by) & set(info.data.get("labels") or {}))
        if fixed:
            msg = (
                f"{', '.join(fixed)} is one of the SLO's own labels, with one value: it cannot also group it"
            )
            raise ValueError(msg)
        return check_group_by(sli, group_by)

    @field_validator("alerting")
    @classmethod
    def _reachable(cls, alerting: AlertPolicy, info: ValidationInfo) -> AlertPolicy:
        objective, period_days = info.data.get("objective"), info.data.get("period_days")
        if objective is None or period_days is None:
            return alerting  # already reported on its own field
        target = Objective.from_percent(objective, period_days)
        budget, period = target.budget_fraction, target.period_seconds
        for tier in alerting.enabled_tiers:
            for window in tier.windows:
                long, short = format_duration(window.long), format_duration(window.short)
                span = f"tier {tier.name!r} window {long}/{short}"
                if window.long > period:
                    msg = f"{span}: the long window is longer than the {period_days}d period"
                    raise ValueError(msg)
                factor = window.burn_factor(period)
                if factor * budget >= 1:
                    msg = (
                        f"{span}: burn factor {float(factor):g} x error budget {float(budget):g} "
                        f"= {float(factor * budget):g} >= 1, so the error ratio can never reach the "
                        f"threshold; disable the tier (AlertPolicy(disabled={{{tier.name!r}}})) "
                        "or lower its budget_percent"
                    )
                    raise ValueError(msg)
        return alerting

    @model_validator(mode="after")
    def _templated_labels(self) -> SLO:
        # Prometheus renders $labels from the alert's series, which carry only these labels: a
        # routing label there would render empty in every notification.
        series = {SLO_LABEL, SERVICE_LABEL, *self.labels, *self.group_by}
        policy = self.alerting
        for where, declared in [("alerting.annotations", policy.annotations)] + [
            (f"alerting.tiers[{tier.name}].annotations", tier.annotations) for tier in policy.tiers
        ]:
            for name, text in declared.items():
                for label in _LABEL_TEMPLATE_RE.findall(text):
                    if label not in series:
                        msg = (
                            f"{where}: annotation {name!r} reads $labels.{label}, which the alert's series do "
                            f"not carry (they carry {', '.join(sorted(series))}); write the value itself"
                        )
                        raise ValueError(msg)
        return self

    @property
    def target(self) -> Objective:
        """The objective as a ratio over the period, from which the budget and the period derive."""
        return Objective.from_percent(self.objective, self.period_days)

    @property
    def objective_ratio(self) -> Decimal:
        """``99.9`` -> ``Decimal('0.999')``, exact."""
        return self.target.ratio

    @property
    def error_budget(self) -> Decimal:
        """``1 - objective_ratio``, exact: ``Decimal('0.001')`` for 99.9."""
        return self.target.error_budget

    @property
    def period_seconds(self) -> int:
        return self.target.period_seconds
