"""Traffic for the demo: a steady mix of scenario requests from a few tenants, and a noisy one.

Requests are sent at ``rate`` a second whatever the app's latency (an open loop, as users do: a slow
app gets more requests in flight, not fewer requests), with at most ``concurrency`` in flight. The
mix creates a scenario, reads one (through the cache), runs one or lists them, round-robin over the
tenants; every ten seconds the noisy tenant sends a burst past its rate limit, so the rate-limit
panels and the 429 path have something to show. Reads only ask for scenarios that were created, so
a healthy cache hits: misses appear only when the switches ask for them.

Runs on background threads of the stack (``Traffic``), or alone:
``python -m examples.demo_app.traffic --url http://127.0.0.1:8000``.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

__all__ = ["Traffic"]

TENANTS = ("acme-corp", "globex", "initech")
NOISY_TENANT = "umbrella"
_STEPS = ("create", "get", "run", "get", "list", "get", "run", "get")
_BURST_EVERY_SECONDS, _BURST_SIZE = 10.0, 40


class Traffic:
    def __init__(self, base_url: str, rate: float = 20.0, concurrency: int = 32) -> None:
        self._base_url, self._interval = base_url, 1 / rate
        self._concurrency = concurrency
        self._in_flight = threading.BoundedSemaphore(concurrency)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._scenarios: collections.deque[str] = collections.deque(maxlen=50)
        self.statuses: collections.Counter[int] = collections.Counter()
        """Responses by status code; 0 counts requests that got no response."""

    def start(self) -> Traffic:
        self._thread = threading.Thread(target=self._run, name="demo-traffic", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        """Stop sending; requests in flight finish (each is bounded by the client's timeout)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> Traffic:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _send(
        self, client: httpx.Client, method: str, path: str, tenant: str, body: object | None = None
    ) -> None:
        try:
            response = client.request(method, path, headers={"X-Tenant-ID": tenant}, json=body)
        except httpx.HTTPError:
            status = 0  # the app is down or restarting: keep going, it may come back
        else:
            status = response.status_code
            if status == 201:
                # Known once created, so a read never asks for a scenario that does not exist yet.
                self._scenarios.append(response.json()["id"])
        finally:
            self._in_flight.release()
        with self._lock:
            self.statuses[status] += 1

    def _request(self, step: str, tenant: str) -> tuple[str, str, str, object | None]:
        latest = self._scenarios[-1] if self._scenarios else None
        if step == "create" or latest is None:
            return "POST", "/api/scenarios", tenant, {"name": f"{tenant} forecast"}
        if step == "get":
            return "GET", f"/api/scenarios/{latest}", tenant, None
        if step == "run":
            return "POST", f"/api/scenarios/{latest}/runs", tenant, None
        return "GET", "/api/scenarios", tenant, None

    def _run(self) -> None:
        steps = zip(itertools.cycle(_STEPS), itertools.cycle(TENANTS), strict=False)
        next_burst = time.monotonic() + _BURST_EVERY_SECONDS
        with (
            httpx.Client(base_url=self._base_url, timeout=5) as client,
            ThreadPoolExecutor(self._concurrency, thread_name_prefix="demo-traffic") as pool,
        ):
            for step, tenant in steps:
                started = time.monotonic()
                batch = [self._request(step, tenant)]
                if started >= next_burst:
                    batch += [("GET", "/api/scenarios", NOISY_TENANT, None)] * _BURST_SIZE
                    next_burst = started + _BURST_EVERY_SECONDS
                for request in batch:
                    self._in_flight.acquire()  # at most `concurrency` in flight: back-pressure, not a queue
                    pool.submit(self._send, client, *request)
                if self._stop.wait(max(0.0, self._interval - (time.monotonic() - started))):
                    return


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Send demo traffic until interrupted.")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--rate", type=float, default=20.0, help="requests per second (default 20)")
    args = parser.parse_args(argv)
    traffic = Traffic(args.url, args.rate).start()
    try:
        while True:
            time.sleep(5)
            print(dict(sorted(traffic.statuses.items())), flush=True)
    except KeyboardInterrupt:
        traffic.stop()


if __name__ == "__main__":
    main()
