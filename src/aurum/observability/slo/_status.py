"""SLO status: from Prometheus's recorded output contract when configured, else from this process.

With ``AURUM_PROMETHEUS_URL`` the status is what the recording rules computed over the SLO period.
Without it (or when Prometheus cannot be reached) each SLI is computed from the process's own
counters since it started: honest for a single process and for development, and the report says so
in ``source`` and ``window``. A failed Prometheus query is reported in ``source_error``, never hidden.

The status is judged on the error budget over the report's window (the SLO period in Prometheus, the
process lifetime otherwise), never on a short-window burn rate: a five-minute spike is what the
burn-rate alerts are for, and it would make the status flap. The current burn rate is reported beside
it as information.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from aurum.contract import conventions as conv
from aurum.contract.catalog import SLOState
from aurum.observability.metrics._exposition import reading_registry
from aurum.observability.metrics._reading import Sample, bucket_counts, collect_samples, sum_matching
from aurum.observability.slo._prometheus import PrometheusError, query_slo_series
from aurum.observability.slo_catalog import FreshnessSLI, LatencySLI, PromqlSLI, RatioSLI, SLODefinition

if TYPE_CHECKING:
    from collections.abc import Sequence

    from prometheus_client import CollectorRegistry

    from aurum.observability.settings import ObservabilitySettings
    from aurum.observability.slo._prometheus import SeriesKey, SLOSeries

__all__ = [
    "SLOStatus",
    "SLOStatusReport",
    "evaluate",
    "evaluate_from_prometheus",
    "evaluate_from_samples",
    "status_of",
]

Source = Literal["prometheus", "process"]
State = SLOState


class SLOStatus(BaseModel):
    name: str
    service: str
    description: str
    sli_kind: str
    objective: Decimal
    period_days: int
    source: Source
    window: str
    """What the SLI covers: the SLO period in Prometheus, or the process's lifetime."""
    sli_value: float | None
    """Share of good events (1 - error ratio); ``None`` without data."""
    error_ratio: float | None
    error_budget: Decimal
    error_budget_remaining: float | None
    """1 = untouched, 0 = spent, negative = overspent; what ``status`` is judged on."""
    current_burn_rate: float | None = None
    """Burn rate over the rules' short base window (``slo:current_burn_rate:ratio``); ``None`` when
    Prometheus has not recorded it, and always for the process source, which has no such window."""
    period_burn_rate: float | None = None
    """Burn rate over ``window``: the SLO period (``slo:period_burn_rate:ratio``) or the process lifetime."""
    burn_rate: float | None
    """Kept for compatibility: the same value as ``period_burn_rate``."""
    status: State
    detail: str | None = None
    group: dict[str, str] = {}
    """For an SLO measured per group (``group_by``): the group this status is of (``{"tenant_id":
    "acme-corp"}``); one status per group. Empty for an SLO measured as a whole."""


class SLOStatusReport(BaseModel):
    source: Source
    source_error: str | None = None
    evaluated_at: datetime
    overall: State
    slos: list[SLOStatus]

    def by_name(self, name: str) -> SLOStatus | None:
        return next((slo for slo in self.slos if slo.name == name), None)


def status_of(budget_remaining: float | None, alert_threshold: float) -> State:
    """met; at_risk once ``alert_threshold`` of the budget is spent; breached once it is overspent.

    Judged on the budget alone: over the whole window, burning faster than sustainable (a period burn
    rate above 1) is the same thing as an overspent budget.
    """
    if budget_remaining is None:
        return "no_data"
    if budget_remaining < 0:
        return "breached"
    if budget_remaining <= 1 - alert_threshold:
        return "at_risk"
    return "met"


def _burn_note(current_burn_rate: float | None, detail: str | None) -> str | None:
    """``detail``, plus a note when the budget is burning faster than sustainable right now."""
    if current_burn_rate is None or current_burn_rate <= 1:
        return detail
    note = f"burning {current_burn_rate:.3g}x faster than sustainable right now"
    return note if detail is None else f"{detail}; {note}"


def _overall(statuses: Sequence[SLOStatus]) -> State:
    order: tuple[State, ...] = ("breached", "at_risk", "met")
    for state in order:
        if any(slo.status == state for slo in statuses):
            return state
    return "no_data"


Measured = tuple[float | None, str | None]
"""An error ratio (``None`` without data) and a note on how it was obtained."""


