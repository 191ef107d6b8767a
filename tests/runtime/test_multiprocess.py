"""Multiprocess mode: two real worker processes, one merged exposition (as under gunicorn)."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from aurum.observability.api import router
from aurum.observability.multiprocess import child_exit, prepare_directory

if TYPE_CHECKING:
    from pathlib import Path

WORKER = """
import asyncio, os, sys
import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from aurum.observability.metrics import increment_business_transactions, set_db_pool_connections
from aurum.observability.middleware import ObservabilityMiddleware

async def hello(request):
    return PlainTextResponse("hi")

app = ObservabilityMiddleware(Starlette(routes=[Route("/hello", hello)]))

async def serve(n):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://worker") as client:
        for _ in range(n):
            assert (await client.get("/hello", headers={"X-Tenant-ID": "acme"})).status_code == 200

asyncio.run(serve(int(sys.argv[1])))
increment_business_transactions("scenario_run", "scenario", "success")
set_db_pool_connections("primary", in_use=1, idle=4, max_size=5)
print(os.getpid())
"""
REQUESTS_PER_WORKER = 150


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_two_workers_are_merged_into_one_exposition(tmp_path: Path, monkeypatch):
    directory = prepare_directory(tmp_path / "prometheus-multiproc")
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "AURUM_LOG_REQUESTS": "false",
        "AURUM_TRACING_ENABLED": "false",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(REQUESTS_PER_WORKER)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    pids = []
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        pids.append(int(out.strip().splitlines()[-1]))
    assert len(set(pids)) == 2
    assert len(list(directory.glob("*.db"))) >= 2  # each worker wrote its own files

    # Any process serving the API in multiprocess mode reads the merged view of all workers.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as client:
        merged = samples(client.get("/v1/observability/metrics").text)
        request_labels = (("method", "GET"), ("path", "/hello"), ("status", "200"), ("tenant_id", "acme"))
        assert merged[("aurum_http_requests_total", request_labels)] == 2 * REQUESTS_PER_WORKER
        latency_labels = (("method", "GET"), ("path", "/hello"))
        assert (
            merged[("aurum_http_request_duration_seconds_count", latency_labels)] == 2 * REQUESTS_PER_WORKER
        )
        run_labels = (("category", "scenario"), ("status", "success"), ("transaction", "scenario_run"))
        assert merged[("aurum_business_transactions_total", run_labels)] == 2
        pool_max = ("aurum_db_pool_connections", (("pool", "primary"), ("state", "max")))
        assert merged[pool_max] == 10  # livesum over both workers until they are marked dead

        # gunicorn's child_exit hook drops dead workers' live gauges; counters are kept.
        for pid in pids:
            child_exit(server=None, worker=SimpleNamespace(pid=pid))
        after = samples(client.get("/v1/observability/metrics").text)
        assert pool_max not in after
        assert after[("aurum_http_requests_total", request_labels)] == 2 * REQUESTS_PER_WORKER

        json_body = client.get("/v1/observability/health").json()
        assert json_body["multiprocess"] is True


def test_prepare_directory_removes_a_previous_runs_files(tmp_path: Path):
    (tmp_path / "counter_123.db").write_bytes(b"stale")
    (tmp_path / "keep.txt").write_text("not ours")
    prepare_directory(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
