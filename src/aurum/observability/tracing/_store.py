"""The in-process trace store behind ``/v1/observability/traces``: finished spans, grouped by trace.

It is an OpenTelemetry span processor, so it sees exactly the spans the SDK records (sampled ones).
Everything about it is bounded, because it lives inside the application it observes:

* at most ``max_traces`` traces; past that the oldest-started trace is evicted;
* at most ``max_spans_per_trace`` spans per trace (``AURUM_TRACING_MAX_SPANS_PER_TRACE``); later
  spans of that trace are counted as dropped, not kept, except the trace's root: it ends last, and
  a trace without its root has no name, duration or status, so an arriving root takes the place of
  the newest child span kept (which is counted as dropped instead);
* traces not updated for ``retention_seconds`` are removed by :meth:`TraceStore.cleanup`, which also
  runs by itself at most once a minute from the recording path.

Spans are copied into a compact, slotted :class:`StoredSpan` rather than kept as SDK span objects,
which carry locks, limits and bound attribute containers: that is what keeps a retained span near
the spec's ~1 KB.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from opentelemetry.attributes import BoundedAttributes
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import StatusCode

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from opentelemetry.context import Context
    from opentelemetry.sdk.resources import Resource

__all__ = ["StoredEvent", "StoredSpan", "StoredTrace", "TraceStore"]

_AUTO_CLEANUP_INTERVAL_SECONDS = 60.0


class StoredEvent(NamedTuple):
    name: str
    time_unix_nano: int
    attributes: Mapping[str, Any]


class StoredSpan(NamedTuple):
    """What the API and the OTLP export need of one finished span.

    A named tuple rather than a frozen dataclass: as compact as slots, and built in C, which matters
    because one is built for every span the SDK ends (a frozen dataclass sets each field through
    ``object.__setattr__``).
    """

    trace_id: int
    span_id: int
    parent_span_id: int | None
    name: str
    kind: int
    """``opentelemetry.trace.SpanKind`` value (INTERNAL=0 ... CONSUMER=4)."""
    start_unix_nano: int
    end_unix_nano: int
    status_code: StatusCode
    status_message: str | None
    attributes: Mapping[str, Any]
    events: tuple[StoredEvent, ...]
    scope_name: str
    scope_version: str | None
    resource: Resource
    """Shared by every span of a provider, so it costs one reference here."""
    remote_parent: bool = False
    """Whether the parent is in another process (a continued ``traceparent``)."""

    @property
    def is_local_root(self) -> bool:
        """The first span of the trace in this process: no parent, or a parent in another process."""
        return self.parent_span_id is None or self.remote_parent

    @classmethod
    def from_span(cls, span: ReadableSpan) -> StoredSpan:
        context = span.context
        parent = span.parent
        scope = span.instrumentation_scope
        status = span.status
        # Positional, in field order: keyword construction of a named tuple costs a third of this
        # method, which runs for every span the SDK ends.
        return cls(
            context.trace_id if context is not None else 0,
            context.span_id if context is not None else 0,
            parent.span_id if parent is not None else None,
            span.name,
            span.kind.value,
            span.start_time or 0,
            span.end_time or 0,
            status.status_code,
            status.description,
            _copy_attributes(span.attributes),
            tuple(
                StoredEvent(event.name, event.timestamp, _copy_attributes(event.attributes))
                for event in span.events
            )
            if span.events
            else (),
            scope.name if scope is not None else "",
            scope.version if scope is not None else None,
            span.resource,
            parent is not None and parent.is_remote,
        )


def _copy_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """A plain dict of a span's or event's attributes.

    The SDK hands them out as ``BoundedAttributes``, whose ``copy()`` is a C dict copy; ``dict()`` of
    one goes through the mapping protocol, a Python call per attribute (six times slower).
    """
    if not attributes:
        return {}
    if isinstance(attributes, BoundedAttributes):
        return attributes.copy()  # type: ignore[return-value] # typed MutableMapping, is a dict copy
    return dict(attributes)


@dataclass(slots=True)
class StoredTrace:
    trace_id: int
    spans: list[StoredSpan] = field(default_factory=list)
    dropped_spans: int = 0
    updated_at: float = 0.0
    """Monotonic time of the last span received, for retention."""

    @property
    def start_unix_nano(self) -> int:
        return min(span.start_unix_nano for span in self.spans)

    @property
    def end_unix_nano(self) -> int:
        return max(span.end_unix_nano for span in self.spans)

    @property
    def root(self) -> StoredSpan:
        """The span without a parent in this trace (the earliest one when the root is missing)."""
        ids = {span.span_id for span in self.spans}
        roots = [span for span in self.spans if span.parent_span_id not in ids]
        return min(roots or self.spans, key=lambda span: span.start_unix_nano)

    @property
    def has_error(self) -> bool:
        return any(span.status_code is StatusCode.ERROR for span in self.spans)


def _replace_newest_child(spans: list[StoredSpan], root: StoredSpan) -> None:
    """Keep ``root`` in a full trace in place of the newest span that is not a root (if any)."""
    for index in range(len(spans) - 1, -1, -1):
        if not spans[index].is_local_root:
            del spans[index]
            spans.append(root)
            return


class TraceStore(SpanProcessor):
    """Bounded store of finished spans by trace (see the module docstring)."""

    def __init__(
        self,
        *,
        max_traces: int = 1000,
        max_spans_per_trace: int = 1000,
        retention_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_traces < 1 or max_spans_per_trace < 1 or retention_seconds <= 0:
            msg = "trace store limits must be positive"
            raise ValueError(msg)
        self.max_traces = max_traces
        self.max_spans_per_trace = max_spans_per_trace
        self.retention_seconds = retention_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._traces: OrderedDict[int, StoredTrace] = OrderedDict()
        self._next_auto_cleanup = clock() + _AUTO_CLEANUP_INTERVAL_SECONDS
        self.evicted_traces = 0
        self.dropped_spans = 0

    # -- SpanProcessor -------------------------------------------------------------------------
    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        self.add(StoredSpan.from_span(span))

    def shutdown(self) -> None:
        self.clear()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True

    # -- store ---------------------------------------------------------------------------------
    def add(self, span: StoredSpan) -> None:
        now = self._clock()
        with self._lock:
            stored = self._traces.get(span.trace_id)
            if stored is None:
                stored = StoredTrace(span.trace_id)
                self._traces[span.trace_id] = stored
                while len(self._traces) > self.max_traces:
                    self._traces.popitem(last=False)
                    self.evicted_traces += 1
            stored.updated_at = now
            if len(stored.spans) < self.max_spans_per_trace:
                stored.spans.append(span)
            else:
                if span.is_local_root:
                    _replace_newest_child(stored.spans, span)
                stored.dropped_spans += 1
                self.dropped_spans += 1
            due = now >= self._next_auto_cleanup
        if due:
            self.cleanup()

    def cleanup(self, max_age_seconds: float | None = None) -> int:
        """Remove traces not updated for ``max_age_seconds`` (default: the retention); return how many."""
        age = self.retention_seconds if max_age_seconds is None else max_age_seconds
        now = self._clock()
        with self._lock:
            self._next_auto_cleanup = now + _AUTO_CLEANUP_INTERVAL_SECONDS
            expired = [
                trace_id for trace_id, stored in self._traces.items() if now - stored.updated_at >= age
            ]
            for trace_id in expired:
                del self._traces[trace_id]
        return len(expired)

    def clear(self) -> None:
        with self._lock:
            self._traces.clear()

    def get(self, trace_id: int) -> StoredTrace | None:
        """A snapshot of one trace (its span list is a copy)."""
        with self._lock:
            stored = self._traces.get(trace_id)
            if stored is None:
                return None
            return StoredTrace(stored.trace_id, list(stored.spans), stored.dropped_spans, stored.updated_at)

    def traces(self, limit: int | None = None) -> Sequence[StoredTrace]:
        """Snapshots of the most recently started traces first."""
        with self._lock:
            items = list(self._traces.values())
        items.reverse()
        if limit is not None:
            items = items[:limit]
        return [StoredTrace(t.trace_id, list(t.spans), t.dropped_spans, t.updated_at) for t in items]

    def __len__(self) -> int:
        return len(self._traces)

    @property
    def span_count(self) -> int:
        with self._lock:
            return sum(len(stored.spans) for stored in self._traces.values())
