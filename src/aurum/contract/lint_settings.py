"""What the lint is told about the world, and how strict it is with each source tree.

``[tool.aurum-obs.lint]`` of the repository's ``pyproject.toml`` (read with the project settings):

- ``scrape-interval``: how often Prometheus scrapes the series the rules read; a range vector shorter
  than four of them holds too few samples for ``rate()`` to be reliable. Not checked when not
  declared: mixins are written for the interval of the stack they come from (node-mixin's ``[2m]``
  suits kube-prometheus' 30s), and only the team knows its own;
- ``severities``: the values of the ``severity`` label the team's Alertmanager routes;
- ``policies``: by source tree (a path prefix such as ``vendor/`` or
  ``vendor/github.com/kubernetes-monitoring/``, the longest match applies), whether the style rules,
  metrics no catalog declares and alerts without unit tests are errors or warnings. Correctness rules
  (a label a metric does not have, a query that cannot match...) are errors everywhere.

The repository's own declarations are strict; ``vendor/`` is warnings by default: a vendored mixin is
someone else's style, and its metrics are an exporter's that a catalog may not list yet. Metrics no
catalog declares stay errors in the repository's own declarations whatever the policy says.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from aurum.contract.durations import parse_duration

__all__ = [
    "DEFAULT_LINT_SETTINGS",
    "VENDOR_TREE",
    "Category",
    "Level",
    "LintSettings",
    "TreePolicy",
]

VENDOR_TREE = "vendor/"


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Category(StrEnum):
    """What a finding is about: only the last three follow a policy."""

    CORRECTNESS = "correctness"
    STYLE = "style"
    UNDECLARED = "undeclared-metrics"
    UNTESTED = "untested-alerts"


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class TreePolicy(BaseModel):
    """How one source tree's findings of each kind count."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=_kebab, populate_by_name=True)

    style: Level = Level.ERROR
    """CamelCase names, a summary that is one plain sentence, the required labels and annotations,
    overlapping panels (Grafana moves them down on load)."""
    undeclared_metrics: Level = Level.ERROR
    """A metric that no catalog declares and no rule records."""
    untested_alerts: Level = Level.ERROR
    """A hand-written or vendored alert without a unit test showing it firing and staying quiet."""

    def level(self, category: Category) -> Level:
        if category is Category.STYLE:
            return self.style
        if category is Category.UNDECLARED:
            return self.undeclared_metrics
        if category is Category.UNTESTED:
            return self.untested_alerts
        return Level.ERROR


STRICT = TreePolicy()
LENIENT = TreePolicy(style=Level.WARNING, undeclared_metrics=Level.WARNING, untested_alerts=Level.WARNING)


def _duration(value: str) -> str:
    parse_duration(value)
    return value


def _tree(prefix: str) -> str:
    if not prefix or prefix.startswith(("/", "..")) or "\\" in prefix:
        msg = f"{prefix!r} is not a path under the repository root, such as 'vendor/'"
        raise ValueError(msg)
    return prefix


class LintSettings(BaseModel):
    """``[tool.aurum-obs.lint]``."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=_kebab, populate_by_name=True)

    scrape_interval: Annotated[str, AfterValidator(_duration)] | None = None
    """Prometheus' ``scrape_interval`` for the series the rules read; None: ranges are not checked."""
    severities: tuple[Annotated[str, Field(min_length=1)], ...] = Field(
        default=("critical", "warning", "info"), min_length=1
    )
    """Every value an alert's ``severity`` label may take."""
    policies: dict[Annotated[str, AfterValidator(_tree)], TreePolicy] = Field(default_factory=dict)
    """Policies by source tree prefix, over the default ones (``vendor/`` lenient)."""

    @field_validator("policies")
    @classmethod
    def _own_metrics_are_errors(cls, policies: dict[str, TreePolicy]) -> dict[str, TreePolicy]:
        for tree, policy in policies.items():
            if not tree.startswith(VENDOR_TREE) and policy.undeclared_metrics is not Level.ERROR:
                msg = (
                    f"{tree!r}: undeclared-metrics can be a warning only under {VENDOR_TREE}; "
                    "declare the repository's own metrics in a catalog"
                )
                raise ValueError(msg)
        return policies

    @property
    def scrape_seconds(self) -> int | None:
        return parse_duration(self.scrape_interval) if self.scrape_interval is not None else None

    def policy(self, tree: str) -> TreePolicy:
        """The policy of the source tree ``tree`` (a file or directory path under the root)."""
        configured = {VENDOR_TREE: LENIENT, **self.policies}
        matches = [prefix for prefix in configured if tree.startswith(prefix)]
        return configured[max(matches, key=len)] if matches else STRICT


DEFAULT_LINT_SETTINGS = LintSettings()
