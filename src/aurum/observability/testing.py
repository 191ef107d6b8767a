"""Helpers for testing code instrumented with the shim, in the spirit of ``structlog.testing``.

Each helper swaps one piece of the process's observability state for the duration of a ``with``
block and restores it afterwards::

    from aurum.observability.testing import capture_logs, captured_spans, isolated_registry

    def test_scenario_creation_is_counted():
        with isolated_registry() as metrics, captured_spans() as spans, capture_logs() as logs:
            create_scenario()
        assert sample_value(metrics, "aurum_business_transactions_total",
                            transaction="scenario_create", category="scenario", status="success") == 1
        assert [s.name for s in spans.finished()] == ["scenario.create"]
        assert logs[-1]["message"] == "create_scenario completed"
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry

from aurum.observability import runtime
from aurum.observability.logs._record import render_json
from aurum.observability.logs._setup import SINK, ensure_configured
from aurum.observability.metrics._instruments import AurumMetrics
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.tracing._setup import Tracing, build_tracing

if TYPE_CHECKING:
    from collections.abc import Iterator

    from opentelemetry.sdk.trace import ReadableSpan

    from aurum.observability.tracing._store import TraceStore

__all__ = [
    "CapturedLogs",
    "CapturedSpans",
    "capture_logs",
    "captured_spans",
    "isolated_registry",
    "override_settings",
    "sample_value",
]


@contextmanager
def isolated_registry(*, max_label_sets: int = 1000, max_tenants: int = 100) -> Iterator[AurumMetrics]:
    """All shim metrics on a fresh registry: counts start at zero and nothing leaks between tests."""
    metrics = AurumMetrics(CollectorRegistry(), max_label_sets=max_label_sets, max_tenants=max_tenants)
    previous = runtime.swap_metrics(metrics)
    try:
        yield metrics
    finally:
        runtime.swap_metrics(previous)


def sample_value(metrics: AurumMetrics, name: str, **labels: str) -> float | None:
    """One sample's value by exposed name (``..._total``, ``..._bucket``, ...), ``None`` if absent."""
    if metrics.registry is None:
        return None
    return metrics.registry.get_sample_value(name, labels)


class CapturedLogs(list[dict[str, Any]]):
    """Every line logged while capturing, parsed back from its JSON."""

    def write(self, text: str) -> None:
        for line in text.splitlines():
            if line.strip():
                self.append(json.loads(line))

    def flush(self) -> None:
        return None

    def messages(self) -> list[str]:
        return [str(record["message"]) for record in self]


@contextmanager
def capture_logs(level: int | str = logging.DEBUG) -> Iterator[CapturedLogs]:
    """Capture the JSON records of structlog and ``logging`` output (rendered, so they are exactly
    what would be written), with the root level lowered to ``level`` meanwhile."""
    ensure_configured(runtime.get_settings())
    captured = CapturedLogs()
    root = logging.getLogger()
    previous_stream, previous_render, previous_level = SINK.stream, SINK.render, root.level
    SINK.stream, SINK.render = captured, render_json
    root.setLevel(level)
    try:
        yield captured
    finally:
        SINK.stream, SINK.render = previous_stream, previous_render
        root.setLevel(previous_level)


@dataclass(frozen=True)
class CapturedSpans:
    exporter: InMemorySpanExporter
    tracing: Tracing

    def finished(self) -> tuple[ReadableSpan, ...]:
        """Finished spans in the order they ended."""
        return tuple(self.exporter.get_finished_spans())

    def by_name(self, name: str) -> ReadableSpan:
        found = [span for span in self.finished() if span.name == name]
        if len(found) != 1:
            msg = f"expected one span named {name!r}, found {len(found)}: {[s.name for s in self.finished()]}"
            raise AssertionError(msg)
        return found[0]

    @property
    def store(self) -> TraceStore | None:
        return self.tracing.store

    def clear(self) -> None:
        self.exporter.clear()
        if self.tracing.store is not None:
            self.tracing.store.clear()


@contextmanager
def captured_spans(sample_rate: float = 1.0, **settings: Any) -> Iterator[CapturedSpans]:
    """A real SDK pipeline (sampler, trace store) with an in-memory exporter, in place of the process's."""
    base = runtime.get_settings().model_dump()
    config = ObservabilitySettings(
        **{**base, **settings, "tracing_enabled": True, "tracing_sample_rate": sample_rate}
    )
    exporter = InMemorySpanExporter()
    tracing = build_tracing(config, processors=(SimpleSpanProcessor(exporter),), export_otlp=False)
    previous = runtime.swap_tracing(tracing)
    try:
        yield CapturedSpans(exporter, tracing)
    finally:
        runtime.swap_tracing(previous)
        if tracing.provider is not None:
            tracing.provider.shutdown()


@contextmanager
def override_settings(**changes: Any) -> Iterator[ObservabilitySettings]:
    """Run with settings changed (``observability_token="t"``, ``prometheus_url=...``); the metrics and
    tracing pipeline in use are kept."""
    state = runtime.current()
    settings = ObservabilitySettings(**{**state.settings.model_dump(), **changes})
    previous = state.settings
    state.settings = settings
    try:
        yield settings
    finally:
        state.settings = previous
