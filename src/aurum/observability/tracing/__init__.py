"""Tracing: the span helper's scope, the tracer provider's set-up, the trace store, OTLP/JSON.

The modules here are private; applications use :mod:`aurum.observability.tracing_enhanced`.
"""
