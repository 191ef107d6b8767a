"""Settings: every one does what it says, or says that it is accepted for compatibility only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from aurum.contract.prefix import DEFAULT_PREFIX
from aurum.observability import catalog
from aurum.observability.settings import BUILD_TARGETS, COMPATIBILITY_ONLY, ObservabilitySettings

PACKAGE = Path(catalog.__file__).parent
DOCS = Path(__file__).resolve().parents[2] / "docs" / "runtime.md"


def test_an_empty_service_name_is_refused():
    """AURUM_SERVICE_NAME= (set but empty) named every span's and log line's service ''."""
    with pytest.raises(ValidationError, match=r"service_name\n  String should have at least 1 character"):
        ObservabilitySettings(service_name="")


def test_metrics_prefix_is_the_default_and_another_value_is_refused_not_ignored():
    assert ObservabilitySettings().metrics_prefix == DEFAULT_PREFIX
    with pytest.raises(ValidationError, match=r"names its metrics with the default prefix 'aurum_' only"):
        ObservabilitySettings(metrics_prefix="acme_")
    with pytest.raises(ValidationError, match=r"not a valid Prometheus metric name prefix"):
        ObservabilitySettings(metrics_prefix="9-bad")


def _read_by_the_shim(name: str) -> bool:
    pattern = re.compile(rf"\.{name}\b")
    return any(
        pattern.search(path.read_text()) for path in PACKAGE.rglob("*.py") if path.name != "settings.py"
    )


@pytest.mark.parametrize("name", sorted(ObservabilitySettings.model_fields))
def test_every_setting_is_read_or_documented_as_accepted_for_compatibility(name):
    field = ObservabilitySettings.model_fields[name]
    if name == "metrics_prefix":
        assert field.description is not None and "default prefix" in field.description
    elif name in BUILD_TARGETS:
        # The build reads it; the runtime holds it to the manifest it reports.
        assert field.description is not None and field.description.startswith("Read by the build")
        assert field.default is not None
        with pytest.raises(ValidationError, match="AURUM_SLO_MANIFEST"):
            ObservabilitySettings.model_validate({name: field.default / 2})
    elif name in COMPATIBILITY_ONLY:
        assert not _read_by_the_shim(name), f"{name} is read after all: take it out of COMPATIBILITY_ONLY"
        assert field.description is not None and field.description.startswith(
            "Accepted for compatibility, not read"
        )
        row = next(
            line for line in DOCS.read_text().splitlines() if line.startswith(f"| `AURUM_{name.upper()}`")
        )
        assert "accepted for compatibility" in row
    else:
        assert _read_by_the_shim(name), f"nothing reads {name}"
