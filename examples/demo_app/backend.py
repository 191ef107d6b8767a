"""What the demo's API stands on, simulated in memory: a database behind a connection pool, a
scenario cache and a per-tenant rate limiter.

Each one is instrumented the way a real one would be, through the runtime shim, so every metric the
dashboards read has a producer: query latency by operation and table, pool connections by state,
cache reads by result and rate-limit decisions by tenant.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import OrderedDict
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aurum.observability.metrics import increment_rate_limit_decision, set_db_pool_connections
from aurum.observability.tracing_enhanced import trace_cache_operation, trace_database_query

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from examples.demo_app.faults import Faults

__all__ = ["Database", "RateLimiter", "Scenario", "ScenarioCache"]


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    name: str
    tenant_id: str
    created_at: float = field(default_factory=time.time)


class Database:
    """Scenarios in a dict, reached through a bounded pool, each query a few milliseconds long."""

    def __init__(self, pool: str = "primary", size: int = 10, seed: int | None = None) -> None:
        self.scenarios: dict[str, Scenario] = {}
        self._pool, self._size, self._in_use = pool, size, 0
        self._slots = asyncio.Semaphore(size)
        self._random = random.Random(seed)
        self._publish()

    def _publish(self) -> None:
        set_db_pool_connections(
            self._pool, in_use=self._in_use, idle=self._size - self._in_use, max_size=self._size
        )

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[None]:
        async with self._slots:
            self._in_use += 1
            self._publish()
            try:
                yield
            finally:
                self._in_use -= 1
                self._publish()

    async def query(self, operation: str, table: str, tenant_id: str) -> None:
        """One round trip: the span and the latency histogram come from ``trace_database_query``."""
        async with self._connection(), trace_database_query(operation, table=table, tenant_id=tenant_id):
            await asyncio.sleep(self._random.uniform(0.002, 0.01))


class ScenarioCache:
    """An LRU cache of scenarios; the fault switches can make reads miss as if entries were evicted."""

    def __init__(self, faults: Faults, capacity: int = 1024) -> None:
        self._faults = faults
        self._capacity = capacity
        self._items: OrderedDict[str, Scenario] = OrderedDict()

    async def get(self, key: str) -> Scenario | None:
        operation = trace_cache_operation("get", cache_type="scenario", key=key)
        async with operation:
            found = self._items.get(key)
            if found is None or self._faults.cache_evicted():
                operation.miss()
                return None
            self._items.move_to_end(key)
            operation.hit()
            return found

    async def set(self, scenario: Scenario) -> None:
        # A set has no hit or miss: the shim traces it without counting it (see CacheOperationScope).
        async with trace_cache_operation("set", cache_type="scenario", key=scenario.id):
            self._items[scenario.id] = scenario
            self._items.move_to_end(scenario.id)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)


class RateLimiter:
    """A token bucket per tenant: ``rate`` requests a second on average, bursts of up to ``burst``."""

    def __init__(self, rate: float = 20.0, burst: float = 20.0) -> None:
        self._rate, self._burst = rate, burst
        self._buckets: dict[str, tuple[float, float]] = {}

    def admit(self, tenant_id: str) -> bool:
        now = time.monotonic()
        tokens, since = self._buckets.get(tenant_id, (self._burst, now))
        tokens = min(self._burst, tokens + (now - since) * self._rate)
        allowed = tokens >= 1
        self._buckets[tenant_id] = (tokens - 1 if allowed else tokens, now)
        increment_rate_limit_decision(tenant_id, "allowed" if allowed else "limited")
        return allowed
