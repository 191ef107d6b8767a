"""A repository's identity: who owns what it deploys, and the prefixes of every name it writes.

Many teams share one Grafana, one Prometheus (or ruler tenant) and one Alertmanager, each from its own
repository. Their outputs must not collide, and a deploy must only ever touch its own objects: the
owner id marks them, the prefixes keep their names apart. The CLI reads the ``[tool.aurum-obs]``
table of the repository's ``pyproject.toml`` once (:mod:`aurum.monitoring.io.project`) and passes the
object on; the compilers ask :func:`current_project` inside the build, as they ask for the metric
prefix, and never read a file themselves.

The defaults are the names this package always wrote (``aurum-`` uids and groups, unprefixed rule
files, ``aurum-obs-`` ruler namespaces), so a repository that configures only its owner keeps them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from aurum.contract import conventions as conv
from aurum.contract.lint_settings import DEFAULT_LINT_SETTINGS, LintSettings

__all__ = [
    "DEFAULT_OWNER",
    "DEFAULT_PROJECT",
    "PROJECT_TABLE",
    "ProjectSettings",
    "current_project",
    "using_project",
]

PROJECT_TABLE = ("tool", "aurum-obs")
"""Where the settings live in ``pyproject.toml``."""

DEFAULT_OWNER = "aurum"
"""The owner id of a project that names none (the bundled Aurum repository's)."""

# An owner id goes into a Grafana tag and a comment line: short, lower case, no spaces.
OwnerId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,39}$")]
# Grafana uids allow letters, digits, '-' and '_' (at most 40 characters, checked on the whole uid).
UidPrefix = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{0,30}$")]
# A rule file name lands in a directory many repositories share, and in a Mimir namespace.
FilePrefix = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{0,40}$")]
GroupPrefix = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{0,40}$")]
# The ruler namespace prefix is the only ownership a Mimir rule group can carry: never empty.
NamespacePrefix = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class ProjectSettings(BaseModel):
    """``[tool.aurum-obs]``: the owner id and the prefix of every name the build writes."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=_kebab, populate_by_name=True)

    owner: OwnerId = DEFAULT_OWNER
    """Marks every object a deploy writes; plans, ``--prune`` and conflicts consider only its own."""
    title: str = Field(default=conv.SLO_FOLDER_TITLE.removesuffix(" SLOs"), min_length=1, max_length=60)
    """Names the generated SLO folder (``<title> SLOs``): Grafana refuses two folders of one title."""
    dashboard_uid_prefix: UidPrefix = conv.DEFAULT_PREFIXES.uid
    """Starts the generated dashboards' uids; every declared dashboard's uid must start with it too."""
    folder_uid_prefix: UidPrefix = conv.DEFAULT_PREFIXES.uid
    """Starts the generated SLO folder's uid; every declared folder's uid must start with it too."""
    rule_group_prefix: GroupPrefix = conv.DEFAULT_PREFIXES.group
    """Starts every rule group name (``<prefix>slo-<slo>-sli``, ``<prefix>alerts-<file>``)."""
    rule_file_prefix: FilePrefix = ""
    """Starts every rule and test file name (``<prefix><slo>.yaml``, ``<prefix>alerts.api.yaml``)."""
    ruler_namespace_prefix: NamespacePrefix = conv.DEFAULT_PREFIXES.ruler_namespace
    """Starts every Mimir/Cortex ruler namespace the deploy writes, and is how it knows its own."""
    strict_prefixes: StrictBool = False  # TOML has booleans: "yes" or 1 is a mistake, not true
    """Declared dashboards and folders must be under the prefixes too (on for a configured project)."""
    rule_engine: conv.RuleEngine = conv.RuleEngine.PROMETHEUS
    """The engine the SLO rules are shaped for; ``vmalert`` inlines what a rule would read from
    another rule of its group (:class:`~aurum.contract.conventions.RuleEngine`)."""
    lint: LintSettings = DEFAULT_LINT_SETTINGS
    """``[tool.aurum-obs.lint]``: scrape interval, severities and the policy of each source tree."""

    # --- names of the build's output ----------------------------------------------------------
    def slo_group(self, slo: str, part: conv.SLOGroup) -> str:
        return conv.slo_group_name(slo, part, self.rule_group_prefix)

    def rules_group(self, kind: conv.RuleKind, stem: str) -> str:
        return conv.rules_group_name(kind, stem, self.rule_group_prefix)

    def slo_rule_file(self, slo: str) -> str:
        return self.rule_file_prefix + conv.slo_rule_file(slo)

    def slo_test_file(self, slo: str, tests: conv.SLOTests = conv.SLOTests.DETAILED) -> str:
        return self.rule_file_prefix + conv.slo_test_file(slo, tests)

    def rule_file(self, kind: conv.RuleKind, stem: str) -> str:
        return self.rule_file_prefix + conv.rule_file(kind, stem)

    def test_file(self, kind: conv.RuleKind, stem: str) -> str:
        return self.rule_file_prefix + conv.test_file(kind, stem)

    @property
    def slo_folder_uid(self) -> str:
        return self.folder_uid_prefix + conv.SLO_FOLDER_NAME

    @property
    def slo_folder_title(self) -> str:
        return f"{self.title} SLOs"

    @property
    def slo_overview_uid(self) -> str:
        return self.dashboard_uid_prefix + conv.SLO_OVERVIEW_NAME

    @property
    def slo_detail_uid(self) -> str:
        return self.dashboard_uid_prefix + conv.SLO_DETAIL_NAME

    def ruler_namespace(self, rule_file: str) -> str:
        """The ruler namespace of one rule file: ``aurum-obs-api-availability``."""
        return self.ruler_namespace_prefix + rule_file.removesuffix(".yaml")


DEFAULT_PROJECT = ProjectSettings()
"""Today's names, owned by :data:`DEFAULT_OWNER`."""

# A context variable, as the metric prefix: two builds of two repositories can run in one process.
_project: ContextVar[ProjectSettings] = ContextVar("aurum_project", default=DEFAULT_PROJECT)


def current_project() -> ProjectSettings:
    """The project of the build running here (:data:`DEFAULT_PROJECT` outside a build)."""
    return _project.get()


@contextmanager
def using_project(project: ProjectSettings) -> Iterator[None]:
    """Name every output of the block under ``project``'s prefixes."""
    token = _project.set(project)
    try:
        yield
    finally:
        _project.reset(token)
