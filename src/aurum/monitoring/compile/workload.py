"""Synthetic input series for an SLO's generated promtool tests.

A test is a sequence of phases, each with an error ratio (``burn``) held for some minutes. The
workload turns phases into the catalog series the SLI reads (counters, histogram buckets or a
timestamp gauge, with label values the SLI's matchers select) and into the base series the
simulator replays. Event counts are integers chosen so every ratio is exact.
"""

from __future__ import annotations

import itertools
import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from aurum.contract import conventions as conv
from aurum.contract.catalogs import current_catalogs
from aurum.contract.metrics import Metric
from aurum.monitoring.compile.promql import selector
from aurum.monitoring.compile.simulate import STEP_SECONDS, BaseSeries
from aurum.monitoring.model import SLO, FreshnessSLI, LatencySLI, RatioSLI, Selector
from aurum.monitoring.model.grouping import sli_selectors

__all__ = ["Phase", "Realized", "SynthesisError", "Workload", "group_values", "workload_for"]


class SynthesisError(ValueError):
    """The SLI's series cannot be synthesised from the catalog's label values."""


@dataclass(frozen=True, slots=True)
class Phase:
    minutes: int
    burn: Fraction | None
    """Share of bad events (or slices); None means no traffic (counters flat, gauge absent)."""


@dataclass(frozen=True, slots=True)
class Realized:
    input_series: tuple[dict[str, str], ...]
    base: BaseSeries


def _notation(values: Sequence[int | None]) -> str:
    """promtool's expanding notation: ``0+5x10 50+0x3``; ``stale`` then ``_`` once a series ends."""
    parts: list[str] = []
    i = 0
    while i < len(values):
        value = values[i]
        if value is None:
            parts.append("stale" if i > 0 and values[i - 1] is not None else "_")
            i += 1
            continue
        following = values[i + 1] if i + 1 < len(values) else None
        step = following - value if following is not None else 0
        end = i + 1
        while end < len(values):
            current, previous = values[end], values[end - 1]
            if current is None or previous is None or current - previous != step:
                break
            end += 1
        sign = "+" if step >= 0 else "-"
        parts.append(f"{value}{sign}{abs(step)}x{end - i - 1}" if end - i > 1 else f"{value}")
        i = end
    return " ".join(parts)


def _cumulative(increments: Sequence[int]) -> list[int | None]:
    return list(itertools.accumulate(increments))


