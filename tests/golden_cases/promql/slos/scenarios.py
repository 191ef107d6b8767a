"""A raw PromQL SLI: errors and total as queries with a ``{window}`` placeholder."""

from aurum.monitoring import SLO, PromQLSLI

SCENARIOS = SLO(
    name="scenarios-availability",
    service="scenarios",
    description="Share of scenario API requests answered without a server error, as raw PromQL.",
    objective=99.9,
    sli=PromQLSLI(
        errors='sum(rate(aurum_http_requests_total{path="/api/scenarios",status=~"5.."}[{window}]))',
        total='sum(rate(aurum_http_requests_total{path="/api/scenarios"}[{window}]))',
    ),
)
