"""A span through the shim's helper versus a raw OpenTelemetry span with the same attributes.

Measured twice: on a provider with no processor (the helpers' own overhead over the SDK) and on the
production pipeline with the trace store (what an application pays per span).

    python benchmarks/runtime/bench_tracing.py
"""

from __future__ import annotations

from measure import compare, table
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from aurum.observability import runtime
from aurum.observability._active import ACTIVE
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.tracing._setup import INSTRUMENTATION_NAME, Tracing, build_tracing
from aurum.observability.tracing_enhanced import trace_scenario_operation


def variants(tracing: Tracing) -> dict[str, object]:
    tracer = tracing.tracer
    # The helper records into the Observability in force: the process default, with this pipeline.
    observability = runtime.default()._derive(tracing=tracing)

    def raw() -> None:
        attributes = {
            "aurum.scenario.operation": "create",
            "aurum.scenario.id": "scenario-123",
            "aurum.tenant.id": "acme-corp",
        }
        with tracer.start_as_current_span("scenario.create", attributes=attributes):
            pass

    def helper() -> None:
        with trace_scenario_operation("create", "scenario-123", "acme-corp"):
            pass

    # Set for the rest of the run: the helper resolves it on every call, as inside a request.
    ACTIVE.set(observability)

    return {"raw start_as_current_span": raw, "trace_scenario_operation": helper}


def main() -> None:
    bare_provider = TracerProvider(sampler=ParentBased(TraceIdRatioBased(1.0)))
    bare = Tracing(tracer=bare_provider.get_tracer(INSTRUMENTATION_NAME), provider=bare_provider, store=None)
    medians = compare(variants(bare), number=1_000)  # type: ignore[arg-type]
    print(
        table(
            "Span, provider without processors (median µs per span)",
            medians,
            baseline="raw start_as_current_span",
        )
    )

    production = build_tracing(ObservabilitySettings(tracing_max_traces=1000), export_otlp=False)
    medians = compare(variants(production), number=1_000)  # type: ignore[arg-type]
    print()
    print(
        table(
            "Span, with the trace store (median µs per span)", medians, baseline="raw start_as_current_span"
        )
    )


if __name__ == "__main__":
    main()
