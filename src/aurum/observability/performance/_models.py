"""The ``performance`` report's models (pure pydantic, so the sampler needs no FastAPI)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = [
    "CpuStats",
    "GcStats",
    "MemoryStats",
    "PerformanceReport",
    "PerformanceSample",
    "PerformanceTracking",
    "RecentPerformance",
    "RequestStats",
]


class CpuStats(BaseModel):
    user_seconds: float
    system_seconds: float
    percent_since_start: float
    """Average CPU use of one core since the process started, in percent."""


class MemoryStats(BaseModel):
    rss_bytes: int | None
    peak_rss_bytes: int | None


class GcStats(BaseModel):
    enabled: bool
    counts: list[int]
    thresholds: list[int]
    collections: list[int]
    collected: list[int]
    uncollectable: list[int]


class RequestStats(BaseModel):
    total: float
    server_errors: float
    rate_per_second: float
    """Average over the process lifetime."""
    latency_ms: dict[str, float | None] = Field(description="p50/p95/p99 from the request histogram")


class PerformanceSample(BaseModel):
    """The process's figures at one background sample."""

    at: datetime
    cpu_seconds: float
    """User and system CPU time used since the process started."""
    rss_bytes: int | None
    requests_total: float
    gc_collections: int
    """Garbage collections of all generations since the process started."""
    threads: int
    open_file_descriptors: int | None


class RecentPerformance(BaseModel):
    """Rates between the last two samples: what the process does now, not on average since it started."""

    window_seconds: float
    cpu_percent: float
    """CPU use of one core over the window, in percent."""
    requests_per_second: float
    gc_collections: int


class PerformanceTracking(BaseModel):
    """Background sampling every ``AURUM_METRICS_COLLECTION_INTERVAL`` seconds, when
    ``AURUM_PERFORMANCE_TRACKING_ENABLED`` (oldest sample first, the last hour's at most)."""

    enabled: bool
    interval_seconds: int
    samples: list[PerformanceSample]
    recent: RecentPerformance | None
    """``None`` until two samples were taken."""


class PerformanceReport(BaseModel):
    pid: int
    started_at: datetime
    uptime_seconds: float
    cpu: CpuStats
    memory: MemoryStats
    gc: GcStats
    threads: int
    open_file_descriptors: int | None
    requests: RequestStats
    tracking: PerformanceTracking
