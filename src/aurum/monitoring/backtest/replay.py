"""An SLO's alert tiers replayed over a recorded history: firing intervals, incidents, delays. Pure.

The history is the SLO's two one-minute tiles (bad and total events) as the compiled rules would
have recorded them at each evaluation; everything built on them (the base series, the windows, the
rollups, the tier conditions, ``for``) is replayed by :class:`aurum.monitoring.compile.simulate.Replay`,
the exact model the generated promtool tests are proved with, in either of Prometheus' range
semantics (:class:`~aurum.monitoring.compile.simulate.Semantics`). Every group is evaluated at
every one-minute step, as promtool does.

An *incident* is a stretch of evaluations in which the base window's error ratio exceeds
:data:`INCIDENT_BURN` times the error budget (a burn that spends a 30-day budget in 3 days), with
stretches less than :data:`INCIDENT_MERGE_SECONDS` apart counted as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from aurum.contract.conventions import BASE_WINDOW_SECONDS
from aurum.monitoring.compile.simulate import STEP_SECONDS, BaseSeries, Replay, Semantics
from aurum.monitoring.model import SLO, AlertTier

__all__ = [
    "INCIDENT_BURN",
    "INCIDENT_MERGE_SECONDS",
    "Firing",
    "History",
    "Incident",
    "SLOBacktest",
    "TierBacktest",
    "replay",
]

INCIDENT_BURN = 10
INCIDENT_MERGE_SECONDS = 15 * 60
SEMANTICS = {
    Semantics.V2: "Prometheus 2.x semantics (a range includes both ends)",
    Semantics.V3: "Prometheus 3.x semantics (a range leaves its start out)",
}


@dataclass(frozen=True, slots=True)
class History:
    """The two tiles at every evaluation from ``start``, ``step`` seconds apart (None where the
    query returned nothing), and whether any raw series had a sample within the lookback."""

    start: int
    step: int
    bad: tuple[float | None, ...]
    total: tuple[float | None, ...]
    seen: tuple[bool, ...] = ()
    counted: bool = True
    """Tiles that count events (counters); False for sampled slices (see ``sli_queries.Tiles``)."""

    @property
    def end(self) -> int:
        return self.start + (len(self.total) - 1) * self.step

    def gaps(self) -> list[tuple[int, int]]:
        """``(first, last)`` unix times of each stretch of evaluations where no raw series had a
        sample (the tiles then record 0: ``or vector(0)``)."""
        seen = self.seen or tuple(v is not None for v in self.total)
        return [(self.at(a), self.at(b)) for a, b in _runs([not s for s in seen])]

    def at(self, index: int) -> int:
        return self.start + index * self.step


@dataclass(frozen=True, slots=True)
class Firing:
    start: int
    end: int
    """The last evaluation at which the alert fired (unix seconds)."""
    budget_spent: Fraction | None
    """The share of the period's error budget spent when it started (``1 - budget remaining``)."""
    noisy: bool
    """Some evaluation of it was within float noise of a threshold."""


@dataclass(frozen=True, slots=True)
class TierBacktest:
    tier: AlertTier
    firings: tuple[Firing, ...]
    undecided: tuple[int, ...] = ()
    """Evaluations (unix seconds) whose condition was within float noise of a threshold: the exact
    replay decides them, Prometheus' floats could decide them either way."""

    def per_30_days(self, seconds: int) -> Fraction:
        return Fraction(len(self.firings) * 30 * 86400, max(seconds, 1))


@dataclass(frozen=True, slots=True)
class Incident:
    start: int
    end: int
    peak_burn: Fraction
    caught_by: str | None
    """The tier that fired first during the incident, None when none did."""
    delay: int | None
    """Seconds from the incident's start to that tier's first firing evaluation (0: already firing)."""


@dataclass(frozen=True, slots=True)
class SLOBacktest:
    slo: SLO
    history: History
    semantics: Semantics
    tiers: tuple[TierBacktest, ...]
    incidents: tuple[Incident, ...]

    @property
    def seconds(self) -> int:
        return self.history.end - self.history.start + self.history.step


