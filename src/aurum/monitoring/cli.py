"""``aurum-obs`` (and ``python build.py``): the command line of the build-time tools.

``build`` and ``validate`` exit status: 0 when everything rendered and validated, 1 when validation
failed, 2 for a bad declaration (with the file, the object and the field named) or a ``--root`` or
``--out`` that makes no sense. ``deploy``, ``diff``, ``comment`` and ``report`` document theirs in
their modules under :mod:`aurum.monitoring.commands`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from aurum.contract.build_settings import BuildSettings, BuildSettingsError
from aurum.contract.conventions import RuleEngine
from aurum.monitoring.commands.arguments import positive
from aurum.monitoring.commands.backtest import add_backtest_parser, run_backtest
from aurum.monitoring.commands.catalog import add_catalog_parser, run_catalog
from aurum.monitoring.commands.comment import add_comment_parser, run_comment
from aurum.monitoring.commands.deploy import add_deploy_parser, run_deploy
from aurum.monitoring.commands.diff import add_diff_parser, run_diff
from aurum.monitoring.commands.migrate import add_export_parser, add_import_parser, run_export, run_import
from aurum.monitoring.commands.report import add_report_parser, run_report
from aurum.monitoring.io.declarations import DeclarationError
from aurum.monitoring.io.errors import error_lines
from aurum.monitoring.io.output import not_build_output
from aurum.monitoring.io.project import LoadedProject, load_project
from aurum.monitoring.pipeline import BuildFailedError, NothingDeclaredError, build, validate
from aurum.monitoring.validate.lint_policy import LintFailedError, describe_waived, waived_lines
from aurum.monitoring.validate.promtool import Promtool, PromtoolMissingError
from aurum.monitoring.validate.proof_cache import ProofCache, default_cache_dir

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_DECLARATION = 0, 1, 2


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--root", type=Path, default=Path(), help="repository root (default: .)")
    command.add_argument("--promtool", default="promtool", help="promtool binary (default: from PATH)")
    cache = command.add_mutually_exclusive_group()
    cache.add_argument(
        "--cache",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"where passing promtool runs are remembered by content (default: {default_cache_dir()})",
    )
    cache.add_argument("--no-cache", action="store_true", help="run promtool on every file")
    command.add_argument(
        "--waived",
        action="store_true",
        help="list every lint finding a source tree's policy made a warning (a vendored mixin's style...)",
    )
    command.add_argument(
        "--engine",
        choices=[str(engine) for engine in RuleEngine],
        default=None,
        help="shape the SLO rules for this engine (default: [tool.aurum-obs] rule-engine, else prometheus)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aurum-obs", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="render and validate every declaration into build/")
    _common(build_cmd)
    build_cmd.add_argument("--out", type=Path, default=None, help="output directory (default: ROOT/build)")
    build_cmd.add_argument(
        "--jobs", type=positive, default=None, metavar="N", help="promtool runs at once (default: cores)"
    )
    validate_cmd = commands.add_parser(
        "validate", help="load, compile, lint and check the rules with promtool, without unit tests or output"
    )
    _common(validate_cmd)
    add_deploy_parser(commands)
    add_diff_parser(commands)
    add_comment_parser(commands)
    add_report_parser(commands)
    add_backtest_parser(commands)
    add_catalog_parser(commands)
    add_import_parser(commands)
    add_export_parser(commands)
    return parser


def _nonsense(root: Path, out: Path | None) -> str | None:
    """Why ``--root`` or ``--out`` cannot be meant, if so."""
    if not root.is_dir():
        return f"--root {root}: {'not a directory' if root.exists() else 'no such directory'}"
    if out is not None:
        if out.exists() and not out.is_dir():
            return f"--out {out}: exists and is not a directory"
        if out == root or out in root.parents:
            return f"--out {out}: the build replaces it whole, and it holds the declarations of --root {root}"
        foreign = not_build_output(out)
        if foreign is not None:
            return f"--out {out}: {foreign}"
    return None


def _cache(args: argparse.Namespace) -> ProofCache | None:
    if args.no_cache:
        return None
    return ProofCache((args.cache or default_cache_dir()).resolve())


def _failure_lines(error: DeclarationError | NothingDeclaredError, listing: bool) -> list[str]:
    """The errors, then what the policies waived besides: counted always, listed with ``--waived``."""
    lines = error_lines(error)
    if isinstance(error, LintFailedError) and error.waived:
        lines.append(f"lint: {describe_waived(error.waived)}")
        if listing:
            lines += waived_lines(error.waived)
    return lines


def _build(args: argparse.Namespace) -> int:
    root: Path = args.root.resolve()
    out: Path | None = None
    if args.command == "build":
        out = (args.out or root / "build").resolve()
    problem = _nonsense(root, out)
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_DECLARATION
    try:
        # The one place the build reads the environment: the spec's AURUM_* build variables.
        settings = BuildSettings.from_environment(os.environ)
    except BuildSettingsError as error:
        for variable, message in error.problems:
            print(f"error: {variable}: {message}", file=sys.stderr)
        return EXIT_DECLARATION
    try:
        # The one place the build reads the project configuration: [tool.aurum-obs] of pyproject.toml.
        loaded = load_project(root)
        project = loaded.settings
        if args.engine is not None:
            project = project.model_copy(update={"rule_engine": RuleEngine(args.engine)})
        print(LoadedProject(project, loaded.configured).describe())
        promtool = Promtool.find(args.promtool)
        if out is None:
            artifacts = validate(root, promtool, cache=_cache(args), settings=settings, project=project)
        else:
            artifacts = build(
                root, out, promtool, cache=_cache(args), jobs=args.jobs, settings=settings, project=project
            )
    except (DeclarationError, NothingDeclaredError) as error:
        print("\n".join(_failure_lines(error, args.waived)), file=sys.stderr)
        return EXIT_DECLARATION
    except (BuildFailedError, PromtoolMissingError) as error:
        print(f"error: {error}", file=sys.stderr)
        if out is not None:
            print(f"{out} was left unchanged.", file=sys.stderr)
        return EXIT_INVALID
    if args.waived:
        print("\n".join(waived_lines(artifacts.waived)) or "no lint finding was waived")
    print(f"wrote {out}" if out is not None else "valid: declarations, lint and promtool check rules")
    return EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "build": _build,
    "validate": _build,
    "deploy": run_deploy,
    "diff": run_diff,
    "comment": run_comment,
    "report": run_report,
    "backtest": run_backtest,
    "catalog": run_catalog,
    "import": run_import,
    "export": run_export,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run = _COMMANDS.get(args.command)
    return run(args) if run is not None else EXIT_INVALID  # argparse rejects unknown commands first


if __name__ == "__main__":
    sys.exit(main())
