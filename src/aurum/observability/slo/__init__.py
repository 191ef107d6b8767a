"""SLO status at runtime: evaluation from Prometheus or the process's metrics, and the dashboard JSON.

The modules here are private; applications use :mod:`aurum.observability.slo_dashboard`.
"""