def _candidates(metric: Metric, selectors: Sequence[Selector]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {name: [] for name in metric.label_names}
    for sel in selectors:
        for matcher in sel.matchers:
            literal = matcher.value.split("|") if matcher.op == "=~" else [matcher.value]
            # A matcher may be on a target label (job, cluster) the metric itself does not declare.
            values.setdefault(matcher.label, []).extend(
                v for v in literal if v and v.replace("_", "").replace("-", "").isalnum()
            )
    # Every label a matcher names, the metric's own or a target label, gets the catalogs' values.
    return {
        name: list(dict.fromkeys([*found, *current_catalogs().values(metric, name), "synthetic"]))
        for name, found in values.items()
    }


def labels_for(
    metric: Metric,
    must: Sequence[Selector],
    must_not: Sequence[Selector] = (),
    pinned: Sequence[tuple[str, str]] = (),
) -> dict[str, str]:
    """Label values of one series of ``metric`` selected by every ``must`` and no ``must_not``, with
    the ``pinned`` labels (a group's) at their values."""
    candidates = _candidates(metric, [*must, *must_not]) | {name: [value] for name, value in pinned}
    constrained = sorted({m.label for sel in (*must, *must_not) for m in sel.matchers} | dict(pinned).keys())
    fixed = {name: values[0] for name, values in candidates.items() if name not in constrained}
    for combination in itertools.product(*(candidates[name] for name in constrained)):
        labels = {**fixed, **dict(zip(constrained, combination, strict=True))}
        if all(sel.matches(labels) for sel in must) and not any(sel.matches(labels) for sel in must_not):
            return dict(sorted(labels.items()))
    wanted = " and ".join(
        selector(
            metric.name, [*((m.label, m.op, m.value) for m in s.matchers), *((n, "=", v) for n, v in pinned)]
        )
        for s in must
    )
    unwanted = f" but not by {', '.join(str(s.matchers) for s in must_not)}" if must_not else ""
    msg = (
        f"no series of {metric.name} selected by {wanted}{unwanted} can be made from the catalog's "
        "label values; add an example value for the label to the catalog"
    )
    raise SynthesisError(msg)


def _prometheus_float(value: float) -> str:
    """How prometheus_client renders a bucket bound (``1.0``, ``0.5``, ``+Inf``)."""
    return "+Inf" if math.isinf(value) else repr(float(value))


@dataclass(frozen=True)
class Workload(ABC):
    """Turns phases into series for one SLO."""

    slo: SLO
    group: tuple[tuple[str, str], ...] = ()
    """The group every series belongs to, for an SLO measured per group."""

    def labels(
        self, metric: Metric, must: Sequence[Selector], must_not: Sequence[Selector] = ()
    ) -> dict[str, str]:
        return labels_for(metric, must, must_not, self.group)

    def events_per_minute(self, phases: Sequence[Phase]) -> int:
        """The least event count making every phase's bad events a whole number."""
        burns = [phase.burn for phase in phases if phase.burn is not None]
        return math.lcm(*(burn.denominator for burn in burns)) if burns else 1

    def realize(self, phases: Sequence[Phase]) -> Realized:
        per_minute = self.events_per_minute(phases)
        bad, total = [0], [0]
        for phase in phases:
            count = 0 if phase.burn is None else per_minute
            bad += [int(count * (phase.burn or 0))] * phase.minutes
            total += [count] * phase.minutes
        return Realized(self.series(bad, total), BaseSeries.from_increments(bad, total))

    @abstractmethod
    def series(self, bad: Sequence[int], total: Sequence[int]) -> tuple[dict[str, str], ...]:
        """The input series carrying ``bad`` out of ``total`` events per minute."""


def _entry(name: str, labels: dict[str, str], values: Sequence[int | None]) -> dict[str, str]:
    return {
        "series": selector(name, [(k, "=", v) for k, v in sorted(labels.items())]),
        "values": _notation(values),
    }


def _exposed(entries: Iterable[tuple[str, dict[str, str], list[int | None]]]) -> tuple[dict[str, str], ...]:
    """Series as a client library exposes them: a counter child never incremented does not exist."""
    return tuple(_entry(name, labels, values) for name, labels, values in entries if any(values))


class RatioWorkload(Workload):
    def series(self, bad: Sequence[int], total: Sequence[int]) -> tuple[dict[str, str], ...]:
        sli = self.slo.sli
        assert isinstance(sli, RatioSLI)
        good = [t - b for b, t in zip(bad, total, strict=True)]
        counted, counts, other = (sli.bad, bad, good) if sli.bad is not None else (sli.good, good, bad)
        assert counted is not None
        if counted.metric is sli.total.metric:
            # One series in both selectors, one in the total only: together they are the total.
            inside = self.labels(counted.metric, [counted, sli.total])
            outside = self.labels(counted.metric, [sli.total], [counted])
            return _exposed(
                [
                    (counted.metric.name, inside, _cumulative(counts)),
                    (counted.metric.name, outside, _cumulative(other)),
                ]
            )
        return _exposed(
            [
                (counted.metric.name, self.labels(counted.metric, [counted]), _cumulative(counts)),
                (sli.total.metric.name, self.labels(sli.total.metric, [sli.total]), _cumulative(total)),
            ]
        )


class LatencyWorkload(Workload):
    def series(self, bad: Sequence[int], total: Sequence[int]) -> tuple[dict[str, str], ...]:
        sli = self.slo.sli
        assert isinstance(sli, LatencySLI)
        metric = sli.histogram.metric
        labels = self.labels(metric, [sli.histogram])
        # Good requests take the smallest bucket's time, slow ones the first bucket above the threshold.
        slow_bound = next((b for b in metric.buckets if Decimal(str(b)) > sli.threshold), math.inf)
        entries = []
        for bound in (*metric.buckets, math.inf):
            within = [t - b + (b if bound >= slow_bound else 0) for b, t in zip(bad, total, strict=True)]
            entries.append(
                _entry(
                    f"{metric.name}_bucket",
                    {**labels, conv.BUCKET_LABEL: _prometheus_float(bound)},
                    _cumulative(within),
                )
            )
        entries.append(_entry(f"{metric.name}_count", labels, _cumulative(total)))
        return tuple(entries)


class FreshnessWorkload(Workload):
    """Burns become refresh schedules: a dataset refreshed every ``c`` minutes is stale for ``c - n``."""

    def _fresh_slices(self) -> int:
        sli = self.slo.sli
        assert isinstance(sli, FreshnessSLI)
        return sli.max_age // STEP_SECONDS + 1

    def _cycle(self, burn: Fraction) -> int | None:
        """Refresh period (minutes) whose stale share is nearest ``burn``; None for no refresh at all."""
        fresh = self._fresh_slices()
        if burn == 0:
            return max(1, fresh // 4)
        if burn >= 1:
            return None
        stale = max(1, round(burn * fresh / (1 - burn)))
        return fresh + stale

    def realize(self, phases: Sequence[Phase]) -> Realized:
        sli = self.slo.sli
        assert isinstance(sli, FreshnessSLI)
        gauge: list[int | None] = [0]
        last_refresh = 0
        for phase in phases:
            cycle = None if phase.burn is None else self._cycle(phase.burn)
            for _ in range(phase.minutes):
                minute = len(gauge)
                if phase.burn is None:
                    gauge.append(None)
                    continue
                if cycle is not None and (minute - last_refresh >= cycle or gauge[-1] is None):
                    last_refresh = minute
                gauge.append(last_refresh * STEP_SECONDS)
        stale = [
            int(v is not None and minute * STEP_SECONDS - v > sli.max_age) for minute, v in enumerate(gauge)
        ]
        total = [int(v is not None) for v in gauge]
        labels = self.labels(sli.gauge.metric, [sli.gauge])
        series = (_entry(sli.gauge.metric.name, labels, gauge),) if any(v is not None for v in gauge) else ()
        return Realized(series, BaseSeries.sampled(stale, total))

    def series(self, bad: Sequence[int], total: Sequence[int]) -> tuple[dict[str, str], ...]:
        msg = "a freshness workload is realised from refresh schedules, not event counts"
        raise TypeError(msg)


def group_values(slo: SLO) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """Two groups of a grouped SLO whose series the catalogs' label values can make: the first value
    of every group label, and the second value of the first label with the others."""
    metric = next(iter(sli_selectors(slo.sli))).metric
    selectors = sli_selectors(slo.sli)
    choices = {name: _candidates(metric, selectors).get(name, []) for name in slo.group_by}
    for name, values in choices.items():
        usable = [
            v for v in values if all(s.matches({**labels_for(s.metric, [s]), name: v}) for s in selectors)
        ]
        if len(usable) < 2:
            msg = f"two values of {name!r} that the SLI selects are needed to test {slo.name} per group"
            raise SynthesisError(msg)
        choices[name] = usable
    first = tuple((name, values[0]) for name, values in choices.items())
    head, *rest = first
    return first, ((head[0], choices[head[0]][1]), *rest)


def workload_for(slo: SLO, group: tuple[tuple[str, str], ...] = ()) -> Workload | None:
    """The workload of ``slo``'s SLI kind (in ``group``); None for raw PromQL, whose series we cannot know."""
    kinds: dict[type[Any], type[Workload]] = {
        RatioSLI: RatioWorkload,
        LatencySLI: LatencyWorkload,
        FreshnessSLI: FreshnessWorkload,
    }
    factory = kinds.get(type(slo.sli))
    return factory(slo, group) if factory else None
