"""The stack's configuration files: Prometheus, Alertmanager, and its copy of the built rules.

Everything runs at a short interval so the demo and the test see in seconds what production sees in
minutes; the rules themselves are the build's, unchanged but for one thing (see :func:`copy_rules`).
Configurations are written as JSON, which is YAML too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

__all__ = ["JOB", "alertmanager_config", "copy_rules", "prometheus_config", "write"]

JOB = "aurum-api"
"""The scrape job of the application: the name the AurumMetricsAbsent and AurumTargetDown alerts watch."""


def copy_rules(built: Path, into: Path, *, alerts_every: str | None = None) -> list[Path]:
    """Copy every rule file of ``build/prometheus/rules`` into ``into``, with no group ``interval``
    (or ``alerts_every`` for a group of alerting rules only).

    The SLO long-window groups (``aurum-slo-<slo>-long``) are evaluated every 5 minutes in production,
    and Prometheus starts each group at an offset within its interval, so their first 1d, 3d and 30d
    ratios, period burn rate and budget remaining could take five minutes to appear. Here every group
    runs at the stack's global interval. The one-minute tiles and 5-minute rollups then overlap
    instead of tiling: each event is counted many times, but bad and total events alike, so the
    ratios keep their meaning (the window's edges weigh less). The production files in ``build/``
    are not touched. ``alerts_every`` evaluates the alerts at an interval of their own, as in
    production, while the series they read are recorded at the stack's short one.
    """
    into.mkdir(parents=True, exist_ok=True)
    copied = []
    for source in sorted(built.glob("*.yaml")):
        document: dict[str, Any] = yaml.safe_load(source.read_text())
        for group in document.get("groups", []):
            group.pop("interval", None)
            if alerts_every and all("alert" in rule for rule in group["rules"]):
                group["interval"] = alerts_every
        target = into / source.name
        target.write_text(json.dumps(document, indent=1))
        copied.append(target)
    if not copied:
        msg = f"no rule files in {built}: run the build first (make build)"
        raise FileNotFoundError(msg)
    return copied


def prometheus_config(
    *, rules: Path, app: str, alertmanager: str, interval: str, metrics_path: str, scrape: str | None = None
) -> dict[str, Any]:
    """Scrape the application (``host:port``) every ``scrape`` (default ``interval``) and evaluate
    ``rules/*.yaml`` every ``interval``."""
    scrape = scrape or interval
    return {
        "global": {"scrape_interval": scrape, "evaluation_interval": interval, "scrape_timeout": scrape},
        "rule_files": [str(rules / "*.yaml")],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]},
        "scrape_configs": [
            {"job_name": JOB, "metrics_path": metrics_path, "static_configs": [{"targets": [app]}]}
        ],
    }


def alertmanager_config(webhook_url: str) -> dict[str, Any]:
    """Every alert to the webhook, one notification group per alert and SLO, without the production
    waits (group_wait 30s, group_interval 5m), so an alert reaches the receiver about a second after
    Prometheus sends it."""
    return {
        "route": {
            "receiver": "webhook",
            "group_by": ["alertname", "slo"],
            "group_wait": "1s",
            "group_interval": "1s",
            "repeat_interval": "1h",
        },
        "receivers": [{"name": "webhook", "webhook_configs": [{"url": webhook_url, "send_resolved": True}]}],
    }


def write(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(json.dumps(config, indent=1))
    return path
