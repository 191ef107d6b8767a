"""SLO -> Prometheus rule groups: SLI windows, metadata, and multi-window multi-burn-rate alerts.

Every SLI records its bad and total events per minute (a *tile*, see :mod:`sli_queries`), evaluated
every minute; a window W shorter than a day is ``sum_over_time(bad_tile[W - 30s]) /
sum_over_time(total_tile[W - 30s])``: exactly the events of the last W/1m tiles, bad over total, so
windows are event-weighted (not an average of ratios, in which a quiet night weighs as much as a
busy day) and span what they declare. Windows of a day or more sum 5-minute rollups of the tiles
instead, recorded every 5 minutes, which reads 5x fewer samples.

Ranges end half a step short of a whole window: recorded samples lie on the group's evaluation
times, so ``[W - step/2]`` holds the same W/step samples whether the range includes its start
(Prometheus 2.x) or not (3.x). A range of exactly W would hold one sample more under 2.x.

For vmalert (:class:`~aurum.contract.conventions.RuleEngine`), no rule reads what another rule of
its group records in the same evaluation, at an instant or as the newest sample of a range: the
windows and the base rates, which sum the tiles (or rollups), are a group of their own
(``<group>-windows``), where the current burn rate, the period burn rate and the budget remaining
compute their ratio inline. The tiles tell whether the rules ran a minute ago from the base rate
of the windows group (``offset 1m``). promtool evaluates the groups of a file in order at each
instant, so the values are Prometheus's, and the same generated tests prove both shapes.
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
from aurum.monitoring.compile.sli_queries import Tiles, tile_queries
from aurum.monitoring.model import SLO, AlertTier, format_duration

__all__ = [
    "VALUE_TEMPLATE",
    "alert_annotations",
    "alert_labels",
    "compile_slo",
    "span_before",
    "tier_condition",
]

_TEMPLATES = re.compile(r"{{.*?}}")
VALUE_TEMPLATE = "{{ $value | humanize }}"
"""Where an alert's description shows its value (the short window's burn rate)."""


def _own(record: str, slo: SLO) -> str:
    """A recorded series of ``slo``, by its identity: service and name."""
    return selector(record, slo_names.own_matchers(slo))


def _inlined() -> bool:
    """Whether a rule must compute what it would otherwise read from a rule of its own group."""
    return current_project().rule_engine is RuleEngine.VMALERT


def span_before(window: int, step: int) -> int:
    """Seconds of the range that holds the last ``window / step`` samples recorded every ``step``."""
    return window - step // 2


def _range(seconds: int) -> str:
    """A PromQL duration in compound units: ``3570`` -> ``59m30s``."""
    parts, rest = [], seconds
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(parts)


def _sum_over(record: str, slo: SLO, window: int, step: int) -> str:
    return f"sum_over_time({_own(record, slo)}[{_range(span_before(window, step))}])"


def _ratio_expr(slo: SLO, window: int) -> str:
    long = window >= slo_names.LONG_WINDOW_FROM
    bad_record = conv.SLO_BAD_EVENTS_ROLLUP if long else conv.SLO_BAD_EVENTS_TILE
    total_record = conv.SLO_TOTAL_EVENTS_ROLLUP if long else conv.SLO_TOTAL_EVENTS_TILE
    step = slo_names.LONG_GROUP_INTERVAL if long else conv.TILE_SECONDS
    bad, total = (_sum_over(record, slo, window, step) for record in (bad_record, total_record))
    # "> 0" leaves the ratio empty, not NaN, when the window saw no event at all.
    return f"{bad}\n/\n({total} > 0)"


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
        if (w >= slo_names.LONG_WINDOW_FROM) == long
    ]


def _split(
    slo: SLO,
    name: SLOGroup,
    *,
    first: list[RecordingRule],
    windows: list[RecordingRule],
    interval: str | None = None,
) -> tuple[RuleGroup, ...]:
    """One group, or for vmalert the windows in a group of their own (after ``name``'s in the file,
    where promtool evaluates them after it at the same instant, as Prometheus does within a group)."""
    own = slo_names.group_name(slo, name)
    if not _inlined():
        return (RuleGroup(own, tuple(first + windows), interval),)
    return (
        RuleGroup(own, tuple(first), interval),
        RuleGroup(f"{own}-{conv.WINDOWS_GROUP_SUFFIX}", tuple(windows), interval),
    )


def _base_rates(slo: SLO, tiles: Tiles) -> list[RecordingRule]:
    """The base series: counted events as a rate per second over the base window; a sampled tile
    already is the base value (a slice, or the query's own rate)."""
    labels = slo_names.record_labels(slo)
    rules = []
    for rate, tile, query in (
        (conv.SLO_BAD_EVENTS, conv.SLO_BAD_EVENTS_TILE, tiles.bad),
        (conv.SLO_TOTAL_EVENTS, conv.SLO_TOTAL_EVENTS_TILE, tiles.total),
    ):
        if tiles.counted:
            expr = f"{_sum_over(tile, slo, conv.BASE_WINDOW_SECONDS, conv.TILE_SECONDS)} / {conv.BASE_WINDOW_SECONDS}"
        else:
            expr = query if _inlined() else _own(tile, slo)
        rules.append(RecordingRule(rate, expr, labels))
    return rules


def _sli_groups(slo: SLO) -> tuple[RuleGroup, ...]:
    labels = slo_names.record_labels(slo)
    # A series the rules record every minute, read a minute back: did they run then? (For vmalert,
    # one of the windows group, which this group's rules may read.)
    previous = _own(conv.SLO_TOTAL_EVENTS if _inlined() else conv.SLO_TOTAL_EVENTS_TILE, slo)
    tiles = tile_queries(slo.sli, previous, slo.group_by)
    recorded: list[RecordingRule] = [
        RecordingRule(conv.SLO_BAD_EVENTS_TILE, tiles.bad, labels),
        RecordingRule(conv.SLO_TOTAL_EVENTS_TILE, tiles.total, labels),
    ]
    budget = exact_number(slo.error_budget)
    burn = RecordingRule(
        conv.SLO_CURRENT_BURN_RATE, f"{_read(slo, conv.BASE_WINDOW_SECONDS)} / {budget}", labels
    )
    windows = [*_base_rates(slo, tiles), *_windows(slo, long=False), burn]
    # The tiles are one minute each: the group must run every minute, whatever the global interval.
    return _split(slo, SLOGroup.SLI, first=recorded, windows=windows, interval=conv.TILE)


def _long_groups(slo: SLO) -> tuple[RuleGroup, ...]:
    labels = slo_names.record_labels(slo)
    # The tiles come from another group, whose evaluations are not in step with this one: a range
    # of exactly 5 minutes holds 5 of them at any phase, and ending it 30 s back keeps a tile from
    # sitting on its start when the phases coincide (as in promtool, or by chance), where 2.x would
    # count it twice.
    back = format_duration(conv.TILE_SECONDS // 2)
    rollup_range = format_duration(slo_names.LONG_GROUP_INTERVAL)
    rollups: list[RecordingRule] = [
        RecordingRule(rollup, f"sum_over_time({_own(tile, slo)}[{rollup_range}] offset {back})", labels)
        for rollup, tile in (
            (conv.SLO_BAD_EVENTS_ROLLUP, conv.SLO_BAD_EVENTS_TILE),
            (conv.SLO_TOTAL_EVENTS_ROLLUP, conv.SLO_TOTAL_EVENTS_TILE),
        )
    ]
    burn = f"{_read(slo, slo.period_seconds)} / {exact_number(slo.error_budget)}"
    remaining = f"1 - ({burn})" if _inlined() else f"1 - {_own(conv.SLO_PERIOD_BURN_RATE, slo)}"
    period = [
        RecordingRule(conv.SLO_PERIOD_BURN_RATE, burn, labels),
        RecordingRule(conv.SLO_PERIOD_BUDGET_REMAINING, remaining, labels),
    ]
    interval = format_duration(slo_names.LONG_GROUP_INTERVAL)
    return _split(
        slo, SLOGroup.LONG, first=rollups, windows=_windows(slo, long=True) + period, interval=interval
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
    """The error ratio over ``window`` as an alert reads it. For vmalert, a window under a day is
    computed from the tiles (the recorded ratio is one write further from the data), and every side
    is summed into one series without labels, so that any pair of them matches."""
    record = _own(conv.slo_error_ratio(format_duration(window)), slo)
    if not _inlined():
        return record
    if window >= slo_names.LONG_WINDOW_FROM:
        return f"sum({record})"
    return f"sum(\n{_ratio_expr(slo, window)}\n)"


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
