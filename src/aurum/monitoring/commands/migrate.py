"""``aurum-obs import sloth|openslo FILE...``: foreign SLO specifications become declaration files.

Every file is read and every SLO translated before anything is written: what cannot be expressed
is reported by file, SLO and field, and the import writes nothing. The files it would write are
built in a scratch copy of the repository first (loaded, linted, ``promtool check rules``); only
when that passes are they written, each atomically, into ``slos/`` and ``catalog/`` under ``--root``.

Exit status: 0 written (or unchanged), 2 something refused (nothing written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from aurum.contract.build_settings import DEFAULT_BUILD_SETTINGS
from aurum.contract.catalogs import using_catalogs
from aurum.contract.conventions import RESERVED_LABELS
from aurum.contract.metrics import is_label_name
from aurum.monitoring.build_context import building_with
from aurum.monitoring.io.catalogs import repository_catalogs
from aurum.monitoring.io.declarations import DeclarationError, load_slos
from aurum.monitoring.io.project import load_project
from aurum.monitoring.io.render import dump_yaml
from aurum.monitoring.migrate.draft import ImportRefusedError, Problem, SLODraft
from aurum.monitoring.migrate.export import openslo_documents
from aurum.monitoring.migrate.openslo import openslo_drafts
from aurum.monitoring.migrate.render import Rendered, render
from aurum.monitoring.migrate.sloth import SlothWindows, sloth_drafts, sloth_windows
from aurum.monitoring.migrate.write import check, write
from aurum.monitoring.validate.promtool import Promtool, PromtoolMissingError

__all__ = ["add_export_parser", "add_import_parser", "run_export", "run_import"]

EXIT_OK, EXIT_USAGE = 0, 2


def add_import_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser("import", help="write declarations from Sloth or OpenSLO specifications")
    formats = command.add_subparsers(dest="import_format", required=True)
    sloth = formats.add_parser("sloth", help="Sloth prometheus/v1 specs and PrometheusServiceLevel resources")
    sloth.add_argument("files", nargs="+", type=Path, metavar="FILE")
    sloth.add_argument(
        "--default-slo-period",
        default="30d",
        metavar="PERIOD",
        help="the period, as Sloth's flag of that name (default: 30d; Sloth also ships 28d)",
    )
    sloth.add_argument(
        "--slo-period-windows",
        type=Path,
        default=None,
        metavar="FILE",
        help="a Sloth AlertWindows file: its period and page/ticket windows replace the defaults",
    )
    openslo = formats.add_parser(
        "openslo", help="OpenSLO v1 documents: SLO, SLI, AlertPolicy, AlertCondition, Service"
    )
    openslo.add_argument("files", nargs="+", type=Path, metavar="FILE")
    sloth.add_argument(
        "--rename-label",
        type=_rename,
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="rename a label of the specifications (tier=service_tier: 'tier' is the compiler's own)",
    )
    for parser in (sloth, openslo):
        parser.add_argument("--root", type=Path, default=Path(), help="repository root (default: .)")
        parser.add_argument("--promtool", default="promtool", help="promtool binary (default: from PATH)")


def _rename(value: str) -> tuple[str, str]:
    old, _, new = value.partition("=")
    if not is_label_name(old) or not is_label_name(new) or new in RESERVED_LABELS:
        msg = f"{value!r}: OLD=NEW, two label names, NEW not one the compiler sets"
        raise argparse.ArgumentTypeError(msg)
    return old, new


def add_export_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser("export", help="write the declarations in another tool's format")
    formats = command.add_subparsers(dest="export_format", required=True)
    openslo = formats.add_parser(
        "openslo", help="OpenSLO v1 YAML: a Service per service, an SLO per declaration"
    )
    openslo.add_argument("--root", type=Path, default=Path(), help="repository root (default: .)")
    openslo.add_argument(
        "--out", type=Path, default=None, metavar="FILE", help="write here (default: stdout)"
    )


def run_export(args: argparse.Namespace) -> int:
    """Exit status: 0 written, 2 a declaration that does not load (named as the build names it)."""
    root: Path = args.root.resolve()
    try:
        project = load_project(root).settings
        with (
            building_with(DEFAULT_BUILD_SETTINGS, project),
            repository_catalogs(root) as catalogs,
            using_catalogs(catalogs),
        ):
            slos = [declared.obj for declared in load_slos(root)]
    except DeclarationError as error:
        for line in str(error).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return EXIT_USAGE
    text = "".join(f"---\n{dump_yaml(document).decode()}" for document in openslo_documents(slos))
    if args.out is None:
        sys.stdout.write(text)
    else:
        write(args.out.parent.resolve(), Rendered({args.out.name: text}))
        print(f"wrote {args.out}: {len(slos)} SLOs", file=sys.stderr)
    return EXIT_OK


def _documents(path: Path, problems: list[Problem]) -> list[object]:
    try:
        return list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except OSError as error:
        problems.append(Problem(str(path), "", "(file)", f"cannot be read: {error.strerror or error}"))
    except UnicodeDecodeError:
        problems.append(Problem(str(path), "", "(file)", "not UTF-8 text"))
    except yaml.YAMLError as error:
        problems.append(Problem(str(path), "", "(file)", f"not YAML: {' '.join(str(error).split())}"))
    return []


def _sloth(args: argparse.Namespace, problems: list[Problem]) -> list[SLODraft]:
    windows: SlothWindows | None
    if args.slo_period_windows is not None:
        documents = _documents(args.slo_period_windows, problems)
        windows = sloth_windows(documents[0] if documents else None, str(args.slo_period_windows), problems)
    else:
        period = str(args.default_slo_period)
        days = int(period[:-1]) if period.endswith("d") and period[:-1].isdigit() else None
        if days is None:
            problems.append(
                Problem("--default-slo-period", "", "(argument)", f"{period!r}: whole days, such as 30d")
            )
        windows = SlothWindows(days or 30, None)
    drafts: list[SLODraft] = []
    for path in args.files:
        documents = _documents(path, problems)
        if windows is not None:
            drafts += sloth_drafts(documents, str(path), windows, problems, dict(args.rename_label))
    return drafts


def _openslo(args: argparse.Namespace, problems: list[Problem]) -> list[SLODraft]:
    return openslo_drafts([(str(path), _documents(path, problems)) for path in args.files], problems)


def _identity(drafts: list[SLODraft], problems: list[Problem]) -> None:
    seen: dict[tuple[str, str], str] = {}
    for draft in drafts:
        key = (draft.service, draft.name)
        if key in seen:
            problems.append(
                Problem(
                    draft.origin,
                    draft.name,
                    "name",
                    f"service {draft.service!r} declares it in {seen[key]} too",
                )
            )
        seen.setdefault(key, draft.origin)


def _severities(drafts: list[SLODraft], declared: tuple[str, ...], problems: list[Problem]) -> None:
    # Checked here, where the specification's field can be named, rather than by the build's lint.
    for draft in drafts:
        for tier in draft.alerting.tiers:
            if tier.severity is not None and tier.severity not in declared:
                problems.append(
                    Problem(
                        draft.origin,
                        draft.name,
                        f"alerting.{tier.name} alert labels.severity",
                        f"{tier.severity!r} is not a severity this repository routes ({', '.join(declared)}); "
                        "add it to [tool.aurum-obs.lint] severities in pyproject.toml",
                    )
                )


def run_import(args: argparse.Namespace) -> int:
    problems: list[Problem] = []
    drafts = (_sloth if args.import_format == "sloth" else _openslo)(args, problems)
    _identity(drafts, problems)
    root: Path = args.root.resolve()
    if not root.is_dir():
        problems.append(Problem(str(args.root), "", "--root", "not a directory"))
    if not drafts and not problems:
        problems.append(Problem(", ".join(map(str, args.files)), "", "slos", "no SLO in these files"))
    tool = f"aurum-obs import {args.import_format}"
    try:
        project = load_project(root).settings
        _severities(drafts, project.lint.severities, problems)
        if problems:
            raise ImportRefusedError(problems)
        rendered = render(drafts, tool)
        check(
            root,
            rendered,
            Promtool.find(args.promtool),
            project,
            ", ".join(sorted({d.origin for d in drafts})),
        )
    except ImportRefusedError as refused:
        for problem in refused.problems:
            print(f"error: {problem}", file=sys.stderr)
        print("nothing was written.", file=sys.stderr)
        return EXIT_USAGE
    except (DeclarationError, PromtoolMissingError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    for relative, changed in write(root, rendered):
        print(f"{'wrote' if changed else 'unchanged'} {relative}")
    print(f"imported {len(drafts)} SLOs of {len({d.service for d in drafts})} services")
    return EXIT_OK
