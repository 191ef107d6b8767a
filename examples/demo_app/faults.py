"""The failure switches of the demo application.

``make demo`` and the end-to-end test flip them over HTTP (``PUT /demo/faults``) to show each SLO going
bad for a reason an operator would recognise: a failing dependency (server errors), a slow one
(latency), a cold or thrashing cache (misses) and a stuck refresh job (stale data).
"""

from __future__ import annotations

import random

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["STALE_AGE_SECONDS", "FaultSwitches", "Faults", "InjectedFaultError"]

STALE_AGE_SECONDS = 4 * 3600
"""How far back a stuck refresh job's last success is set: past the data-freshness SLO's one hour and
the DatasetStale alert's three, so both see stale data at once instead of an hour later."""


class FaultSwitches(BaseModel):
    """What is broken. A ``PUT`` replaces every switch, so ``{}`` means healthy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    error_rate: float = Field(0.0, ge=0, le=1, description="Share of API requests answered 503.")
    latency_seconds: float = Field(0.0, ge=0, le=10, description="Added to every API request.")
    cache_miss_rate: float = Field(0.0, ge=0, le=1, description="Share of cache reads that miss.")
    stale_data: bool = Field(False, description="The data-refresh job stops refreshing.")


class InjectedFaultError(Exception):
    """A failure the switches asked for; the application answers it with a 503."""


class Faults:
    """The current switches, and the dice that decide whether this request or cache read fails."""

    def __init__(self, switches: FaultSwitches | None = None, seed: int | None = None) -> None:
        self.switches = switches or FaultSwitches()
        self._random = random.Random(seed)

    def maybe_fail(self, what: str) -> None:
        """Raise :class:`InjectedFaultError` with probability ``error_rate``."""
        # random() < 1.0 always holds, so an error rate of 1 is a full outage, not nearly one.
        if self._random.random() < self.switches.error_rate:
            msg = f"injected failure in {what}"
            raise InjectedFaultError(msg)

    def cache_evicted(self) -> bool:
        return self._random.random() < self.switches.cache_miss_rate
