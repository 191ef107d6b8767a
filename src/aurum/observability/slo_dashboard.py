"""The spec's SLO API: ``check_slo_status``, ``get_sli_values``, ``get_slo_dashboard_config``.

Thin entry points over :mod:`~aurum.observability.slo_catalog` (which SLOs),
:mod:`aurum.observability.slo._status` (how they are doing) and
:mod:`aurum.observability.slo._grafana` (the dashboard).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aurum.observability import runtime
from aurum.observability.slo._grafana import grafana_dashboard
from aurum.observability.slo._status import SLOStatus, SLOStatusReport, evaluate
from aurum.observability.slo_catalog import SLODefinition, get_slos

if TYPE_CHECKING:
    from aurum.observability._observability import Observability
    from aurum.observability.settings import ObservabilitySettings

__all__ = [
    "SLODashboardConfig",
    "SLOStatus",
    "SLOStatusReport",
    "check_slo_status",
    "get_sli_values",
    "get_slo_dashboard_config",
]


def check_slo_status(
    settings: ObservabilitySettings | None = None, *, observability: Observability | None = None
) -> SLOStatusReport:
    """Every SLO's status, from Prometheus when ``AURUM_PROMETHEUS_URL`` is set, else from the process.

    ``observability`` (default: the one in force) gives the metrics read and, unless ``settings``
    is given, the settings.
    """
    obs = observability if observability is not None else runtime.current()
    settings = settings if settings is not None else obs.settings
    return evaluate(
        get_slos(settings), settings, obs.registry, uptime=time.monotonic() - obs.started_monotonic
    )


def get_sli_values(settings: ObservabilitySettings | None = None) -> dict[str, float | None]:
    """Each SLO's current SLI (share of good events), ``None`` where there is no data yet."""
    return {slo.name: slo.sli_value for slo in check_slo_status(settings).slos}


@dataclass(frozen=True)
class SLODashboardConfig:
    slos: tuple[SLODefinition, ...]
    title: str = "Aurum SLOs"

    def generate_grafana_dashboard(self) -> dict[str, Any]:
        """Grafana dashboard JSON over the SLO output contract (no grafanalib needed)."""
        return grafana_dashboard(self.slos, title=self.title)


def get_slo_dashboard_config(
    settings: ObservabilitySettings | None = None, *, observability: Observability | None = None
) -> SLODashboardConfig:
    if settings is None:
        settings = (observability if observability is not None else runtime.current()).settings
    return SLODashboardConfig(get_slos(settings))
