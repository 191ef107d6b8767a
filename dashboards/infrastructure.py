"""Infrastructure: is the database fast and its pool healthy, do the caches hit, who is rate limited?"""

from aurum.monitoring import select
from aurum.monitoring.dashboards import ALERT_STATUS_UID, PLATFORM_FOLDER, Board, Row, link_to, series, steps
from aurum.observability import catalog
from aurum.observability.catalog import (
    CACHE_OPERATIONS_TOTAL,
    DB_POOL_CONNECTIONS,
    DB_QUERY_DURATION_SECONDS,
    RATE_LIMIT_DECISIONS_TOTAL,
)

DB_BUCKETS = select(DB_QUERY_DURATION_SECONDS).series("bucket")
IN_USE = select(DB_POOL_CONNECTIONS, state="in_use")
POOL_SIZE = select(DB_POOL_CONNECTIONS, state="max")
READS = select(CACHE_OPERATIONS_TOTAL, operation="get")
DECISIONS = select(RATE_LIMIT_DECISIONS_TOTAL)
LIMITED = select(RATE_LIMIT_DECISIONS_TOTAL, result="limited")

SATURATION_STEPS = steps("green", (0.75, "orange"), (0.9, "red"))  # DatabasePoolExhausted fires at 0.9
QUERY_LATENCY_STEPS = steps("green", (0.25, "orange"), (1, "red"))


def _query_latency(quantile: str, by: str) -> str:
    return f"histogram_quantile({quantile}, sum by (le, {by}) (rate({DB_BUCKETS}[$__rate_interval])))"


INFRASTRUCTURE = Board(
    uid="aurum-infrastructure",
    title="Infrastructure",
    folder=PLATFORM_FOLDER,
    tags=("aurum", "infrastructure"),
    description="Database query latency, connection pool use and saturation, cache hits, rate limiting.",
    links=(link_to(ALERT_STATUS_UID, "Alert Status"),),
    rows=(
        Row(
            title="Database",
            panels=(
                series("P95 query latency by operation", _query_latency("0.95", "operation"), "{{operation}}", "s",
                       QUERY_LATENCY_STEPS),
                series("P99 query latency by table", _query_latency("0.99", "table"), "{{table}}", "s",
                       QUERY_LATENCY_STEPS),
            ),
        ),
        Row(
            title="Connection pool",
            panels=(
                series("Connections by state", f"sum by (pool, state) ({DB_POOL_CONNECTIONS.name})",
                       "{{pool}} {{state}}", "short", steps("blue")),
                series("Pool saturation", f"sum by (pool) ({IN_USE})\n/\nsum by (pool) ({POOL_SIZE})", "{{pool}}",
                       "percentunit", SATURATION_STEPS),
            ),
        ),
        Row(
            title="Cache",
            panels=(
                series("Hit ratio by cache", catalog.CACHE_HIT_RATIO_BY_CACHE, "{{cache_type}}", "percentunit",
                       steps("red", (0.5, "orange"), (0.9, "green"))),
                series("Reads by result", f"sum by (cache_type, result) (rate({READS}[$__rate_interval]))",
                       "{{cache_type}} {{result}}", "ops", steps("blue")),
            ),
        ),
        Row(
            title="Rate limiting",
            panels=(
                series("Decisions", f"sum by (result) (rate({DECISIONS}[$__rate_interval]))", "{{result}}", "ops",
                       steps("blue"), stacking={"mode": "normal", "group": "A"}, fillOpacity=30),
                series("Limited share by tenant",
                       f"sum by (tenant_id) (rate({LIMITED}[$__rate_interval]))\n/\n"
                       f"sum by (tenant_id) (rate({DECISIONS}[$__rate_interval]))",
                       "{{tenant_id}}", "percentunit", steps("green", (0.2, "red"))),  # RateLimitingSpike
            ),
        ),
    ),
)  # fmt: skip
