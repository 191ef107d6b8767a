"""Series Prometheus writes itself: queries and tests may use them like catalog metrics.

They are not in :mod:`aurum.observability.catalog` because no Aurum application emits them; the
target-down alert reads ``up`` and the Alert Status dashboard reads ``ALERTS``.
"""

from __future__ import annotations

from aurum.observability.catalog import Label, Metric, MetricType

__all__ = ["ALERTS", "PROMETHEUS_SERIES", "TARGET_LABELS", "UP"]

TARGET_LABELS = ("instance", "job")
"""Labels Prometheus attaches to every series it scrapes, whatever the application exposes."""

UP = Metric(
    name="up",
    type=MetricType.GAUGE,
    help="1 when Prometheus' last scrape of the target succeeded, 0 when it failed.",
    unit="",
    labels=(
        Label("job", "Scrape job of the target.", examples=("aurum-api", "aurum-worker")),
        Label("instance", "host:port of the target.", examples=("api-1:8000",)),
    ),
)
ALERTS = Metric(
    name="ALERTS",
    type=MetricType.GAUGE,
    help="1 for every pending or firing alert, with the alert's labels.",
    unit="",
    labels=(
        Label("alertname", "Name of the alerting rule.", examples=("ApiHighErrorRate",)),
        Label("alertstate", "State of the alert.", allowed=("pending", "firing")),
        Label("severity", "Severity label of the alert.", examples=("critical", "warning")),
        Label("slo", "SLO of a burn-rate alert.", examples=("api-availability",)),
        Label("service", "Service of a burn-rate alert.", examples=("aurum-api",)),
        Label("tier", "Tier of a burn-rate alert.", examples=("page", "ticket")),
    ),
)
"""The labels above are the ones every build has; the lint adds every label an alert of the build sets."""

PROMETHEUS_SERIES: tuple[Metric, ...] = (UP, ALERTS)
