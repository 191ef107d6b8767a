"""The metric name prefix: an explicit input of whoever names metrics, never read from the environment.

Catalog metrics are declared without it (:attr:`Metric.base_name`). The runtime names its instruments
with :meth:`Metric.name_for` and its own settings' prefix; the build runs declarations and compilers
inside :func:`using_prefix` with the prefix of its build settings, so ``metric.name`` there is the
build's name. Outside both, ``metric.name`` is the default prefix's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["DEFAULT_PREFIX", "check_prefix", "current_prefix", "using_prefix"]

DEFAULT_PREFIX = "aurum_"

# A prefix must leave a valid Prometheus metric name whatever follows it; empty is allowed.
_PREFIX_RE = re.compile(r"^(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?$")

# A context variable rather than a global: a build in one thread (or task) cannot rename the metrics
# another one is compiling, and two builds with different prefixes can run in one process.
_prefix: ContextVar[str] = ContextVar("aurum_metrics_prefix", default=DEFAULT_PREFIX)


def check_prefix(prefix: str) -> str:
    """``prefix`` when it can start a Prometheus metric name; ``ValueError`` saying why otherwise."""
    if not _PREFIX_RE.match(prefix):
        msg = (
            f"{prefix!r} is not a valid Prometheus metric name prefix "
            "(letters, digits, '_' and ':', not starting with a digit)"
        )
        raise ValueError(msg)
    return prefix


def current_prefix() -> str:
    """The prefix ``metric.name`` resolves under here: the build's inside a build, else the default."""
    return _prefix.get()


@contextmanager
def using_prefix(prefix: str) -> Iterator[None]:
    """Resolve ``metric.name`` (and the platform's recorded series) under ``prefix`` within the block."""
    token = _prefix.set(check_prefix(prefix))
    try:
        yield
    finally:
        _prefix.reset(token)
