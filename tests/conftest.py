"""Shared fixtures: the repository, a real promtool, and one build of the bundled declarations."""

from __future__ import annotations

from pathlib import Path

import pytest

from aurum.contract.conventions import RuleEngine
from aurum.contract.project import DEFAULT_PROJECT
from aurum.monitoring.pipeline import Artifacts, build
from aurum.monitoring.validate.promtool import Promtool
from aurum.monitoring.validate.proof_cache import ProofCache, default_cache_dir

REPO = Path(__file__).resolve().parent.parent


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
    artifacts = build(REPO, out, promtool, log=lambda _: None, cache=proof_cache)
    return out, artifacts


@pytest.fixture(scope="session")
def vmalert_build(
    tmp_path_factory: pytest.TempPathFactory, promtool: Promtool, proof_cache: ProofCache
) -> tuple[Path, Artifacts]:
    """The bundled declarations built for vmalert (``--engine vmalert``), proofs included."""
    out = tmp_path_factory.mktemp("bundled-vmalert") / "build"
    project = DEFAULT_PROJECT.model_copy(update={"rule_engine": RuleEngine.VMALERT})
    artifacts = build(REPO, out, promtool, log=lambda _: None, cache=proof_cache, project=project)
    return out, artifacts
