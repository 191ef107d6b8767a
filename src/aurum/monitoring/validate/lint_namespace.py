"""Every dashboard and folder a repository declares lives under its project's prefixes.

The generated ones are named under them by construction; a hand-written one with another uid could
take the uid another team's repository uses in the same Grafana. Vendored code (``vendor/``) keeps the
uids its authors gave it.
"""

from __future__ import annotations

from collections.abc import Sequence

from aurum.contract import conventions as conv
from aurum.contract.project import current_project
from aurum.monitoring.validate.lint_inputs import DashboardFile, Finding

__all__ = ["namespace_findings"]

_OWN = (f"{conv.DASHBOARDS_DIRECTORY}/",)


def namespace_findings(dashboards: Sequence[DashboardFile]) -> list[Finding]:
    project = current_project()
    if not project.strict_prefixes:
        return []
    findings = []
    for item in dashboards:
        if not item.file.startswith(_OWN):
            continue
        uid = str(item.dashboard.get("uid") or "")
        obj = f"Dashboard {uid or item.dashboard.get('title')!r}"
        if uid and not uid.startswith(project.dashboard_uid_prefix):
            message = (
                f"{uid!r} does not start with the project's dashboard-uid-prefix "
                f"{project.dashboard_uid_prefix!r} (pyproject.toml [tool.aurum-obs])"
            )
            findings.append(Finding(item.file, item.line, obj, "uid", message))
        folder_uid = item.folder[0]
        if not folder_uid.startswith(project.folder_uid_prefix):
            message = (
                f"folder {folder_uid!r} does not start with the project's folder-uid-prefix "
                f"{project.folder_uid_prefix!r} (pyproject.toml [tool.aurum-obs])"
            )
            findings.append(Finding(item.file, item.line, obj, "folder", message))
    return findings
