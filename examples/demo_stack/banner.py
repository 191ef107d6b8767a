"""What ``make demo`` prints: where everything listens, how to look at it and how to break it.

Every link is one the running services answer (the test opens each): Prometheus's pages are where this
Prometheus serves them, which for Debian's 2.42 is under ``/classic/``.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from examples.demo_stack.stack import METRICS_PATH, Stack

__all__ = ["banner", "grafana_command", "report_command", "ui_links"]

PROMETHEUS_PAGES = ("alerts", "rules", "targets", "graph")


def ui_links(stack: Stack) -> dict[str, str]:
    prefix = stack.prom.ui_prefix()
    return {page: f"{stack.prometheus.url}{prefix}/{page}" for page in PROMETHEUS_PAGES}


def report_command(stack: Stack, out: str = "slo-report", program: str = ".venv/bin/aurum-obs") -> str:
    """``aurum-obs report`` over what this stack's Prometheus has seen since it started (run from the
    repository root: the SLOs are the declarations there)."""
    return f"{program} report --prometheus {stack.prometheus.url} --from {stack.started:.0f} --out {shlex.quote(out)}"


def grafana_command(stack: Stack, build: Path) -> str:
    """A Grafana with the build's dashboards and a data source reading this Prometheus: nothing to click.

    ``--network host``: the stack listens on loopback only, which a container reaches only that way.
    """
    grafana = build.resolve() / "grafana"
    mounts = [
        f"{grafana / 'dashboards'}:/var/lib/grafana/dashboards/aurum:ro",
        f"{grafana / 'provisioning' / 'dashboards.yaml'}:/etc/grafana/provisioning/dashboards/aurum.yaml:ro",
        f"{grafana / 'provisioning' / 'datasources.yaml'}:/etc/grafana/provisioning/datasources/aurum.yaml:ro",
    ]
    parts = ["docker run --rm --network host", f"-e AURUM_PROMETHEUS_URL={stack.prometheus.url}"]
    parts += [f"-v {shlex.quote(mount)}" for mount in mounts]
    return " \\\n      ".join([*parts, "grafana/grafana"])


def banner(stack: Stack, build: Path) -> str:
    app = stack.app.url
    faults = f"curl -X PUT {app}/demo/faults -H 'Content-Type: application/json' -d"
    links = ui_links(stack)
    return f"""
Aurum demo: everything on loopback, Ctrl-C stops it all.

  demo app       {app}/docs
  its metrics    {app}{METRICS_PATH}
  SLO status     curl -H 'Authorization: Bearer {stack.token}' {app}/v1/observability/slos
  Prometheus     {links["alerts"]}
                 {links["rules"]}
                 {links["targets"]}
                 {links["graph"]}
  Alertmanager   {stack.alertmanager.url}
  webhook log    {stack.webhook.log}
  process logs   {stack.workdir}/{{app,prometheus,alertmanager}}.log

Break it (each PUT replaces every switch; '{{}}' heals):
  {faults} '{{"error_rate": 1}}'          # outage: ApiAvailabilityErrorBudgetBurnPage fires within seconds
  {faults} '{{"latency_seconds": 0.8}}'   # slow: the api-latency SLI goes bad
  {faults} '{{"cache_miss_rate": 0.5}}'   # cache-hit-rate drops (a ticket-tier SLO)
  {faults} '{{"stale_data": true}}'       # data-freshness goes bad at once
  {faults} '{{}}'

See it:
  the SLO report (HTML with plots, and Markdown) of everything since the demo started:
    {report_command(stack)}
  Grafana with every dashboard reading this Prometheus (then http://localhost:3000, admin/admin):
    {grafana_command(stack, build)}
"""
