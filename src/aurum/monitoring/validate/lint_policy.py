"""The lint's findings under the policies of their source trees: errors, and what the policy waives.

A finding of the repository's own declarations is an error; one of a vendored mixin follows the
policy of its tree (:class:`aurum.contract.lint_settings.LintSettings`), which by default makes style,
undeclared metrics and untested alerts warnings. Waived findings are counted, by tree and kind, in the
line the build prints, so nothing is dropped silently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aurum.contract.lint_settings import Category, Level, LintSettings
from aurum.monitoring.io.errors import CombinedDeclarationError, DeclarationError
from aurum.monitoring.validate.lint_inputs import Finding

__all__ = ["LintFailedError", "Waived", "apply_policies", "describe_waived", "waived_lines"]


@dataclass(frozen=True, slots=True)
class Waived:
    """A finding the policy of ``tree`` makes a warning."""

    tree: str
    finding: Finding


class LintFailedError(CombinedDeclarationError):
    """The lint's errors, with what the policies waived besides: a failed build counts those too,
    so fixing the errors does not reveal a pile of warnings nobody was told of."""

    def __init__(self, errors: Sequence[Finding], waived: Sequence[Waived]) -> None:
        super().__init__([DeclarationError(f.file, f.line, f.obj, ((f.field, f.message),)) for f in errors])
        self.waived = tuple(waived)


def apply_policies(
    findings: Sequence[Finding], trees: Mapping[str, str], settings: LintSettings
) -> tuple[list[Finding], list[Waived]]:
    """``(errors, waived)``: ``trees`` gives the source tree of each declaration file (default: itself)."""
    errors: list[Finding] = []
    waived: list[Waived] = []
    for finding in findings:
        tree = trees.get(finding.file, finding.file)
        if settings.policy(tree).level(finding.category) is Level.WARNING:
            waived.append(Waived(tree, finding))
        else:
            errors.append(finding)
    return errors, waived


def describe_waived(waived: Sequence[Waived]) -> str:
    """``1186 findings waived by policy (vendor/...: 792 undeclared-metrics, 212 style)``; or ''."""
    if not waived:
        return ""
    counts = Counter((item.tree, item.finding.category) for item in waived)
    parts = []
    for tree in sorted({item.tree for item in waived}):
        kinds = ", ".join(f"{counts[tree, kind]} {kind}" for kind in Category if counts[tree, kind])
        parts.append(f"{tree}: {kinds}")
    return f"{len(waived)} findings waived by policy ({'; '.join(parts)})"


def waived_lines(waived: Sequence[Waived]) -> list[str]:
    """One ``warning:`` line per waived finding, worded like the errors (``--waived`` prints them)."""
    lines = []
    for item in waived:
        f = item.finding
        where = f"{f.file}:{f.line}" if f.line else f.file
        lines.append(f"warning: {where}: {f.obj}: field {f.field!r}: {f.message} ({f.category}, {item.tree})")
    return lines
