"""``aurum-obs backtest --prometheus URL --from T1 --to T2``: each SLO's alert tiers replayed over the
history of its input series, optionally beside another revision's (``--against REF``).

The history is read once per SLO and replayed with both trees' declarations, so the comparison shows
what the declarations change, on the same data. A revision's declarations are exported with
``git archive`` (as ``aurum-obs diff`` does) and loaded by this tree's model and compiler.

Exit status: 0 reported, 1 Prometheus could not be read, 2 a bad declaration, argument or revision.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from aurum.contract.catalogs import using_catalogs
from aurum.monitoring.commands.report import parse_time
from aurum.monitoring.compile.simulate import Semantics
from aurum.monitoring.io.catalogs import repository_catalogs
from aurum.monitoring.io.declarations import DeclarationError, load_slos
from aurum.monitoring.io.errors import error_lines
from aurum.monitoring.io.git import GitError, export_tree, repo_prefix
from aurum.monitoring.model import SLO

__all__ = ["add_backtest_parser", "run_backtest"]

EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE = 0, 1, 2


def add_backtest_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backtest = commands.add_parser(
        "backtest", help="how each SLO's alert tiers would have fired over the history in Prometheus"
    )
    backtest.add_argument("--prometheus", required=True, metavar="URL", help="the Prometheus to read from")
    backtest.add_argument("--from", dest="start", required=True, metavar="TIME", help="start of the history")
    backtest.add_argument("--to", dest="end", default="now", metavar="TIME", help="end (default: now)")
    backtest.add_argument(
        "--slo", action="append", default=[], metavar="NAME", help="only this SLO (repeatable)"
    )
    backtest.add_argument("--against", metavar="REF", help="also replay this git revision's declarations")
    backtest.add_argument("--root", type=Path, default=Path(), help="repository root (default: .)")
    backtest.add_argument("--format", choices=["text", "markdown"], default="text", help="markdown for a PR")
    backtest.add_argument(
        "--semantics",
        choices=[s.value for s in Semantics],
        default=Semantics.V2.value,
        help="the range semantics of the Prometheus that runs the rules (default: 2.x)",
    )


def _slos(root: Path) -> dict[str, SLO]:
    with repository_catalogs(root) as catalogs, using_catalogs(catalogs):
        return {declared.obj.name: declared.obj for declared in load_slos(root)}


def _ref_slos(root: Path, ref: str) -> tuple[str, dict[str, SLO]]:
    with tempfile.TemporaryDirectory(prefix="aurum-obs-backtest-") as temporary:
        commit = export_tree(root, ref, Path(temporary))
        return commit, _slos(Path(temporary) / repo_prefix(root))


def _against(root: Path, ref: str) -> tuple[str, dict[str, SLO]] | None:
    """``ref``'s commit and SLOs, or None once the error, naming the revision, is printed."""
    try:
        return _ref_slos(root, ref)
    except DeclarationError as error:
        # The revision's declarations, not this tree's: say which revision the lines are about.
        print(f"error: the declarations of revision {ref} do not build:", file=sys.stderr)
        print("\n".join(error_lines(error)), file=sys.stderr)
    except GitError as error:
        print(f"error: revision {ref} cannot be read: {error}", file=sys.stderr)
    return None


def run_backtest(args: argparse.Namespace) -> int:
    root: Path = args.root.resolve()
    now = time.time()
    try:
        start, end = int(parse_time(args.start, now)), int(parse_time(args.end, now))
        if start >= end:
            raise ValueError("--from must be before --to")
        slos = _slos(root)
    except DeclarationError as error:
        print("\n".join(error_lines(error)), file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, GitError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    against = _against(root, args.against) if args.against else ("", {})
    if against is None:
        return EXIT_USAGE
    commit, before = against
    unknown = sorted(set(args.slo) - set(slos))
    if unknown:
        print(f"error: no SLO named {', '.join(unknown)} under {args.root}", file=sys.stderr)
        return EXIT_USAGE
    chosen = [slos[name] for name in sorted(args.slo or slos)]
    # The report package brings requests; importing it here keeps other commands free of it.
    from aurum.monitoring.backtest.history import read_history, resets  # noqa: PLC0415 - see above
    from aurum.monitoring.backtest.render import Extras, render, render_against  # noqa: PLC0415
    from aurum.monitoring.backtest.replay import SLOBacktest, replay  # noqa: PLC0415
    from aurum.monitoring.report.reader import PrometheusReader, ReadError  # noqa: PLC0415

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    reader = PrometheusReader(args.prometheus)
    pairs: list[tuple[SLOBacktest, SLOBacktest | None, Extras]] = []
    try:
        for slo in chosen:
            history = read_history(reader, slo, start, end, progress)
            extras = Extras(resets(reader, slo, start, end))
            old = before.get(slo.name)
            semantics = Semantics(args.semantics)
            pairs.append(
                (replay(slo, history, semantics), replay(old, history, semantics) if old else None, extras)
            )
    except ReadError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    finally:
        reader.close()
    markdown = args.format == "markdown"
    if args.against:
        print(render_against(pairs, f"{args.against} ({commit[:12]})", markdown=markdown), end="")
    else:
        print(render([(now_, extras) for now_, _, extras in pairs], markdown=markdown), end="")
    return EXIT_OK
