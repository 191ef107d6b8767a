"""gunicorn (pre-fork) support for prometheus_client's multiprocess mode.

Set ``PROMETHEUS_MULTIPROC_DIR`` to an empty, writable directory in the environment of the gunicorn
master (before any worker imports prometheus_client), and in ``gunicorn.conf.py``::

    from aurum.observability.multiprocess import child_exit, on_starting  # noqa: F401 - gunicorn looks the hooks up by name

``on_starting`` wipes files left by a previous run (stale counters would otherwise be added to the new
ones); ``child_exit`` marks a dead worker's live gauges as gone. Any worker answering
``/v1/observability/metrics`` then serves the merged values of all workers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from prometheus_client import multiprocess

__all__ = ["child_exit", "on_starting", "prepare_directory"]


def prepare_directory(path: str | os.PathLike[str] | None = None) -> Path:
    """Create the multiprocess directory if needed and remove the ``*.db`` files of a previous run."""
    raw = path if path is not None else os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not raw:
        msg = "PROMETHEUS_MULTIPROC_DIR is not set"
        raise RuntimeError(msg)
    directory = Path(raw)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    return directory


def on_starting(server: Any) -> None:
    """gunicorn hook: runs once in the master before workers are forked."""
    prepare_directory()


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn hook: a worker exited; drop its ``live*`` gauge values from the merged view."""
    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]  # untyped upstream
