"""Writing the build output atomically: everything is staged, validated, then swapped into place."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from aurum.contract.conventions import GRAFANA_DIR, MANIFEST_FILE, RULES_DIR, TESTS_DIR

__all__ = ["OutsideOutputError", "Staging", "inside", "not_build_output", "staged_output"]

# What a build writes at the top of its output directory; anything else there was put by someone else.
_BUILD_ENTRIES = frozenset(path.parts[0] for path in (RULES_DIR, TESTS_DIR, GRAFANA_DIR, MANIFEST_FILE))


class OutsideOutputError(ValueError):
    """A path that would be written outside the output directory."""


def inside(directory: Path, relative: PurePosixPath) -> Path:
    """``directory / relative``, which must stay under ``directory``: the last guard that no name a
    declaration chose (a uid, a file stem) writes anywhere else, whatever checks came before."""
    base = directory.resolve()
    path = (base / relative).resolve()
    if relative.is_absolute() or ".." in relative.parts or not path.is_relative_to(base) or path == base:
        msg = f"refusing to write {relative}: it is not a file under the output directory {directory}"
        raise OutsideOutputError(msg)
    return path


def not_build_output(target: Path) -> str | None:
    """Why ``target`` must not be replaced by a build's output, if so.

    The build replaces its output directory whole, so one that holds anything a build does not write
    (``--out slos``, ``--out src``, a home directory) would be deleted with it: such a directory is
    refused, whatever it holds. An absent or empty directory, or a previous build's, is replaced.
    """
    if not target.is_dir():
        return None
    foreign = sorted(entry.name for entry in target.iterdir() if entry.name not in _BUILD_ENTRIES)
    if not foreign:
        return None
    shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
    return (
        f"the build replaces it whole, and it holds {shown}, which no build writes; "
        "point --out at a new or empty directory, or at a previous build's output"
    )


class Staging:
    """A directory beside the target; :meth:`commit` makes it the target."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.path = target.with_name(f".{target.name}.staging")
        self.committed = False

    def write(self, files: Mapping[PurePosixPath, bytes]) -> None:
        self.write_files(self.path, files)

    @staticmethod
    def write_files(directory: Path, files: Mapping[PurePosixPath, bytes]) -> None:
        """Write ``files`` under ``directory``; every path is checked before any file is written."""
        targets = [(inside(directory, relative), content) for relative, content in sorted(files.items())]
        for path, content in targets:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)

    def commit(self) -> None:
        """Replace the target with the staged tree.

        Two renames on one filesystem: at every instant either the old or the new tree is complete
        (the old one under ``.<name>.previous`` for a moment), never a mix of both.
        """
        previous = self.target.with_name(f".{self.target.name}.previous")
        shutil.rmtree(previous, ignore_errors=True)
        if self.target.exists():
            self.target.rename(previous)
        self.path.rename(self.target)
        shutil.rmtree(previous, ignore_errors=True)
        self.committed = True


@contextmanager
def staged_output(target: Path) -> Iterator[Staging]:
    """Stage output for ``target``; unless committed, the staging tree is removed and the target kept."""
    staging = Staging(target)
    shutil.rmtree(staging.path, ignore_errors=True)  # left over by a killed run
    staging.path.mkdir(parents=True)
    try:
        yield staging
    finally:
        if not staging.committed:
            shutil.rmtree(staging.path, ignore_errors=True)
