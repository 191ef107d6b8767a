"""A tier with ``for``: the page alert must hold for 2m before it fires."""

from aurum.monitoring import PAGE, SLO, TICKET, AlertPolicy, RatioSLI, regex, select
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
    alerting=AlertPolicy(tiers=(PAGE.model_copy(update={"for_": 120}), TICKET)),
)
