"""The fields of the structured log record: names, JSON types and what each means.

The log schema published at ``/v1/observability/logs/schema`` is generated from these, and the record
builder checks callers' values against them. Pure data and standard library only, like
:mod:`aurum.observability.catalog`, which re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "LOG_COMPONENT",
    "LOG_DURATION_MS",
    "LOG_ERROR_MESSAGE",
    "LOG_ERROR_TYPE",
    "LOG_FIELDS",
    "LOG_LEVEL",
    "LOG_LOGGER",
    "LOG_LOG_ERROR",
    "LOG_MESSAGE",
    "LOG_OPERATION",
    "LOG_REQUEST_ID",
    "LOG_SPAN_ID",
    "LOG_STACK",
    "LOG_TENANT_ID",
    "LOG_TIMESTAMP",
    "LogField",
]


@dataclass(frozen=True, slots=True)
class LogField:
    """One field of the structured log record; ``json_types`` are JSON Schema type names."""

    name: str
    description: str
    json_types: tuple[str, ...]
    required: bool = False
    format: str | None = None


LOG_TIMESTAMP = LogField(
    "timestamp", "ISO 8601 UTC time with milliseconds.", ("string",), required=True, format="date-time"
)
LOG_LEVEL = LogField("level", "Upper-case level name.", ("string",), required=True)
LOG_MESSAGE = LogField("message", "The log message.", ("string",), required=True)
# Always written, but not required: records in the spec's own format (without it) stay valid.
LOG_LOGGER = LogField("logger", "Dotted name of the emitting logger.", ("string",))
LOG_REQUEST_ID = LogField("request_id", "X-Request-ID of the request being served.", ("string",))
LOG_TENANT_ID = LogField("tenant_id", "Tenant the work is done for.", ("string",))
LOG_COMPONENT = LogField("component", "Component tag (api, scenario, worker, ...).", ("string",))
LOG_OPERATION = LogField("operation", "Operation being performed.", ("string",))
LOG_DURATION_MS = LogField("duration_ms", "Duration of the operation in milliseconds.", ("number",))
LOG_TRACE_ID = LogField("trace_id", "W3C trace id (32 hex digits) of the active span.", ("string",))
LOG_SPAN_ID = LogField("span_id", "Span id (16 hex digits) of the active span.", ("string",))
LOG_ERROR_TYPE = LogField("error_type", "Qualified type name of the exception.", ("string",))
LOG_ERROR_MESSAGE = LogField("error_message", "Message of the exception.", ("string",))
LOG_STACK = LogField("stack", "Formatted traceback of the exception.", ("string",))
LOG_LOG_ERROR = LogField(
    "log_error",
    "Why the shim wrote this line in its safe form: the call's message or fields could not be rendered.",
    ("string",),
)

LOG_FIELDS: tuple[LogField, ...] = (
    LOG_TIMESTAMP,
    LOG_LEVEL,
    LOG_MESSAGE,
    LOG_LOGGER,
    LOG_REQUEST_ID,
    LOG_TENANT_ID,
    LOG_COMPONENT,
    LOG_OPERATION,
    LOG_DURATION_MS,
    LOG_TRACE_ID,
    LOG_SPAN_ID,
    LOG_ERROR_TYPE,
    LOG_ERROR_MESSAGE,
    LOG_STACK,
    LOG_LOG_ERROR,
)
"""Every field the shim itself writes; callers' keyword context comes on top of these."""
