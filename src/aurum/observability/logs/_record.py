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
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import orjson
from opentelemetry import trace
from opentelemetry.trace import INVALID_SPAN

from aurum.observability.log_fields import LOG_FIELDS
from aurum.observability.logs._context import bound_fields, request_fields
from aurum.observability.logs._redaction import (
    REDACTED,
    is_auth_key,
    is_secret_key,
    redact_auth,
    redact_key,
    redact_string,
    redact_value,
)
from aurum.observability.logs._values import (
    MAX_INT_BITS,
    json_form,
    propagate_interrupt,
    safe_text,
    unrepresentable,
    valid_text,
)
from aurum.observability.tracing._span_scope import error_type

__all__ = [
    "ERROR_FIELDS",
    "RENAMED_PREFIX",
    "SHIM_FIELDS",
    "fallback_record",
    "finish",
    "render_console",
    "render_json",
    "timestamp",
]

_ts_cache: tuple[int, str] = (-1, "")


def timestamp(now: float) -> str:
    """ISO 8601 UTC with milliseconds and ``Z``, formatted once per millisecond.

    A busy process writes many lines in the same millisecond; they share one string.
    """
    global _ts_cache  # noqa: PLW0603 - a one-entry cache replaced atomically, safe across threads
    millis = int(now * 1000)
    cached_millis, text = _ts_cache
    if millis != cached_millis:
        second, fraction = divmod(millis, 1000)
        text = f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(second))}.{fraction:03d}Z"
        _ts_cache = (millis, text)
    return text


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


# -- the record's own fields ----------------------------------------------------------------------
SHIM_FIELDS = frozenset({"timestamp", "level", "message", "logger", "trace_id", "span_id", "log_error"})
"""Fields only the shim writes. A caller's field of one of these names (keyword, bound value, bound
context or ``extra=``) is written as ``caller_<name>`` instead: it can neither pass for the record's
own value nor skip redaction."""
ERROR_FIELDS = frozenset({"error_type", "error_message", "stack"})
"""Written by the shim for an exception; a caller's field of these names is renamed when it does."""
RENAMED_PREFIX = "caller_"


