"""A disabled tier: the default tiers with the ticket tier switched off (no ticket alert, no test)."""

from aurum.monitoring import SLO, AlertPolicy, RatioSLI, regex, select
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

SCENARIOS = SLO(
    name="scenarios-availability",
    service="scenarios",
    description="Share of scenario API requests answered without a server error.",
    objective=99.9,
    sli=RatioSLI(
        bad=select(HTTP_REQUESTS_TOTAL, path="/api/scenarios", status=regex("5..")),
        total=select(HTTP_REQUESTS_TOTAL, path="/api/scenarios"),
    ),
    alerting=AlertPolicy(disabled=frozenset({"ticket"})),
)
