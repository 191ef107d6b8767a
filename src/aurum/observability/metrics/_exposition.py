"""Exposing the metrics: Prometheus text, OpenMetrics, JSON, in single- and multi-process mode.

In multiprocess mode (``PROMETHEUS_MULTIPROC_DIR`` set, as under gunicorn) each worker writes its
values to files in that directory and any worker answering a scrape merges all of them with
prometheus_client's ``MultiProcessCollector``; a fresh registry per scrape is what the library
prescribes, since the merged view must not be registered next to the worker's own metrics.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client import exposition as prometheus_exposition
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.openmetrics import exposition as openmetrics_exposition

if TYPE_CHECKING:
    from prometheus_client.registry import Collector

__all__ = ["is_multiprocess", "metrics_json", "reading_registry", "render_metrics"]


def is_multiprocess() -> bool:
    """Whether prometheus_client runs in multiprocess mode in this process."""
    # The lower-case name is prometheus_client's deprecated spelling, still honoured by it.
    legacy = os.environ.get("prometheus_multiproc_dir")  # noqa: SIM112 - prometheus_client's spelling
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or legacy)


def reading_registry(registry: CollectorRegistry | None) -> Collector:
    """What to read metrics from: the merged view of all workers in multiprocess mode, else ``registry``.

    A registry other than the default one (a test's isolated registry) is always read directly.
    """
    if registry is None or registry is REGISTRY:
        if is_multiprocess():
            merged = CollectorRegistry()
            MultiProcessCollector(merged)  # type: ignore[no-untyped-call]  # untyped in prometheus_client
            return merged
        return REGISTRY
    return registry


def render_metrics(registry: CollectorRegistry | None, accept: str | None = None) -> tuple[bytes, str]:
    """The exposition body and its content type: OpenMetrics when ``accept`` asks for it."""
    source = reading_registry(registry)
    if accept and "application/openmetrics-text" in accept:
        # The OpenMetrics writer is untyped in prometheus_client; it returns bytes.
        body: bytes = openmetrics_exposition.generate_latest(source)  # type: ignore[no-untyped-call]  # prometheus_client leaves its OpenMetrics exposition unannotated
        return body, openmetrics_exposition.CONTENT_TYPE_LATEST
    return prometheus_exposition.generate_latest(source), prometheus_exposition.CONTENT_TYPE_LATEST


def metrics_json(registry: CollectorRegistry | None) -> list[dict[str, Any]]:
    """Every metric family with its samples, for clients that do not parse the text format."""
    return [
        {
            "name": family.name,
            "type": family.type,
            "help": family.documentation,
            "unit": family.unit,
            "samples": [
                {"name": sample.name, "labels": dict(sample.labels), "value": sample.value}
                for sample in family.samples
            ],
        }
        for family in reading_registry(registry).collect()
    ]
