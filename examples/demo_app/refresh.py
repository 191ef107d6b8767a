"""The data-refresh job: reloads each dataset on a timer and publishes when it last succeeded.

``aurum_data_last_updated_timestamp_seconds`` is the data-freshness SLO's input; a job that stops
refreshing is the failure it exists to catch. With ``stale_data`` switched on, the job stops and its
last success is set :data:`~examples.demo_app.faults.STALE_AGE_SECONDS` back, as if it had been stuck
for that long, so the demo need not wait an hour to show it.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from aurum.observability.enhanced_logging import get_logger, log_operation
from aurum.observability.metrics import set_data_last_updated
from examples.demo_app.faults import STALE_AGE_SECONDS

if TYPE_CHECKING:
    from examples.demo_app.faults import Faults

__all__ = ["DATASETS", "RefreshJob"]

DATASETS = ("curves", "scenarios")

_log = get_logger("aurum.demo.refresh")


class RefreshJob:
    def __init__(self, faults: Faults, interval: float = 5.0, datasets: tuple[str, ...] = DATASETS) -> None:
        self._faults, self._interval, self._datasets = faults, interval, datasets
        self._stuck = False
        # The timer and a switch flip both refresh: one at a time, or a refresh already under way
        # would publish "fresh" right after the switch backdated the data.
        self._lock = asyncio.Lock()

    async def refresh_once(self) -> None:
        async with self._lock:
            await self._refresh()

    async def _refresh(self) -> None:
        if self._faults.switches.stale_data:
            if not self._stuck:  # backdate once: from then on the data ages like really stuck data
                for dataset in self._datasets:
                    set_data_last_updated(dataset, time.time() - STALE_AGE_SECONDS)
                _log.warning("data refresh stuck", component="refresh", datasets=list(self._datasets))
            self._stuck = True
            return
        self._stuck = False
        for dataset in self._datasets:
            async with log_operation(_log, "refresh_dataset", component="refresh", dataset=dataset):
                await asyncio.sleep(0.001)  # stands in for reloading the dataset
            set_data_last_updated(dataset)

    async def run(self) -> None:
        """Refresh every ``interval`` seconds until cancelled; the first refresh happens at once."""
        while True:
            await self.refresh_once()
            await asyncio.sleep(self._interval)
