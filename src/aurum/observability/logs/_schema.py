"""The JSON Schema of one log line, generated from the log fields (:mod:`~aurum.observability.log_fields`).

Published at ``/v1/observability/logs/schema`` so log pipelines (and our tests) can validate lines.
Callers' keyword context is allowed on top of the listed fields, so ``additionalProperties`` is open.
"""

from __future__ import annotations

from typing import Any

from aurum.observability.log_fields import LOG_FIELDS

__all__ = ["LOG_RECORD_SCHEMA", "log_record_schema"]

_SCHEMA_ID = "https://aurum.example/schemas/observability/log-record.json"

# Narrower than the fields' types where the shim guarantees more than a type.
_PATTERNS = {
    "timestamp": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$",
    "trace_id": r"^[0-9a-f]{32}$",
    "span_id": r"^[0-9a-f]{16}$",
}
_ENUMS = {"level": ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]}


def log_record_schema() -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for field in LOG_FIELDS:
        types = list(field.json_types)
        prop: dict[str, Any] = {
            "description": field.description,
            "type": types[0] if len(types) == 1 else types,
        }
        if field.format:
            prop["format"] = field.format
        if field.name in _PATTERNS:
            prop["pattern"] = _PATTERNS[field.name]
        if field.name in _ENUMS:
            prop["enum"] = _ENUMS[field.name]
        if field.name == "duration_ms":
            prop["minimum"] = 0
        properties[field.name] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _SCHEMA_ID,
        "title": "Aurum structured log record",
        "description": (
            "One log line. timestamp, level, message, logger, trace_id and span_id (and the error fields "
            "for an exception, and log_error) are written by the shim only; a caller's field of such a name, or a value "
            "that does not fit a listed field, is written as caller_<name>."
        ),
        "type": "object",
        "properties": properties,
        "required": [field.name for field in LOG_FIELDS if field.required],
        "additionalProperties": True,
    }


LOG_RECORD_SCHEMA = log_record_schema()
