"""Writing the build output atomically: everything is staged, validated, then swapped into place."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

__all__ = ["Staging", "staged_output"]


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
        for relative, content in sorted(files.items()):
            path = directory / relative
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
