"""Extra labels: carried on every recorded series and alert of the SLO (team, tier of service)."""

from aurum.monitoring import SLO, RatioSLI, regex, select
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

SCENARIOS = SLO(
    name="scenarios-availability",
    service="scenarios",
    description="Share of scenario API requests answered without a server error.",
    objective=99.9,
    labels={"team": "payments", "criticality": "high"},
    sli=RatioSLI(
        bad=select(HTTP_REQUESTS_TOTAL, path="/api/scenarios", status=regex("5..")),
        total=select(HTTP_REQUESTS_TOTAL, path="/api/scenarios"),
    ),
)
