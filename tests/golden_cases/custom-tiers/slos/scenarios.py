"""Custom tiers: one fast page window and a named 'notify' tier with a severity of its own."""

from decimal import Decimal

from aurum.monitoring import SLO, AlertPolicy, AlertTier, BurnWindow, RatioSLI, regex, select
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
    alerting=AlertPolicy(
        tiers=(
            AlertTier(name="page", windows=(BurnWindow(long="1h", short="5m", budget_percent=Decimal(2)),)),
            AlertTier(
                name="notify",
                severity="info",
                windows=(BurnWindow(long="2d", short="4h", budget_percent=Decimal(15)),),
            ),
        )
    ),
)
