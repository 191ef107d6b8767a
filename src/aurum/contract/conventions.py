"""Every name more than one part of the system relies on, defined once (as Sloth's ``conventions``).

The compilers write these names, the lint and the dashboards read them, the deploy and the diff find
files by them, and the runtime queries the output contract with them. ``tests/test_conventions.py``
fails when one of them is written as a literal anywhere else under ``src/``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import PurePosixPath
from typing import NamedTuple

from aurum.contract.durations import format_duration

__all__ = [
    "ALERTNAME_LABEL",
    "ALERTSTATE_LABEL",
    "ALERT_STATUS_UID",
    "BASE_WINDOW",
    "BASE_WINDOW_SECONDS",
    "BUCKET_LABEL",
    "CATALOG_DIRECTORY",
    "DASHBOARDS_DIR",
    "DASHBOARDS_DIRECTORY",
    "DASHBOARD_TAG",
    "DATASOURCES_FILE",
    "DATASOURCE_TYPE",
    "DATASOURCE_UID",
    "DATASOURCE_VARIABLE",
    "DATASOURCE_VARIABLE_TYPE",
    "DECLARATION_STEM_PATTERN",
    "DEFAULT_PREFIXES",
    "DEFAULT_RUNBOOK_BASE",
    "DESCRIPTION_ANNOTATION",
    "DESCRIPTION_LABEL",
    "FOLDERS_FILE",
    "GAP_TOLERANCE",
    "GAP_TOLERANCE_SECONDS",
    "GENERATED_TAG",
    "GRAFANA_DIR",
    "GRAFANA_UID_PATTERN",
    "MANIFEST_FILE",
    "METRIC_NAME_LABEL",
    "OBJECTIVE_LABEL",
    "PERIOD_LABEL",
    "PLATFORM_FOLDER_TITLE",
    "PLATFORM_FOLDER_UID",
    "PROVISIONING_FILE",
    "QUANTILE_LABEL",
    "RESERVED_LABELS",
    "RULES_DIR",
    "RUNBOOK_ANNOTATION",
    "RUNTIME_SLO_DASHBOARD_UID",
    "SERVICE_LABEL",
    "SEVERITY_LABEL",
    "SLOS_DIRECTORY",
    "SLO_BAD_EVENTS",
    "SLO_BAD_EVENTS_ROLLUP",
    "SLO_BAD_EVENTS_TILE",
    "SLO_CURRENT_BURN_RATE",
    "SLO_DETAIL_NAME",
    "SLO_DETAIL_UID",
    "SLO_ERROR_BUDGET",
    "SLO_FOLDER_NAME",
    "SLO_FOLDER_TITLE",
    "SLO_FOLDER_UID",
    "SLO_INFO",
    "SLO_LABEL",
    "SLO_OBJECTIVE",
    "SLO_OVERVIEW_NAME",
    "SLO_OVERVIEW_UID",
    "SLO_PERIOD_BUDGET_REMAINING",
    "SLO_PERIOD_BURN_RATE",
    "SLO_TAG",
    "SLO_TIME_PERIOD",
    "SLO_TOTAL_EVENTS",
    "SLO_TOTAL_EVENTS_ROLLUP",
    "SLO_TOTAL_EVENTS_TILE",
    "STANDARD_WINDOWS",
    "SUMMARY_ANNOTATION",
    "TESTS_DIR",
    "TIER_LABEL",
    "TILE",
    "TILE_SECONDS",
    "WINDOWS_GROUP_SUFFIX",
    "NamePrefixes",
    "RuleEngine",
    "RuleKind",
    "SLOGroup",
    "SLOTests",
    "camel_case",
    "datasource_ref",
    "declaration_stem_problem",
    "grafana_uid_problem",
    "rule_file",
    "rules_group_name",
    "slo_alert_name",
    "slo_error_ratio",
    "slo_group_name",
    "slo_rule_file",
    "slo_runbook_url",
    "slo_test_file",
    "test_file",
]

# --- Label keys -------------------------------------------------------------------------------
# On every series recorded for an SLO, and on its alerts (with its own labels).
SLO_LABEL = "slo"
SERVICE_LABEL = "service"
# On the burn-rate alerts.
SEVERITY_LABEL = "severity"
TIER_LABEL = "tier"
# On ``slo:info`` only.
OBJECTIVE_LABEL = "objective"
PERIOD_LABEL = "period"
DESCRIPTION_LABEL = "description"
# Prometheus' own.
ALERTNAME_LABEL = "alertname"
ALERTSTATE_LABEL = "alertstate"
BUCKET_LABEL = "le"
QUANTILE_LABEL = "quantile"
"""The label of a summary's quantile series (``go_gc_duration_seconds{quantile="0.5"}``)."""
METRIC_NAME_LABEL = "__name__"

