"""A freshness SLI: the share of time the curves were refreshed within the last 30 minutes."""

from aurum.monitoring import SLO, FreshnessSLI, select
from aurum.observability.catalog import DATA_LAST_UPDATED_TIMESTAMP_SECONDS

CURVES = SLO(
    name="curves-freshness",
    service="data",
    description="Share of time the curves were refreshed within the last 30 minutes.",
    objective=99,
    sli=FreshnessSLI(gauge=select(DATA_LAST_UPDATED_TIMESTAMP_SECONDS, dataset="curves"), max_age="30m"),
)
