"""A 28-day period: the period's recorded window is 28d, and each tier's burn factor scales with it."""

from aurum.monitoring import SLO, RatioSLI, regex, select
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

SCENARIOS = SLO(
    name="scenarios-availability",
    service="scenarios",
    description="Share of scenario API requests answered without a server error, over four weeks.",
    objective=99.9,
    period_days=28,
    sli=RatioSLI(
        bad=select(HTTP_REQUESTS_TOTAL, path="/api/scenarios", status=regex("5..")),
        total=select(HTTP_REQUESTS_TOTAL, path="/api/scenarios"),
    ),
)
