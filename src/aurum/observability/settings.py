"""Configuration of the observability system, read from the spec's ``AURUM_*`` environment variables.

The build and the runtime read the same SLO target settings: the build renders the declarations
with them into ``slos.json``, and the runtime reports the SLOs of that manifest (``AURUM_SLO_MANIFEST``),
so an override such as ``AURUM_SLO_API_AVAILABILITY_TARGET`` changes the objective both the app
reports and the rules enforce. Without a manifest the runtime reports the bundled declarations'
manifest, built with the defaults; a target override without one is refused rather than ignored.

One of the spec's settings, ``log_retention_days``, is accepted so that configurations written for
the spec load, but nothing in the shim reads it, because what it sets belongs to the log store (see
:data:`COMPATIBILITY_ONLY` and the field's description).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from aurum.contract.build_settings import DEFAULT_BUILD_SETTINGS, BuildSettings, Milliseconds, Ratio
from aurum.contract.prefix import DEFAULT_PREFIX, check_prefix

__all__ = ["BUILD_TARGETS", "COMPATIBILITY_ONLY", "ObservabilitySettings"]

BUILD_TARGETS = ("slo_api_availability_target", "slo_api_latency_target", "slo_scenario_success_target")
"""The SLO targets the build renders into the manifest; the runtime reports the manifest's objectives."""
_BUILD_TARGET = (
    "Read by the build, which renders it into slos.json; the runtime reports the objectives of that "
    "manifest (AURUM_SLO_MANIFEST) and refuses a value the bundled manifest was not built with."
)

COMPATIBILITY_ONLY = frozenset({"log_retention_days"})
"""The spec's settings that are validated and accepted but read by nothing in the shim, because what
they set belongs to another system."""


class ObservabilitySettings(BaseSettings):
    """Observability configuration (defaults are the spec's)."""

    model_config = SettingsConfigDict(env_prefix="AURUM_", frozen=True, extra="ignore")

    # Logging
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    log_retention_days: int = Field(
        default=30,
        ge=1,
        description="Accepted for compatibility, not read: the shim keeps no log lines (it writes each to "
        "stdout and forgets it), so nothing in the process can honour a retention; set it in the log store "
        "(Loki's retention_period, an Elasticsearch ILM policy, a CloudWatch log group's retention).",
    )

    # Tracing
    tracing_enabled: bool = True
    tracing_sample_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    tracing_max_spans_per_trace: int = Field(default=1000, ge=1)

    # Metrics
    metrics_enabled: bool = True
    metrics_prefix: str = Field(
        default=DEFAULT_PREFIX,
        description="The prefix of every catalog metric's name. The shim names its metrics with the "
        "default prefix for now, so any other value is refused; the build reads AURUM_METRICS_PREFIX into "
        "its own build settings.",
    )
    metrics_collection_interval: int = Field(
        default=60,
        ge=1,
        description="Seconds between two samples of the process's performance figures (CPU, memory, GC, "
        "threads, descriptors, requests) while performance_tracking_enabled. Metrics themselves are "
        "pulled: how often Prometheus collects them is its scrape_interval.",
    )

    # SLO targets: ratios (0.999) for availability and success, milliseconds for latency. The build
    # reads them (BuildSettings, same defaults); the runtime reports the manifest the build wrote.
    slo_api_availability_target: Ratio = Field(
        default=DEFAULT_BUILD_SETTINGS.slo_api_availability_target, description=_BUILD_TARGET
    )
    slo_api_latency_target: Milliseconds = Field(
        default=DEFAULT_BUILD_SETTINGS.slo_api_latency_target, description=_BUILD_TARGET
    )
    slo_scenario_success_target: Ratio = Field(
        default=DEFAULT_BUILD_SETTINGS.slo_scenario_success_target, description=_BUILD_TARGET
    )
    slo_check_interval: int = Field(
        default=300,
        ge=0,
        description="Seconds between two background SLO checks of a served application (0: none). Each "
        "sets the SLO status gauge and logs an event when an SLO becomes at_risk or breached, or recovers.",
    )
    slo_alert_threshold: float = Field(
        default=0.95,
        gt=0,
        le=1,
        description="Share of an SLO's error budget spent that makes it at_risk (budget remaining at or "
        "below 1 - threshold).",
    )

    # Performance
    performance_tracking_enabled: bool = Field(
        default=True,
        description="Sample the process's performance figures in the background every "
        "metrics_collection_interval seconds, for the recent rates and history of "
        "/v1/observability/performance (which reads the figures since start when asked either way).",
    )
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
    service_name: str = Field(default="aurum-api", min_length=1)  # an empty service.name groups nothing

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

    @field_validator("metrics_prefix")
    @classmethod
    def _prefix_the_shim_names_with(cls, prefix: str) -> str:
        # Until the instruments are named from these settings (Metric.name_for), a different prefix
        # would be silently ignored: refuse it instead.
        if check_prefix(prefix) != DEFAULT_PREFIX:
            msg = (
                f"metrics_prefix={prefix!r}: the runtime shim names its metrics with the default prefix "
                f"{DEFAULT_PREFIX!r} only, for now"
            )
            raise ValueError(msg)
        return prefix

    @model_validator(mode="after")
    def _targets_need_their_manifest(self) -> Self:
        # The runtime cannot run the declarations (they are build code): the bundled manifest is
        # theirs at the defaults, so a target it was not built with would be reported but not enforced.
        if self.slo_manifest is not None:
            return self
        differing = [
            f"{BuildSettings.variable(name)}={getattr(self, name)} "
            f"(the bundled manifest has {getattr(DEFAULT_BUILD_SETTINGS, name)})"
            for name in BUILD_TARGETS
            if getattr(self, name) != getattr(DEFAULT_BUILD_SETTINGS, name)
        ]
        if differing:
            msg = (
                f"{'; '.join(differing)}: build the declarations with this setting and point "
                "AURUM_SLO_MANIFEST at the slos.json it writes, so the app reports what the rules enforce"
            )
            raise ValueError(msg)
        return self

    @field_validator("observability_token")
    @classmethod
    def _token_without_surrounding_whitespace(cls, token: SecretStr | None) -> SecretStr | None:
        # A token read from a file or a secret usually ends in a newline that no client sends: kept,
        # it would never match while /health reported the API enabled. Clients' tokens are stripped
        # too; a token of whitespace only is no token (the API stays closed).
        if token is None:
            return None
        stripped = token.get_secret_value().strip()
        return SecretStr(stripped) if stripped else None
