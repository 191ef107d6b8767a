"""Recording a metric through the shim's helpers versus prometheus_client's ``.labels(...).inc()``.

python benchmarks/runtime/bench_metrics.py
"""

from __future__ import annotations

from measure import compare, table
from prometheus_client import CollectorRegistry, Counter, Histogram

from aurum.observability import catalog, runtime
from aurum.observability.metrics import REQUEST_LATENCY, increment_business_transactions


def main() -> None:
    metrics = runtime.metrics()  # the process default's, on prometheus_client's registry
    raw_registry = CollectorRegistry()
    business = catalog.BUSINESS_TRANSACTIONS_TOTAL
    raw_counter = Counter(business.family, business.help, business.label_names, registry=raw_registry)
    latency = catalog.HTTP_REQUEST_DURATION_SECONDS
    raw_histogram = Histogram(
        latency.name, latency.help, latency.label_names, registry=raw_registry, buckets=latency.buckets
    )
    requests = catalog.HTTP_REQUESTS_TOTAL
    raw_requests = Counter(requests.family, requests.help, requests.label_names, registry=raw_registry)

    counters = compare(
        {
            "raw .labels(...).inc()": lambda: raw_counter.labels(
                transaction="scenario_create", category="scenario", status="success"
            ).inc(),
            "increment_business_transactions()": lambda: increment_business_transactions(
                "scenario_create", "scenario", "success"
            ),
            "guarded .labels(...).inc()": lambda: metrics.business_transactions.labels(
                transaction="scenario_create", category="scenario", status="success"
            ).inc(),
        }
    )
    print(table("Counter increment (median µs per call)", counters, baseline="raw .labels(...).inc()"))

    histograms = compare(
        {
            "raw .labels(...).observe()": lambda: raw_histogram.labels(
                method="POST", path="/api/scenarios"
            ).observe(0.042),
            "REQUEST_LATENCY.labels(...).observe()": lambda: REQUEST_LATENCY.labels(
                method="POST", path="/api/scenarios"
            ).observe(0.042),
        }
    )
    print()
    print(
        table("Histogram observation (median µs per call)", histograms, baseline="raw .labels(...).observe()")
    )

    def raw_request() -> None:
        raw_requests.labels(method="GET", path="/api/scenarios", status="200", tenant_id="acme").inc()
        raw_histogram.labels(method="GET", path="/api/scenarios").observe(0.042)

    pairs = compare(
        {
            "raw counter + histogram": raw_request,
            "record_http_request()": lambda: metrics.record_http_request(
                "GET", "/api/scenarios", 200, "acme", 0.042
            ),
        }
    )
    print()
    print(table("One request's metrics (median µs per call)", pairs, baseline="raw counter + histogram"))


if __name__ == "__main__":
    main()
