"""The little git the CLI needs: the commit being deployed, and another revision's tree for a diff."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

__all__ = ["GitError", "export_tree", "head_commit", "repo_prefix", "uncommitted"]


class GitError(RuntimeError):
    """git is missing, or the directory or revision is not what was asked for."""


def _git(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False, timeout=120)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if done.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def head_commit(root: Path) -> str:
    """The commit being deployed: CI's ``GITHUB_SHA`` when set, else ``HEAD`` (``-dirty`` with local edits)."""
    if os.environ.get("GITHUB_SHA"):
        return os.environ["GITHUB_SHA"][:12]
    try:
        commit = _git(root, "rev-parse", "--short=12", "HEAD").decode().strip()
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no").strip()
    except GitError:
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


def uncommitted(root: Path) -> list[str]:
    """Paths with changes not committed, untracked files included (ignored ones, like ``build/``, not):
    what the build read but the commit does not hold. Empty outside a git repository."""
    try:
        status = _git(root, "status", "--porcelain", "--untracked-files=normal").decode()
    except GitError:
        return []
    return [line[3:] for line in status.splitlines() if line.strip()]


def export_tree(root: Path, ref: str, destination: Path) -> str:
    """Write the tree of ``ref`` into ``destination`` (``git archive``: no checkout, no worktree to clean).

    Returns the full commit id the ref resolved to.
    """
    commit = _git(root, "rev-parse", "--verify", f"{ref}^{{commit}}").decode().strip()
    archive = _git(root, "archive", "--format=tar", commit)
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")
    return commit


def repo_prefix(root: Path) -> str:
    """Where ``root`` is inside its repository (``""`` at the top), as ``git archive`` lays trees out."""
    return _git(root, "rev-parse", "--show-prefix").decode().strip()
