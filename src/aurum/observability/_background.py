"""The background tasks of one :class:`~aurum.observability.Observability`: the SLO check every
``slo_check_interval`` seconds and performance sampling every ``metrics_collection_interval`` seconds
while ``performance_tracking_enabled``.

They start when an application is served (the middleware calls :meth:`Background.start`), not at
import or construction, and stop with :meth:`~aurum.observability.Observability.shutdown`;
``configure()`` restarts them when one of their settings changes.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from aurum.observability._periodic import Periodic
from aurum.observability.performance._sampler import PerformanceSampler
from aurum.observability.slo._check import SLOCheck

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from contextlib import AbstractContextManager

    from prometheus_client import CollectorRegistry

    from aurum.observability.metrics._reading import Sample
    from aurum.observability.performance._models import PerformanceTracking
    from aurum.observability.settings import ObservabilitySettings
    from aurum.observability.slo._status import SLOStatusReport

__all__ = ["BACKGROUND_SETTINGS", "Background"]

BACKGROUND_SETTINGS = ("slo_check_interval", "performance_tracking_enabled", "metrics_collection_interval")
"""The settings the background tasks run with: changing one restarts them."""


class Background:
    """Starts, stops and restarts the two tasks; the SLO gauge is registered once, on first start."""

    def __init__(
        self,
        settings: Callable[[], ObservabilitySettings],
        check: Callable[[], SLOStatusReport],
        samples: Callable[[], Sequence[Sample]],
        registry: CollectorRegistry,
        activate: Callable[[], AbstractContextManager[object]],
    ) -> None:
        self._settings = settings
        self._activate = activate
        self._check = check
        self._registry = registry
        self.sampler = PerformanceSampler(samples, prefix=settings().metrics_prefix)
        self.slo_check: SLOCheck | None = None
        self._tasks: list[Periodic] = []
        self._started = False
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return bool(self._tasks)

    def start(self) -> None:
        """Start the tasks the settings ask for; idempotent."""
        with self._lock:
            if self._started:
                return
            self._started = True
            settings = self._settings()
            if settings.slo_check_interval > 0:
                if self.slo_check is None:
                    self.slo_check = SLOCheck(
                        self._check,
                        self._registry,
                        prefix=settings.metrics_prefix,
                        alert_threshold=lambda: self._settings().slo_alert_threshold,
                    )
                check = self._active(self.slo_check)
                self._tasks.append(
                    Periodic("aurum.observability.slo-check", settings.slo_check_interval, check)
                )
            if settings.performance_tracking_enabled:
                interval = settings.metrics_collection_interval
                self._tasks.append(
                    Periodic("aurum.observability.performance", interval, self._active(self.sampler))
                )
            for task in self._tasks:
                task.start()

    def _active(self, task: Callable[[], None]) -> Callable[[], None]:
        """``task`` run with its Observability active, so its log lines go to that one's sink."""

        def run() -> None:
            with self._activate():
                task()

        return run

    def stop(self) -> bool:
        """Stop the tasks; whether they had been started."""
        with self._lock:
            tasks, self._tasks = self._tasks, []
            started, self._started = self._started, False
        for task in tasks:
            task.stop()
        return started

    def apply(self, previous: ObservabilitySettings, settings: ObservabilitySettings) -> None:
        """Restart the tasks under ``settings`` (already in force) if they had been started and one of
        their settings changed: a task turned on starts, one turned off stops."""
        changed = any(getattr(settings, name) != getattr(previous, name) for name in BACKGROUND_SETTINGS)
        if changed and self.stop():
            self.start()

    def tracking(self) -> PerformanceTracking:
        settings = self._settings()
        return self.sampler.tracking(
            enabled=settings.performance_tracking_enabled,
            interval_seconds=settings.metrics_collection_interval,
        )
