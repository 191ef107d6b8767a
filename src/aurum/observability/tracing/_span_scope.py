"""A span as a context manager usable with both ``with`` and ``async with``.

The spec's helpers are written ``async with trace_...(...)`` in application code, and synchronous code
needs them too; one small class serves both. It is also leaner than ``start_as_current_span``, which
goes through two generator-based context managers: here entering is ``start_span`` plus one context
attach, leaving is one detach plus ``end``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from opentelemetry import context as context_api
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

if TYPE_CHECKING:
    from contextvars import Token
    from types import TracebackType

    from opentelemetry.context import Context
    from opentelemetry.util.types import Attributes

__all__ = ["SpanScope", "error_type", "mark_failed"]


def error_type(exc: BaseException) -> str:
    """The semantic-conventions ``error.type`` of an exception: its fully qualified class name.

    The one definition: span attributes and the log record's ``error_type`` field both use it, so a
    log line and its span name an exception the same way.
    """
    kind = type(exc)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def mark_failed(span: Span, exc: Exception) -> None:
    """Record ``exc`` on ``span`` as the conventions ask: an ``exception`` event, ``error.type``, ERROR."""
    span.record_exception(exc)
    span.set_attribute("error.type", error_type(exc))
    span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))


class SpanScope:
    """Starts a span on entry, makes it current, and on exit records any exception and ends it.

    Subclasses add work at the end of the span (metrics, slow-query logs) in :meth:`_finish`.
    """

    __slots__ = ("_attributes", "_kind", "_name", "_parent", "_span", "_started", "_token", "_tracer")

    def __init__(
        self,
        tracer: trace.Tracer,
        name: str,
        *,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Attributes = None,
        parent: context_api.Context | None = None,
    ) -> None:
        self._tracer = tracer
        self._name = name
        self._kind = kind
        # Given at start so that samplers see them, and one dict beats N set_attribute calls.
        self._attributes = attributes
        self._parent = parent
        self._span: Span = trace.INVALID_SPAN
        self._token: Token[Context] | None = None
        self._started = 0.0

    @property
    def span(self) -> Span:
        return self._span

    def set_attribute(self, key: str, value: Any) -> None:
        self._span.set_attribute(key, value)

    def __getattr__(self, name: str) -> Any:
        # add_event, set_status, record_exception, ...: the scope stands in for its span.
        return getattr(self._span, name)

    def __enter__(self) -> SpanScope:
        self._started = time.perf_counter()
        span = self._tracer.start_span(
            self._name, context=self._parent, kind=self._kind, attributes=self._attributes
        )
        self._span = span
        self._token = context_api.attach(trace.set_span_in_context(span))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        span = self._span
        try:
            # Only Exception is an error: GeneratorExit, KeyboardInterrupt and CancelledError are not.
            if isinstance(exc, Exception) and span.is_recording():
                mark_failed(span, exc)
            # Still current here, so what _finish logs carries this span's trace id.
            self._finish(exc, time.perf_counter() - self._started)
        finally:
            if self._token is not None:
                context_api.detach(self._token)
            span.end()

    async def __aenter__(self) -> SpanScope:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    def _finish(self, exc: BaseException | None, seconds: float) -> None:
        """Hook for subclasses: runs before the span ends, with the block's duration."""
