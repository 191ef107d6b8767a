"""Series Prometheus writes itself, and the labels it attaches to every scraped series.

They are not in :mod:`aurum.observability.catalog` because no Aurum application emits them; they
form their own catalogs (see :mod:`aurum.contract.catalogs`): the target-down alert reads ``up``
and the Alert Status dashboard reads ``ALERTS``.
"""

from __future__ import annotations

from aurum.contract import conventions as conv
from aurum.contract.metrics import Label, Metric, MetricType

__all__ = [
    "ALERTS",
    "INSTANCE",
    "JOB",
    "PROMETHEUS_SERIES",
    "SCRAPE_LABELS",
    "SCRAPE_SERIES",
    "TARGET_LABELS",
    "UP",
]

JOB = Label("job", "Scrape job of the target.", examples=("aurum-api", "aurum-worker"))
INSTANCE = Label("instance", "host:port of the target.", examples=("api-1:8000",))
SCRAPE_LABELS = (INSTANCE, JOB)
"""Labels Prometheus attaches to every series it scrapes, whatever the application exposes."""
TARGET_LABELS = tuple(label.name for label in SCRAPE_LABELS)

UP = Metric(
    base_name="up",
    type=MetricType.GAUGE,
    help="1 when Prometheus' last scrape of the target succeeded, 0 when it failed.",
    unit="",
    prefixed=False,
    labels=(JOB, INSTANCE),
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


def _scrape(name: str, help_text: str, unit: str) -> Metric:
    # Written by Prometheus for every target it scrapes: only the target labels.
    return Metric(base_name=name, type=MetricType.GAUGE, help=help_text, unit=unit, labels=())


SCRAPE_SERIES: tuple[Metric, ...] = (
    _scrape("scrape_duration_seconds", "Seconds the last scrape of the target took.", "seconds"),
    _scrape("scrape_samples_scraped", "Samples the target exposed at the last scrape.", "samples"),
    _scrape(
        "scrape_samples_post_metric_relabeling",
        "Samples left after metric relabelling at the last scrape.",
        "samples",
    ),
    _scrape(
        "scrape_series_added", "Series the last scrape added that the previous one did not have.", "series"
    ),
)
"""The series Prometheus writes beside ``up`` for every target."""

PROMETHEUS_SERIES: tuple[Metric, ...] = (UP, ALERTS, *SCRAPE_SERIES)
