"""The build's settings: the metric prefix and the SLO target overrides, as one explicit object.

The CLI reads them once from the environment (the spec's ``AURUM_*`` variables) and passes them to the
build, which resolves metric names under the prefix and hands the object to the declarations
(``aurum.monitoring.build_settings()``); the output is a function of the declarations and these
settings. Nothing here reads the environment: :meth:`BuildSettings.from_environment` is given it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from aurum.contract.objective import exact_text
from aurum.contract.prefix import DEFAULT_PREFIX, check_prefix

__all__ = [
    "DEFAULT_BUILD_SETTINGS",
    "ENVIRONMENT_PREFIX",
    "BuildSettings",
    "BuildSettingsError",
    "MetricsPrefix",
    "Milliseconds",
    "Ratio",
]

ENVIRONMENT_PREFIX = "AURUM_"

MetricsPrefix = Annotated[str, AfterValidator(check_prefix)]
Ratio = Annotated[Decimal, Field(gt=0, lt=1, allow_inf_nan=False)]
"""A share strictly between 0 and 1 (``0.999``)."""
Milliseconds = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]


class BuildSettingsError(ValueError):
    """A setting the environment gives that is not valid; names the variable."""

    def __init__(self, problems: tuple[tuple[str, str], ...]) -> None:
        self.problems = problems
        """``(variable=value, message)`` pairs."""
        super().__init__("; ".join(f"{variable}: {message}" for variable, message in problems))


class BuildSettings(BaseModel):
    """What a build depends on besides the declarations (defaults are the spec's)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    metrics_prefix: MetricsPrefix = DEFAULT_PREFIX
    """Prepended to every catalog metric the build names (``AURUM_METRICS_PREFIX``)."""
    slo_api_availability_target: Ratio = Decimal("0.999")
    """The api-availability objective, a ratio (``AURUM_SLO_API_AVAILABILITY_TARGET``)."""
    slo_api_latency_target: Milliseconds = Decimal(500)
    """The api-latency threshold in milliseconds (``AURUM_SLO_API_LATENCY_TARGET``)."""
    slo_scenario_success_target: Ratio = Decimal("0.95")
    """The scenario-runs objective, a ratio (``AURUM_SLO_SCENARIO_SUCCESS_TARGET``)."""

    @staticmethod
    def variable(field: str) -> str:
        """The environment variable of a setting: ``AURUM_SLO_API_LATENCY_TARGET``."""
        return f"{ENVIRONMENT_PREFIX}{field.upper()}"

    @classmethod
    def from_environment(cls, variables: Mapping[str, str]) -> BuildSettings:
        """The settings the environment ``variables`` give; ``BuildSettingsError`` naming a bad one."""
        given = {
            name: variables[cls.variable(name)]
            for name in cls.model_fields
            if cls.variable(name) in variables
        }
        try:
            return cls.model_validate(given)
        except ValidationError as error:
            problems = []
            for item in error.errors(include_url=False):
                name = str(item["loc"][0]) if item["loc"] else ""
                shown = f"{cls.variable(name)}={given.get(name, '')}" if name else "(settings)"
                problems.append((shown, str(item["msg"]).removeprefix("Value error, ")))
            raise BuildSettingsError(tuple(problems)) from None

    def overrides(self) -> dict[str, str]:
        """``{variable: value}`` of every setting given explicitly, in field order."""
        return {
            self.variable(name): _shown(getattr(self, name))
            for name in type(self).model_fields
            if name in self.model_fields_set
        }

    def without(self, variable: str) -> BuildSettings:
        """These settings with the one of ``variable`` back to its default."""
        kept = {
            name: getattr(self, name) for name in self.model_fields_set if self.variable(name) != variable
        }
        return type(self).model_validate(kept)


def _shown(value: Any) -> str:
    return exact_text(value) if isinstance(value, Decimal) else str(value)


DEFAULT_BUILD_SETTINGS = BuildSettings()
"""The spec's defaults; the runtime's settings take the same defaults from here."""