RESERVED_LABELS = frozenset(
    {
        SLO_LABEL,
        SERVICE_LABEL,
        SEVERITY_LABEL,
        TIER_LABEL,
        OBJECTIVE_LABEL,
        PERIOD_LABEL,
        DESCRIPTION_LABEL,
        ALERTNAME_LABEL,
        BUCKET_LABEL,
    }
)
"""Labels the compiler sets itself; an SLO's own labels may not override them."""

# --- Alert annotations (every alert has them; the lint requires them) ---------------------------
SUMMARY_ANNOTATION = "summary"
DESCRIPTION_ANNOTATION = "description"
RUNBOOK_ANNOTATION = "runbook_url"

DEFAULT_RUNBOOK_BASE = "https://runbooks.aurum.internal/slo"


# --- Prefixes ---------------------------------------------------------------------------------
class NamePrefixes(NamedTuple):
    """What names start with unless the project (``[tool.aurum-obs]``) configures other prefixes.

    A tuple rather than strings: a prefix is part of every uid and group name, not a name of its own.
    """

    uid: str
    """Dashboard and folder uids."""
    group: str
    """Rule group names."""
    ruler_namespace: str
    """Mimir/Cortex ruler namespaces."""


DEFAULT_PREFIXES = NamePrefixes(uid="aurum-", group="aurum-", ruler_namespace="aurum-obs-")

# --- Windows ----------------------------------------------------------------------------------
BASE_WINDOW_SECONDS = 300
BASE_WINDOW = format_duration(BASE_WINDOW_SECONDS)
"""Every SLI is measured over this window once; every longer window is derived from it."""

STANDARD_WINDOWS = (300, 1_800, 3_600, 7_200, 21_600, 86_400, 259_200)
"""5m, 30m, 1h, 2h, 6h, 1d and 3d: recorded for every SLO so dashboards can rely on them."""

TILE_SECONDS = 60
TILE = format_duration(TILE_SECONDS)
"""Every SLI records its events per tile: a minute, the resolution of every window shorter than a day."""

GAP_TOLERANCE_SECONDS = 2_100
GAP_TOLERANCE = format_duration(GAP_TOLERANCE_SECONDS)
"""A counter's tile is read against its last sample this far back: scrape gaps up to this long lose no
event (the first sample after the gap carries the whole increase across it)."""

# --- Recorded series of the SLO output contract ------------------------------------------------
# Events of the last tile (one minute), counted exactly from counter samples; for time-based SLIs,
# the evaluation slice itself: 1 bad or 0, out of 1. Every window sums them.
SLO_BAD_EVENTS_TILE = f"slo:sli_bad_events:increase{TILE}"
SLO_TOTAL_EVENTS_TILE = f"slo:sli_total_events:increase{TILE}"
# Rates (per second, over the base window) of bad and of all events; for time-based SLIs, the
# evaluation slice itself: 1 bad or 0, out of 1.
SLO_BAD_EVENTS = f"slo:sli_bad_events:rate{BASE_WINDOW}"
SLO_TOTAL_EVENTS = f"slo:sli_total_events:rate{BASE_WINDOW}"
# The tiles summed over the base window, recorded at that interval: what windows of a day or more
# add up.
SLO_BAD_EVENTS_ROLLUP = f"slo:sli_bad_events:increase{BASE_WINDOW}"
SLO_TOTAL_EVENTS_ROLLUP = f"slo:sli_total_events:increase{BASE_WINDOW}"
SLO_OBJECTIVE = "slo:objective:ratio"
SLO_ERROR_BUDGET = "slo:error_budget:ratio"
SLO_TIME_PERIOD = "slo:time_period:days"
SLO_CURRENT_BURN_RATE = "slo:current_burn_rate:ratio"
SLO_PERIOD_BURN_RATE = "slo:period_burn_rate:ratio"
SLO_PERIOD_BUDGET_REMAINING = "slo:period_error_budget_remaining:ratio"
SLO_INFO = "slo:info"
"""Always 1; labels ``slo``, ``service``, ``objective``, ``period`` and ``description``."""


