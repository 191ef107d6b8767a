"""Fixtures for the runtime shim's tests: every test gets its own metrics registry and span pipeline."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from aurum.observability import runtime
from aurum.observability.logs._schema import LOG_RECORD_SCHEMA
from aurum.observability.settings import ObservabilitySettings
from aurum.observability.testing import (
    CapturedLogs,
    CapturedSpans,
    capture_logs,
    captured_spans,
    isolated_registry,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from jsonschema import Draft202012Validator

    from aurum.observability.metrics._instruments import AurumMetrics

TOKEN = "test-token-5f2c9a"


def quiet_settings(**changes: object) -> ObservabilitySettings:
    """Default settings, but with the process default's background SLO check and performance
    sampling off, so that no background line lands in another test's captured output; the tests of
    those tasks run them on an Observability of their own."""
    return ObservabilitySettings(slo_check_interval=0, performance_tracking_enabled=False, **changes)  # type: ignore[arg-type]  # pydantic-settings' keyword arguments are untyped here


@pytest.fixture(autouse=True)
def _fresh_runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Default settings (no AURUM_* from the developer's shell) and a clean state for each test."""
    for name in list(__import__("os").environ):
        if name.startswith(("AURUM_", "OTEL_", "PROMETHEUS_MULTIPROC")):
            monkeypatch.delenv(name)
    root_level = logging.getLogger().level
    runtime.configure(quiet_settings())
    yield
    runtime.configure(quiet_settings())
    logging.getLogger().setLevel(root_level)


@pytest.fixture
def metrics() -> Iterator[AurumMetrics]:
    with isolated_registry() as isolated:
        yield isolated


@pytest.fixture
def spans() -> Iterator[CapturedSpans]:
    with captured_spans() as captured:
        yield captured


@pytest.fixture
def logs() -> Iterator[CapturedLogs]:
    with capture_logs() as captured:
        yield captured


@pytest.fixture
def log_validator() -> Draft202012Validator:
    """A Draft 2020-12 validator of the published log schema, checking formats too."""
    import jsonschema

    return jsonschema.Draft202012Validator(
        LOG_RECORD_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
