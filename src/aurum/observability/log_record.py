"""Turning one log event into the published record: fields, redaction, and a line of JSON or text.

Both paths into the log, structlog loggers from :func:`aurum.observability.enhanced_logging.get_logger`
and standard-library ``logging`` from third-party code, go through :func:`finish` and a renderer here,
which is what makes them come out as the same record. Written as plain functions instead of a chain
of structlog processors because a log line is on the hot path: one call does what five processors
would, without the per-processor dispatch.
"""

from __future__ import annotations

import json
import math
import sys
import time
import traceback
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from opentelemetry import trace

from aurum.observability.log_context import current_context
from aurum.observability.log_values import json_form
from aurum.observability.redaction import redact

__all__ = ["finish", "render_console", "render_json", "timestamp"]

_ts_cache: tuple[int, str] = (-1, "")


def timestamp(now: float) -> str:
    """ISO 8601 UTC with milliseconds and ``Z``; the seconds part is formatted once per second."""
    global _ts_cache  # noqa: PLW0603 - a one-entry cache replaced atomically, safe across threads
    second = int(now)
    cached_second, prefix = _ts_cache
    if second != cached_second:
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _ts_cache = (second, prefix)
    return f"{prefix}.{int((now - second) * 1000):03d}Z"


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _exc_info(value: object) -> ExcInfo | None:
    if isinstance(value, BaseException):
        return type(value), value, value.__traceback__
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[1], BaseException):
        return value
    if value:
        info = sys.exc_info()
        return info if info[1] is not None else None
    return None


def add_exception(event: dict[str, Any], exc: BaseException) -> None:
    """The record's error fields for ``exc``: qualified type, message and formatted stack."""
    kind = type(exc)
    event["error_type"] = (
        kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    )
    event["error_message"] = str(exc)
    event["stack"] = "".join(traceback.format_exception(kind, exc, exc.__traceback__))


def finish(event: dict[str, Any], level: str, now: float) -> dict[str, Any]:
    """The redacted record for ``event`` (a dict with ``message`` and ``logger``).

    Built in its published order: timestamp, level, message, logger, then the bound context
    (``request_id``, ``tenant_id``), then the caller's fields (which win over the context's values),
    then trace ids and error fields.
    """
    record: dict[str, Any] = {
        "timestamp": timestamp(now),
        "level": level,
        "message": event.pop("message", ""),
        "logger": event.pop("logger", "root"),
    }
    context = current_context()
    if context:
        record.update(context)
    record.update(event)
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        record.setdefault("trace_id", format(span_context.trace_id, "032x"))
        record.setdefault("span_id", format(span_context.span_id, "016x"))
    if "exc_info" in record:
        info = _exc_info(record.pop("exc_info"))
        if info is not None:
            add_exception(record, info[1])
    return redact(record)


# -- rendering ------------------------------------------------------------------------------------
_MAX_DEPTH = 32


def _plain(value: Any, depth: int, seen: set[int]) -> Any:
    """A JSON-safe copy for the slow path: string keys, no cycles, no NaN, bounded depth."""
    if isinstance(value, str) or value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth >= _MAX_DEPTH:
        return "<max depth>"
    if id(value) in seen:
        return "<cycle>"
    result: dict[str, Any] | list[Any]
    if isinstance(value, Mapping):
        seen.add(id(value))
        result = {str(key): _plain(item, depth + 1, seen) for key, item in value.items()}
    elif isinstance(value, (list, tuple)):
        seen.add(id(value))
        result = [_plain(item, depth + 1, seen) for item in value]
    else:
        fallback = json_form(value)
        return fallback if isinstance(fallback, str) else _plain(fallback, depth + 1, seen)
    seen.discard(id(value))
    return result


_encode = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, default=json_form, separators=(",", ":")
).encode
# JSONEncoder.encode builds a new C encoder on every call; building it once halves a line's
# rendering time. No circular-reference markers (they would be state shared between threads): a
# cycle ends in RecursionError, which sends the record down the slow path below like NaN does.
_c_encoder = getattr(json.encoder, "c_make_encoder", None)
_fast_encode = (
    _c_encoder(None, json_form, json.encoder.encode_basestring, None, ":", ",", False, False, False)
    if _c_encoder is not None
    else None
)


def render_json(event: dict[str, Any]) -> str:
    """One line of JSON; values json cannot encode fall back to strings instead of raising."""
    try:
        return "".join(_fast_encode(event, 0)) if _fast_encode is not None else _encode(event)
    except (TypeError, ValueError, RecursionError):
        # Non-string keys, cycles, NaN, pathological nesting: rebuild a plain copy and retry.
        return _encode(_plain(event, 0, set()))


def render_console(event: dict[str, Any]) -> str:
    """A human-readable line for local development (``AURUM_LOG_FORMAT=console``)."""
    ordered = dict(event)
    stack = ordered.pop("stack", None)
    head = f"{ordered.pop('timestamp', '')} [{ordered.pop('level', ''):<8}] {ordered.pop('message', '')}"
    rest = " ".join(f"{key}={_encode(_plain(value, 0, set()))}" for key, value in ordered.items())
    line = f"{head}  {rest}" if rest else head
    return f"{line}\n{stack.rstrip()}" if stack else line
