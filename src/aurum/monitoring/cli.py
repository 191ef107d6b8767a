"""``aurum-obs`` (and ``python build.py``): the command line of the build-time tools.

``build`` exit status: 0 when everything rendered and validated, 1 when validation failed, 2 for a bad
declaration (with the file, the object and the field named). ``deploy``, ``diff``, ``comment`` and ``report``
document theirs in their modules under :mod:`aurum.monitoring.commands`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from aurum.contract.build_settings import BuildSettings, BuildSettingsError
from aurum.monitoring.commands.comment import add_comment_parser, run_comment
from aurum.monitoring.commands.deploy import add_deploy_parser, run_deploy
from aurum.monitoring.commands.diff import add_diff_parser, run_diff
from aurum.monitoring.commands.report import add_report_parser, run_report
from aurum.monitoring.io.declarations import DeclarationError
from aurum.monitoring.pipeline import BuildFailedError, build
from aurum.monitoring.validate.promtool import Promtool, PromtoolMissingError

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_DECLARATION = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aurum-obs", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="render and validate every declaration into build/")
    build_cmd.add_argument("--root", type=Path, default=Path(), help="repository root (default: .)")
    build_cmd.add_argument("--out", type=Path, default=None, help="output directory (default: ROOT/build)")
    build_cmd.add_argument("--promtool", default="promtool", help="promtool binary (default: from PATH)")
    add_deploy_parser(commands)
    add_diff_parser(commands)
    add_comment_parser(commands)
    add_report_parser(commands)
    return parser


def _build(args: argparse.Namespace) -> int:
    root: Path = args.root.resolve()
    out: Path = (args.out or root / "build").resolve()
    try:
        # The one place the build reads the environment: the spec's AURUM_* build variables.
        settings = BuildSettings.from_environment(os.environ)
    except BuildSettingsError as error:
        for variable, message in error.problems:
            print(f"error: {variable}: {message}", file=sys.stderr)
        return EXIT_DECLARATION
    try:
        promtool = Promtool.find(args.promtool)
        build(root, out, promtool, settings=settings)
    except DeclarationError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_DECLARATION
    except (BuildFailedError, PromtoolMissingError) as error:
        print(f"error: {error}", file=sys.stderr)
        print(f"{out} was left unchanged.", file=sys.stderr)
        return EXIT_INVALID
    print(f"wrote {out}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "build":
        return _build(args)
    if args.command == "deploy":
        return run_deploy(args)
    if args.command == "diff":
        return run_diff(args)
    if args.command == "comment":
        return run_comment(args)
    if args.command == "report":
        return run_report(args)
    return EXIT_INVALID  # argparse rejects unknown commands before this


if __name__ == "__main__":
    sys.exit(main())
