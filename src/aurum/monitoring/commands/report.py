"""``aurum-obs report --prometheus URL``: each SLO over a period, as ``report.html`` and ``report.md``.

``--from`` and ``--to`` take ``now``, ``now-6h`` (a Prometheus duration back from now), a unix time or
an ISO 8601 time (UTC unless it says otherwise); ``--to`` defaults to now and ``--from`` to each SLO's
own period before ``--to``. The SLOs come from the declarations under ``--root``.

Exit status: 0 written, 1 Prometheus could not be read (nothing is written), 2 a bad declaration or
argument.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from aurum.contract.catalogs import using_catalogs
from aurum.monitoring.io.catalogs import repository_catalogs
from aurum.monitoring.io.declarations import DeclarationError, load_slos
from aurum.monitoring.io.errors import error_lines
from aurum.monitoring.model import SLO, parse_duration

__all__ = ["add_report_parser", "parse_time", "run_report"]

EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE = 0, 1, 2


def parse_time(text: str, now: float) -> float:
    """``now``, ``now-6h``, unix seconds, or ISO 8601 (naive means UTC)."""
    text = text.strip()
    if text == "now":
        return now
    if text.startswith("now-"):
        return now - parse_duration(text.removeprefix("now-"))
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not a time: use now, now-6h, a unix time or 2026-01-31T12:00:00Z"
        raise ValueError(msg) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def add_report_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = commands.add_parser(
        "report", help="an HTML and Markdown report of every SLO, read from Prometheus"
    )
    report.add_argument(
        "--prometheus", required=True, metavar="URL", help="the Prometheus that evaluates the rules"
    )
    report.add_argument(
        "--from", dest="start", metavar="TIME", help="start (default: each SLO's period before --to)"
    )
    report.add_argument("--to", dest="end", metavar="TIME", default="now", help="end (default: now)")
    report.add_argument(
        "--root", type=Path, default=Path(), help="repository root with the SLOs (default: .)"
    )
    report.add_argument(
        "--slo", action="append", default=[], metavar="NAME", help="only this SLO (repeatable)"
    )
    report.add_argument("--out", type=Path, default=Path("slo-report"), help="directory to write into")


def _slos(root: Path) -> list[SLO]:
    # The SLOs select from the repository's catalogs too, and import them as catalog.<file>.
    with repository_catalogs(root) as catalogs, using_catalogs(catalogs):
        return [declared.obj for declared in load_slos(root)]


def run_report(args: argparse.Namespace) -> int:
    now = time.time()
    try:
        end = parse_time(args.end, now)
        start = parse_time(args.start, now) if args.start else None
        slos = _slos(args.root.resolve())
    except DeclarationError as error:
        print("\n".join(error_lines(error)), file=sys.stderr)
        return EXIT_USAGE
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    unknown = sorted(set(args.slo) - {slo.name for slo in slos})
    if unknown:
        print(f"error: no SLO named {', '.join(unknown)} under {args.root}", file=sys.stderr)
        return EXIT_USAGE
    slos = sorted((s for s in slos if not args.slo or s.name in args.slo), key=lambda s: s.name)
    if start is not None and start >= end:
        print("error: --from must be before --to", file=sys.stderr)
        return EXIT_USAGE
    # matplotlib is only needed here: importing it late keeps every other command free of it.
    from aurum.monitoring.report.collect import collect_all  # noqa: PLC0415 - see above
    from aurum.monitoring.report.page import html_page  # noqa: PLC0415 - see above
    from aurum.monitoring.report.plots import slo_figure  # noqa: PLC0415 - see above
    from aurum.monitoring.report.reader import PrometheusReader, ReadError  # noqa: PLC0415 - see above
    from aurum.monitoring.report.summary import markdown_summary  # noqa: PLC0415 - see above

    reader = PrometheusReader(args.prometheus)
    try:
        reports = collect_all(reader, slos, start, end)
    except ReadError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    finally:
        reader.close()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.html").write_text(html_page(reports, args.prometheus, slo_figure), encoding="utf-8")
    (out / "report.md").write_text(
        markdown_summary(reports, args.prometheus, "report.html"), encoding="utf-8"
    )
    for report in reports:
        print(f"{report.slo.name}: {len(report.incidents)} incidents", file=sys.stderr)
    print(f"wrote {out / 'report.html'} and {out / 'report.md'}")
    return EXIT_OK
