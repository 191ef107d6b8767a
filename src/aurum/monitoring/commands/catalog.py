"""``aurum-obs catalog import``: a catalog declaration file from what already runs.

From a running Prometheus (``--prometheus URL``: type, help and unit from ``/api/v1/metadata``,
label names and a bounded sample of their values from ``/api/v1/series``, target labels from each
job's ``up``) or from a saved exposition (``--exposition node.prom``, Prometheus text or OpenMetrics),
optionally only one job's metrics (``--job``) or those whose name matches ``--metric REGEX``. The file
is deterministic, checked by running it, and written atomically; a file with the same content is
left untouched.

Exit status: 0 written (or unchanged), 1 Prometheus could not be read, 2 a bad argument or an
exposition that does not parse (nothing is written in either case).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import urllib.parse
from pathlib import Path

from aurum.contract.metrics import MetricType, TargetLabels
from aurum.monitoring.commands.arguments import positive
from aurum.monitoring.interop.catalog_file import catalog_source, checked_source
from aurum.monitoring.interop.exposition import ExpositionError, observed_families
from aurum.monitoring.interop.observed import Imported, Observed, to_metrics, without_target_labels
from aurum.monitoring.interop.prometheus_source import PrometheusSource, SourceError

__all__ = ["add_catalog_parser", "run_catalog"]

EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE = 0, 1, 2


def _pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as error:
        msg = f"{value!r} is not a regular expression ({error})"
        raise argparse.ArgumentTypeError(msg) from None
    return value


def _url(value: str) -> str:
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        msg = f"{value!r} is not an http(s) URL such as http://prometheus:9090"
        raise argparse.ArgumentTypeError(msg)
    return value


def add_catalog_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    catalog = commands.add_parser("catalog", help="metric catalogs: import one from what already runs")
    actions = catalog.add_subparsers(dest="catalog_command", required=True)
    imports = actions.add_parser(
        "import", help="write a catalog declaration file from a running Prometheus or a saved exposition"
    )
    source = imports.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--prometheus", type=_url, metavar="URL", help="a running Prometheus to read metadata and series from"
    )
    source.add_argument(
        "--exposition", type=Path, metavar="FILE", help="a saved /metrics page (text or OpenMetrics)"
    )
    imports.add_argument(
        "--job", help="only this scrape job's metrics (with --exposition: the job it is scraped as)"
    )
    imports.add_argument(
        "--metric",
        type=_pattern,
        metavar="REGEX",
        help="only metrics whose name (a histogram's family name) matches",
    )
    imports.add_argument(
        "--examples",
        type=positive,
        default=5,
        metavar="N",
        help="example values kept per label (default: 5)",
    )
    imports.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="catalog file to write (catalog/x.py)"
    )


def _from_prometheus(args: argparse.Namespace) -> tuple[list[Observed], list[TargetLabels], str]:
    source = PrometheusSource(args.prometheus)
    targets = source.target_labels(args.job)
    families = source.families(job=args.job, name_pattern=args.metric)
    without_target_labels(families, targets)
    scope = f" (job {args.job})" if args.job else ""
    return families, targets, f"the Prometheus at {source.url}{scope}"


def _from_exposition(args: argparse.Namespace) -> tuple[list[Observed], list[TargetLabels], str]:
    path: Path = args.exposition
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ExpositionError(f"{path}: cannot be read ({error})") from None
    families = observed_families(text, str(path), (args.job,) if args.job else ())
    if args.metric:
        families = [family for family in families if re.fullmatch(args.metric, family.name)]
    scope = f", scraped as job {args.job}" if args.job else ""
    return families, [], f"the exposition {path.name}{scope}"


def _write(out: Path, source: str) -> bool:
    """Replace ``out`` with ``source`` atomically; False when it already holds exactly that."""
    if out.is_file() and out.read_text(encoding="utf-8") == source:
        return False
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(source)
        Path(temporary).replace(out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


_PLURALS = {MetricType.SUMMARY: "summaries"}


def _counted(count: int, kind: MetricType) -> str:
    return f"{count} {kind if count == 1 else _PLURALS.get(kind, f'{kind}s')}"


def _summary(imported: Imported, targets: list[TargetLabels]) -> str:
    kinds = {kind: sum(metric.type is kind for metric in imported.metrics) for kind in MetricType}
    counted = ", ".join(_counted(count, kind) for kind, count in kinds.items() if count)
    parts = [f"{len(imported.metrics)} metrics ({counted or 'none'})"]
    if targets:
        parts.append(f"{len(targets)} set{'s' if len(targets) != 1 else ''} of target labels")
    if imported.skipped:
        parts.append(f"{len(imported.skipped)} not imported (listed at the end of the file)")
    return ", ".join(parts)


def run_catalog(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.suffix != ".py" or out.name.startswith("_"):
        print(
            f"error: --out {out}: a catalog file is catalog/<name>.py (not starting with _)", file=sys.stderr
        )
        return EXIT_USAGE
    try:
        families, targets, origin = _from_prometheus(args) if args.prometheus else _from_exposition(args)
    except ExpositionError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    imported = to_metrics(families, examples=args.examples)
    if not imported.metrics:
        print(
            f"error: nothing to import from {origin} with these filters; {out} was not written",
            file=sys.stderr,
        )
        return EXIT_USAGE
    source = checked_source(catalog_source(imported, targets, origin), imported, str(out))
    written = _write(out, source)
    print(f"{'wrote' if written else 'unchanged:'} {out}: {_summary(imported, targets)}")
    return EXIT_OK
