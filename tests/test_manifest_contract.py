"""The runtime and the build agree on the SLOs: the built-in defaults are the bundled declarations."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path, PurePosixPath

from aurum.contract.build_settings import DEFAULT_BUILD_SETTINGS, BuildSettings
from aurum.monitoring.pipeline import render
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.slo_catalog import SLOManifest, default_slos


def _manifest(repo_root: Path, settings: BuildSettings = DEFAULT_BUILD_SETTINGS) -> SLOManifest:
    return SLOManifest.model_validate_json(render(repo_root, settings).files[PurePosixPath("slos.json")])


def _by_name(slos: object) -> dict[str, object]:
    return {slo.name: slo.model_dump() for slo in slos}  # type: ignore[attr-defined]


def test_runtime_defaults_equal_the_built_manifest(repo_root: Path) -> None:
    built = _by_name(_manifest(repo_root).slos)
    assert built == _by_name(default_slos(ObservabilitySettings()))


def test_they_agree_under_overrides(repo_root: Path) -> None:
    targets = {
        "slo_api_availability_target": Decimal("0.995"),
        "slo_api_latency_target": Decimal(250),
        "slo_scenario_success_target": Decimal("0.97"),
    }
    built = _by_name(_manifest(repo_root, BuildSettings.model_validate(targets)).slos)
    assert built == _by_name(default_slos(ObservabilitySettings.model_validate(targets)))
    assert str(built["api-latency"]["sli"]["threshold_seconds"]) == "0.25"  # type: ignore[index]
