"""SLO -> Prometheus rule groups: SLI windows, metadata, and multi-window multi-burn-rate alerts.

Windows are event-weighted and cheap at once. The base window's bad and total event rates are
recorded once from raw series; a window W shorter than a day is
``sum_over_time(bad[W]) / sum_over_time(total[W])`` over those recorded series. Summing rates sampled
at a fixed interval counts every event the same number of times, so the ratio is total bad events
over total events (not an average of 5-minute ratios, in which a quiet night weighs as much as a busy
day). Windows of a day or more sum 5-minute rollups of the base series instead, recorded every
5 minutes, which keeps the weighting and reads 5x fewer samples (30x at a 10 s interval).

For vmalert (:class:`~aurum.contract.conventions.RuleEngine`), no rule reads what another rule of
its group records in the same evaluation, at an instant or as the newest sample of a range: the
5-minute ratio and the current burn rate are computed from the raw series, as the base rates are;
the windows, which sum the recorded base series (or rollups), are a group of their own
(``<group>-windows``); the period burn rate and budget remaining are computed there from the
rollups. promtool evaluates the groups of a file in order at each instant, so the values are
Prometheus's, and the same generated tests prove both shapes.
"""

from __future__ import annotations

import re
from fractions import Fraction

from aurum.contract import conventions as conv
from aurum.contract.conventions import RuleEngine, SLOGroup
from aurum.contract.project import current_project
from aurum.monitoring.compile import slo_names
from aurum.monitoring.compile.promql import exact_number, selector
from aurum.monitoring.compile.rules import AlertingRule, RecordingRule, RuleGroup
from aurum.monitoring.compile.sli_queries import base_queries
from aurum.monitoring.model import SLO, AlertTier, format_duration

__all__ = ["VALUE_TEMPLATE", "alert_annotations", "alert_labels", "compile_slo", "tier_condition"]

_TEMPLATES = re.compile(r"{{.*?}}")
VALUE_TEMPLATE = "{{ $value | humanize }}"
"""Where an alert's description shows its value (the short window's burn rate)."""


def _own(record: str, slo: SLO) -> str:
    """A recorded series of ``slo``, by its identity: service and name."""
    return selector(record, slo_names.own_matchers(slo))


def _inlined() -> bool:
    """Whether a rule must compute what it would otherwise read from a rule of its own group."""
    return current_project().rule_engine is RuleEngine.VMALERT


def _ratio_expr(slo: SLO, window: int) -> str:
    if window == conv.BASE_WINDOW_SECONDS and _inlined():
        bad, total = base_queries(slo.sli)
        return f"({bad})\n/\n(({total}) > 0)"
    long = window >= slo_names.LONG_WINDOW_FROM
    bad_record = conv.SLO_BAD_EVENTS_ROLLUP if long else conv.SLO_BAD_EVENTS
    total_record = conv.SLO_TOTAL_EVENTS_ROLLUP if long else conv.SLO_TOTAL_EVENTS
    bad, total = _own(bad_record, slo), _own(total_record, slo)
    if window == conv.BASE_WINDOW_SECONDS:
        return f"{bad}\n/\n({total} > 0)"
    w = format_duration(window)
    # "> 0" leaves the ratio empty, not NaN, when the window saw no event at all.
    return f"sum_over_time({bad}[{w}])\n/\n(sum_over_time({total}[{w}]) > 0)"


def _read(slo: SLO, window: int) -> str:
    """The error ratio over ``window`` as a rule of the same group uses it: the recorded series, or
    for vmalert the ratio's own expression (in parentheses)."""
    if _inlined():
        return f"(\n{_ratio_expr(slo, window)}\n)"
    return _own(conv.slo_error_ratio(format_duration(window)), slo)


def _windows(slo: SLO, *, long: bool) -> list[RecordingRule]:
    labels = slo_names.record_labels(slo)
    return [
        RecordingRule(conv.slo_error_ratio(format_duration(w)), _ratio_expr(slo, w), labels)
        for w in slo_names.windows(slo)
        if (w >= slo_names.LONG_WINDOW_FROM) == long and not (_inlined() and w == conv.BASE_WINDOW_SECONDS)
    ]


