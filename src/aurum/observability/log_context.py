"""Context carried into every log line of the current request or task: ``request_id``, ``tenant_id``, ...

One ``ContextVar`` holding an immutable mapping, set by the middleware per request and extendable by
application code with :func:`bound_context`. A single variable keeps the per-line cost to one lookup
(structlog's ``merge_contextvars`` walks every context variable of the context instead), and
``contextvars`` makes it follow asyncio tasks and threads started with ``copy_context``.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar, Token
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = [
    "RequestContext",
    "bind_context",
    "bound_context",
    "current_context",
    "reset_context",
    "set_request_context",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_LOG_CONTEXT: ContextVar[Mapping[str, Any]] = ContextVar("aurum_log_context", default=_EMPTY)


def current_context() -> Mapping[str, Any]:
    """The fields bound for the current request or task (read-only)."""
    return _LOG_CONTEXT.get()


def bind_context(**fields: Any) -> Token[Mapping[str, Any]]:
    """Add ``fields`` to the log context; keep the token to undo it with :func:`reset_context`."""
    merged = {**_LOG_CONTEXT.get(), **fields}
    return _LOG_CONTEXT.set(MappingProxyType(merged))


class RequestContext(dict[str, str]):
    """A request's ``request_id`` and ``tenant_id`` as the middleware binds them: already safe to log.

    The middleware generates or validates the id and redacts the tenant once per request, so every log
    line of the request copies these fields as they are instead of redacting them again; anything
    bound on top of them (:func:`bind_context`) is an ordinary mapping and is redacted per line.
    """

    __slots__ = ()


def set_request_context(request_id: str, tenant_id: str | None) -> Token[Mapping[str, Any]]:
    """Start a request's context (the middleware's hot path: one dict, no merge).

    Both values must already be safe to log (see :class:`RequestContext`).
    """
    fields = RequestContext(request_id=request_id)
    if tenant_id:
        fields["tenant_id"] = tenant_id
    return _LOG_CONTEXT.set(fields)


def reset_context(token: Token[Mapping[str, Any]]) -> None:
    _LOG_CONTEXT.reset(token)


@contextmanager
def bound_context(**fields: Any) -> Iterator[Mapping[str, Any]]:
    """Bind ``fields`` for the duration of the block."""
    token = bind_context(**fields)
    try:
        yield _LOG_CONTEXT.get()
    finally:
        _LOG_CONTEXT.reset(token)
