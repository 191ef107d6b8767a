"""Memory per 1,000 spans retained by the trace store, versus keeping the SDK's span objects.

python benchmarks/runtime/bench_span_memory.py
"""

from __future__ import annotations

import gc
import tracemalloc

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from aurum.observability import runtime
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.tracing._setup import build_tracing
from aurum.observability.tracing_enhanced import trace_database_query, trace_scenario_operation

SPANS = 20_000
PER_TRACE = 4  # a scenario operation with three queries, a typical request


def produce() -> None:
    for index in range(SPANS // PER_TRACE):
        with trace_scenario_operation("create", f"scenario-{index}", "acme-corp"):
            for table_name in ("scenario", "curve", "run"):
                with trace_database_query("select", table_name, tenant_id="acme-corp"):
                    pass


def retained_bytes(**kwargs: object) -> int:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    tracing = build_tracing(ObservabilitySettings(tracing_max_traces=SPANS), export_otlp=False, **kwargs)  # type: ignore[arg-type]
    with runtime.default()._derive(tracing=tracing).activate():
        produce()
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    return sum(stat.size_diff for stat in after.compare_to(before, "filename"))


def main() -> None:
    store_only = retained_bytes()
    exporter = InMemorySpanExporter()
    with_sdk_spans = retained_bytes(processors=(SimpleSpanProcessor(exporter),))
    sdk_only = with_sdk_spans - store_only
    print("### Memory per 1,000 retained spans (tracemalloc, 4 spans per trace, 3-5 attributes each)")
    print()
    print("| retained as | bytes per span | MB per 1,000 spans |")
    print("|---|---:|---:|")
    for label, size in (
        ("trace store (StoredSpan)", store_only),
        ("SDK span objects (in-memory exporter)", sdk_only),
    ):
        per_span = size / SPANS
        print(f"| {label} | {per_span:.0f} | {per_span * 1000 / 1e6:.2f} |")


if __name__ == "__main__":
    main()
