"""The background SLO check: every ``slo_check_interval`` seconds, each SLO's status, as a gauge and as
a structured log event when it changes for the worse (or recovers).

Prometheus's burn-rate alerts remain the alerting path; this is what the application itself can say
about its SLOs between scrapes, from the same source as ``/v1/observability/slos`` (Prometheus when
configured, else the process's own metrics). An SLO is reported once its budget remaining falls to
``1 - slo_alert_threshold`` or below (``at_risk``: the threshold's share of the budget is spent) and
again when it is overspent (``breached``); one event per change, not one per check, so a long
incident is not a line every few minutes.

``aurum_observability_slo_status{slo, service, status}`` is 1 for the status of the last check and 0
for the others (an OpenMetrics state set), so ``max by (slo) (aurum_observability_slo_status{status=~"at_risk|breached"})``
says which SLOs the application currently judges at risk.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from prometheus_client import Gauge

from aurum.contract.catalog import SLO_STATES, SLO_STATUS
from aurum.observability.logs._setup import make_logger
from aurum.observability.metrics._instruments import exposed_name
from aurum.observability.slo._status import State

if TYPE_CHECKING:
    from collections.abc import Callable

    from prometheus_client import CollectorRegistry

    from aurum.observability.slo._status import SLOStatus, SLOStatusReport

__all__ = ["SLOCheck"]


_WORSE: dict[State, int] = {"no_data": 0, "met": 0, "at_risk": 1, "breached": 2}


class SLOCheck:
    """One check of every SLO: updates the gauge on ``registry`` and logs what changed since the last."""

    def __init__(
        self,
        check: Callable[[], SLOStatusReport],
        registry: CollectorRegistry | None,
        *,
        prefix: str,
        alert_threshold: Callable[[], float],
    ) -> None:
        self._check = check
        self._alert_threshold = alert_threshold
        # livemax: in multiprocess mode every worker judges the merged metrics the same way, and a
        # dead worker's values disappear.
        self.gauge = Gauge(
            exposed_name(SLO_STATUS, prefix),
            SLO_STATUS.help,
            SLO_STATUS.label_names,
            registry=registry,
            multiprocess_mode="livemax",
        )
        self._last: dict[str, State] = {}
        self._lock = threading.Lock()
        self._log = make_logger("aurum.observability.slo")

    def __call__(self) -> None:
        report = self._check()
        with self._lock:
            for slo in report.slos:
                for state in SLO_STATES:
                    self.gauge.labels(slo.name, slo.service, state).set(1 if slo.status == state else 0)
                previous = self._last.get(slo.name, "met")
                self._last[slo.name] = slo.status
                if slo.status != previous:
                    self._report_change(slo, previous, report)

    def _report_change(self, slo: SLOStatus, previous: State, report: SLOStatusReport) -> None:
        fields = {
            "component": "slo",
            "slo": slo.name,
            "service": slo.service,
            "status": slo.status,
            "previous_status": previous,
            "error_budget_remaining": slo.error_budget_remaining,
            "alert_threshold": self._alert_threshold(),
            "source": report.source,
            "window": slo.window,
        }
        if slo.status == "breached":
            self._log.error("slo error budget exhausted", **fields)
        elif slo.status == "at_risk":
            self._log.warning("slo error budget at risk", **fields)
        elif _WORSE[previous] > 0 and slo.status == "met":
            self._log.info("slo recovered", **fields)
