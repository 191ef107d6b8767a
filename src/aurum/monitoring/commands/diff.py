"""``aurum-obs diff --against REF``: render this tree and REF, and print what changes semantically.

Exit status: 0 (with ``--exit-code``: 0 no change, 1 changes), 2 when a tree cannot be rendered or the
revision cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aurum.monitoring.diff.report import MAX_LINES, render_report
from aurum.monitoring.diff.semantic import semantic_diff
from aurum.monitoring.diff.trees import RenderError, render_ref, render_tree
from aurum.monitoring.io.git import GitError

__all__ = ["add_diff_parser", "run_diff"]


def add_diff_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    diff = commands.add_parser(
        "diff", help="what this tree changes in SLOs, rules, alerts and dashboards vs a git ref"
    )
    diff.add_argument(
        "--against", required=True, metavar="REF", help="the git revision to compare with (e.g. origin/main)"
    )
    diff.add_argument("--root", type=Path, default=Path(), help="repository root (default: .)")
    diff.add_argument(
        "--format", choices=["text", "markdown"], default="text", help="markdown for a pull request"
    )
    diff.add_argument(
        "--exit-code", action="store_true", help="exit 1 when anything changed, as git diff does"
    )
    diff.add_argument(
        "--max-lines",
        type=int,
        default=MAX_LINES,
        metavar="N",
        help=f"show changes up to about N lines, count the rest (default: {MAX_LINES}; 0: show everything)",
    )


def run_diff(args: argparse.Namespace) -> int:
    root: Path = args.root.resolve()
    try:
        commit, before = render_ref(root, args.against)
        after = render_tree(root)
    except (GitError, RenderError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    changes = semantic_diff(before, after)
    report = render_report(
        changes,
        f"{args.against} ({commit[:12]})",
        markdown=args.format == "markdown",
        max_lines=args.max_lines or None,
    )
    print(report, end="")
    return 1 if args.exit_code and changes else 0
