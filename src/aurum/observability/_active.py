"""The :class:`~aurum.observability.Observability` in force in the current context, if any.

A leaf module (standard library only) because every hot path reads it: the log writer, the metric
helpers, the span helpers. ``None`` means the process default. It is a context variable, so a value
set for a request or a test applies to that thread or task and to the asyncio tasks and thread-pool
calls that copy its context, and never to other threads' work.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aurum.observability._observability import Observability

__all__ = ["ACTIVE"]

ACTIVE: ContextVar[Observability | None] = ContextVar("aurum_observability", default=None)
