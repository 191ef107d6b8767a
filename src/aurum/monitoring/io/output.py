"""Writing the build output atomically: everything is staged, validated, then swapped into place."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

__all__ = ["OutsideOutputError", "Staging", "inside", "staged_output"]


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
