"""The semantic diff as a reviewer reads it: Markdown for a pull request, plain text for a terminal.

The counts come first, on one line. Each change is one line; what an added or removed thing contains
is folded (``<details>`` in Markdown), and a change with many details shows the first few and folds
the rest. The whole report is bounded (a pull-request comment holds 65,536 characters, and nobody reads
a thousand lines): past :data:`MAX_LINES` the remaining changes are counted, not shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from aurum.monitoring.diff.semantic import Change

__all__ = ["MARKER", "MAX_LINES", "render_report"]

HEADINGS = {
    "SLO": "SLOs",
    "rule file": "Rule files",
    "recording rule": "Recording rules",
    "alert": "Alerts",
    "folder": "Dashboard folders",
    "dashboard": "Dashboards",
    "generated tests": "Generated promtool tests",
    "other output": "Other output files",
}
SECTIONS = tuple(HEADINGS)
KINDS = ("added", "removed", "renamed", "changed")
MAX_LINES = 300
MAX_DIFF_LINES = 30
SHOWN_DETAILS = 8
"""Details of a change shown inline; the rest are folded."""
MARKER = "<!-- aurum-obs diff -->"
"""Hidden in the Markdown report, so the pull-request comment that carries it can be found again."""
_MARK = {"added": "+", "removed": "-", "changed": "~", "renamed": ">"}


def headline(changes: Sequence[Change]) -> str:
    """``SLOs: 1 added; Rule files: 1 added; Dashboards: 2 changed``."""
    counts = Counter((c.section, c.kind) for c in changes)
    parts = []
    for section in SECTIONS:
        kinds = [f"{counts[(section, k)]} {k}" for k in KINDS if counts[(section, k)]]
        if kinds:
            parts.append(f"{HEADINGS[section]}: {', '.join(kinds)}")
    return "; ".join(parts)


def _one_line(change: Change, markdown: bool) -> str:
    name = f"`{change.name}`" if markdown else change.name
    where = f" in {change.where}" if change.where else ""
    summary = f": {change.summary}" if change.summary else ""
    if markdown:
        return f"- {change.kind} {change.section} {name}{where}{summary}"
    return f"  {_MARK[change.kind]} {change.section} {name}{where}{summary}"


def _fold(summary: str, lines: list[str], indent: str) -> list[str]:
    """A ``<details>`` block inside a list item: blank lines around its Markdown, as GitHub needs."""
    return [f"{indent}<details><summary>{summary}</summary>", "", *lines, "", f"{indent}</details>"]


def _change_lines(change: Change, markdown: bool) -> list[str]:
    lines = [_one_line(change, markdown)]
    indent = "  " if markdown else "      "
    details = [
        f"{indent}- {d.text(code=True)}" if markdown else f"{indent}{d.text()}" for d in change.details
    ]
    if change.folded and details:
        count = len(details)
        lines += _fold("what it holds", details, indent) if markdown else details[:SHOWN_DETAILS]
        if not markdown and count > SHOWN_DETAILS:
            lines.append(f"{indent}… {count - SHOWN_DETAILS} more")
    else:
        lines += details[:SHOWN_DETAILS]
        rest = details[SHOWN_DETAILS:]
        if rest and markdown:
            lines += _fold(f"{len(rest)} more", rest, indent)
        elif rest:
            lines.append(f"{indent}… {len(rest)} more (--format markdown folds them all in)")
    if change.diff:
        shown = list(change.diff[:MAX_DIFF_LINES])
        if len(change.diff) > MAX_DIFF_LINES:
            shown.append(f"… {len(change.diff) - MAX_DIFF_LINES} more lines")
        if markdown:
            lines += [f"{indent}```diff", *(f"{indent}{line}" for line in shown), f"{indent}```"]
        else:
            lines += [f"{indent}{line}" for line in shown]
    return lines


def render_report(
    changes: Sequence[Change], against: str, *, markdown: bool, max_lines: int | None = MAX_LINES
) -> str:
    """The report; ``max_lines=None`` shows every change."""
    title = f"aurum-obs diff against {against}"
    if not changes:
        verdict = "No change to SLOs, rules, alerts or dashboards."
        return f"{MARKER}\n### {title}\n\n{verdict}\n" if markdown else f"{title}: {verdict}\n"
    lines = (
        [MARKER, f"### {title}", "", f"**{headline(changes)}**"]
        if markdown
        else [f"{title}: {headline(changes)}"]
    )
    left_out = 0
    for section in SECTIONS:
        members = [c for c in changes if c.section == section]
        if not members:
            continue
        heading = ["", f"#### {HEADINGS[section]}" if markdown else f"{HEADINGS[section]}:"]
        for change in members:
            block = _change_lines(change, markdown)
            if max_lines is not None and len(lines) + len(heading) + len(block) > max_lines:
                left_out += 1
                continue
            lines += heading + block
            heading = []
    if left_out:
        note = f"{left_out} more change{'s' if left_out != 1 else ''} not shown: `aurum-obs diff --against {against.split(' ', maxsplit=1)[0]} --max-lines 0` lists them all."
        lines += ["", f"_{note}_" if markdown else note.replace("`", "")]
    return "\n".join(lines) + "\n"
