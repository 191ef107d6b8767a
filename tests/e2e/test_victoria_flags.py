"""The defaults of VictoriaMetrics 1.79.5 and vmalert 1.79.5 that the README's flag table warns about:
an instant query near now is answered as of ``-search.latencyOffset`` (30 s) ago, and vmalert asks
with ``step=5m``, a ``time`` rounded down to the group's interval and no ``nocache`` (which would
bypass that offset)."""

from __future__ import annotations

import contextlib
import http.server
import json
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from examples.demo_stack import configs
from examples.demo_stack.processes import wait_until
from examples.demo_stack.victoria import binary, victoria_metrics

pytestmark = pytest.mark.slow

DEFAULT_LATENCY_OFFSET = 30
GROUP_EVERY = 2
"""The probe group's interval, seconds: vmalert rounds its query times down to a multiple of it."""


def _newest_sample_age(tmp_path: Path, flags: tuple[str, ...]) -> int:
    """Import a sample a second for the last 40 s, then ask for the newest one's age at now."""
    tmp_path.mkdir()
    with victoria_metrics(tmp_path, flags=flags) as vm:
        now = int(time.time())
        stamps = [(now - 40 + i) * 1000 for i in range(41)]
        line = {"metric": {"__name__": "probe"}, "values": [0] * len(stamps), "timestamps": stamps}
        for path, body in (("/api/v1/import", json.dumps(line).encode()), ("/internal/force_flush", b"")):
            urllib.request.urlopen(urllib.request.Request(vm.url + path, data=body), timeout=10).close()
        query = urllib.parse.urlencode({"query": "timestamp(probe)", "time": now, "step": "1s"})
        with urllib.request.urlopen(f"{vm.url}/api/v1/query?{query}", timeout=10) as response:
            (result,) = json.load(response)["data"]["result"]
        return now - int(float(result["value"][1]))


def test_the_default_latency_offset_answers_as_of_30_seconds_ago(tmp_path: Path) -> None:
    # The flags given last win: the default restored over the live stack's 0s.
    aged = _newest_sample_age(tmp_path / "default", (f"-search.latencyOffset={DEFAULT_LATENCY_OFFSET}s",))
    assert aged == DEFAULT_LATENCY_OFFSET
    # The live stack's 0s: the newest sample, or the one a second before it (the query's own second).
    assert _newest_sample_age(tmp_path / "live", ()) <= 1


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers vmalert's queries with no series and its writes with 200, keeping every query."""

    queries: list[dict[str, list[str]]]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/api/v1/query":
            self.queries.append(urllib.parse.parse_qs(url.query))
        body = b'{"status":"success","data":{"resultType":"vector","result":[]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the queries, not a log."""


@contextlib.contextmanager
def _recording() -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    queries: list[dict[str, list[str]]] = []
    handler = type("Recorder", (_Recorder,), {"queries": queries})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", queries
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_vmalert_asks_with_a_5_minute_step_a_rounded_time_and_no_nocache(tmp_path: Path) -> None:
    rules = configs.write(
        tmp_path / "rules.yml",
        {
            "groups": [
                {"name": "probe", "interval": f"{GROUP_EVERY}s", "rules": [{"record": "r", "expr": "up"}]}
            ]
        },
    )
    with _recording() as (url, queries):
        process = subprocess.Popen(
            [
                binary("vmalert"),
                f"-rule={rules}",
                f"-datasource.url={url}",
                f"-remoteWrite.url={url}",
                "-httpListenAddr=127.0.0.1:0",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until(lambda: len(queries) >= 2, 30, "two vmalert queries")
        finally:
            process.terminate()
            process.wait(10)
    for query in queries[:2]:
        assert query["step"] == ["300s"]
        assert "nocache" not in query
        assert float(query["time"][0]) % GROUP_EVERY == 0