def slo_error_ratio(window: str) -> str:
    """The recorded SLI error ratio over ``window`` (a Prometheus duration such as ``5m`` or ``30d``)."""
    return f"slo:sli_error:ratio_rate{window}"


# --- Declarations, rule groups and rule files ---------------------------------------------------
SLOS_DIRECTORY = "slos"
CATALOG_DIRECTORY = "catalog"
"""A repository's metric catalogs (``catalog/*.py``); declarations import them as ``catalog.<file>``."""
DASHBOARDS_DIRECTORY = "dashboards"


class RuleKind(StrEnum):
    """The two kinds of hand-written rules; each has its declaration directory and file prefix."""

    ALERTS = "alerts"
    RECORDS = "records"

    @property
    def directory(self) -> str:
        """The declaration directory: ``alerts/`` and ``recording_rules/``."""
        return "recording_rules" if self is RuleKind.RECORDS else str(self)


class SLOGroup(StrEnum):
    """The rule groups of one SLO, in evaluation order.

    The long windows (a day or more, the period) have a group of their own with a 5-minute interval:
    they change slowly, and a slow evaluation there can never delay the short windows or the alerts.
    """

    SLI = "sli"
    LONG = "long"
    META = "meta"
    ALERTS = "alerts"


class RuleEngine(StrEnum):
    """The engine the SLO rules are shaped for (``[tool.aurum-obs] rule-engine``, ``build --engine``).

    Prometheus evaluates the rules of a group one after the other, each seeing what the ones before
    it recorded in the same evaluation. vmalert (VictoriaMetrics) writes what a rule records through
    remote write, asynchronously, so a later rule of the same group reads the previous evaluation's
    value, or none: its rules must not read what another rule of the same evaluation wrote.
    """

    PROMETHEUS = "prometheus"
    VMALERT = "vmalert"


WINDOWS_GROUP_SUFFIX = "windows"
"""For vmalert, the windows of the ``sli`` and ``long`` groups are a group of their own named
``<group>-windows``: they sum what those groups record, which must not happen in the same evaluation."""


def slo_group_name(slo: str, part: SLOGroup, prefix: str = DEFAULT_PREFIXES.group) -> str:
    return f"{prefix}slo-{slo}-{part}"


def rules_group_name(kind: RuleKind, stem: str, prefix: str = DEFAULT_PREFIXES.group) -> str:
    """The group of the hand-written rules of ``alerts/<stem>.py`` (or ``recording_rules/``)."""
    return f"{prefix}{kind}-{stem}"


def slo_rule_file(slo: str) -> str:
    return f"{slo}.yaml"


class SLOTests(StrEnum):
    """An SLO's two generated test files: scenarios evaluated every minute, and those spanning days
    (evaluated every 5 minutes)."""

    DETAILED = "detailed"
    LONG = "long"


def slo_test_file(slo: str, tests: SLOTests = SLOTests.DETAILED) -> str:
    """``<slo>.test.yaml``, and ``<slo>.long.test.yaml`` beside it."""
    return f"{slo}.test.yaml" if tests is SLOTests.DETAILED else f"{slo}.{tests}.test.yaml"


def rule_file(kind: RuleKind, stem: str) -> str:
    """``alerts.api.yaml`` for ``alerts/api.py``: SLO names are kebab-case, so the dot keeps it apart."""
    return f"{kind}.{stem}.yaml"


def test_file(kind: RuleKind, stem: str) -> str:
    return f"{kind}.{stem}.test.yaml"


