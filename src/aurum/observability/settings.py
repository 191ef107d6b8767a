"""Configuration of the observability system, read from the spec's ``AURUM_*`` environment variables.

The runtime shim and the SLO declarations read the same settings, so an override such as
``AURUM_SLO_API_AVAILABILITY_TARGET`` changes the objective both the app reports and the rules enforce.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field
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
