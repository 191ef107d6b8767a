"""Freshness of the data the platform serves."""

from aurum.monitoring import SLO, FreshnessSLI, select
from aurum.observability.catalog import DATA_LAST_UPDATED_TIMESTAMP_SECONDS

DATA_FRESHNESS = SLO(
    name="data-freshness",
    service="aurum-data",
    description="Share of time every dataset was refreshed within the last hour.",
    objective=99,
    sli=FreshnessSLI(gauge=select(DATA_LAST_UPDATED_TIMESTAMP_SECONDS), max_age="1h"),
)
