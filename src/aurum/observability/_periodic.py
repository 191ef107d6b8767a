"""A function run every few seconds on a daemon thread: the background SLO check and performance sampling.

One thread per task, sleeping on an event between runs, so stopping is immediate and an idle task
costs nothing but the sleeping thread. A run that raises is logged and the task carries on: a
background check must never take the application down. Threads do not survive ``fork``; tasks
running in the parent are started again in the child (gunicorn forks its workers), so each worker
checks and samples for itself.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Periodic"]

_log = logging.getLogger(__name__)
_running: weakref.WeakSet[Periodic] = weakref.WeakSet()


class Periodic:
    """Runs ``task`` every ``interval`` seconds (the first run one interval after :meth:`start`)."""

    def __init__(self, name: str, interval: float, task: Callable[[], None]) -> None:
        if interval <= 0:
            msg = f"{name}: the interval must be positive, got {interval}"
            raise ValueError(msg)
        self.name = name
        self.interval = interval
        self._task = task
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> None:
        """Start the thread unless it runs already."""
        with self._lock:
            if self.running:
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._loop, args=(self._stop,), name=self.name, daemon=True
            )
            self._thread.start()
            _running.add(self)

    def stop(self) -> None:
        """Stop the thread and wait for a run in progress to finish."""
        with self._lock:
            self._stop.set()
            thread, self._thread = self._thread, None
            _running.discard(self)
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _loop(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval):
            try:
                self._task()
            except Exception:
                _log.exception("%s failed; it runs again in %ss", self.name, self.interval)

    def _restart_after_fork(self) -> None:
        # In the child only the forking thread survives; the lock may be held by a thread that is gone.
        self._lock = threading.Lock()
        self._thread = None
        self.start()


def _restart_in_child() -> None:
    for task in list(_running):
        task._restart_after_fork()


os.register_at_fork(after_in_child=_restart_in_child)
