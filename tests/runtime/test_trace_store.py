"""The in-process trace store: its bounds, retention, and OTLP/JSON export."""

from __future__ import annotations

import base64
import json

from google.protobuf import json_format
from opentelemetry import context as context_api
from opentelemetry import propagate
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.trace import StatusCode

from aurum.observability.testing import captured_spans
from aurum.observability.tracing._otlp_json import encode_trace
from aurum.observability.tracing._store import StoredSpan, TraceStore
from aurum.observability.tracing_enhanced import trace_database_query, trace_operation

RESOURCE = Resource.create({"service.name": "test"})


def stored(trace_id: int, span_id: int, parent: int | None = None, start: int = 0) -> StoredSpan:
    return StoredSpan(
        trace_id=trace_id,
        span_id=span_id,
        parent_span_id=parent,
        name=f"span-{span_id}",
        kind=0,
        start_unix_nano=start,
        end_unix_nano=start + 1000,
        status_code=StatusCode.UNSET,
        status_message=None,
        attributes={},
        events=(),
        scope_name="test",
        scope_version=None,
        resource=RESOURCE,
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_oldest_trace_is_evicted_past_max_traces():
    store = TraceStore(max_traces=3)
    for trace_id in range(1, 6):
        store.add(stored(trace_id, trace_id))
    assert len(store) == 3
    assert [t.trace_id for t in store.traces()] == [5, 4, 3]
    assert store.get(1) is None
    assert store.evicted_traces == 2


def test_spans_past_the_per_trace_cap_are_dropped_and_counted():
    store = TraceStore(max_spans_per_trace=1000)
    for span_id in range(1, 1201):
        store.add(stored(7, span_id, parent=1 if span_id > 1 else None))
    trace = store.get(7)
    assert trace is not None
    assert len(trace.spans) == 1000
    assert [span.span_id for span in trace.spans] == list(range(1, 1001))  # the first ones are kept
    assert trace.dropped_spans == 200
    assert store.dropped_spans == 200


def test_the_root_ending_last_in_a_full_trace_is_kept_in_place_of_the_newest_child():
    store = TraceStore(max_spans_per_trace=3)
    for span_id in range(2, 7):  # children end first, as they do in a real trace
        store.add(stored(7, span_id, parent=1))
    store.add(stored(7, 1))
    trace = store.get(7)
    assert trace is not None
    assert [span.span_id for span in trace.spans] == [2, 3, 1]
    assert trace.root.span_id == 1
    assert trace.dropped_spans == 3  # 5 and 6, then 4 for the root


def test_cleanup_removes_traces_older_than_the_retention():
    clock = FakeClock()
    store = TraceStore(retention_seconds=3600, clock=clock)
    store.add(stored(1, 1))
    clock.now += 1800
    store.add(stored(2, 2))
    clock.now += 1900  # trace 1 is 3700 s old, trace 2 is 1900 s old
    assert store.cleanup() == 1
    assert [t.trace_id for t in store.traces()] == [2]
    assert store.cleanup(max_age_seconds=0) == 1
    assert len(store) == 0


def test_cleanup_also_runs_by_itself_from_the_recording_path():
    clock = FakeClock()
    store = TraceStore(retention_seconds=10, clock=clock)
    store.add(stored(1, 1))
    clock.now += 61  # past retention and past the automatic-cleanup interval
    store.add(stored(2, 2))
    assert [t.trace_id for t in store.traces()] == [2]


def test_the_store_records_what_the_sdk_ends_with_the_settings_limits():
    with captured_spans(tracing_max_traces=2, tracing_max_spans_per_trace=3) as spans:
        for _ in range(3):
            with trace_operation("root"):
                for _ in range(4):
                    with trace_operation("child"):
                        pass
        store = spans.store
        assert store is not None
        traces = store.traces()
    assert len(traces) == 2
    assert all(len(t.spans) == 3 and t.dropped_spans == 2 for t in traces)
    assert all([span.name for span in t.spans] == ["child", "child", "root"] for t in traces)
    assert all(t.root.name == "root" for t in traces)


def test_a_root_continuing_a_remote_trace_is_kept_too():
    remote = propagate.extract({"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})
    with captured_spans(tracing_max_spans_per_trace=2) as spans:
        token = context_api.attach(remote)
        try:
            with trace_operation("server"):
                for _ in range(3):
                    with trace_operation("child"):
                        pass
        finally:
            context_api.detach(token)
        store = spans.store
        assert store is not None
        trace = store.get(0x0AF7651916CD43DD8448EB211C80319C)
    assert trace is not None
    assert [span.name for span in trace.spans] == ["child", "server"]
    assert trace.root.name == "server"
    assert trace.spans[-1].parent_span_id == 0xB7AD6B7169203331


def test_snapshots_do_not_change_when_the_store_does():
    store = TraceStore()
    store.add(stored(1, 1))
    snapshot = store.get(1)
    store.add(stored(1, 2, parent=1))
    assert snapshot is not None
    assert len(snapshot.spans) == 1


def test_otlp_json_export_is_a_valid_export_request():
    with captured_spans() as spans:
        try:
            with trace_operation("handler", count=3, ratio=0.5, ok=True, tags=["a", "b"]):  # noqa: SIM117 - a child span inside a parent, as an application nests them
                with trace_database_query("select", "curve"):
                    raise RuntimeError("boom")
        except RuntimeError:
            pass
        store = spans.store
        assert store is not None
        (trace,) = store.traces()
    exported = encode_trace(trace)
    (resource_spans,) = exported["resourceSpans"]
    (scope_spans,) = resource_spans["scopeSpans"]
    handler, query = scope_spans["spans"]
    assert handler["traceId"] == format(trace.trace_id, "032x")
    assert "parentSpanId" not in handler
    assert query["parentSpanId"] == handler["spanId"]
    assert query["kind"] == 3  # SPAN_KIND_CLIENT
    assert query["status"] == {"code": 2, "message": "RuntimeError: boom"}
    assert {"key": "count", "value": {"intValue": "3"}} in handler["attributes"]
    assert {"key": "ok", "value": {"boolValue": True}} in handler["attributes"]

    # The real OTLP protobuf schema accepts it once ids are given in protobuf-JSON's base64.
    def to_base64(node: object) -> object:
        if isinstance(node, dict):
            return {
                key: base64.b64encode(bytes.fromhex(value)).decode()
                if key in {"traceId", "spanId", "parentSpanId"}
                else to_base64(value)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [to_base64(item) for item in node]
        return node

    message = json_format.Parse(json.dumps(to_base64(exported)), ExportTraceServiceRequest())
    parsed = message.resource_spans[0].scope_spans[0].spans
    assert [span.name for span in parsed] == ["handler", "select curve"]
    assert parsed[1].parent_span_id == parsed[0].span_id
    assert parsed[0].trace_id.hex() == format(trace.trace_id, "032x")
