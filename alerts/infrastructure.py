"""Alerts on the platform's infrastructure: the database pool, the caches and the rate limiter."""

from aurum.monitoring import Alert, AlertTest, Fired, Series, regex, select, series
from aurum.observability.catalog import (
    CACHE_OPERATIONS_TOTAL,
    DB_POOL_CONNECTIONS,
    RATE_LIMIT_DECISIONS_TOTAL,
)

RUNBOOKS = "https://runbooks.aurum.internal/alerts"

IN_USE = select(DB_POOL_CONNECTIONS, state="in_use")
POOL_SIZE = select(DB_POOL_CONNECTIONS, state="max")
HITS = select(CACHE_OPERATIONS_TOTAL, operation="get", result="hit")
READS = select(CACHE_OPERATIONS_TOTAL, operation="get", result=regex("hit|miss"))
LIMITED = select(RATE_LIMIT_DECISIONS_TOTAL, result="limited")
DECISIONS = select(RATE_LIMIT_DECISIONS_TOTAL)


def _pool(in_use: int) -> tuple[Series, Series]:
    return (
        series(DB_POOL_CONNECTIONS, f"{in_use}x30", pool="primary", state="in_use"),
        series(DB_POOL_CONNECTIONS, "20x30", pool="primary", state="max"),
    )


def _reads(result: str, per_minute: int) -> Series:
    return series(
        CACHE_OPERATIONS_TOTAL, f"0+{per_minute}x40", cache_type="scenario", operation="get", result=result
    )


def _decisions(result: str, per_minute: int) -> Series:
    return series(RATE_LIMIT_DECISIONS_TOTAL, f"0+{per_minute}x30", tenant_id="acme-corp", result=result)


DATABASE_POOL_EXHAUSTED = Alert(
    name="DatabasePoolExhausted",
    expr=f"sum by (pool) ({IN_USE})\n/\nsum by (pool) ({POOL_SIZE}) >= 0.9",
    for_="5m",
    severity="critical",
    summary="A database connection pool is nearly exhausted.",
    description="Pool {{ $labels.pool }} has {{ $value | humanizePercentage }} of its connections in use.",
    runbook_url=f"{RUNBOOKS}/database-pool-exhausted",
    tests=(
        AlertTest(
            name="19 of 20 connections in use",
            series=_pool(19),
            expect={
                "3m": (),
                "10m": (
                    Fired(
                        labels={"pool": "primary"},
                        description="Pool primary has 95% of its connections in use.",
                    ),
                ),
            },
        ),
        AlertTest(name="half the connections in use", series=_pool(10), expect={"10m": (), "20m": ()}),
    ),
)

CACHE_HIT_RATE_LOW = Alert(
    name="CacheHitRateLow",
    # A cache without a single hit has no hit series at all: count it as 0 hits, not as no data.
    expr=(
        f"(sum by (cache_type) (rate({HITS}[10m])) or sum by (cache_type) (rate({READS}[10m])) * 0)\n"
        f"/\nsum by (cache_type) (rate({READS}[10m])) < 0.5"
    ),
    for_="15m",
    severity="warning",
    summary="A cache answers fewer than half of its reads.",
    description=(
        "Only {{ $value | humanizePercentage }} of reads from the {{ $labels.cache_type }} cache "
        "were hits over the last 10 minutes."
    ),
    runbook_url=f"{RUNBOOKS}/cache-hit-rate-low",
    tests=(
        AlertTest(
            name="a fifth of the reads are hits",
            series=(_reads("hit", 20), _reads("miss", 80)),
            expect={
                "10m": (),
                "30m": (
                    Fired(
                        labels={"cache_type": "scenario"},
                        description="Only 20% of reads from the scenario cache were hits over the last 10 minutes.",
                    ),
                ),
            },
        ),
        AlertTest(
            name="no read is a hit",
            series=(_reads("miss", 50),),
            expect={
                "30m": (
                    Fired(
                        labels={"cache_type": "scenario"},
                        description="Only 0% of reads from the scenario cache were hits over the last 10 minutes.",
                    ),
                ),
            },
        ),
        AlertTest(
            name="nine reads in ten are hits",
            series=(_reads("hit", 90), _reads("miss", 10)),
            expect={"30m": (), "40m": ()},
        ),
    ),
)

RATE_LIMITING_SPIKE = Alert(
    name="RateLimitingSpike",
    expr=f"sum by (tenant_id) (rate({LIMITED}[5m]))\n/\nsum by (tenant_id) (rate({DECISIONS}[5m])) > 0.2",
    for_="10m",
    severity="warning",
    summary="The rate limiter rejects more than a fifth of a tenant's requests.",
    description=(
        "{{ $value | humanizePercentage }} of the requests of tenant {{ $labels.tenant_id }} were "
        "rate limited over the last 5 minutes."
    ),
    runbook_url=f"{RUNBOOKS}/rate-limiting-spike",
    tests=(
        AlertTest(
            name="40 % of the requests are limited",
            series=(_decisions("allowed", 60), _decisions("limited", 40)),
            expect={
                "5m": (),
                "20m": (
                    Fired(
                        labels={"tenant_id": "acme-corp"},
                        description=(
                            "40% of the requests of tenant acme-corp were rate limited over the last 5 minutes."
                        ),
                    ),
                ),
            },
        ),
        AlertTest(
            name="5 % of the requests are limited",
            series=(_decisions("allowed", 95), _decisions("limited", 5)),
            expect={"20m": (), "30m": ()},
        ),
    ),
)
