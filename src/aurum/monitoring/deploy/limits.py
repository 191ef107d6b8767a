"""The bounds of one deploy: the longest ``Retry-After`` honoured, and a deadline for the whole deploy.

Without them a single ``429`` with ``Retry-After: 3600`` stalls a deploy for an hour. One
:class:`DeployLimits` is made per deploy (``--max-retry-after``, ``--deadline``) and shared by its HTTP
client and its confirmation loops; every wait goes through :meth:`DeployLimits.wait`, which never
sleeps past the deadline, and every bound that was hit is noted so the summary can say so. The clock is
injectable, so tests run with a fake one and never sleep for long.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from aurum.monitoring.deploy.errors import DeployError

__all__ = [
    "DEFAULT_MAX_RETRY_AFTER",
    "Clock",
    "DeadlineExceededError",
    "DeployLimits",
    "SystemClock",
]

DEFAULT_MAX_RETRY_AFTER = 60.0
"""Seconds: the longest ``Retry-After`` a deploy waits by default (``--max-retry-after``)."""


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float, /) -> None: ...


class SystemClock:
    """The real clock."""

    @staticmethod
    def monotonic() -> float:
        return time.monotonic()

    @staticmethod
    def sleep(seconds: float, /) -> None:
        time.sleep(seconds)


class DeadlineExceededError(DeployError):
    """The deploy's deadline passed (or a wait would pass it): the step fails, and so does every later
    one at its first request, so the summary lists what was done before and what was not."""


@dataclass
class DeployLimits:
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER
    """The longest wait a ``Retry-After`` header gets; a longer one is cut to this and noted."""
    deadline: float | None = None
    """Seconds the whole deploy may take, from this object's creation; None: no deadline."""
    clock: Clock = field(default_factory=SystemClock)
    notes: list[str] = field(default_factory=list)
    """Every bound that was hit, in order, for the summary."""
    started: float = field(init=False)
    _overtime: bool = field(default=False, init=False)
    _reached: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.started = self.clock.monotonic()

    @contextmanager
    def overtime(self) -> Iterator[None]:
        """No deadline inside the block: for putting things back (a rollback's reload), which must
        happen even after the deadline. Its requests are still bounded by their timeouts and retries."""
        self._overtime = True
        try:
            yield
        finally:
            self._overtime = False

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never negative); None without a deadline."""
        if self.deadline is None or self._overtime:
            return None
        return max(0.0, self.deadline - (self.clock.monotonic() - self.started))

    def check(self, doing: str) -> None:
        """Raise :class:`DeadlineExceededError` if the deadline has passed (or a wait was refused)."""
        if self._overtime or self.deadline is None:
            return
        if self._reached:
            msg = f"the deploy's deadline of {self.deadline:g}s (--deadline) was reached earlier; {doing} not sent"
            raise DeadlineExceededError(msg)
        if self.remaining() == 0.0:
            self._exceeded(f"before {doing}")

    def wait(self, seconds: float, doing: str) -> None:
        """Sleep ``seconds``, unless that would pass the deadline: then stop the deploy now."""
        left = self.remaining()
        if left is not None and seconds >= left:
            self._exceeded(f"waiting {seconds:g}s to {doing} would pass it")
        if seconds > 0:
            self.clock.sleep(seconds)

    def capped_retry_after(self, asked: float, doing: str) -> None:
        self.notes.append(
            f"{doing}: the server asked to wait {asked:g}s (Retry-After); waited {self.max_retry_after:g}s, "
            "the cap (--max-retry-after)"
        )

    def _exceeded(self, why: str) -> None:
        # Reached once for all: every later request fails at once instead of starting new waits.
        self._reached = True
        note = f"the deploy's deadline of {self.deadline:g}s (--deadline) was reached: {why}"
        self.notes.append(note)
        raise DeadlineExceededError(note)
