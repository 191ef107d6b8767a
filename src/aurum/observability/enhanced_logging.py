"""The spec's logging API: ``get_logger``, ``log_operation`` and ``StructuredLoggingMiddleware``.

Thin entry points: the record is built in :mod:`aurum.observability.logs._record`, wired in
:mod:`aurum.observability.logs._setup`, and the middleware lives in
:mod:`~aurum.observability.middleware`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from aurum.observability import runtime
from aurum.observability.logs._context import bind_context, bound_context, current_context, reset_context
from aurum.observability.logs._schema import LOG_RECORD_SCHEMA
from aurum.observability.logs._setup import AurumLogger, configure_logging, ensure_configured, make_logger
from aurum.observability.middleware import ObservabilityMiddleware, StructuredLoggingMiddleware
from aurum.observability.tracing._span_scope import error_type

if TYPE_CHECKING:
    from types import TracebackType

__all__ = [
    "LOG_RECORD_SCHEMA",
    "AurumLogger",
    "LogOperation",
    "ObservabilityMiddleware",
    "StructuredLoggingMiddleware",
    "bind_context",
    "bound_context",
    "configure_logging",
    "current_context",
    "get_logger",
    "log_operation",
    "reset_context",
]


def get_logger(name: str | None = None, **initial: Any) -> AurumLogger:
    """A structured logger named ``name`` (logging is configured from ``AURUM_*`` on first use)."""
    ensure_configured(runtime.get_settings())
    return make_logger(name or "aurum", **initial)


class LogOperation:
    """Logs an operation's start, its completion with ``duration_ms``, or its failure, then re-raises.

    Works with ``with`` and ``async with``; the ``as`` target is the logger bound to the operation's
    fields, for log lines inside the block.
    """

    __slots__ = ("_bound", "_operation", "_started")

    def __init__(self, logger: AurumLogger, operation: str, fields: dict[str, Any]) -> None:
        self._operation = operation
        self._bound = logger.bind(operation=operation, **fields)
        self._started = 0.0

    def __enter__(self) -> AurumLogger:
        self._bound.info(f"{self._operation} started")
        self._started = time.perf_counter()
        return self._bound

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        duration_ms = round((time.perf_counter() - self._started) * 1000, 3)
        if exc is None:
            self._bound.info(f"{self._operation} completed", duration_ms=duration_ms)
        elif isinstance(exc, Exception):
            self._bound.error(f"{self._operation} failed", duration_ms=duration_ms, exc_info=exc)
        else:
            # Cancellation and interpreter exit are not failures of the operation.
            self._bound.warning(
                f"{self._operation} cancelled", duration_ms=duration_ms, error_type=error_type(exc)
            )

    async def __aenter__(self) -> AurumLogger:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)


def log_operation(
    logger: AurumLogger, operation: str, *, component: str | None = None, **fields: Any
) -> LogOperation:
    """``with``/``async with`` block logging ``operation`` (see :class:`LogOperation`)."""
    if component is not None:
        fields["component"] = component
    return LogOperation(logger, operation, fields)
