"""A real Prometheus (the distribution's package) on loopback, and what we read from it."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_SAMPLE = re.compile(r'^(\w+)\{rule_group="([^"]+)"[^}]*\} (\S+)$', re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def get(self, path: str, **params: str) -> str:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}{path}{query}", timeout=120) as response:
            return str(response.read().decode())

    def query(self, expr: str, at: float | None = None) -> list[dict[str, object]]:
        params = {"query": expr} if at is None else {"query": expr, "time": str(at)}
        body = json.loads(self.get("/api/v1/query", **params))
        return list(body["data"]["result"])

    def query_range(self, expr: str, start: float, end: float, step: int) -> list[tuple[float, float]]:
        """The values of a one-series expression from ``start`` to ``end`` every ``step`` seconds."""
        params = {"query": expr, "start": str(start), "end": str(end), "step": str(step)}
        result = json.loads(self.get("/api/v1/query_range", **params))["data"]["result"]
        return [(float(t), float(v)) for t, v in result[0]["values"]] if result else []

    def metric(self, name: str) -> float:
        match = re.search(rf"^{name} (\S+)$", self.get("/metrics"), re.MULTILINE)
        return float(match.group(1)) if match else 0.0

    def groups(self) -> dict[str, dict[str, float]]:
        """Per rule group: iterations so far and the last evaluation's duration in seconds."""
        found: dict[str, dict[str, float]] = {}
        for name, group, value in _SAMPLE.findall(self.get("/metrics")):
            if name in (
                "prometheus_rule_group_iterations_total",
                "prometheus_rule_group_last_duration_seconds",
            ):
                found.setdefault(group, {})[name] = float(value)
        return found

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        return int(match.group(1)) / 1024 if match else float("nan")


@contextmanager
def prometheus(data: Path, rules: Path | None, interval: str, log: Path) -> Iterator[Server]:
    """Prometheus over ``data`` evaluating ``rules``; stopped (and waited for) on exit, whatever happens."""
    config = data.parent / f"{data.name}.prometheus.yml"
    rule_files = f"rule_files: [{json.dumps(str(rules))}]\n" if rules else ""
    config.write_text(f"global:\n  evaluation_interval: {interval}\n{rule_files}")
    port = free_port()
    binary = shutil.which("prometheus") or "/usr/bin/prometheus"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={data}",
                "--storage.tsdb.retention.time=3650d",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"prometheus exited; see {log}")
            try:
                if "Ready" in server.get("/-/ready"):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"prometheus not ready after 300 s; see {log}")
            time.sleep(0.5)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def settle(server: Server, quiet_seconds: float = 20, limit: float = 900) -> None:
    """Wait until the TSDB stopped compacting the backfilled blocks, so it does not skew timings."""
    deadline, last, since = time.monotonic() + limit, -1.0, time.monotonic()
    while time.monotonic() < deadline:
        count = server.metric("prometheus_tsdb_compactions_total") + server.metric(
            "prometheus_tsdb_blocks_loaded"
        )
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet_seconds:
            return
        time.sleep(2)


def measure_groups(server: Server, prefix: str, rounds: int, limit: float) -> dict[str, list[float]]:
    """Evaluation seconds of each group named ``prefix*`` over ``rounds`` rounds in which all iterated."""
    seen: dict[str, float] = {}
    durations: dict[str, list[float]] = {}
    deadline = time.monotonic() + limit
    while min((len(d) for d in durations.values()), default=0) < rounds and time.monotonic() < deadline:
        groups = {
            name.split(";")[-1]: values
            for name, values in server.groups().items()
            if name.split(";")[-1].startswith(prefix)
        }
        iterations = {
            name: values.get("prometheus_rule_group_iterations_total", 0.0) for name, values in groups.items()
        }
        if groups and all(iterations[name] > seen.get(name, 0.0) for name in groups):
            if seen:  # the first observation only sets the baseline
                for name, values in groups.items():
                    durations.setdefault(name, []).append(
                        values.get("prometheus_rule_group_last_duration_seconds", 0.0)
                    )
            seen = iterations
        time.sleep(0.2)
    return durations
