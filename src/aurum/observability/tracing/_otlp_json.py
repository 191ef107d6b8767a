"""One stored trace as an OTLP/JSON ``ExportTraceServiceRequest``.

Written here rather than taken from the OTLP exporter package because that package is an optional
extra and encodes protobuf, whose generic JSON mapping writes ids in base64; OTLP/JSON requires
them as lower-case hex (and 64-bit integers as decimal strings, enums as integers), which is what
collectors and Jaeger/Tempo importers accept.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.sdk.resources import Resource

    from aurum.observability.tracing._store import StoredSpan, StoredTrace

__all__ = ["any_value", "encode_trace"]

JSONDict = dict[str, Any]


def any_value(value: object) -> JSONDict:  # noqa: PLR0911 - one return per OTLP value kind
    """An OTLP ``AnyValue`` for an attribute value."""
    # bool before int: bool is a subclass of int.
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, bytes):
        return {"bytesValue": base64.b64encode(value).decode("ascii")}
    if isinstance(value, Mapping):
        return {"kvlistValue": {"values": _attributes(value)}}
    if isinstance(value, Sequence):
        return {"arrayValue": {"values": [any_value(item) for item in value]}}
    return {"stringValue": str(value)}


def _attributes(attributes: Mapping[str, object]) -> list[JSONDict]:
    return [{"key": key, "value": any_value(value)} for key, value in attributes.items()]


def _span(span: StoredSpan) -> JSONDict:
    encoded: JSONDict = {
        "traceId": format(span.trace_id, "032x"),
        "spanId": format(span.span_id, "016x"),
        "name": span.name,
        # OTLP numbers SpanKind from 1 (INTERNAL); the OpenTelemetry API numbers it from 0.
        "kind": span.kind + 1,
        "startTimeUnixNano": str(span.start_unix_nano),
        "endTimeUnixNano": str(span.end_unix_nano),
        "attributes": _attributes(span.attributes),
        "events": [
            {
                "timeUnixNano": str(event.time_unix_nano),
                "name": event.name,
                "attributes": _attributes(event.attributes),
            }
            for event in span.events
        ],
        # The API's StatusCode values (UNSET=0, OK=1, ERROR=2) are OTLP's.
        "status": {"code": span.status_code.value},
    }
    if span.parent_span_id is not None:
        encoded["parentSpanId"] = format(span.parent_span_id, "016x")
    if span.status_message:
        encoded["status"]["message"] = span.status_message
    return encoded


def _group(
    spans: Iterable[StoredSpan],
) -> dict[int, tuple[Resource, dict[tuple[str, str | None], list[StoredSpan]]]]:
    """Spans grouped by resource, then by instrumentation scope, keeping their order."""
    groups: dict[int, tuple[Resource, dict[tuple[str, str | None], list[StoredSpan]]]] = {}
    for span in spans:
        _, scopes = groups.setdefault(id(span.resource), (span.resource, {}))
        scopes.setdefault((span.scope_name, span.scope_version), []).append(span)
    return groups


def encode_trace(trace: StoredTrace) -> JSONDict:
    """The OTLP/JSON export request carrying every stored span of ``trace``."""
    resource_spans = []
    for resource, scopes in _group(sorted(trace.spans, key=lambda s: s.start_unix_nano)).values():
        scope_spans = []
        for (name, version), spans in scopes.items():
            scope: JSONDict = {"name": name}
            if version:
                scope["version"] = version
            scope_spans.append({"scope": scope, "spans": [_span(span) for span in spans]})
        resource_spans.append(
            {
                "resource": {"attributes": _attributes(dict(resource.attributes))},
                "scopeSpans": scope_spans,
                "schemaUrl": resource.schema_url or "",
            }
        )
    return {"resourceSpans": resource_spans}
