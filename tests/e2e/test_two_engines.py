"""Two rule engines over the same application, live on loopback: Prometheus with the Prometheus shape of
the rules, and VictoriaMetrics (vmagent scraping, vmalert evaluating) with the vmalert shape. During an
injected outage their SLI windows agree within 2 %, and the same alerts fire; vmalert's later, by at
most what its asynchronous writes explain (measured: a page about 2 s, a ticket about 5 s after
Prometheus at a 1 s interval, so not within one evaluation interval).

What makes the comparison fair, and why:

- Both scrape the app at the same interval and evaluate at the same interval (``INTERVAL``).
- A 5-minute rate is only comparable once both have 5 minutes of samples: Prometheus's ``rate()``
  extrapolates at most a little past the data it has, VictoriaMetrics divides by the span it has, so
  for the first five minutes of a series they differ by up to the window over the data span. So
  scraping starts first, the rules a base window later (Prometheus reloads them, vmalert starts),
  and every window then holds only rule samples computed from full windows.
- Every bad-event series the outage grows exists before that: a short burst of errors at the start
  (long out of every window when the rules start) creates them, as a real service's history would
  have. A counter that appears mid-window is exactly where the two ``rate()`` semantics part
  (VictoriaMetrics counts it from its first sample over its lifetime, Prometheus over the window).
- The engines evaluate at different phases, so each window is compared at the times vmalert
  evaluated, with Prometheus's series interpolated linearly between its own two neighbouring
  samples.
"""

from __future__ import annotations

import itertools
import json
import statistics
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from aurum.contract.conventions import BASE_WINDOW_SECONDS
from aurum.monitoring.pipeline import Artifacts
from examples.demo_stack import configs
from examples.demo_stack.processes import StackError, wait_until
from examples.demo_stack.prometheus_api import PrometheusAPI
from examples.demo_stack.stack import METRICS_PATH, demo_stack
from examples.demo_stack.victoria import victoria_stack, vmalert

from .conftest import PAGE_ALERT, poll

pytestmark = pytest.mark.slow

INTERVAL_SECONDS = 1
INTERVAL = f"{INTERVAL_SECONDS}s"
"""Evaluation interval of both engines: short, so minutes of production take seconds."""
SCRAPE = "500ms"
"""Scrape interval of both: a window's rate ends at the last scrape in VictoriaMetrics, where
Prometheus extrapolates it to the evaluation; half the interval keeps that difference small."""
SERIES_SECONDS = 8
"""The burst that creates every bad-event series, before the rules start."""
HEALTHY_SECONDS = 20
OUTAGE_SECONDS = 240
"""Held long enough that one scrape interval is under 2 % of the errors in the 5-minute window
(VictoriaMetrics's rate ends at its last sample, Prometheus's is extrapolated to the evaluation)."""
COMPARED_SECONDS = 30
"""The last seconds of the outage over which every window is compared."""
WINDOWS = ("5m", "30m", "1h", "2h", "6h")
VISIBLE_WITHIN = 1.0
"""Seconds until a sample written to VictoriaMetrics 1.79 can be queried (its in-memory rows are
made searchable about every second), on top of vmagent's and vmalert's flush interval."""
SLO = "api-availability"


@dataclass
class Engines:
    outage_began: float
    prometheus_alerts: dict[str, float]
    """Firing SLO alerts (alert name) -> when each became active (unix time)."""
    vmalert_alerts: dict[str, float]
    windows: dict[str, list[tuple[float, float, float]]]
    """Window -> ``(time, Prometheus, vmalert)`` at each vmalert evaluation of the compared span."""


def _alerts(url: str) -> dict[str, float]:
    """Firing alerts that carry an ``slo`` label, by name, with their activeAt (either engine's API)."""
    with urllib.request.urlopen(f"{url}/api/v1/alerts", timeout=10) as response:
        alerts = json.load(response)["data"]["alerts"] or []
    return {
        a["labels"]["alertname"]: _unix(a["activeAt"])
        for a in alerts
        if a["state"] == "firing" and a["labels"].get("slo")
    }


def _unix(stamp: str) -> float:
    """RFC 3339 with nanoseconds (both engines write them), which ``fromisoformat`` cannot read."""
    whole, _, fraction = stamp.removesuffix("Z").partition(".")
    return datetime.fromisoformat(whole + "+00:00").timestamp() + float(f"0.{fraction or 0}")


def _samples(api: PrometheusAPI, expr: str, seconds: int) -> list[tuple[float, float]]:
    """The raw samples of one recorded series over the last ``seconds``."""
    result = api.query(f"{expr}[{seconds}s]")
    if len(result) != 1:
        msg = f"{expr} gave {len(result)} series over {seconds}s at {api.url}"
        raise StackError(msg)
    return [(float(t), float(v)) for t, v in result[0]["values"]]


