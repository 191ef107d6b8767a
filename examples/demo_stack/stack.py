"""The whole demo on loopback: the demo app, Prometheus, Alertmanager, a webhook receiver, traffic.

::

    traffic ──HTTP──▶ demo app ◀──scrape 1s── Prometheus ──alerts──▶ Alertmanager ──webhook──▶ receiver
                        │  (/v1/observability/metrics)  │ build/ rules, every 1s
                        └──── /v1/observability/slos ───┘ (AURUM_PROMETHEUS_URL)

``make demo`` runs it in a terminal and the end-to-end test on free ports; both leave nothing behind:
every process is stopped and waited for and the working directory removed, whatever happens.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from examples.demo_app.traffic import Traffic
from examples.demo_stack import configs
from examples.demo_stack.processes import Service, StackError, free_port, running, tail, wait_until
from examples.demo_stack.prometheus_api import PrometheusAPI, QueryError
from examples.demo_stack.webhook import Alert, WebhookReceiver, webhook_receiver

__all__ = ["METRICS_PATH", "Stack", "demo_stack"]

METRICS_PATH = "/v1/observability/metrics"
_REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Stack:
    app: Service
    prometheus: Service
    alertmanager: Service
    webhook: WebhookReceiver
    traffic: Traffic
    token: str
    """The app's AURUM_OBSERVABILITY_TOKEN, for the protected /v1/observability endpoints."""
    workdir: Path
    started: float
    """Unix time just before Prometheus started: everything it has seen is after it."""
    build: Path

    def load_rules(self, *, alerts_every: str | None = None) -> None:
        """Copy the build's rules into Prometheus's rule directory and reload (``rules_later``);
        ``alerts_every`` as in :func:`~examples.demo_stack.configs.copy_rules`."""
        configs.copy_rules(
            self.build / "prometheus" / "rules", self.workdir / "rules", alerts_every=alerts_every
        )
        request = urllib.request.Request(f"{self.prometheus.url}/-/reload", method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status != 200:
                msg = f"Prometheus did not reload its rules: {response.status}"
                raise StackError(msg)

    @property
    def prom(self) -> PrometheusAPI:
        return PrometheusAPI(self.prometheus.url)

    def app_get(self, path: str) -> Any:
        """GET a JSON document from the app, with the token."""
        request = urllib.request.Request(
            self.app.url + path, headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def set_faults(self, **switches: object) -> dict[str, Any]:
        """Replace the app's fault switches (``set_faults()`` heals everything); returns them."""
        request = urllib.request.Request(
            f"{self.app.url}/demo/faults",
            data=json.dumps(switches).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            document: dict[str, Any] = json.load(response)
        return document

    def logs(self) -> str:
        """The last lines of every log, for a failure message."""
        return "\n".join(
            f"--- {service.name} ({service.log}):\n{tail(service.log)}"
            for service in (self.app, self.prometheus, self.alertmanager)
        )


def _binary(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    msg = f"none of {', '.join(names)} is installed: apt-get install prometheus prometheus-alertmanager (make build does)"
    raise StackError(msg)


def _app_env(prometheus_url: str, token: str, manifest: Path) -> dict[str, str]:
    # The shell's AURUM_*/OTEL_* settings are left out, so the app emits what the rules expect (one
    # process, no exporter, the manifest's SLOs) whatever a developer has set; the metric prefix is
    # kept, because the build that wrote the rules read it from the same shell.
    env = {
        key: value
        for key, value in os.environ.items()
        if key == "AURUM_METRICS_PREFIX" or not key.startswith(("AURUM_", "OTEL_", "PROMETHEUS_MULTIPROC"))
    }
    pythonpath = [str(_REPO), *filter(None, [env.get("PYTHONPATH")])]
    return env | {
        "PYTHONPATH": os.pathsep.join(pythonpath),
        "AURUM_OBSERVABILITY_TOKEN": token,
        "AURUM_PROMETHEUS_URL": prometheus_url,
        "AURUM_SLO_MANIFEST": str(manifest),
    }


def _scraped(prom: PrometheusAPI) -> bool:
    try:
        return prom.target_health(configs.JOB) == ["up"]
    except QueryError:
        return False


@contextlib.contextmanager
def demo_stack(
    build: Path,
    *,
    token: str | None = None,
    interval: str = "1s",
    rate: float = 20.0,
    echo: Callable[[Alert], None] | None = None,
    timeout: float = 60.0,
    tmp_root: Path | None = None,
    rules_later: bool = False,
    scrape: str | None = None,
) -> Iterator[Stack]:
    """Start everything over the rules, dashboards and manifest of ``build``, with traffic flowing and
    the app's first scrape done; stop it all (traffic first, Prometheus, the app, Alertmanager) and
    remove the working directory (made under ``tmp_root``, default the system's) on the way out.
    ``timeout`` bounds each start-up wait. With ``rules_later`` Prometheus starts with no rules and
    the lifecycle API, and :meth:`Stack.load_rules` loads them when the caller is ready; ``scrape``
    is the scrape interval when it should differ from ``interval``."""
    token = token or secrets.token_urlsafe(16)
    with contextlib.ExitStack() as resources:
        work = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="aurum-demo-", dir=tmp_root)))
        rules = work / "rules"
        if rules_later:
            rules.mkdir()
        else:
            configs.copy_rules(build / "prometheus" / "rules", rules)
        webhook = resources.enter_context(webhook_receiver(work / "alerts.jsonl", echo))

        am_port, app_port, prom_port = free_port(), free_port(), free_port()
        am_url, app_url, prom_url = (f"http://127.0.0.1:{p}" for p in (am_port, app_port, prom_port))
        am_config = configs.write(work / "alertmanager.yml", configs.alertmanager_config(webhook.url))
        alertmanager = resources.enter_context(
            running(
                "alertmanager",
                [
                    _binary("prometheus-alertmanager", "alertmanager"),
                    f"--config.file={am_config}",
                    f"--storage.path={work / 'alertmanager'}",
                    f"--web.listen-address=127.0.0.1:{am_port}",
                    "--cluster.listen-address=",  # no gossip port: one instance, nothing to peer with
                ],
                url=am_url,
                ready_path="/-/ready",
                log=work / "alertmanager.log",
                timeout=timeout,
            )
        )
        app = resources.enter_context(
            running(
                "demo app",
                [sys.executable, "-m", "examples.demo_app", "--port", str(app_port)],
                url=app_url,
                ready_path="/v1/observability/health",
                log=work / "app.log",
                env=_app_env(prom_url, token, build / "slos.json"),
                timeout=timeout,
            )
        )
        started = time.time()
        prom_config = configs.prometheus_config(
            rules=rules,
            app=f"127.0.0.1:{app_port}",
            alertmanager=f"127.0.0.1:{am_port}",
            interval=interval,
            metrics_path=METRICS_PATH,
            scrape=scrape,
        )
        prometheus = resources.enter_context(
            running(
                "prometheus",
                [
                    _binary("prometheus"),
                    f"--config.file={configs.write(work / 'prometheus.yml', prom_config)}",
                    f"--storage.tsdb.path={work / 'prometheus'}",
                    f"--web.listen-address=127.0.0.1:{prom_port}",
                    f"--web.external-url={prom_url}",  # so the alerts' links point back here
                    *(["--web.enable-lifecycle"] if rules_later else []),
                ],
                url=prom_url,
                ready_path="/-/ready",
                log=work / "prometheus.log",
                timeout=timeout,
            )
        )
        traffic = resources.enter_context(Traffic(app_url, rate))
        stack = Stack(app, prometheus, alertmanager, webhook, traffic, token, work, started, build)
        wait_until(lambda: _scraped(stack.prom), timeout, "the first scrape of the app", stack.logs)
        yield stack
