"""Settings: every one does what it says, or says that it is accepted for compatibility only."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from aurum.observability import catalog
from aurum.observability.settings import COMPATIBILITY_ONLY, ObservabilitySettings

PACKAGE = Path(catalog.__file__).parent
DOCS = Path(__file__).resolve().parents[2] / "docs" / "runtime.md"


def test_metrics_prefix_mirrors_the_catalog_and_refuses_another_value():
    assert ObservabilitySettings().metrics_prefix == catalog.METRICS_PREFIX
    with pytest.raises(
        ValidationError,
        match=r"fixed when aurum\.observability\.catalog is imported, by AURUM_METRICS_PREFIX",
    ):
        ObservabilitySettings(metrics_prefix="acme_")


def test_metrics_prefix_set_in_the_environment_at_start_agrees_with_the_catalog():
    code = (
        "from aurum.observability import catalog; from aurum.observability.settings import ObservabilitySettings; "
        "print(ObservabilitySettings().metrics_prefix, catalog.HTTP_REQUESTS_TOTAL.name)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "AURUM_METRICS_PREFIX": "acme_"},
    )
    assert done.stdout.split() == ["acme_", "acme_http_requests_total"]


def _read_by_the_shim(name: str) -> bool:
    pattern = re.compile(rf"\.{name}\b")
    return any(
        pattern.search(path.read_text()) for path in PACKAGE.rglob("*.py") if path.name != "settings.py"
    )


@pytest.mark.parametrize("name", sorted(ObservabilitySettings.model_fields))
def test_every_setting_is_read_or_documented_as_accepted_for_compatibility(name):
    field = ObservabilitySettings.model_fields[name]
    if name == "metrics_prefix":
        assert field.description is not None and "catalog.METRICS_PREFIX" in field.description
    elif name in COMPATIBILITY_ONLY:
        assert not _read_by_the_shim(name), f"{name} is read after all: take it out of COMPATIBILITY_ONLY"
        assert field.description is not None and field.description.startswith(
            "Accepted for compatibility, not read"
        )
        row = next(line for line in DOCS.read_text().splitlines() if f"`AURUM_{name.upper()}`" in line)
        assert "accepted for compatibility" in row
    else:
        assert _read_by_the_shim(name), f"nothing reads {name}"
