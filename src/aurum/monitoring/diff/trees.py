"""Rendering a tree (the working tree, or a git revision) into the files the build would write.

Each tree is rendered in its own Python process with that tree's own ``src/`` first on the path, so a
revision is rendered by the compiler of that revision: a pull request that changes the compiler shows
what that change does to the output, not only what its declarations do. A tree without ``src/`` (a
team repository that installs aurum-observability as a package) is rendered by the installed one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from aurum.monitoring.io.git import export_tree, repo_prefix

__all__ = ["RenderError", "render_ref", "render_tree"]

# Both trees get the build settings of the environment, as `aurum-obs build` would: read explicitly
# where the tree's compiler takes them, by the compiler itself in revisions older than that.
_CHILD = """
import json, os, sys
from pathlib import Path
if sys.argv[2]:
    sys.path.insert(0, sys.argv[2])
from aurum.monitoring.pipeline import render
try:
    from aurum.contract.build_settings import BuildSettings
except ImportError:
    files = render(Path(sys.argv[1])).files
else:
    files = render(Path(sys.argv[1]), BuildSettings.from_environment(os.environ)).files
json.dump({str(path): data.decode() for path, data in files.items()}, sys.stdout)
"""


class RenderError(RuntimeError):
    """A tree that does not render; the message carries the build's own error."""


def render_tree(root: Path, label: str = "the working tree") -> dict[str, str]:
    """Output path -> text of everything ``root`` renders to."""
    own_src = root / "src"
    src = str(own_src) if (own_src / "aurum" / "monitoring" / "pipeline.py").is_file() else ""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root), src],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:] or ["(no output)"]
        raise RenderError(f"{label} does not render: {last[0]}")
    files: dict[str, str] = json.loads(done.stdout)
    return files


def render_ref(root: Path, ref: str) -> tuple[str, dict[str, str]]:
    """The commit ``ref`` names, and what its tree renders to (exported with ``git archive``)."""
    with tempfile.TemporaryDirectory(prefix="aurum-obs-diff-") as temporary:
        commit = export_tree(root, ref, Path(temporary))
        tree = Path(temporary) / repo_prefix(root)
        return commit, render_tree(tree, f"{ref} ({commit[:12]})")