def _never(value: object) -> bool:
    return False


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_duration(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < math.inf


# A caller's value may stand under a published field's name only if it is what the schema promises
# there (a string for component, a non-negative number for duration_ms, ...); otherwise it is
# renamed, so every line validates against the published schema whatever the caller passes.
_CHECK_BY_TYPE: dict[tuple[str, ...], Callable[[object], bool]] = {
    ("string",): _is_text,
    ("number",): _is_duration,
}
_ACCEPTS = {field.name: _CHECK_BY_TYPE[field.json_types] for field in LOG_FIELDS} | dict.fromkeys(
    SHIM_FIELDS, _never
)


def _free_name(key: str, record: Mapping[str, Any], fields: Mapping[str, Any]) -> str:
    name = RENAMED_PREFIX + key
    while name in record or name in fields:
        name = RENAMED_PREFIX + name
    return name


# Per field name: whether it names a secret, the check its value must pass to keep a published name
# (None for other names), the name as written (credentials cut out of it), and whether it names an
# ``auth`` value. Field names repeat on every line, so each is classified once; a name that held a
# credential is not remembered.
_KeyPlan = tuple[bool, Callable[[object], bool] | None, str, bool]
_plans: dict[str, _KeyPlan] = {}
_PLANS_LIMIT = 4096


def _plan(key: str) -> _KeyPlan:
    written = redact_key(key)
    plan = (is_secret_key(key), _ACCEPTS.get(key), written, is_auth_key(key))
    if len(_plans) < _PLANS_LIMIT and written is key:
        _plans[key] = plan
    return plan


def _add_fields(record: dict[str, Any], fields: Mapping[str, Any], renamed: frozenset[str]) -> None:
    """Copy the caller's ``fields`` into ``record``, renamed where they clash and redacted."""
    for key, value in fields.items():
        written = key
        try:
            secret, accepts, written, auth = _plans.get(key) or _plan(key)
            if accepts is not None and (key in renamed or not accepts(value)):
                written = _free_name(key, record, fields)
                secret = is_secret_key(written)
            if secret:
                record[written] = REDACTED
            elif type(value) is str and not auth:  # most values: skip redact_value's dispatch on type
                record[written] = redact_string(value)
            else:
                record[written] = redact_auth(value) if auth else redact_value(value)
        except BaseException as error:  # a hostile value (items(), __iter__ or even __class__ raising)
            propagate_interrupt(error)
            record[safe_text(written)] = unrepresentable(value, "redaction", error)


def add_exception(event: dict[str, Any], exc: BaseException) -> None:
    """The record's error fields for ``exc``: qualified type, message and formatted stack (redacted)."""
    event["error_type"] = error_type(exc)
    # safe_text: an exception whose __str__ raises still gets its line (traceback prints it as
    # "<exception str() failed>").
    event["error_message"] = redact_string(safe_text(exc))
    try:
        stack = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    except BaseException as error:  # a hostile __cause__/__notes__ chain
        propagate_interrupt(error)
        stack = unrepresentable(exc, "traceback", error)
    event["stack"] = redact_string(valid_text(stack))


_NO_RENAMES: frozenset[str] = frozenset()


def finish(  # noqa: PLR0917 - called positionally on every log line: keyword matching costs
    fields: Mapping[str, Any], message: str, logger: str, level: str, now: float, exc_info: object = None
) -> dict[str, Any]:
    """The redacted record: the shim's own fields around the caller's ``fields``.

    Built in its published order: timestamp, level, message, logger, then the request's fields
    (``request_id``, ``tenant_id``, vetted by the middleware and copied as they are), then fields bound
    with ``bound_context``, then the caller's fields (which win over the context's values),
    then trace ids and, for ``exc_info`` (an exception, an ``exc_info`` tuple, or true for the one
    being handled), the error fields. Only the values the shim generates itself (timestamp, level,
    logger name, ids) skip redaction; see :data:`SHIM_FIELDS` for what happens to clashing names.
    """
    record: dict[str, Any] = {
        "timestamp": timestamp(now),
        "level": level,
        "message": redact_string(message),
        "logger": logger,
    }
    info = _exc_info(exc_info) if exc_info is not None else None
    renamed = ERROR_FIELDS if info is not None else _NO_RENAMES
    request = request_fields()
    if request is not None:
        record.update(request)  # vetted once per request by the middleware
    bound = bound_fields()
    if bound:
        _add_fields(record, bound, renamed)
    _add_fields(record, fields, renamed)
    span = trace.get_current_span()
    if span is not INVALID_SPAN:  # no span at all is the common case, and the cheapest test
        span_context = span.get_span_context()
        if span_context.is_valid:
            record["trace_id"] = format(span_context.trace_id, "032x")
            record["span_id"] = format(span_context.span_id, "016x")
    if info is not None:
        add_exception(record, info[1])
    return record


# -- rendering ------------------------------------------------------------------------------------
_MAX_DEPTH = 32


def _plain(value: Any, depth: int, seen: set[int]) -> Any:  # noqa: PLR0911 - one return per kind
    """A JSON-safe copy for the slow path: string keys, no cycles, no NaN, bounded depth."""
    if isinstance(value, str):
        return valid_text(value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if value.bit_length() <= MAX_INT_BITS else json_form(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth >= _MAX_DEPTH:
        return "<max depth>"
    if id(value) in seen:
        return "<cycle>"
    result: dict[str, Any] | list[Any]
    if isinstance(value, Mapping):
        seen.add(id(value))
        result = {safe_text(key): _plain(item, depth + 1, seen) for key, item in value.items()}
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


def render_json(event: dict[str, Any]) -> str:
    """One line of JSON; values json cannot encode fall back to strings instead of raising.

    orjson renders the line (about a tenth of the json module's time). What it refuses (non-string
    keys, integers beyond 64 bits, cycles, pathological nesting) raises ``TypeError``, and the record
    goes down the slow path: a plain copy rendered by the json module. orjson would write NaN and
    infinities as ``null``; redaction has already turned those into text, as it does every value
    JSON cannot hold.
    """
    try:
        return orjson.dumps(event, default=json_form).decode()
    except TypeError:
        return _encode(_plain(event, 0, set()))


def fallback_record(
    message: object, logger: str, level: str, now: float, error: BaseException
) -> dict[str, Any]:
    """The line written when a call's record could not be built or rendered: the shim's fields, the
    message as safe text, and ``log_error`` saying why the caller's fields are missing."""
    text = safe_text(message)
    try:
        text = redact_string(text)
    except BaseException as redaction_error:  # redaction itself failed on this text: write none of it
        propagate_interrupt(redaction_error)
        text = REDACTED
    return {
        "timestamp": timestamp(now),
        "level": level,
        "message": text,
        "logger": safe_text(logger),
        "log_error": f"written without the call's fields: building the line raised {safe_text(type(error).__qualname__)}",
    }


def render_console(event: dict[str, Any]) -> str:
    """A human-readable line for local development (``AURUM_LOG_FORMAT=console``)."""
    ordered = dict(event)
    stack = ordered.pop("stack", None)
    head = f"{ordered.pop('timestamp', '')} [{ordered.pop('level', ''):<8}] {ordered.pop('message', '')}"
    rest = " ".join(f"{key}={_encode(_plain(value, 0, set()))}" for key, value in ordered.items())
    line = f"{head}  {rest}" if rest else head
    return f"{line}\n{stack.rstrip()}" if stack else line
