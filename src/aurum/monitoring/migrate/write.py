"""Imported files are proven before they are written, then written all or not at all.

The rendered files are built in a scratch copy of the repository (its catalogs, declarations and
``pyproject.toml``) with ``aurum-obs validate``'s checks: loaded, compiled, linted and passed by
``promtool check rules``. Only then is each written (a temporary file renamed over the old one); a
file the import did not write before (a hand-written ``slos/payments.py``) is never replaced.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from aurum.contract.project import ProjectSettings
from aurum.monitoring.io.declarations import DeclarationError
from aurum.monitoring.migrate.draft import ImportRefusedError, Problem
from aurum.monitoring.migrate.render import Rendered
from aurum.monitoring.pipeline import BuildFailedError, NothingDeclaredError, validate
from aurum.monitoring.validate.promtool import Promtool

__all__ = ["MARKER", "check", "write"]

MARKER = "written by `aurum-obs import"
"""In the docstring of every file an import writes: what it may rewrite."""
_COPIED = ("slos", "catalog", "alerts", "recording_rules", "dashboards", "vendor", "pyproject.toml")


def _conflicts(root: Path, rendered: Rendered) -> list[Problem]:
    problems = []
    for relative in rendered.files:
        target = root / relative
        if target.exists() and MARKER not in target.read_text(encoding="utf-8", errors="replace"):
            problems.append(
                Problem(
                    relative,
                    "",
                    "(file)",
                    "exists and was not written by an import; move it or rename the service",
                )
            )
    return problems


def check(root: Path, rendered: Rendered, promtool: Promtool, project: ProjectSettings, origins: str) -> None:
    """Raise ImportRefusedError unless the repository with ``rendered`` added builds."""
    conflicts = _conflicts(root, rendered)
    if conflicts:
        raise ImportRefusedError(conflicts)
    with tempfile.TemporaryDirectory(prefix="aurum-obs-import-") as scratch:
        copy = Path(scratch) / "repo"
        copy.mkdir()
        for name in _COPIED:
            source = root / name
            if source.is_dir():
                shutil.copytree(source, copy / name, symlinks=True)
            elif source.is_file():
                shutil.copy2(source, copy / name)
        for relative, text in rendered.files.items():
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            (copy / relative).write_text(text, encoding="utf-8")
        quiet: Callable[[str], None] = lambda _line: None  # noqa: E731 - the import reports on its own
        try:
            validate(copy, promtool, quiet, cache=None, project=project)
        except (DeclarationError, NothingDeclaredError, BuildFailedError) as error:
            raise ImportRefusedError(
                [
                    Problem(origins, "", "(declaration)", f"the imported declaration is refused: {line}")
                    for line in str(error).splitlines()
                ]
            ) from error


def write(root: Path, rendered: Rendered) -> list[tuple[str, bool]]:
    """Write every file (temporary file, then rename); ``(path, changed)`` for each, in order."""
    done = []
    for relative, text in sorted(rendered.files.items()):
        target = root / relative
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            done.append((relative, False))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        Path(temporary).replace(target)
        done.append((relative, True))
    return done
