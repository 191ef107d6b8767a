"""Shared fixtures: the repository, a real promtool, and one build of the bundled declarations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aurum.monitoring.pipeline import Artifacts, build
from aurum.monitoring.validate.promtool import Promtool

REPO = Path(__file__).resolve().parent.parent

# Build-time overrides in the developer's shell would change the bundled SLOs and break the golden
# files; tests that exercise them set them explicitly.
for _name in [name for name in os.environ if name.startswith(("AURUM_SLO_", "AURUM_METRICS_PREFIX"))]:
    del os.environ[_name]


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
