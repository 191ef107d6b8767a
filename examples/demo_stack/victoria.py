"""A second rule engine beside the stack's Prometheus: VictoriaMetrics, vmagent and vmalert on loopback.

::

    demo app ◀── scrape ── vmagent ── remote write ──▶ VictoriaMetrics ◀── query ── vmalert ──▶ Alertmanager
                                                              ▲                        │
                                                              └──── remote write ──────┘ recorded series, ALERTS

vmagent scrapes the same application as the stack's Prometheus (same job, same interval), and
vmalert evaluates the same copy of the build's rules at the same interval, so the two engines can be
compared series by series and alert by alert. The flags are the ones a live VictoriaMetrics needs to
see what was just written, as Prometheus does:

- ``-search.latencyOffset=0s``: VictoriaMetrics hides the last 30 s of samples from queries by
  default (points still being collected); rules evaluated every second must see them.
- ``-search.disableCache``: its rollup cache would answer a rule with what it computed a moment ago.
- vmalert's ``-datasource.queryStep`` set to the interval: 1.79.5 sends ``step=5m`` with every
  query otherwise, which VictoriaMetrics uses as the look-back of an instant query, so a series gone
  for minutes would still have a value (fixed in 1.79.6 by using the group's interval).
- vmalert's ``-datasource.queryTimeAlignment=false``: by default it queries at its evaluation time
  rounded down to a multiple of the group's interval, so a rule reads data up to an interval older
  than Prometheus's rule would at that moment (measured here: alerts 2.2-5.7 s behind Prometheus's
  with everything evaluated every second, 1.5-3.5 s without the rounding).
- vmalert's ``-remoteWrite.flushInterval`` at a fraction of the interval (default 5 s): recorded
  series reach VictoriaMetrics before the rules that read them run again.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from examples.demo_stack import configs
from examples.demo_stack.processes import Service, StackError, free_port, running

__all__ = ["Victoria", "binary", "victoria_metrics", "victoria_stack", "vmalert"]


@dataclass(frozen=True)
class Victoria:
    victoriametrics: Service
    vmagent: Service


def binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        msg = f"{name} is not installed: apt-get install victoria-metrics (make build does)"
        raise StackError(msg)
    return found


def _flush(interval: str) -> str:
    """A quarter of the interval (``2s`` -> ``500ms``), at least 100 ms."""
    seconds = (
        float(interval.removesuffix("ms")) / 1000
        if interval.endswith("ms")
        else float(interval.removesuffix("s"))
    )
    return f"{max(round(seconds * 250), 100)}ms"


@contextlib.contextmanager
def _service(name: str, work: Path, flags: list[str], timeout: float) -> Iterator[Service]:
    """One of the package's binaries with ``flags`` on a free loopback port, ready when ``/health``
    answers, its log in ``work``; stopped on the way out."""
    port = free_port()
    with running(
        name,
        [binary(name), *flags, f"-httpListenAddr=127.0.0.1:{port}"],
        url=f"http://127.0.0.1:{port}",
        ready_path="/health",
        log=work / f"{name}.log",
        timeout=timeout,
    ) as service:
        yield service


def victoria_metrics(
    work: Path, *, flags: tuple[str, ...] = (), timeout: float = 60.0
) -> contextlib.AbstractContextManager[Service]:
    """A single-node VictoriaMetrics on a free loopback port, its data and log in ``work``, with the
    live flags above and ``flags`` (``-dedup.minScrapeInterval=1m``); stopped on the way out."""
    live = [
        f"-storageDataPath={work / 'victoria-metrics'}",
        "-search.latencyOffset=0s",
        "-search.disableCache",
        "-retentionPeriod=1y",
    ]
    return _service("victoria-metrics", work, [*live, *flags], timeout)


@contextlib.contextmanager
def victoria_stack(
    work: Path, *, app: str, interval: str, metrics_path: str, timeout: float = 60.0
) -> Iterator[Victoria]:
    """VictoriaMetrics, and vmagent scraping ``app`` (``host:port``) into it every ``interval``
    (``"1s"``, ``"500ms"``), as the stack's Prometheus does; both stopped on the way out. ``work``
    holds their data and logs."""
    with contextlib.ExitStack() as services:
        victoriametrics = services.enter_context(victoria_metrics(work, timeout=timeout))
        vm_url = victoriametrics.url
        scrape = {
            "global": {"scrape_interval": interval, "scrape_timeout": interval},
            "scrape_configs": [
                {
                    "job_name": configs.JOB,
                    "metrics_path": metrics_path,
                    "static_configs": [{"targets": [app]}],
                }
            ],
        }
        vmagent = services.enter_context(
            _service(
                "vmagent",
                work,
                [
                    f"-promscrape.config={configs.write(work / 'vmagent.yml', scrape)}",
                    f"-remoteWrite.url={vm_url}/api/v1/write",
                    f"-remoteWrite.tmpDataPath={work / 'vmagent'}",
                    f"-remoteWrite.flushInterval={_flush(interval)}",
                ],
                timeout,
            )
        )
        yield Victoria(victoriametrics, vmagent)


def vmalert(
    work: Path, *, victoria: Victoria, rules: Path, alertmanager: str, interval: str, timeout: float = 60.0
) -> contextlib.AbstractContextManager[Service]:
    """vmalert evaluating ``rules/*.yaml`` every ``interval`` over ``victoria``, writing what it
    records back there and notifying ``alertmanager`` (a URL); stopped on the way out."""
    vm_url = victoria.victoriametrics.url
    flags = [
        f"-rule={rules}/*.yaml",
        f"-datasource.url={vm_url}",
        f"-datasource.queryStep={interval}",
        "-datasource.queryTimeAlignment=false",
        f"-remoteWrite.url={vm_url}",
        f"-remoteWrite.flushInterval={_flush(interval)}",
        f"-notifier.url={alertmanager}",
        f"-evaluationInterval={interval}",
    ]
    return _service("vmalert", work, flags, timeout)
