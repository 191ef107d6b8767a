"""Series the platform's recording rules (``recording_rules/``) record and dashboards read.

Named ``<aggregation labels>:<metric>:<operation>`` as Prometheus recommends; the build fails when a
dashboard or alert reads one that no recording rule records.
"""

from __future__ import annotations

from aurum.observability.metric_prefix import METRICS_PREFIX as _P

__all__ = [
    "CACHE_HIT_RATIO_BY_CACHE",
    "HTTP_ERROR_RATIO_BY_ROUTE",
    "HTTP_ERROR_RATIO_BY_TENANT",
    "HTTP_LATENCY_QUANTILE_BY_ROUTE",
    "HTTP_REQUEST_RATE_BY_ROUTE",
    "HTTP_REQUEST_RATE_BY_TENANT",
]

HTTP_REQUEST_RATE_BY_ROUTE = f"path:{_P}http_requests:rate5m"
"""Requests per second over 5m, by route template (``path``)."""
HTTP_REQUEST_RATE_BY_TENANT = f"tenant_id:{_P}http_requests:rate5m"
"""Requests per second over 5m, by tenant."""
HTTP_ERROR_RATIO_BY_ROUTE = f"path:{_P}http_requests_errors:ratio_rate5m"
"""Share of requests answered with a 5xx over 5m, by route template."""
HTTP_ERROR_RATIO_BY_TENANT = f"tenant_id:{_P}http_requests_errors:ratio_rate5m"
"""Share of requests answered with a 5xx over 5m, by tenant."""
HTTP_LATENCY_QUANTILE_BY_ROUTE = f"path:{_P}http_request_duration_seconds:quantile_rate5m"
"""Latency quantiles over 5m by route template; label ``quantile`` is ``0.5``, ``0.95`` or ``0.99``."""
CACHE_HIT_RATIO_BY_CACHE = f"cache_type:{_P}cache_operations:hit_ratio_rate5m"
"""Share of cache reads answered from the cache over 5m, by cache."""
