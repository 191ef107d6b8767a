"""The ``performance`` endpoint's numbers: this process's CPU, memory, GC, descriptors and traffic.

Standard library only (``resource``, ``/proc``, ``gc``), to keep the runtime's dependencies minimal;
the request figures are read back from the process's own request metrics. Read when asked; the
background samples (:mod:`aurum.observability.performance._sampler`) add what the process does now.
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aurum.observability import catalog
from aurum.observability.metrics._instruments import exposed_name
from aurum.observability.metrics._reading import bucket_counts, histogram_quantile, sum_matching
from aurum.observability.performance._models import (
    CpuStats,
    GcStats,
    MemoryStats,
    PerformanceReport,
    PerformanceTracking,
    RequestStats,
)
from aurum.observability.slo_catalog import Matcher

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aurum.observability.metrics._reading import Sample

__all__ = ["cpu_seconds", "gc_collections", "open_fds", "performance_report", "requests_total", "rss_bytes"]

_SERVER_ERROR = (Matcher(label="status", op="=~", value="5.."),)


def rss_bytes() -> int | None:
    try:
        # statm's second field is the resident set in pages.
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB, macOS bytes


def open_fds() -> int | None:
    for directory in ("/proc/self/fd", "/dev/fd"):
        try:
            return sum(1 for _ in Path(directory).iterdir())
        except OSError:
            continue
    return None


def _gc_stats() -> GcStats:
    stats = gc.get_stats()
    return GcStats(
        enabled=gc.isenabled(),
        counts=list(gc.get_count()),
        thresholds=list(gc.get_threshold()),
        collections=[generation["collections"] for generation in stats],
        collected=[generation["collected"] for generation in stats],
        uncollectable=[generation["uncollectable"] for generation in stats],
    )


def cpu_seconds() -> float:
    """User and system CPU time of this process so far."""
    times = os.times()
    return times.user + times.system


def gc_collections() -> int:
    """Garbage collections of every generation so far."""
    return sum(generation["collections"] for generation in gc.get_stats())


def requests_total(samples: Sequence[Sample], prefix: str) -> float:
    return sum_matching(samples, exposed_name(catalog.HTTP_REQUESTS_TOTAL, prefix)) or 0.0


def _request_stats(samples: Sequence[Sample], uptime: float, prefix: str) -> RequestStats:
    requests = exposed_name(catalog.HTTP_REQUESTS_TOTAL, prefix)
    total = requests_total(samples, prefix)
    buckets = bucket_counts(samples, exposed_name(catalog.HTTP_REQUEST_DURATION_SECONDS, prefix))
    latency: dict[str, float | None] = {}
    for name, quantile in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        seconds = histogram_quantile(quantile, buckets)
        latency[name] = None if seconds is None else round(seconds * 1000, 3)
    return RequestStats(
        total=total,
        server_errors=sum_matching(samples, requests, _SERVER_ERROR) or 0.0,
        rate_per_second=total / uptime if uptime > 0 else 0.0,
        latency_ms=latency,
    )


def performance_report(
    samples: Sequence[Sample],
    *,
    started_at: float,
    started_monotonic: float,
    prefix: str,
    tracking: PerformanceTracking,
) -> PerformanceReport:
    uptime = time.monotonic() - started_monotonic
    times = os.times()
    return PerformanceReport(
        pid=os.getpid(),
        started_at=datetime.fromtimestamp(started_at, UTC),
        uptime_seconds=round(uptime, 3),
        cpu=CpuStats(
            user_seconds=times.user,
            system_seconds=times.system,
            percent_since_start=round(100 * (times.user + times.system) / uptime, 2) if uptime > 0 else 0.0,
        ),
        memory=MemoryStats(rss_bytes=rss_bytes(), peak_rss_bytes=_peak_rss_bytes()),
        gc=_gc_stats(),
        threads=threading.active_count(),
        open_file_descriptors=open_fds(),
        requests=_request_stats(samples, uptime, prefix),
        tracking=tracking,
    )