def _split(
    slo: SLO,
    name: SLOGroup,
    *,
    first: list[RecordingRule],
    windows: list[RecordingRule],
    then: list[RecordingRule],
    interval: str | None = None,
) -> tuple[RuleGroup, ...]:
    """One group, or for vmalert the windows in a group of their own (after ``name``'s in the file,
    where promtool evaluates them after it at the same instant, as Prometheus does within a group)."""
    own = slo_names.group_name(slo, name)
    if not _inlined():
        return (RuleGroup(own, tuple(first + windows + then), interval),)
    return (
        RuleGroup(own, tuple(first + then), interval),
        RuleGroup(f"{own}-{conv.WINDOWS_GROUP_SUFFIX}", tuple(windows), interval),
    )


def _sli_groups(slo: SLO) -> tuple[RuleGroup, ...]:
    labels = slo_names.record_labels(slo)
    bad, total = base_queries(slo.sli)
    base: list[RecordingRule] = [
        RecordingRule(conv.SLO_BAD_EVENTS, bad, labels),
        RecordingRule(conv.SLO_TOTAL_EVENTS, total, labels),
    ]
    budget = exact_number(slo.error_budget)
    burn = [
        RecordingRule(
            conv.SLO_CURRENT_BURN_RATE, f"{_read(slo, conv.BASE_WINDOW_SECONDS)} / {budget}", labels
        )
    ]
    if _inlined():  # the 5-minute ratio from raw series, beside the base rates
        base.append(
            RecordingRule(
                conv.slo_error_ratio(conv.BASE_WINDOW), _ratio_expr(slo, conv.BASE_WINDOW_SECONDS), labels
            )
        )
    return _split(slo, SLOGroup.SLI, first=base, windows=_windows(slo, long=False), then=burn)


def _long_groups(slo: SLO) -> tuple[RuleGroup, ...]:
    labels = slo_names.record_labels(slo)
    base = conv.BASE_WINDOW
    rollups: list[RecordingRule] = [
        RecordingRule(rollup, f"sum_over_time({_own(record, slo)}[{base}])", labels)
        for rollup, record in (
            (conv.SLO_BAD_EVENTS_ROLLUP, conv.SLO_BAD_EVENTS),
            (conv.SLO_TOTAL_EVENTS_ROLLUP, conv.SLO_TOTAL_EVENTS),
        )
    ]
    burn = f"{_read(slo, slo.period_seconds)} / {exact_number(slo.error_budget)}"
    remaining = f"1 - ({burn})" if _inlined() else f"1 - {_own(conv.SLO_PERIOD_BURN_RATE, slo)}"
    period = [
        RecordingRule(conv.SLO_PERIOD_BURN_RATE, burn, labels),
        RecordingRule(conv.SLO_PERIOD_BUDGET_REMAINING, remaining, labels),
    ]
    interval = format_duration(slo_names.LONG_GROUP_INTERVAL)
    if _inlined():  # the period's burn rate is read from the rollups, so it goes with the windows
        return _split(
            slo,
            SLOGroup.LONG,
            first=rollups,
            windows=_windows(slo, long=True) + period,
            then=[],
            interval=interval,
        )
    return _split(
        slo, SLOGroup.LONG, first=rollups, windows=_windows(slo, long=True), then=period, interval=interval
    )


def _meta_group(slo: SLO) -> RuleGroup:
    labels = slo_names.record_labels(slo)
    info_labels = {
        **labels,
        conv.OBJECTIVE_LABEL: exact_number(slo.objective_ratio),
        conv.PERIOD_LABEL: slo.target.period,
        conv.DESCRIPTION_LABEL: slo.description,
    }
    rules = (
        RecordingRule(conv.SLO_OBJECTIVE, f"vector({exact_number(slo.objective_ratio)})", labels),
        RecordingRule(conv.SLO_ERROR_BUDGET, f"vector({exact_number(slo.error_budget)})", labels),
        RecordingRule(conv.SLO_TIME_PERIOD, f"vector({slo.period_days})", labels),
        RecordingRule(conv.SLO_INFO, "vector(1)", info_labels),
    )
    return RuleGroup(slo_names.group_name(slo, SLOGroup.META), rules)


def _burn_input(slo: SLO, window: int) -> str:
    """The error ratio over ``window`` as an alert reads it. For vmalert, computed from what is a
    step nearer the raw series, each one write through VictoriaMetrics fewer: the 5-minute ratio
    from the raw series, a shorter window from the base series; without labels on every side, so
    any pair of them matches."""
    record = _own(conv.slo_error_ratio(format_duration(window)), slo)
    if not _inlined():
        return record
    if window == conv.BASE_WINDOW_SECONDS:
        return f"(\n{_ratio_expr(slo, window)}\n)"
    if window >= slo_names.LONG_WINDOW_FROM:
        return f"sum({record})"
    w = format_duration(window)
    bad, total = (_own(series, slo) for series in (conv.SLO_BAD_EVENTS, conv.SLO_TOTAL_EVENTS))
    return f"(sum(sum_over_time({bad}[{w}])) / (sum(sum_over_time({total}[{w}])) > 0))"


