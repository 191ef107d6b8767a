"""Load: 10,000 requests at concurrency 50 through a FastAPI app with the middleware.

No errors, every request counted exactly once, and memory that stops growing once the bounded
structures (label-set caches, trace store) are full. Time is not asserted: this runs on shared CI.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from pathlib import Path

import httpx
from fastapi import FastAPI

from aurum.observability.enhanced_logging import StructuredLoggingMiddleware, get_logger, log_operation
from aurum.observability.logs._setup import SINK
from aurum.observability.metrics import increment_business_transactions
from aurum.observability.testing import captured_spans, isolated_registry, override_settings, sample_value
from aurum.observability.tracing_enhanced import trace_database_query

CONCURRENCY = 50
REQUESTS = 10_000
WARMUP = 2_000


class CountingSink:
    """A log stream that counts lines instead of keeping them (10,000 kept lines would be the leak)."""

    def __init__(self) -> None:
        self.lines = 0

    def write(self, text: str) -> None:
        self.lines += text.count('"logger":"aurum.')

    def flush(self) -> None:
        return None


def rss_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def make_app() -> FastAPI:
    app = FastAPI()
    log = get_logger("aurum.api.scenarios")

    @app.get("/api/scenarios/{scenario_id}")
    async def get_scenario(scenario_id: str) -> dict[str, str]:
        async with log_operation(log, "get_scenario", component="scenario"):  # noqa: SIM117 - the spec's nesting
            async with trace_database_query("select", "scenario"):
                await asyncio.sleep(0)
        await increment_business_transactions("scenario_get", "scenario", "success")
        return {"id": scenario_id}

    app.add_middleware(StructuredLoggingMiddleware)
    return app


async def drive(app: FastAPI, total: int, offset: int) -> list[int]:
    statuses: list[int] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(offset, offset + total):
        queue.put_nowait(index)
    transport = httpx.ASGITransport(app=app)
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(transport=transport, base_url="http://load", limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                index = queue.get_nowait()
                headers = {"X-Tenant-ID": f"tenant-{index % 20}"}
                response = await client.get(f"/api/scenarios/s-{index}", headers=headers)
                statuses.append(response.status_code)

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return statuses


def test_ten_thousand_requests_at_concurrency_50():
    app = make_app()
    sink = CountingSink()
    previous_stream, previous_level = SINK.stream, logging.getLogger().level
    SINK.stream = sink
    logging.getLogger().setLevel(logging.INFO)  # AURUM_LOG_LEVEL's default
    # The load generator's own per-request INFO lines would pile up in pytest's log capture.
    client_log = logging.getLogger("httpx")
    client_log.setLevel(logging.WARNING)
    # The database helper warns about queries slower than slow_query_threshold_ms, measured in wall
    # time; 50 concurrent requests on a loaded 2-core box can take that long for an asyncio.sleep(0).
    # An hour is out of reach, so every line counted below is one the test expects.
    slow_query_threshold_ms = 3_600_000
    try:
        with (
            override_settings(slow_query_threshold_ms=slow_query_threshold_ms),
            isolated_registry() as metrics,
            captured_spans(tracing_max_traces=1000) as spans,
        ):
            spans.exporter.shutdown()  # keep only the bounded trace store, as in production
            assert asyncio.run(drive(app, WARMUP, 0)) == [200] * WARMUP
            gc.collect()
            before_lines, before_rss = sink.lines, rss_bytes()

            statuses = asyncio.run(drive(app, REQUESTS, WARMUP))

            gc.collect()
            growth = rss_bytes() - before_rss
            store = spans.store
            assert store is not None
            stored_traces = len(store)
    finally:
        SINK.stream = previous_stream
        logging.getLogger().setLevel(previous_level)
        client_log.setLevel(logging.NOTSET)

    assert statuses == [200] * REQUESTS
    counted = sum(
        sample_value(
            metrics,
            "aurum_http_requests_total",
            method="GET",
            path="/api/scenarios/{scenario_id}",
            status="200",
            tenant_id=f"tenant-{tenant}",
        )
        or 0
        for tenant in range(20)
    )
    assert counted == WARMUP + REQUESTS
    latency = {"method": "GET", "path": "/api/scenarios/{scenario_id}"}
    assert sample_value(metrics, "aurum_http_request_duration_seconds_count", **latency) == WARMUP + REQUESTS
    business = {"transaction": "scenario_get", "category": "scenario", "status": "success"}
    assert sample_value(metrics, "aurum_business_transactions_total", **business) == WARMUP + REQUESTS
    # Three lines per request: operation started, completed, and the access log.
    assert sink.lines - before_lines == 3 * REQUESTS
    assert stored_traces == 1000
    # Everything that grows with traffic is bounded and already full after the warm-up.
    print(f"RSS growth {growth / 1e6:.2f} MB")
    assert growth < 16 * 1024 * 1024, f"RSS grew by {growth / 1e6:.1f} MB over {REQUESTS} requests"
