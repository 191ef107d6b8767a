"""Configuration of the observability system, read from the spec's ``AURUM_*`` environment variables.

The runtime shim and the SLO declarations read the same settings, so an override such as
``AURUM_SLO_API_AVAILABILITY_TARGET`` changes the objective both the app reports and the rules enforce.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import AnyHttpUrl, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ObservabilitySettings"]


class ObservabilitySettings(BaseSettings):
    """Observability configuration (defaults are the spec's)."""

    model_config = SettingsConfigDict(env_prefix="AURUM_", frozen=True, extra="ignore")

    # Logging
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    log_retention_days: int = Field(default=30, ge=1)

    # Tracing
    tracing_enabled: bool = True
    tracing_sample_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    tracing_max_spans_per_trace: int = Field(default=1000, ge=1)

    # Metrics
    metrics_enabled: bool = True
    metrics_prefix: str = "aurum_"
    metrics_collection_interval: int = Field(default=60, ge=1)

    # SLO targets: ratios (0.999) for availability and success, milliseconds for latency.
    slo_api_availability_target: Decimal = Field(default=Decimal("0.999"), gt=0, lt=1)
    slo_api_latency_target: Decimal = Field(default=Decimal("500"), gt=0)
    slo_scenario_success_target: Decimal = Field(default=Decimal("0.95"), gt=0, lt=1)
    slo_check_interval: int = Field(default=300, ge=1)
    slo_alert_threshold: float = Field(default=0.95, gt=0, le=1)

    # Performance
    performance_tracking_enabled: bool = True
    slow_query_threshold_ms: int = Field(default=1000, ge=1)

    # --- Runtime shim settings beyond the spec's list. ---
    # Logging: one access-log line per request from the middleware (the spec's "request correlation").
    log_requests: bool = True

    # Tracing: the in-process trace store behind /v1/observability/traces. Bounded so that a busy
    # process cannot grow without limit: the oldest trace is evicted past ``tracing_max_traces`` and
    # traces older than the retention are dropped by cleanup.
    tracing_max_traces: int = Field(default=1000, ge=1)
    tracing_retention_seconds: int = Field(default=3600, ge=1)
    tracing_store_enabled: bool = True
    # Off by default: a global provider changes other libraries' behaviour (FastAPI >= 0.16x turns
    # its own request telemetry on when one is set). Turn on to collect third-party spans too.
    tracing_global_provider: bool = False
    service_name: str = "aurum-api"

    # Metrics: the cardinality guard (distinct label sets per metric, and tenants per metric).
    metrics_max_label_sets: int = Field(default=1000, ge=1)
    metrics_max_tenants: int = Field(default=100, ge=1)

    # API: every /v1/observability endpoint but health and metrics needs this bearer token; with none
    # configured they answer 403, so the API is closed unless someone decides to open it.
    observability_token: SecretStr | None = None

    # SLO status source: Prometheus (reading the recorded output-contract series) when set, otherwise
    # the process's own counters. The manifest is what the build writes to build/slos.json.
    prometheus_url: AnyHttpUrl | None = None
    prometheus_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    slo_manifest: Path | None = None