def _runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    runs, first = [], None
    for index, flag in enumerate(flags):
        if flag and first is None:
            first = index
        elif not flag and first is not None:
            runs.append((first, index - 1))
            first = None
    if first is not None:
        runs.append((first, len(flags) - 1))
    return runs


def _exact(values: Sequence[float | None]) -> list[Fraction]:
    # A gap records nothing; summing a window over it adds nothing, as zero does.
    return [Fraction(v) if v is not None else Fraction(0) for v in values]


def _base_series(history: History, semantics: Semantics) -> BaseSeries:
    """Floats are binary fractions: over their common denominator they are exact whole numbers."""
    if history.step != STEP_SECONDS:
        msg = f"the replay models a {STEP_SECONDS}s evaluation step, not {history.step}s"
        raise ValueError(msg)
    bad, total = _exact(history.bad), _exact(history.total)
    denominator = max((v.denominator for v in (*bad, *total)), default=1)
    # A counted tile is events per minute; the base series is their rate per second over 5m.
    unit = Fraction(1, BASE_WINDOW_SECONDS if history.counted else 1) / denominator
    return BaseSeries(
        tuple(int(v * denominator) for v in bad),
        tuple(int(v * denominator) for v in total),
        unit,
        semantics=semantics,
        counted=history.counted,
    )


def _tier(model: Replay, history: History, tier: AlertTier) -> TierBacktest:
    instant = tier.model_copy(update={"for_": None})
    states = [model.firing(instant, t) for t in range(len(history.total))]
    hold = -(-(tier.for_ or 0) // history.step)
    held, streak = [], 0
    for holds, _, _ in states:
        streak = streak + 1 if holds else 0
        held.append(streak > hold)
    budget = Fraction(model.slo.error_budget)
    firings = []
    for first, last in _runs(held):
        ratio = model.ratio(model.slo.period_seconds, first)
        noisy = not all(states[i][1] for i in range(max(0, first - hold - 1), min(len(states), last + 2)))
        firings.append(
            Firing(history.at(first), history.at(last), None if ratio is None else ratio / budget, noisy)
        )
    undecided = tuple(history.at(t) for t, (_, robust, _) in enumerate(states) if not robust)
    return TierBacktest(tier, tuple(firings), undecided)


def _incidents(model: Replay, history: History, tiers: Sequence[TierBacktest]) -> list[Incident]:
    budget = Fraction(model.slo.error_budget)
    burns = []
    for t in range(len(history.total)):
        bad, total = model.base_sums(t)
        burns.append(Fraction(bad, total) / budget if total > 0 else Fraction(0))
    merge = INCIDENT_MERGE_SECONDS // history.step
    stretches: list[tuple[int, int]] = []
    for first, last in _runs([burn > INCIDENT_BURN for burn in burns]):
        if stretches and first - stretches[-1][1] <= merge:
            stretches[-1] = (stretches[-1][0], last)
        else:
            stretches.append((first, last))
    incidents = []
    for first, last in stretches:
        start, end = history.at(first), history.at(last)
        # The first to fire; at the same evaluation, the tier declared first (the page, usually).
        caught: list[tuple[int, int, str]] = [
            (max(firing.start, start), order, tier.tier.name)
            for order, tier in enumerate(tiers)
            for firing in tier.firings
            if firing.start <= end and firing.end >= start
        ]
        when, _, name = min(caught) if caught else (None, None, None)
        peak = max(burns[first : last + 1])
        incidents.append(Incident(start, end, peak, name, None if when is None else when - start))
    return incidents


def replay(slo: SLO, history: History, semantics: Semantics = Semantics.V2) -> SLOBacktest:
    """What ``slo``'s enabled tiers would have done over ``history`` under ``semantics``."""
    model = Replay(slo, _base_series(history, semantics))
    tiers = tuple(_tier(model, history, tier) for tier in slo.alerting.enabled_tiers)
    return SLOBacktest(slo, history, semantics, tiers, tuple(_incidents(model, history, tiers)))
