"""Reading the process's own metrics back: sums over matching series and histogram quantiles.

Used where there is no Prometheus to ask: SLO status from the process's counters and the
``performance`` endpoint's request rate and latency quantiles. The arithmetic follows PromQL's
(``sum`` over label matchers, ``histogram_quantile``'s linear interpolation inside a bucket) so that
the numbers mean what the same query would mean in Prometheus, over the process's lifetime.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aurum.contract.conventions import BUCKET_LABEL

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from prometheus_client.registry import Collector

    from aurum.observability.slo_catalog import Matcher

__all__ = ["Sample", "bucket_counts", "collect_samples", "histogram_quantile", "sum_matching"]


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    labels: Mapping[str, str]
    value: float


def collect_samples(collector: Collector) -> list[Sample]:
    """Every sample a registry (or any collector) exposes right now."""
    return [
        Sample(sample.name, sample.labels, sample.value)
        for family in collector.collect()
        for sample in family.samples
    ]


def _matching(samples: Iterable[Sample], name: str, matchers: Sequence[Matcher]) -> Iterable[Sample]:
    return (s for s in samples if s.name == name and all(m.matches(s.labels) for m in matchers))


def sum_matching(samples: Iterable[Sample], name: str, matchers: Sequence[Matcher] = ()) -> float | None:
    """``sum(name{matchers})``; ``None`` when no series matches (PromQL's empty result)."""
    values = [sample.value for sample in _matching(samples, name, matchers)]
    return math.fsum(values) if values else None


def bucket_counts(
    samples: Iterable[Sample], histogram: str, matchers: Sequence[Matcher] = ()
) -> list[tuple[float, float]]:
    """``sum by (le) (histogram_bucket{matchers})`` as sorted ``(upper bound, cumulative count)``."""
    totals: dict[float, float] = defaultdict(float)
    for sample in _matching(samples, f"{histogram}_bucket", matchers):
        totals[float(sample.labels[BUCKET_LABEL])] += sample.value
    return sorted(totals.items())


def histogram_quantile(quantile: float, buckets: Sequence[tuple[float, float]]) -> float | None:
    """PromQL's ``histogram_quantile`` over cumulative buckets; ``None`` without observations."""
    if not buckets or not math.isinf(buckets[-1][0]):
        return None
    total = buckets[-1][1]
    if total <= 0:
        return None
    rank = quantile * total
    lower_bound, lower_count = 0.0, 0.0
    for upper_bound, count in buckets:
        if count >= rank:
            if math.isinf(upper_bound):
                # Above the highest finite bucket: PromQL answers that bucket's upper bound.
                return lower_bound
            if count == lower_count:
                return upper_bound
            return lower_bound + (upper_bound - lower_bound) * (rank - lower_count) / (count - lower_count)
        lower_bound, lower_count = upper_bound, count
    return None
