"""The semantic diff as a reviewer reads it: Markdown for a pull request, plain text for a terminal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from aurum.monitoring.diff.semantic import Change

__all__ = ["render_report"]

HEADINGS = {
    "SLO": "SLOs",
    "recording rule": "Recording rules",
    "alert": "Alerts",
    "folder": "Dashboard folders",
    "dashboard": "Dashboards",
    "generated tests": "Generated promtool tests",
}
SECTIONS = tuple(HEADINGS)
MAX_DIFF_LINES = 40
_MARK = {"added": "+", "removed": "-", "changed": "~"}


def _headline(changes: Sequence[Change]) -> str:
    counts = Counter((c.section, c.kind) for c in changes)
    parts = []
    for section in SECTIONS[:-1]:
        kinds = [
            f"{counts[(section, kind)]} {kind}"
            for kind in ("added", "removed", "changed")
            if counts[(section, kind)]
        ]
        if kinds:
            parts.append(f"{HEADINGS[section]}: {', '.join(kinds)}")
    return "; ".join(parts) or "only generated tests changed"


def _change_lines(change: Change, markdown: bool) -> list[str]:
    where = f" in {change.where}" if change.where else ""
    name = f"`{change.name}`" if markdown else change.name
    lines = [
        f"- {change.kind} {change.section} {name}{where}"
        if markdown
        else f"  {_MARK[change.kind]} {change.name}{where}"
    ]
    indent = "  " if markdown else "      "
    lines += [f"{indent}- {detail}" if markdown else f"{indent}{detail}" for detail in change.details]
    if change.diff:
        shown = list(change.diff[:MAX_DIFF_LINES])
        if len(change.diff) > MAX_DIFF_LINES:
            shown.append(f"… {len(change.diff) - MAX_DIFF_LINES} more lines")
        if markdown:
            lines += [f"{indent}```diff", *(f"{indent}{line}" for line in shown), f"{indent}```"]
        else:
            lines += [f"{indent}{line}" for line in shown]
    return lines


def render_report(changes: Sequence[Change], against: str, *, markdown: bool) -> str:
    title = f"aurum-obs diff against {against}"
    if not changes:
        verdict = "No change to SLOs, rules, alerts or dashboards."
        return f"### {title}\n\n{verdict}\n" if markdown else f"{title}: {verdict}\n"
    lines = (
        [f"### {title}", "", f"**{_headline(changes)}**"] if markdown else [f"{title}: {_headline(changes)}"]
    )
    for section in SECTIONS:
        members = [c for c in changes if c.section == section]
        if not members:
            continue
        lines += ["", f"#### {HEADINGS[section]}" if markdown else f"{HEADINGS[section]}:"]
        for change in members:
            lines += _change_lines(change, markdown)
    return "\n".join(lines) + "\n"