# --- Names that become paths ------------------------------------------------------------------
# Each is one path segment under build/, never '.', '..' or anything with a separator in it.
GRAFANA_UID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")
"""Grafana's uid syntax; a dashboard uid names ``<uid>.json`` and a folder uid its directory."""
DECLARATION_STEM_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
"""The stem of a declaration file, which names its rule and test files (``alerts.<stem>.yaml``)."""


def grafana_uid_problem(uid: object) -> str | None:
    """Why ``uid`` cannot be a Grafana uid (and so a file or directory name), if it cannot."""
    if isinstance(uid, str) and GRAFANA_UID_PATTERN.fullmatch(uid):
        return None
    return f"{uid!r} is not a Grafana uid (1 to 40 letters, digits, '-' or '_')"


def declaration_stem_problem(stem: str) -> str | None:
    """Why a declaration file's stem cannot name its rule files, if it cannot."""
    if DECLARATION_STEM_PATTERN.fullmatch(stem):
        return None
    return (
        f"the file name {stem!r} names its rule files: use letters, digits, '-', '_' and '.', "
        "starting with a letter or digit"
    )


# --- The build's output tree -------------------------------------------------------------------
RULES_DIR = PurePosixPath("prometheus/rules")
TESTS_DIR = PurePosixPath("prometheus/tests")
GRAFANA_DIR = PurePosixPath("grafana")
DASHBOARDS_DIR = GRAFANA_DIR / DASHBOARDS_DIRECTORY
"""``<folder-uid>/<dashboard-uid>.json`` under it."""
FOLDERS_FILE = GRAFANA_DIR / "folders.json"
PROVISIONING_FILE = GRAFANA_DIR / "provisioning" / "dashboards.yaml"
DATASOURCES_FILE = GRAFANA_DIR / "provisioning" / "datasources.yaml"
MANIFEST_FILE = PurePosixPath("slos.json")
"""The SLO manifest the runtime reads (``AURUM_SLO_MANIFEST``)."""


# --- Alert names -------------------------------------------------------------------------------
def camel_case(name: str) -> str:
    """``api-availability`` -> ``ApiAvailability``."""
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def slo_alert_name(slo: str, tier: str) -> str:
    """``ApiAvailabilityErrorBudgetBurnPage``: unique per SLO and tier, CamelCase."""
    return f"{camel_case(slo)}ErrorBudgetBurn{camel_case(tier)}"


def slo_runbook_url(slo: str) -> str:
    """The runbook of an SLO that does not name its own."""
    return f"{DEFAULT_RUNBOOK_BASE}/{slo}"


# --- Dashboards --------------------------------------------------------------------------------
DATASOURCE_TYPE = "prometheus"
DATASOURCE_VARIABLE = "datasource"
DATASOURCE_VARIABLE_TYPE = "datasource"
"""Grafana's type of a variable that picks a data source."""
DATASOURCE_UID = f"${{{DATASOURCE_VARIABLE}}}"


def datasource_ref() -> dict[str, str]:
    """How every panel and query refers to the Prometheus data source chosen in the variable."""
    return {"type": DATASOURCE_TYPE, "uid": DATASOURCE_UID}


SLO_FOLDER_NAME = "slos"
SLO_OVERVIEW_NAME = "slo-overview"
SLO_DETAIL_NAME = "slo-detail"
"""The generated folder's and dashboards' uids after the project's prefix."""

SLO_FOLDER_UID = DEFAULT_PREFIXES.uid + SLO_FOLDER_NAME
SLO_FOLDER_TITLE = "Aurum SLOs"
PLATFORM_FOLDER_UID = "aurum-platform"
PLATFORM_FOLDER_TITLE = "Aurum Platform"

SLO_OVERVIEW_UID = DEFAULT_PREFIXES.uid + SLO_OVERVIEW_NAME
SLO_DETAIL_UID = DEFAULT_PREFIXES.uid + SLO_DETAIL_NAME
ALERT_STATUS_UID = "aurum-alert-status"
RUNTIME_SLO_DASHBOARD_UID = "aurum-slo-runtime"
"""The dashboard the runtime generates (``get_slo_dashboard_config()``), apart from the build's."""

DASHBOARD_TAG = "aurum"
SLO_TAG = "slo"
GENERATED_TAG = "generated"