def _interpolated(samples: list[tuple[float, float]], at: float) -> float | None:
    for (t0, v0), (t1, v1) in itertools.pairwise(samples):
        if t0 <= at <= t1:
            return v0 + (v1 - v0) * (at - t0) / (t1 - t0)
    return None


@pytest.fixture(scope="module")
def engines(
    bundled_build: tuple[Path, Artifacts], vmalert_build: tuple[Path, Artifacts]
) -> Iterator[Engines]:
    with demo_stack(bundled_build[0], interval=INTERVAL, rules_later=True, scrape=SCRAPE) as stack:
        app = stack.app.url.removeprefix("http://")
        with victoria_stack(stack.workdir, app=app, interval=SCRAPE, metrics_path=METRICS_PATH) as victoria:
            vm = PrometheusAPI(victoria.victoriametrics.url)
            wait_until(
                lambda: vm.value(f'up{{job="{configs.JOB}"}}') == 1, 60, "vmagent's first scrape", stack.logs
            )
            stack.set_faults(error_rate=1)
            time.sleep(SERIES_SECONDS)
            stack.set_faults()
            time.sleep(BASE_WINDOW_SECONDS + 2 * INTERVAL_SECONDS)
            rules = stack.workdir / "vmalert-rules"
            configs.copy_rules(vmalert_build[0] / "prometheus" / "rules", rules)
            stack.load_rules()
            with vmalert(
                stack.workdir,
                victoria=victoria,
                rules=rules,
                alertmanager=stack.alertmanager.url,
                interval=INTERVAL,
            ) as evaluator:
                time.sleep(HEALTHY_SECONDS)
                began = time.time()
                stack.set_faults(error_rate=1)
                poll(
                    lambda: (_alerts(stack.prometheus.url), _alerts(evaluator.url)),
                    lambda seen: all(PAGE_ALERT in s for s in seen),
                    timeout=OUTAGE_SECONDS,
                )
                time.sleep(max(0.0, began + OUTAGE_SECONDS - time.time()))
                windows = {}
                for window in WINDOWS:
                    expr = f'slo:sli_error:ratio_rate{window}{{slo="{SLO}"}}'
                    theirs = _samples(stack.prom, expr, COMPARED_SECONDS + 2 * INTERVAL_SECONDS)
                    ours = _samples(vm, expr, COMPARED_SECONDS)
                    windows[window] = [
                        (t, p, v) for t, v in ours if (p := _interpolated(theirs, t)) is not None
                    ]
                yield Engines(began, _alerts(stack.prometheus.url), _alerts(evaluator.url), windows)


def test_sli_windows_agree_within_2_percent(engines: Engines) -> None:
    report = {}
    for window, points in engines.windows.items():
        assert len(points) >= COMPARED_SECONDS // INTERVAL_SECONDS - 2, f"{window}: {len(points)} samples"
        errors = [abs(v - p) / p for _, p, v in points]
        report[window] = (statistics.median(errors), max(errors), points[-1][1], points[-1][2])
    print("window: median, max relative difference; last Prometheus, vmalert value")
    for window, (median, worst, p, v) in report.items():
        print(f"{window}: {median:.2%} {worst:.2%}; {p:.4f} {v:.4f}")
    assert all(worst <= 0.02 for _, worst, _, _ in report.values()), report


def test_the_same_alerts_fire_and_vmalert_lags_only_by_its_writes(engines: Engines) -> None:
    """The same SLO alerts fire in both engines. vmalert's fire later, by what its asynchronous
    writes cost: an alert reads what vmalert wrote through VictoriaMetrics, and each write in the
    chain is seen at the next evaluation at the earliest, an interval plus VictoriaMetrics's
    ``VISIBLE_WITHIN``, and the alert's own evaluation an interval at most. A page reads the raw
    series (vmagent's write) and the base series (vmalert's): two writes; a ticket the day-long
    windows (scrape, base, rollup, window): four. It never fires more than an interval early."""
    prometheus, victoria = engines.prometheus_alerts, engines.vmalert_alerts
    apart = {name: victoria[name] - prometheus[name] for name in set(prometheus) & set(victoria)}
    print(
        "alert: vmalert active minus Prometheus active, seconds:", {k: round(v, 1) for k, v in apart.items()}
    )
    assert PAGE_ALERT in prometheus
    assert set(prometheus) == set(victoria)
    per_write = INTERVAL_SECONDS + VISIBLE_WITHIN
    for name, seconds in apart.items():
        writes = 2 if name.endswith("Page") else 4
        assert -INTERVAL_SECONDS <= seconds <= writes * per_write + INTERVAL_SECONDS, (name, apart)
    assert all(at >= engines.outage_began - INTERVAL_SECONDS for at in prometheus.values())
