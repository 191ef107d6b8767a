"""The runtime and the build agree on the SLOs: the built-in defaults are the bundled declarations."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from aurum.monitoring.pipeline import render
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.slo_catalog import SLOManifest, default_slos


def _manifest(repo_root: Path) -> SLOManifest:
    return SLOManifest.model_validate_json(render(repo_root).files[PurePosixPath("slos.json")])


def _by_name(slos: object) -> dict[str, object]:
    return {slo.name: slo.model_dump() for slo in slos}  # type: ignore[attr-defined]


def test_runtime_defaults_equal_the_built_manifest(repo_root: Path) -> None:
    built = _by_name(_manifest(repo_root).slos)
    assert built == _by_name(default_slos(ObservabilitySettings()))


def test_they_agree_under_environment_overrides(repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURUM_SLO_API_AVAILABILITY_TARGET", "0.995")
    monkeypatch.setenv("AURUM_SLO_API_LATENCY_TARGET", "250")
    monkeypatch.setenv("AURUM_SLO_SCENARIO_SUCCESS_TARGET", "0.97")
    built = _by_name(_manifest(repo_root).slos)
    assert built == _by_name(default_slos(ObservabilitySettings()))
    assert str(built["api-latency"]["sli"]["threshold_seconds"]) == "0.25"  # type: ignore[index]
