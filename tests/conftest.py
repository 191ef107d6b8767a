"""Shared fixtures: the repository, a real promtool, and one build of the bundled declarations."""

from __future__ import annotations

from pathlib import Path

import pytest

from aurum.monitoring.pipeline import Artifacts, build
from aurum.monitoring.validate.promtool import Promtool

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def promtool() -> Promtool:
    """The distribution's promtool; the suite needs the real tool, so its absence is an error."""
    return Promtool.find()


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory: pytest.TempPathFactory, promtool: Promtool) -> tuple[Path, Artifacts]:
    """The bundled declarations built once (promtool check and test included) for the session."""
    out = tmp_path_factory.mktemp("bundled") / "build"
    artifacts = build(REPO, out, promtool, log=lambda _: None)
    return out, artifacts
