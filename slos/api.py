"""SLOs of the Aurum API: availability, latency and the scenario cache it serves from."""

from aurum.monitoring import SLO, AlertPolicy, LatencySLI, RatioSLI, build_settings, regex, select
from aurum.observability.catalog import (
    CACHE_OPERATIONS_TOTAL,
    HTTP_REQUEST_DURATION_SECONDS,
    HTTP_REQUESTS_TOTAL,
)

# The build's settings: AURUM_SLO_API_AVAILABILITY_TARGET (ratio) and AURUM_SLO_API_LATENCY_TARGET (ms)
# override the spec's defaults when the build reads them.
TARGETS = build_settings()

API_AVAILABILITY = SLO(
    name="api-availability",
    service="aurum-api",
    description="Share of API requests answered without a server error (5xx).",
    objective=TARGETS.slo_api_availability_target * 100,
    sli=RatioSLI(
        bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")),
        total=select(HTTP_REQUESTS_TOTAL),
    ),
)

API_LATENCY = SLO(
    name="api-latency",
    service="aurum-api",
    description=f"Share of API requests served within {TARGETS.slo_api_latency_target} ms.",
    objective=95,
    sli=LatencySLI(
        histogram=select(HTTP_REQUEST_DURATION_SECONDS),
        threshold=TARGETS.slo_api_latency_target / 1000,
    ),
)

CACHE_HIT_RATE = SLO(
    name="cache-hit-rate",
    service="aurum-api",
    description="Share of scenario cache reads answered from the cache.",
    objective=90,
    sli=RatioSLI(
        bad=select(CACHE_OPERATIONS_TOTAL, operation="get", result="miss"),
        total=select(CACHE_OPERATIONS_TOTAL, operation="get", result=regex("hit|miss")),
    ),
    # A 10 % budget cannot burn 14.4x (the page tier is unreachable), and a cold cache is a
    # ticket, not a reason to wake someone.
    alerting=AlertPolicy(disabled=frozenset({"page"})),
)
