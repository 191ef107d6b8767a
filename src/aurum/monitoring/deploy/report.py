"""How plans, progress and results read: a table, the diffs, a summary, and exit statuses."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from aurum.monitoring.deploy.plan import Action, ItemKind, Outcome, Plan, PlanItem

__all__ = [
    "EXIT_CHANGES",
    "EXIT_ERROR",
    "EXIT_OK",
    "Progress",
    "exit_status",
    "plan_json",
    "plan_table",
    "summary",
]

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2

Progress = Callable[[int, int, PlanItem, Outcome], None]

_ORDER = {Action.CONFLICT: 0, Action.CREATE: 1, Action.UPDATE: 2, Action.DELETE: 3, Action.UNCHANGED: 4}
MAX_DIFF_LINES = 60


def _note(item: PlanItem, force: bool) -> str:
    if item.reason:
        if item.action is Action.CONFLICT and item.forceable:
            return item.reason + (" (--force: will be OVERWRITTEN)" if force else " (--force overrides)")
        return item.reason
    if item.changes:
        return f"{len(item.changes)} change{'s' if len(item.changes) != 1 else ''}"
    changed = sum(1 for line in item.diff if line[:1] in "+-" and line[:3] not in {"+++", "---"})
    return f"{changed} lines differ" if changed else ""


def _shown_changes(item: PlanItem) -> list[str]:
    """The semantic changes when there are some (dashboards), else the raw diff, bounded."""
    lines = list(item.changes or item.diff)
    shown = lines[:MAX_DIFF_LINES]
    out = [f"  {line}" for line in shown]
    if len(lines) > len(shown):
        out.append(f"  … {len(lines) - len(shown)} more (--json has them all)")
    return out


def plan_table(plan: Plan, *, verbose: bool = False, force: bool = False) -> str:
    """The plan as a table, conflicts first, then what changes in every update and conflict.

    Unchanged objects are counted, and listed only with ``verbose``: what a person must read is what
    the deploy will do.
    """
    items = sorted(
        plan.items, key=lambda i: (_ORDER[i.action], i.kind is not ItemKind.FOLDER, i.kind, i.where, i.name)
    )
    hidden = 0 if verbose else sum(1 for i in items if i.action is Action.UNCHANGED)
    items = [i for i in items if verbose or i.action is not Action.UNCHANGED]
    rows = [("ACTION", "KIND", "NAME", "WHERE", "NOTE")]
    rows += [
        (str(i.action), i.kind, i.label().removeprefix(f"{i.kind} "), i.where or "-", _note(i, force))
        for i in items
    ]
    widths = [max(len(row[col]) for row in rows) for col in range(4)]
    lines = [f"Plan for {plan.target}:", ""]
    lines += [
        "  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)) + "  " + row[4]
        for row in rows
    ]
    if len(rows) == 1:
        lines.append("(nothing to do)")
    for item in items:
        if (item.diff or item.changes) and item.action in {Action.UPDATE, Action.CONFLICT}:
            lines += ["", f"{item.action} {item.label()}:", *_shown_changes(item)]
    lines += ["", _counts(plan)]
    if hidden:
        lines.append(f"{hidden} unchanged not listed (--verbose lists them).")
    lines += list(plan.notes)
    return "\n".join(line.rstrip() for line in lines)


def _counts(plan: Plan) -> str:
    counts = plan.counts()
    parts = [
        f"{counts[Action.CREATE]} to create",
        f"{counts[Action.UPDATE]} to update",
        f"{counts[Action.DELETE]} to delete",
        f"{counts[Action.UNCHANGED]} unchanged",
        f"{counts[Action.CONFLICT]} in conflict",
    ]
    return "Plan: " + ", ".join(parts) + "."


def plan_json(plan: Plan, outcomes: Sequence[Outcome] | None = None, notes: Sequence[str] = ()) -> str:
    document = {"plan": plan.to_json()}
    if outcomes is not None:
        document["results"] = {"outcomes": [o.to_json() for o in outcomes], "limits_reached": list(notes)}
    return json.dumps(document, indent=2, sort_keys=True)


def progress_printer(stream: TextIO = sys.stderr) -> Progress:
    """One line per object as it is applied, so a deploy of many dashboards shows where it is."""

    def show(index: int, total: int, item: PlanItem, outcome: Outcome) -> None:
        status = "ok" if outcome.ok else "FAILED"
        detail = f": {outcome.detail}" if outcome.detail else ""
        width = len(str(total))
        print(
            f"[{index:>{width}}/{total}] {item.action} {item.label()} ... {status}{detail}",
            file=stream,
            flush=True,
        )

    return show


def summary(plan: Plan, outcomes: Sequence[Outcome], notes: Sequence[str] = ()) -> str:
    """The totals, every success and every failure by name, then every limit the deploy reached
    (a capped ``Retry-After``, the deadline)."""
    forced = [o for o in outcomes if o.ok and o.item.action is Action.CONFLICT]
    done = [o for o in outcomes if o.ok and o not in forced]
    failed = [o for o in outcomes if not o.ok]
    unchanged = plan.counts()[Action.UNCHANGED]
    overwritten = f" ({len(forced)} of them overwriting with --force)" if forced else ""
    lines = [
        f"Deploy to {plan.target}: {len(done) + len(forced)} applied{overwritten}, {len(failed)} failed, "
        f"{unchanged} unchanged."
    ]
    if done:
        lines.append("Applied:")
        lines += [
            f"  {o.item.action} {o.item.label()}" + (f" ({o.detail})" if o.detail else "") for o in done
        ]
    if forced:
        # What was there is gone: say so plainly, with why it was a conflict.
        lines.append("Overwritten with --force (what was in the target is lost):")
        lines += [
            f"  {o.item.label()}: {o.item.reason}" + (f" ({o.detail})" if o.detail else "") for o in forced
        ]
    if failed:
        lines.append("Failed (left as they were):")
        lines += [f"  {o.item.action} {o.item.label()}: {o.detail}" for o in failed]
    if notes:
        lines.append("Limits reached:")
        lines += [f"  {note}" for note in notes]
    return "\n".join(lines)


def exit_status(plan: Plan, outcomes: Sequence[Outcome] | None, *, detailed: bool, force: bool) -> int:
    """1 when anything failed or is in conflict; with ``--detailed-exitcode``, 2 for changes, else 0."""
    if outcomes is None:  # a dry run
        if plan.conflicts(force):
            return EXIT_ERROR
        changed = plan.has_changes or any(i.applies(force) for i in plan.items)
        return EXIT_CHANGES if detailed and changed else EXIT_OK
    if any(not o.ok for o in outcomes):
        return EXIT_ERROR
    return EXIT_CHANGES if detailed and outcomes else EXIT_OK
