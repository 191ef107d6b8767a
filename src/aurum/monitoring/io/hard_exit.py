"""``os._exit()`` from a declaration is reported, not obeyed.

``sys.exit()`` raises ``SystemExit``, which the loader reports as the file's error; ``os._exit(0)``
ends the process at once, skipping every handler, so a declaration calling it made the build exit
0 with nothing rendered or validated: a false success. While declarations run, ``os._exit`` (also
reachable as ``posix._exit``) raises :class:`HardExit` instead, which the loader reports like
``sys.exit``. A process that is killed (``os.kill``, ``os.abort``) still ends, but never with 0.
"""

from __future__ import annotations

import os
import posix
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

__all__ = ["HardExit", "os_exit_refused"]


class HardExit(BaseException):
    """A declaration called ``os._exit(status)``; a BaseException, so it stops the file as ``sys.exit`` does."""

    def __init__(self, status: object) -> None:
        super().__init__(status)
        self.status = status


def _refuse(status: int, /) -> NoReturn:
    raise HardExit(status)


@contextmanager
def os_exit_refused() -> Iterator[None]:
    """Run the body with ``os._exit`` raising :class:`HardExit`; the real one is restored after."""
    real = os._exit
    # mypy: _refuse has _exit's signature, but typeshed spells os._exit as a def, not a variable
    os._exit = posix._exit = _refuse  # type: ignore[assignment]
    try:
        yield
    finally:
        os._exit = posix._exit = real
