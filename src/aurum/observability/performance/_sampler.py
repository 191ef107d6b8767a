"""Performance tracking: the process's figures sampled every ``metrics_collection_interval`` seconds.

The ``performance`` report reads most figures when asked, which gives averages since the process
started. A process that has run for a week averages away this afternoon's CPU spike; the samples
taken in the background, kept for the last :data:`KEEP` intervals, give the recent rates and the
history. ``AURUM_PERFORMANCE_TRACKING_ENABLED=false`` stops the sampling (the report then has no
samples); nothing else depends on it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aurum.observability.performance._models import PerformanceSample, PerformanceTracking, RecentPerformance
from aurum.observability.performance._report import (
    cpu_seconds,
    gc_collections,
    open_fds,
    requests_total,
    rss_bytes,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from aurum.observability.metrics._reading import Sample

__all__ = ["KEEP", "PerformanceSampler"]

KEEP = 60
"""Samples kept: an hour at the default interval of a minute."""


class PerformanceSampler:
    """Each call takes one sample; :meth:`tracking` reports them. Safe to call from several threads."""

    def __init__(self, samples: Callable[[], Sequence[Sample]], *, prefix: str) -> None:
        self._samples = samples
        self._prefix = prefix
        self._taken: deque[tuple[float, PerformanceSample]] = deque(maxlen=KEEP)
        self._lock = threading.Lock()

    def __call__(self) -> None:
        sample = PerformanceSample(
            at=datetime.now(UTC),
            cpu_seconds=cpu_seconds(),
            rss_bytes=rss_bytes(),
            requests_total=requests_total(self._samples(), self._prefix),
            gc_collections=gc_collections(),
            threads=threading.active_count(),
            open_file_descriptors=open_fds(),
        )
        with self._lock:
            self._taken.append((time.monotonic(), sample))

    def tracking(self, *, enabled: bool, interval_seconds: int) -> PerformanceTracking:
        with self._lock:
            taken = list(self._taken)
        return PerformanceTracking(
            enabled=enabled,
            interval_seconds=interval_seconds,
            samples=[sample for _, sample in taken],
            recent=_recent(taken[-2], taken[-1]) if len(taken) >= 2 else None,
        )


def _recent(
    before: tuple[float, PerformanceSample], after: tuple[float, PerformanceSample]
) -> RecentPerformance:
    seconds = after[0] - before[0]
    earlier, later = before[1], after[1]
    return RecentPerformance(
        window_seconds=round(seconds, 3),
        cpu_percent=round(100 * (later.cpu_seconds - earlier.cpu_seconds) / seconds, 2)
        if seconds > 0
        else 0.0,
        requests_per_second=(later.requests_total - earlier.requests_total) / seconds if seconds > 0 else 0.0,
        gc_collections=later.gc_collections - earlier.gc_collections,
    )
