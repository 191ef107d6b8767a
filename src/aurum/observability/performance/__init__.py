"""The process's performance: figures read on demand for ``/v1/observability/performance``, and the
background sampling ``AURUM_PERFORMANCE_TRACKING_ENABLED`` turns on.

The modules here are private; the report is served by :mod:`aurum.observability.api`.
"""
