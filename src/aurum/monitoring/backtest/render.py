"""The backtest as text or Markdown (for a pull-request comment), alone or beside another revision's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction

from aurum.monitoring.backtest.replay import INCIDENT_BURN, SEMANTICS, Firing, Incident, SLOBacktest

__all__ = ["Extras", "render", "render_against"]


@dataclass(frozen=True, slots=True)
class Extras:
    """What the history said beside the replay: counter resets of the raw series."""

    resets: int = 0


def _clock(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M")


def _lasted(seconds: int) -> str:
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def _share(value: Fraction | None) -> str:
    return "-" if value is None else f"{float(value) * 100:.1f}%"


def _number(value: Fraction) -> str:
    return f"{float(value):.1f}"


def _firing(firing: Firing, step: int) -> str:
    noisy = " (within float noise of a threshold)" if firing.noisy else ""
    return (
        f"{_clock(firing.start)} for {_lasted(firing.end - firing.start + step)}, "
        f"{_share(firing.budget_spent)} of the budget spent{noisy}"
    )


def _caught(incident: Incident) -> str:
    if incident.caught_by is None or incident.delay is None:
        return "not caught"
    return f"{incident.caught_by} after {_lasted(incident.delay)}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *, markdown: bool) -> list[str]:
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return lines + ["| " + " | ".join(row) + " |" for row in rows]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]


def _heading(result: SLOBacktest, extras: Extras, *, markdown: bool) -> list[str]:
    slo, history = result.slo, result.history
    title = f"{slo.name} ({slo.service}): objective {slo.objective.normalize():f}% over {slo.period_days}d"
    gaps = history.gaps()
    gap_text = ", ".join(f"{_clock(a)} for {_lasted(b - a + history.step)}" for a, b in gaps) or "none"
    return [
        f"## {title}" if markdown else title,
        "",
        f"Replayed with {SEMANTICS[result.semantics]}. History: {_clock(history.start)} to {_clock(history.end)} UTC, {len(history.total)} evaluations "
        f"every {history.step}s. Gaps (no raw sample within the 5m lookback; the tiles record 0 events there): {gap_text}. "
        f"Counter resets in the raw series: {extras.resets} (the tiles count from 0 after one, as the rules do).",
        "",
    ]


def _undecided(result: SLOBacktest) -> list[str]:
    """A note per tier whose condition met a threshold within float noise, which Prometheus may
    have decided the other way."""
    return [
        f"{tier.tier.name}: {len(tier.undecided)} evaluations within float noise of a threshold "
        f"(from {_clock(tier.undecided[0])}); Prometheus may have decided them the other way."
        for tier in result.tiers
        if tier.undecided
    ]


def _incidents_note(markdown: bool) -> str:
    note = (
        f"Incidents: stretches where the 5m error ratio exceeded {INCIDENT_BURN}x the error budget "
        "(merged when under 15 minutes apart)."
    )
    return f"_{note}_" if markdown else note


def render(results: Sequence[tuple[SLOBacktest, Extras]], *, markdown: bool) -> str:
    lines = []
    for result, extras in results:
        lines += _heading(result, extras, markdown=markdown)
        rows = [
            (
                tier.tier.name,
                str(len(tier.firings)),
                _number(tier.per_30_days(result.seconds)),
                "; ".join(_firing(f, result.history.step) for f in tier.firings) or "never",
            )
            for tier in result.tiers
        ]
        lines += _table(("tier", "alerts", "per 30 days", "firing"), rows, markdown=markdown)
        lines += _undecided(result)
        lines += ["", _incidents_note(markdown), ""]
        incident_rows = [
            (
                _clock(i.start),
                _lasted(i.end - i.start + result.history.step),
                f"{float(i.peak_burn):.1f}x",
                _caught(i),
            )
            for i in result.incidents
        ]
        if incident_rows:
            lines += _table(
                ("incident", "lasted", "peak burn", "caught by"), incident_rows, markdown=markdown
            )
        else:
            lines.append("No incident in this history.")
        lines.append("")
    return "\n".join(lines)


def _difference(count: int, word: str) -> str:
    if count == 0:
        return f"as many {word}s"
    return f"{abs(count)} {'more' if count > 0 else 'fewer'} {word}{'' if abs(count) == 1 else 's'}"


def _incident_change(now: Incident, before: Incident | None) -> str:
    day = datetime.fromtimestamp(now.start, UTC).strftime("%d %b %H:%M")
    if before is None or before.delay is None:
        return f"incident of {day} {'caught' if now.delay is not None else 'still not caught'}"
    if now.delay is None:
        return f"incident of {day} no longer caught"
    change = now.delay - before.delay
    if change == 0:
        return f"incident of {day} caught as fast"
    return f"incident of {day} caught {_lasted(abs(change))} {'later' if change > 0 else 'sooner'}"


def render_against(
    pairs: Sequence[tuple[SLOBacktest, SLOBacktest | None, Extras]], ref: str, *, markdown: bool
) -> str:
    """This tree's backtest beside ``ref``'s, SLO by SLO: alerts per tier, then each incident."""
    lines = [f"This tree against {ref}.", ""]
    for now, before, extras in pairs:
        lines += _heading(now, extras, markdown=markdown)
        old = {t.tier.name: t for t in before.tiers} if before else {}
        new = {t.tier.name: t for t in now.tiers}
        rows, summary = [], []
        for name in sorted(set(old) | set(new)):
            a, b = new.get(name), old.get(name)
            count_a, count_b = len(a.firings) if a else 0, len(b.firings) if b else 0
            per_a = _number(a.per_30_days(now.seconds)) if a else "-"
            per_b = _number(b.per_30_days(now.seconds)) if b else "-"
            rows.append((name, per_b, per_a, str(count_a - count_b)))
            if a and b:
                delta = round(float(a.per_30_days(now.seconds) - b.per_30_days(now.seconds)))
                summary.append(f"{name}: {_difference(delta, 'alert')} in 30 days")
            else:
                summary.append(f"{name}: tier {'added' if a else 'removed'}")
        earlier = {i.start: i for i in before.incidents} if before else {}
        summary += [_incident_change(i, earlier.get(i.start)) for i in now.incidents]
        lines += [*(f"- {line}" for line in summary), ""] if markdown else [", ".join(summary) + ".", ""]
        lines += _table(
            ("tier", f"per 30 days ({ref})", "per 30 days (this tree)", "change in alerts"),
            rows,
            markdown=markdown,
        )
        lines += ["", _incidents_note(markdown), ""]
        incident_rows = [
            (
                _clock(i.start),
                f"{float(i.peak_burn):.1f}x",
                _caught(earlier[i.start]) if i.start in earlier else "-",
                _caught(i),
            )
            for i in now.incidents
        ]
        if incident_rows:
            lines += _table(
                ("incident", "peak burn", f"caught ({ref})", "caught (this tree)"),
                incident_rows,
                markdown=markdown,
            )
        else:
            lines.append("No incident in this history.")
        lines.append("")
    return "\n".join(lines)
