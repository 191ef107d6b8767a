"""Traffic for the demo: a steady mix of scenario requests from a few tenants, and a noisy one.

Each step creates a scenario, reads one (through the cache), runs one or lists them, round-robin over
the tenants, paced to ``rate`` requests a second; every ten seconds the noisy tenant sends a burst past
its rate limit, so the rate-limit panels and the 429 path have something to show. Reads only ask for
scenarios that were created, so a healthy cache hits: misses appear only when the switches ask.

Runs on a background thread of the stack (``Traffic``), or alone:
``python -m examples.demo_app.traffic --url http://127.0.0.1:8000``.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import threading
import time

import httpx

__all__ = ["Traffic"]

TENANTS = ("acme-corp", "globex", "initech")
NOISY_TENANT = "umbrella"
_STEPS = ("create", "get", "run", "get", "list", "get", "run", "get")
_BURST_EVERY_SECONDS, _BURST_SIZE = 10.0, 40


class Traffic:
    def __init__(self, base_url: str, rate: float = 20.0) -> None:
        self._base_url, self._interval = base_url, 1 / rate
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._scenarios: collections.deque[str] = collections.deque(maxlen=50)
        self.statuses: collections.Counter[int] = collections.Counter()
        """Responses by status code; 0 counts requests that got no response."""

    def start(self) -> Traffic:
        self._thread = threading.Thread(target=self._run, name="demo-traffic", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
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
            self.statuses[0] += 1  # the app is down or restarting: keep going, it may come back
            return
        self.statuses[response.status_code] += 1
        if method == "POST" and path == "/api/scenarios" and response.status_code == 201:
            self._scenarios.append(response.json()["id"])

    def _step(self, client: httpx.Client, step: str, tenant: str) -> None:
        if step == "create" or not self._scenarios:
            self._send(client, "POST", "/api/scenarios", tenant, {"name": f"{tenant} forecast"})
        elif step == "get":
            self._send(client, "GET", f"/api/scenarios/{self._scenarios[-1]}", tenant)
        elif step == "run":
            self._send(client, "POST", f"/api/scenarios/{self._scenarios[-1]}/runs", tenant)
        else:
            self._send(client, "GET", "/api/scenarios", tenant)

    def _run(self) -> None:
        steps = zip(itertools.cycle(_STEPS), itertools.cycle(TENANTS), strict=False)
        next_burst = time.monotonic() + _BURST_EVERY_SECONDS
        with httpx.Client(base_url=self._base_url, timeout=15) as client:
            for step, tenant in steps:
                started = time.monotonic()
                if started >= next_burst:
                    for _ in range(_BURST_SIZE):
                        self._send(client, "GET", "/api/scenarios", NOISY_TENANT)
                    next_burst = started + _BURST_EVERY_SECONDS
                self._step(client, step, tenant)
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
