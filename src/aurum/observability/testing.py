"""Helpers for testing code instrumented with the shim, in the spirit of ``structlog.testing``.

Each helper builds an isolated :class:`~aurum.observability.Observability` (a fresh registry, a
span pipeline with an in-memory exporter, a capturing log sink, or other settings), derived from the
one in force so the helpers nest, and makes it the active one for the ``with`` block::

    from aurum.observability.testing import capture_logs, captured_spans, isolated_registry

    def test_scenario_creation_is_counted():
        with isolated_registry() as metrics, captured_spans() as spans, capture_logs() as logs:
            create_scenario()
        assert sample_value(metrics, "aurum_business_transactions_total",
                            transaction="scenario_create", category="scenario", status="success") == 1
        assert [s.name for s in spans.finished()] == ["scenario.create"]
        assert logs[-1]["message"] == "create_scenario completed"

``isolated()`` gives a whole new Observability to pass to an application under test
(``StructuredLoggingMiddleware, observability=obs``), active for the block as well.

Thread safety: what the helpers make active is held in a context variable, so it applies to the
thread or asyncio task that entered the block and to what copies its context (asyncio tasks,
``asyncio.to_thread``, FastAPI's and Starlette's thread pool, ``TestClient``), and to nothing else:
tests running in parallel threads each see their own, and a plain ``threading.Thread`` started
inside the block records into the process default. Two things are process-wide and therefore not
thread-safe: ``capture_logs(level=...)`` lowers the root logger's level for the block, and
``aurum.observability.runtime.configure()`` changes the process default for everyone.
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
from aurum.observability._observability import Observability
from aurum.observability.logs._record import render_json
from aurum.observability.logs._setup import LogSink, ensure_configured
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
    "isolated",
    "isolated_registry",
    "override_settings",
    "sample_value",
]


def _changed(settings: ObservabilitySettings, changes: dict[str, Any]) -> ObservabilitySettings:
    """``settings`` with ``changes``, validated like settings read from the environment."""
    return ObservabilitySettings(**{**settings.model_dump(), **changes}) if changes else settings


@contextmanager
def isolated(settings: ObservabilitySettings | None = None, **changes: Any) -> Iterator[Observability]:
    """A new Observability of its own (fresh registry, its own tracing pipeline, stdout sink), with
    the settings in force changed by ``changes`` (or ``settings``), active for the block and shut
    down after it."""
    base = settings if settings is not None else runtime.get_settings()
    obs = Observability(_changed(base, changes))
    try:
        with obs.activate():
            yield obs
    finally:
        obs.shutdown()


@contextmanager
def isolated_registry(*, max_label_sets: int = 1000, max_tenants: int = 100) -> Iterator[AurumMetrics]:
    """All shim metrics on a fresh registry: counts start at zero and nothing leaks between tests."""
    current = runtime.current()
    metrics = AurumMetrics(
        CollectorRegistry(),
        prefix=current.settings.metrics_prefix,
        max_label_sets=max_label_sets,
        max_tenants=max_tenants,
    )
    with current._derive(metrics=metrics).activate():
        yield metrics


def sample_value(metrics: AurumMetrics, name: str, **labels: str) -> float | None:
    """One sample's value by exposed name (``..._total``, ``..._bucket``, ...), ``None`` if absent."""
    if metrics.registry is None:
        return None
    return metrics.registry.get_sample_value(name, labels)


class CapturedLogs(list[dict[str, Any]]):
    """Every line logged while capturing, parsed back from its JSON."""

    def write(self, text: str) -> None:
        # Lines end at "\n" only: a line's JSON may hold U+0085 or U+2028 unescaped (valid JSON),
        # which str.splitlines() would split on.
        for line in text.split("\n"):
            if line.strip():
                self.append(json.loads(line))

    def flush(self) -> None:
        return None

    def messages(self) -> list[str]:
        return [str(record["message"]) for record in self]


@contextmanager
def capture_logs(level: int | str = logging.DEBUG) -> Iterator[CapturedLogs]:
    """Capture the JSON records of structlog and ``logging`` output (rendered, so they are exactly
    what would be written), with the root level lowered to ``level`` meanwhile (process-wide)."""
    ensure_configured(runtime.default().settings)
    captured = CapturedLogs()
    root = logging.getLogger()
    previous_level = root.level
    sink = LogSink(captured, render_json)
    root.setLevel(level)
    try:
        with runtime.current()._derive(log_sink=sink).activate():
            yield captured
    finally:
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
    """A real SDK pipeline (sampler, trace store) with an in-memory exporter, in place of the one in force."""
    current = runtime.current()
    config = _changed(
        current.settings, {**settings, "tracing_enabled": True, "tracing_sample_rate": sample_rate}
    )
    exporter = InMemorySpanExporter()
    tracing = build_tracing(config, processors=(SimpleSpanProcessor(exporter),), export_otlp=False)
    try:
        with current._derive(tracing=tracing).activate():
            yield CapturedSpans(exporter, tracing)
    finally:
        if tracing.provider is not None:
            tracing.provider.shutdown()


@contextmanager
def override_settings(**changes: Any) -> Iterator[ObservabilitySettings]:
    """Run with settings changed (``observability_token="t"``, ``prometheus_url=...``); the metrics,
    tracing pipeline and log sink in force are kept."""
    current = runtime.current()
    settings = _changed(current.settings, changes)
    with current._derive(settings=settings).activate():
        yield settings