def _ratio_error(sli: RatioSLI, samples: Sequence[Sample]) -> Measured:
    total_metric = sli.total_metric or sli.metric
    total = sum_matching(samples, total_metric, sli.total)
    if not total:
        return None, "no events recorded yet"
    # Counted on the total's own counter, bad (or good) events are a subset of the total's series;
    # on a counter of their own, their matchers stand alone.
    within = sli.total if total_metric == sli.metric else ()
    if sli.bad is not None:
        return (sum_matching(samples, sli.metric, within + sli.bad) or 0.0) / total, None
    good = sum_matching(samples, sli.metric, within + (sli.good or ())) or 0.0
    return (total - good) / total, None


def _latency_error(sli: LatencySLI, samples: Sequence[Sample]) -> Measured:
    buckets = bucket_counts(samples, sli.metric, sli.matchers)
    if not buckets or buckets[-1][1] == 0:
        return None, "no requests observed yet"
    threshold = float(sli.threshold_seconds)
    within = [(bound, count) for bound, count in buckets if bound <= threshold]
    if not within:
        return 1.0, f"threshold {threshold}s is below the first bucket"
    # A histogram only knows its bucket bounds: a threshold between two bounds counts as the lower.
    bound, count = within[-1]
    note = None if bound == threshold else f"threshold rounded down to the bucket le={bound}"
    return 1 - count / buckets[-1][1], note


def _freshness_error(sli: FreshnessSLI, samples: Sequence[Sample], now: float) -> Measured:
    stamps = [
        s.value for s in samples if s.name == sli.metric and all(m.matches(s.labels) for m in sli.matchers)
    ]
    if not stamps:
        return None, "no dataset has reported a refresh yet"
    # As the compiled rule does (time() - min(gauge) > max_age): the slice is bad when ANY matching
    # dataset is too old. A process only sees the present, so this is that one slice, judged now.
    oldest = min(stamps)
    if now - oldest > float(sli.max_age_seconds):
        return 1.0, f"the oldest dataset is {now - oldest:.0f}s old, over the {sli.max_age_seconds}s limit"
    return 0.0, "every dataset is fresh right now"


def _per_group(
    slo: SLODefinition, samples: Sequence[Sample]
) -> list[tuple[dict[str, str], Sequence[Sample]]]:
    """The samples of each group of a grouped SLO (as the rules' ``by``), or all of them as one."""
    sli = slo.sli
    if not slo.group_by or isinstance(sli, PromqlSLI):
        return [({}, samples)]
    metrics = {sli.metric, (sli.total_metric if isinstance(sli, RatioSLI) else None) or sli.metric}

    def of_sli(sample: Sample) -> bool:
        return any(sample.name == m or sample.name.startswith(f"{m}_") for m in metrics)

    values = sorted(
        {
            tuple(sample.labels[label] for label in slo.group_by)
            for sample in samples
            if of_sli(sample) and all(label in sample.labels for label in slo.group_by)
        }
    )
    if not values:
        return [({}, samples)]
    return [
        (
            dict(zip(slo.group_by, value, strict=True)),
            [
                s
                for s in samples
                if all(s.labels.get(k) == v for k, v in zip(slo.group_by, value, strict=True))
            ],
        )
        for value in values
    ]


def _error_ratio(slo: SLODefinition, samples: Sequence[Sample], now: float) -> Measured:
    sli = slo.sli
    if isinstance(sli, RatioSLI):
        return _ratio_error(sli, samples)
    if isinstance(sli, LatencySLI):
        return _latency_error(sli, samples)
    if isinstance(sli, FreshnessSLI):
        return _freshness_error(sli, samples, now)
    return None, "a PromQL SLI can only be evaluated by Prometheus"


@dataclass(frozen=True, slots=True)
class _Measured:
    """What one source measured of an SLO over its window."""

    error_ratio: float | None
    budget_remaining: float | None
    period_burn_rate: float | None
    current_burn_rate: float | None = None
    detail: str | None = None


def _status(
    slo: SLODefinition, source: Source, window: str, measured: _Measured, alert_threshold: float
) -> SLOStatus:
    """The status of ``slo``: its definition's fields, and what was measured, judged on the budget."""
    error_ratio, remaining = measured.error_ratio, measured.budget_remaining
    return SLOStatus(
        name=slo.name,
        service=slo.service,
        description=slo.description,
        sli_kind=slo.sli.kind,
        objective=slo.objective,
        period_days=slo.period_days,
        source=source,
        window=window,
        sli_value=None if error_ratio is None else 1 - error_ratio,
        error_ratio=error_ratio,
        error_budget=slo.error_budget,
        error_budget_remaining=remaining,
        current_burn_rate=measured.current_burn_rate,
        period_burn_rate=measured.period_burn_rate,
        burn_rate=measured.period_burn_rate,
        status=status_of(remaining, alert_threshold),
        detail=measured.detail,
    )


