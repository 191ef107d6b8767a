"""A latency SLI: the share of requests served within a histogram bucket (0.25 s)."""

from decimal import Decimal

from aurum.monitoring import SLO, LatencySLI, select
from aurum.observability.catalog import HTTP_REQUEST_DURATION_SECONDS

SCENARIOS = SLO(
    name="scenarios-latency",
    service="scenarios",
    description="Share of scenario API requests served within 250 ms.",
    objective=99,
    sli=LatencySLI(
        histogram=select(HTTP_REQUEST_DURATION_SECONDS, path="/api/scenarios"),
        threshold=Decimal("0.25"),
    ),
)
