"""Series Prometheus writes itself: queries and tests may use them like catalog metrics.

They are not in :mod:`aurum.observability.catalog` because no Aurum application emits them; the
target-down alert reads ``up`` and the Alert Status dashboard reads ``ALERTS``.
"""

from __future__ import annotations

from aurum.contract import conventions as conv
from aurum.contract.metrics import Label, Metric, MetricType

__all__ = ["ALERTS", "PROMETHEUS_SERIES", "TARGET_LABELS", "UP"]

TARGET_LABELS = ("instance", "job")
"""Labels Prometheus attaches to every series it scrapes, whatever the application exposes."""

UP = Metric(
    base_name="up",
    type=MetricType.GAUGE,
    help="1 when Prometheus' last scrape of the target succeeded, 0 when it failed.",
    unit="",
    prefixed=False,
    labels=(
        Label("job", "Scrape job of the target.", examples=("aurum-api", "aurum-worker")),
        Label("instance", "host:port of the target.", examples=("api-1:8000",)),
    ),
)
ALERTS = Metric(
    base_name="ALERTS",
    type=MetricType.GAUGE,
    help="1 for every pending or firing alert, with the alert's labels.",
    unit="",
    prefixed=False,
    labels=(
        Label(conv.ALERTNAME_LABEL, "Name of the alerting rule.", examples=("ApiHighErrorRate",)),
        Label(conv.ALERTSTATE_LABEL, "State of the alert.", allowed=("pending", "firing")),
        Label(conv.SEVERITY_LABEL, "Severity label of the alert.", examples=("critical", "warning")),
        Label(conv.SLO_LABEL, "SLO of a burn-rate alert.", examples=("api-availability",)),
        Label(conv.SERVICE_LABEL, "Service of a burn-rate alert.", examples=("aurum-api",)),
        Label(conv.TIER_LABEL, "Tier of a burn-rate alert.", examples=("page", "ticket")),
    ),
)
"""The labels above are the ones every build has; the lint adds every label an alert of the build sets."""

PROMETHEUS_SERIES: tuple[Metric, ...] = (UP, ALERTS)
