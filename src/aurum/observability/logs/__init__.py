"""Structured logging: the record, its fields' values, redaction, the request context, the wiring.

The modules here are private; applications use :mod:`aurum.observability.enhanced_logging`.
"""
