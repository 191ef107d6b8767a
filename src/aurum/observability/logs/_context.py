"""Context carried into every log line of the current request or task: ``request_id``, ``tenant_id``, ...

Two ``ContextVar``s, so a log line costs two lookups (structlog's ``merge_contextvars`` walks every
context variable of the context instead), and ``contextvars`` makes both follow asyncio tasks and
threads started with ``copy_context``:

* the **request's** fields, ``request_id`` and ``tenant_id``, set once per request by the middleware,
  which generates or validates the id and redacts the tenant first: every line of the request copies
  them as they are instead of redacting them again;
* the **bound** fields application code adds with :func:`bound_context`, an immutable mapping that is
  redacted and schema-checked on every line like any caller's field.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar, Token
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = [
    "bind_context",
    "bound_context",
    "bound_fields",
    "current_context",
    "request_fields",
    "reset_context",
    "set_request_context",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_REQUEST: ContextVar[Mapping[str, str] | None] = ContextVar("aurum_request_context", default=None)
_BOUND: ContextVar[Mapping[str, Any]] = ContextVar("aurum_log_context", default=_EMPTY)


def current_context() -> Mapping[str, Any]:
    """Every field bound for the current request or task (read-only): the request's, then bound ones."""
    request = _REQUEST.get()
    bound = _BOUND.get()
    return bound if request is None else MappingProxyType({**request, **bound})


def request_fields() -> Mapping[str, str] | None:
    """The request's ``request_id``/``tenant_id`` as the middleware bound them: already safe to log."""
    return _REQUEST.get()


def bound_fields() -> Mapping[str, Any]:
    """The fields application code bound, to be redacted like any caller's."""
    return _BOUND.get()


def bind_context(**fields: Any) -> Token[Mapping[str, Any]]:
    """Add ``fields`` to the log context; keep the token to undo it with :func:`reset_context`."""
    merged = {**_BOUND.get(), **fields}
    return _BOUND.set(MappingProxyType(merged))


def set_request_context(request_id: str, tenant_id: str | None) -> Token[Mapping[str, str] | None]:
    """Start a request's context (the middleware's hot path: one dict literal, no merge).

    Both values must already be safe to log: they are written unredacted on every line.
    """
    fields = {"request_id": request_id, "tenant_id": tenant_id} if tenant_id else {"request_id": request_id}
    return _REQUEST.set(fields)


def reset_context(token: Token[Any]) -> None:
    """Undo :func:`bind_context` or :func:`set_request_context` (whichever variable the token is of)."""
    token.var.reset(token)


@contextmanager
def bound_context(**fields: Any) -> Iterator[Mapping[str, Any]]:
    """Bind ``fields`` for the duration of the block."""
    token = bind_context(**fields)
    try:
        yield current_context()
    finally:
        _BOUND.reset(token)
