"""Shared fixtures: the repository, a real promtool, and one build of the bundled declarations."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from filelock import FileLock

from aurum.contract.conventions import RuleEngine
from aurum.contract.project import DEFAULT_PROJECT
from aurum.monitoring.pipeline import Artifacts, build
from aurum.monitoring.validate.promtool import Promtool
from aurum.monitoring.validate.proof_cache import ProofCache, default_cache_dir

REPO = Path(__file__).resolve().parent.parent

WAITING_FIRST = ("tests/e2e/test_two_engines.py",)
"""Modules that spend most of their time waiting on real time (the two-engine test waits a 5-minute
base window, then an outage): collected first, so that with ``make unit PYTEST_WORKERS=2``
(pytest-xdist, ``--dist loadfile --no-loadscope-reorder``, which hands out whole files in collection
order) one worker waits through them while the other runs the CPU-bound rest."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.nodeid.split("::", 1)[0] not in WAITING_FIRST)  # stable sort


@contextmanager
def one_worker_at_a_time(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[None]:
    """Held by one of the run's pytest-xdist workers at a time (their temporary directories share a
    parent of the run's own): each still builds into a directory of its own, but the second waits
    for the first and finds its promtool proofs in the shared cache instead of repeating them
    alongside. A run without workers has nobody to wait for."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield
        return
    with FileLock(tmp_path_factory.getbasetemp().parent / f"{name}.lock"):
        yield


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def promtool() -> Promtool:
    """The distribution's promtool; the suite needs the real tool, so its absence is an error."""
    return Promtool.find()


@pytest.fixture(scope="session")
def proof_cache() -> ProofCache:
    """The build's own proof cache: a promtool run is reused only on byte-identical files and the
    same promtool, where it proves exactly what a new run would; so the suite shares it with
    ``make build`` (which CI runs first) and with earlier runs of the suite. Failures never enter it,
    and the tests of the cache itself use directories of their own."""
    return ProofCache(default_cache_dir())


@pytest.fixture(scope="session")
def bundled_build(
    tmp_path_factory: pytest.TempPathFactory, promtool: Promtool, proof_cache: ProofCache
) -> tuple[Path, Artifacts]:
    """The bundled declarations built once (promtool check and test included) for the session."""
    out = tmp_path_factory.mktemp("bundled") / "build"
    with one_worker_at_a_time(tmp_path_factory, "bundled-build"):
        artifacts = build(REPO, out, promtool, log=lambda _: None, cache=proof_cache)
    return out, artifacts


@pytest.fixture(scope="session")
def vmalert_build(
    tmp_path_factory: pytest.TempPathFactory, promtool: Promtool, proof_cache: ProofCache
) -> tuple[Path, Artifacts]:
    """The bundled declarations built for vmalert (``--engine vmalert``), proofs included."""
    out = tmp_path_factory.mktemp("bundled-vmalert") / "build"
    project = DEFAULT_PROJECT.model_copy(update={"rule_engine": RuleEngine.VMALERT})
    with one_worker_at_a_time(tmp_path_factory, "bundled-build"):
        artifacts = build(REPO, out, promtool, log=lambda _: None, cache=proof_cache, project=project)
    return out, artifacts
