"""The runtime and the build agree on the SLOs: the runtime's bundled manifest is the build's."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from aurum.contract.build_settings import DEFAULT_BUILD_SETTINGS, BuildSettings
from aurum.contract.conventions import MANIFEST_FILE
from aurum.monitoring.pipeline import render
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.slo_catalog import BUNDLED_MANIFEST, SLOManifest, get_slos, load_manifest

TARGETS = {
    "slo_api_availability_target": Decimal("0.995"),
    "slo_api_latency_target": Decimal(250),
    "slo_scenario_success_target": Decimal("0.97"),
}


def _rendered(repo_root: Path, settings: BuildSettings = DEFAULT_BUILD_SETTINGS) -> bytes:
    return render(repo_root, settings).files[MANIFEST_FILE]


def test_the_bundled_manifest_is_what_the_build_renders_now(repo_root: Path) -> None:
    # As the goldens: a change to slos/ that is not followed by 'make golden' fails here.
    assert BUNDLED_MANIFEST.read_bytes() == _rendered(repo_root), "run 'make golden' and review the diff"


def test_without_a_manifest_the_runtime_reports_the_bundled_declarations(repo_root: Path) -> None:
    built = SLOManifest.model_validate_json(_rendered(repo_root)).slos
    assert get_slos(ObservabilitySettings()) == built


def test_target_overrides_reach_the_runtime_through_the_manifest_the_build_writes(
    repo_root: Path, tmp_path: Path
) -> None:
    path = tmp_path / "slos.json"
    path.write_bytes(_rendered(repo_root, BuildSettings.model_validate(TARGETS)))
    slos = {slo.name: slo for slo in get_slos(ObservabilitySettings(slo_manifest=path, **TARGETS))}
    assert slos == {slo.name: slo for slo in load_manifest(path)}
    assert slos["api-availability"].objective == Decimal("0.995")
    assert slos["api-latency"].sli.threshold_seconds == Decimal("0.25")  # type: ignore[union-attr]  # a LatencySLI
    assert slos["scenario-runs"].objective == Decimal("0.97")


@pytest.mark.parametrize(("setting", "value"), list(TARGETS.items()))
def test_a_target_override_without_a_manifest_is_refused_naming_the_variable(
    setting: str, value: Decimal
) -> None:
    # The bundled manifest was built with the defaults: reporting another objective than the rules
    # enforce would be silently wrong.
    variable = BuildSettings.variable(setting)
    with pytest.raises(ValidationError, match=f"{variable}={value} .*AURUM_SLO_MANIFEST"):
        ObservabilitySettings.model_validate({setting: value})


def test_a_target_equal_to_the_default_needs_no_manifest() -> None:
    assert ObservabilitySettings(slo_api_availability_target=Decimal("0.9990")).slo_manifest is None