def tier_condition(slo: SLO, tier: AlertTier) -> str:
    """Any window pair burning faster than its factor; the value is the short window's burn rate.

    The short window comes first in each ``and`` so that ``$value`` is the burn rate right now.
    """
    budget = exact_number(slo.error_budget)
    pairs = []
    for window in tier.windows:
        factor = exact_number(window.burn_factor(slo.period_seconds))
        short, long = (_burn_input(slo, w) for w in (window.short, window.long))
        pairs.append(f"(\n  {short} / {budget} > {factor}\nand\n  {long} / {budget} > {factor}\n)")
    return "\nor\n".join(pairs)


def alert_labels(slo: SLO, tier: AlertTier) -> dict[str, str]:
    """The series' labels, the policy's and the tier's routing labels, the severity and the tier."""
    routing = {**slo.alerting.labels, **tier.labels}
    own = {conv.SEVERITY_LABEL: tier.severity, conv.TIER_LABEL: tier.name}
    return dict(sorted({**slo_names.record_labels(slo), **routing}.items())) | own


def alert_annotations(slo: SLO, tier: AlertTier, value: str = VALUE_TEMPLATE) -> dict[str, str]:
    """The annotations of ``tier``'s alert; tests pass the value they expect the template to render.

    The defaults, then the policy's annotations, then the tier's; in the declared ones, tests get
    ``$value`` as ``value`` and ``$labels.<name>`` as the alert's label.
    """
    declared = {**slo.alerting.annotations, **tier.annotations}
    if value != VALUE_TEMPLATE:
        labels = slo_names.record_labels(slo)  # $labels are the series', not the rule's own labels
        declared = {name: _rendered(text, value, labels) for name, text in declared.items()}
    return {
        conv.SUMMARY_ANNOTATION: f"The {slo.name} SLO of {slo.service} is burning its error budget too fast.",
        conv.DESCRIPTION_ANNOTATION: _describe_tier(slo, tier, value),
        conv.RUNBOOK_ANNOTATION: slo_names.runbook_url(slo),
    } | dict(sorted(declared.items()))


def _rendered(text: str, value: str, labels: dict[str, str]) -> str:
    """``text`` as Prometheus renders the templates the model allows (``AlertAnnotations``)."""

    def one(template: re.Match[str]) -> str:
        inner = template.group(0)[2:-2].strip()
        return value if inner.startswith("$value") else labels.get(inner.removeprefix("$labels."), "")

    return _TEMPLATES.sub(one, text)


def _describe_tier(slo: SLO, tier: AlertTier, value: str) -> str:
    def factor(value: Fraction) -> str:
        return f"{float(value):.4g}"

    windows = " or ".join(
        f"{factor(w.burn_factor(slo.period_seconds))}x over {format_duration(w.long)} "
        f"(confirmed over {format_duration(w.short)})"
        for w in tier.windows
    )
    return (
        f"The {slo.name} SLO of {slo.service} (objective {slo.objective.normalize():f}% over "
        f"{slo.period_days}d) is spending its error budget {value} times faster than "
        f"sustainable. The {tier.name} tier fires above {windows}."
    )


def _alert_group(slo: SLO) -> RuleGroup:
    alerts = tuple(
        AlertingRule(
            alert=slo_names.alert_name(slo, tier),
            expr=tier_condition(slo, tier),
            for_=format_duration(tier.for_) if tier.for_ else None,
            labels=alert_labels(slo, tier),
            annotations=alert_annotations(slo, tier),
        )
        for tier in slo.alerting.enabled_tiers
    )
    return RuleGroup(slo_names.group_name(slo, SLOGroup.ALERTS), alerts)


def compile_slo(slo: SLO) -> tuple[RuleGroup, ...]:
    """The rule groups of one SLO, in :class:`~aurum.contract.conventions.SLOGroup` order."""
    groups = (*_sli_groups(slo), *_long_groups(slo), _meta_group(slo), _alert_group(slo))
    return tuple(group for group in groups if group.rules)
