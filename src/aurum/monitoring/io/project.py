"""Reading a repository's project settings: the ``[tool.aurum-obs]`` table of its ``pyproject.toml``.

``pyproject.toml`` rather than a file of our own: a team's repository of declarations is a Python
project that already has one, and tools keep their settings there (``[tool.ruff]``, ``[tool.mypy]``).

Without the table (or without ``pyproject.toml``) every prefix keeps its default, and the owner id is
the project's ``[project] name``, else the repository directory's name, lower-cased: two repositories
that configure nothing still deploy as two owners, so neither can prune or overwrite the other.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aurum.contract.conventions import RuleEngine
from aurum.contract.project import PROJECT_TABLE, ProjectSettings
from aurum.monitoring.io.declarations import DeclarationError

__all__ = ["PYPROJECT", "LoadedProject", "load_project"]

PYPROJECT = "pyproject.toml"
_TABLE = f"[{'.'.join(PROJECT_TABLE)}]"


@dataclass(frozen=True)
class LoadedProject:
    settings: ProjectSettings
    configured: bool
    """Whether the repository has the table (else the owner is derived and the prefixes are defaults)."""

    def describe(self) -> str:
        """The line the build prints."""
        s = self.settings
        where = f"{_TABLE} of {PYPROJECT}" if self.configured else f"no {_TABLE} in {PYPROJECT}, defaults"
        return (
            f"project: owner {s.owner!r} ({where}); dashboards {s.dashboard_uid_prefix}*, "
            f"folders {s.folder_uid_prefix}*, rule groups {s.rule_group_prefix}*, "
            f"rule files {s.rule_file_prefix + '*' if s.rule_file_prefix else 'unprefixed'}, "
            f"ruler namespaces {s.ruler_namespace_prefix}*"
            + (
                f"; SLO rules shaped for {s.rule_engine}"
                if s.rule_engine is not RuleEngine.PROMETHEUS
                else ""
            )
        )


def _derived_owner(document: dict[str, Any], root: Path) -> str:
    name = document.get("project", {}).get("name") if isinstance(document.get("project"), dict) else None
    owner = re.sub(r"[^a-z0-9._-]+", "-", str(name or root.resolve().name).lower()).strip("-._")
    return owner[:40] or "unnamed"


def load_project(root: Path) -> LoadedProject:
    """The project settings of the repository at ``root``; DeclarationError naming the file and field."""
    path = root / PYPROJECT
    document: dict[str, Any] = {}
    if path.is_file():
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise DeclarationError(PYPROJECT, None, "project", (("(file)", str(error)),)) from None
    table: Any = document
    for key in PROJECT_TABLE:
        table = table.get(key) if isinstance(table, dict) else None
    if table is None:
        return LoadedProject(ProjectSettings(owner=_derived_owner(document, root)), configured=False)
    if not isinstance(table, dict):
        raise DeclarationError(PYPROJECT, None, _TABLE, (("(table)", "must be a table"),))
    if "owner" not in table:
        message = "is required: the id every deploy marks this repository's objects with"
        raise DeclarationError(PYPROJECT, None, _TABLE, (("owner", message),))
    try:
        # A repository that names its prefixes means every dashboard it declares to be under them.
        strict = {"strict-prefixes": True}
        return LoadedProject(ProjectSettings.model_validate(strict | table), configured=True)
    except ValidationError as error:
        problems = tuple(
            (".".join(str(part) for part in item["loc"]) or "(table)", item["msg"])
            for item in error.errors(include_url=False)
        )
        raise DeclarationError(PYPROJECT, None, _TABLE, problems) from None