def evaluate_from_samples(
    slos: Sequence[SLODefinition],
    samples: Sequence[Sample],
    settings: ObservabilitySettings,
    *,
    uptime: float,
) -> SLOStatusReport:
    """Each SLI over the process's lifetime, from its own metric samples."""
    now = time.time()
    window = f"process lifetime ({uptime:.0f}s)"
    statuses = []
    for slo in slos:
        for group, subset in _per_group(slo, samples):
            error_ratio, detail = _error_ratio(slo, subset, now)
            burn = None if error_ratio is None else error_ratio / float(slo.error_budget)
            measured = _Measured(error_ratio, None if burn is None else 1 - burn, burn, detail=detail)
            status = _status(slo, "process", window, measured, settings.slo_alert_threshold)
            statuses.append(status.model_copy(update={"group": group}) if group else status)
    return SLOStatusReport(
        source="process", evaluated_at=datetime.now(UTC), overall=_overall(statuses), slos=statuses
    )


def _of_slo(
    slo: SLODefinition, series: dict[SeriesKey, SLOSeries], alert_threshold: float
) -> list[SLOStatus]:
    """One status for an SLO measured as a whole; one per group Prometheus holds for a grouped one."""
    mine = [
        s for (name, service, _), s in sorted(series.items()) if (name, service) == (slo.name, slo.service)
    ]
    if not slo.group_by:
        whole = next((s for s in mine if set(s.labels) <= set(slo.labels)), None)
        return [_from_series(slo, whole, alert_threshold)]
    groups = [s for s in mine if set(slo.group_by) <= set(s.labels)]
    if not groups:
        return [_from_series(slo, None, alert_threshold)]
    statuses = []
    for found in groups:
        status = _from_series(slo, found, alert_threshold)
        group = {label: found.labels[label] for label in slo.group_by}
        statuses.append(status.model_copy(update={"group": group}))
    return statuses


def _from_series(slo: SLODefinition, series: SLOSeries | None, alert_threshold: float) -> SLOStatus:
    values = series.values if series is not None else {}
    current = values.get(conv.SLO_CURRENT_BURN_RATE)
    measured = _Measured(
        error_ratio=values.get(conv.slo_error_ratio(slo.period)),
        budget_remaining=values.get(conv.SLO_PERIOD_BUDGET_REMAINING),
        period_burn_rate=values.get(conv.SLO_PERIOD_BURN_RATE),
        current_burn_rate=current,
        detail=_burn_note(
            current, None if series is not None else "Prometheus has no recorded series for this SLO"
        ),
    )
    return _status(slo, "prometheus", slo.period, measured, alert_threshold)


def evaluate_from_prometheus(
    slos: Sequence[SLODefinition], settings: ObservabilitySettings
) -> SLOStatusReport:
    """Each SLO's recorded output-contract series; raises ``PrometheusError`` when it cannot be read."""
    if settings.prometheus_url is None:
        msg = "AURUM_PROMETHEUS_URL is not set"
        raise PrometheusError(msg)
    windows = tuple(sorted({f"{slo.period_days}d" for slo in slos}))
    series = query_slo_series(
        str(settings.prometheus_url), windows, timeout=settings.prometheus_timeout_seconds
    )
    statuses = [status for slo in slos for status in _of_slo(slo, series, settings.slo_alert_threshold)]
    return SLOStatusReport(
        source="prometheus", evaluated_at=datetime.now(UTC), overall=_overall(statuses), slos=statuses
    )


def evaluate(
    slos: Sequence[SLODefinition],
    settings: ObservabilitySettings,
    registry: CollectorRegistry,
    *,
    uptime: float,
) -> SLOStatusReport:
    """From Prometheus when ``prometheus_url`` is set, else (or when it fails, said in
    ``source_error``) from the samples of ``registry``, merged across workers in multiprocess mode."""
    error = None
    if settings.prometheus_url is not None:
        try:
            return evaluate_from_prometheus(slos, settings)
        except PrometheusError as exc:
            error = str(exc)
    samples = collect_samples(reading_registry(registry))
    report = evaluate_from_samples(slos, samples, settings, uptime=uptime)
    return report.model_copy(update={"source_error": error}) if error else report
