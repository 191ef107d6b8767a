"""Small team repositories of declarations, each with its own ``[tool.aurum-obs]``: what many teams
sharing one Grafana, one Prometheus and one ruler keep, one repository each."""

from __future__ import annotations

import textwrap
from pathlib import Path

PAYMENTS_PROJECT = """
[project]
name = "payments-monitoring"

[tool.aurum-obs]
owner = "team-payments"
title = "Payments"
dashboard-uid-prefix = "pay-"
folder-uid-prefix = "pay-"
rule-group-prefix = "payments-"
rule-file-prefix = "payments."
ruler-namespace-prefix = "payments-"

[tool.aurum-obs.lint]
# The severities the payments team's Alertmanager routes on (P1 pages).
severities = ["P1", "critical", "warning"]
"""

SLO_FILE = """
from aurum.monitoring import SLO, RatioSLI, regex, select
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

CHECKOUT = SLO(
    name="{name}",
    service="{service}",
    description="Share of checkout requests answered without a server error.",
    objective=99.5,
    sli=RatioSLI(
        bad=select(HTTP_REQUESTS_TOTAL, path="/api/scenarios", status=regex("5..")),
        total=select(HTTP_REQUESTS_TOTAL, path="/api/scenarios"),
    ),
)
"""

DASHBOARD_FILE = """
from grafanalib.core import TimeSeries

from aurum.monitoring.dashboards import Board, Folder, Row, target

BOARD = Board(
    uid="{uid}",
    title="{title}",
    folder=Folder(uid="{folder_uid}", title="{folder_title}"),
    tags=("team",),
    rows=(Row(title="Traffic", panels=(TimeSeries(title="Requests", targets=[target("sum(up)")]),)),),
)
"""


def team_repo(
    root: Path,
    project: str | None = PAYMENTS_PROJECT,
    *,
    slo: str = "checkout-availability",
    service: str = "payments-api",
    dashboard: tuple[str, str, str, str] | None = ("pay-overview", "Payments", "pay-team", "Payments Team"),
) -> Path:
    """A repository at ``root`` with one SLO, and one dashboard ``(uid, title, folder uid, folder title)``."""
    (root / "slos").mkdir(parents=True)
    (root / "slos" / "checkout.py").write_text(SLO_FILE.format(name=slo, service=service))
    if dashboard is not None:
        uid, title, folder_uid, folder_title = dashboard
        (root / "dashboards").mkdir()
        (root / "dashboards" / "team.py").write_text(
            DASHBOARD_FILE.format(uid=uid, title=title, folder_uid=folder_uid, folder_title=folder_title)
        )
    if project is not None:
        (root / "pyproject.toml").write_text(textwrap.dedent(project))
    return root


SEARCH_PROJECT = """
[tool.aurum-obs]
owner = "team-search"
title = "Search"
dashboard-uid-prefix = "search-"
folder-uid-prefix = "search-"
rule-group-prefix = "search-"
rule-file-prefix = "search."
ruler-namespace-prefix = "search-"
"""

ROGUE_PROJECT = PAYMENTS_PROJECT.replace('owner = "team-payments"', 'owner = "team-rogue"')
"""Another owner that chose the payments team's prefixes: every name it writes is taken."""

ROUTED_SLO_FILE = """
from aurum.monitoring import SLO, AlertPolicy, RatioSLI, regex, select
from aurum.monitoring.model.alerting import PAGE, TICKET
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

CHECKOUT = SLO(
    name="{name}",
    service="{service}",
    description="Share of checkout requests answered without a server error.",
    objective=99.5,
    sli=RatioSLI(
        bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")),
        total=select(HTTP_REQUESTS_TOTAL),
    ),
    alerting=AlertPolicy(
        name="CheckoutBurning",
        labels={{"team": "payments", "channel": "pay-alerts"}},
        annotations={{"dashboard": "https://grafana.example/d/pay-overview"}},
        tiers=(
            PAGE.model_copy(
                update={{
                    "alert_name": "CheckoutDown",
                    "severity": "P1",
                    "labels": {{"channel": "pay-oncall", "priority": "page"}},
                    "annotations": {{
                        "summary": "Checkout is failing for customers.",
                        "description": "{{{{ $labels.service }}}}: burning at {{{{ $value | humanize }}}}x.",
                    }},
                }}
            ),
            TICKET,
        ),
    ),
)
"""
"""An SLO whose alerts are named, labelled and annotated for the payments team's Alertmanager."""


def routed_repo(root: Path, project: str = PAYMENTS_PROJECT, service: str = "aurum-api") -> Path:
    """A repository with the routed SLO, reading the metrics the demo app serves."""
    team_repo(root, project, dashboard=None)
    (root / "slos" / "checkout.py").write_text(
        ROUTED_SLO_FILE.format(name="checkout-availability", service=service)
    )
    return root


GROUPED_SLO_FILE = """
from aurum.monitoring import SLO, RatioSLI, regex, select
from aurum.observability.catalog import HTTP_REQUESTS_TOTAL

CHECKOUT = SLO(
    name="{name}",
    service="{service}",
    description="Share of requests answered without a server error, per tenant.",
    objective=99.5,
    sli=RatioSLI(
        bad=select(HTTP_REQUESTS_TOTAL, status=regex("5..")),
        total=select(HTTP_REQUESTS_TOTAL),
    ),
    group_by=("tenant_id",),
)
"""
"""An SLO measured per tenant: every window, burn rate, budget and alert per ``tenant_id``."""


def grouped_repo(root: Path, project: str | None = None, service: str = "aurum-api") -> Path:
    team_repo(root, project, dashboard=None)
    (root / "slos" / "checkout.py").write_text(
        GROUPED_SLO_FILE.format(name="tenant-availability", service=service)
    )
    return root
