"""Lint of rule files: queries, alert conventions, collisions, and tests of hand-written alerts."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import promql_parser as pp

from aurum.contract import conventions as conv
from aurum.contract.catalogs import current_catalogs
from aurum.contract.lint_settings import Category
from aurum.contract.project import current_project
from aurum.contract.prometheus import TARGET_LABELS
from aurum.monitoring.validate.disjoint import disjoint_records
from aurum.monitoring.validate.lint_inputs import Finding, RuleFile
from aurum.monitoring.validate.queries import query_category, query_problems
from aurum.monitoring.validate.series import KnownSeries, output_labels, varying_labels

__all__ = ["alert_problems", "rule_findings", "severity_problems", "template_problems"]

_CAMEL_CASE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_SENTENCE = re.compile(r"^[A-Z0-9][^\n]*[^\s.]\.$")
_URL = re.compile(r"^https?://\S+$")
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.DOTALL)


def _camel_case(name: str) -> bool:
    return bool(_CAMEL_CASE.match(name)) and any(char.islower() for char in name)


def alert_problems(rule: Mapping[str, Any], *, templatable: bool = True) -> list[tuple[str, str]]:
    """``(field, message)`` for each convention the alerting rule breaks.

    ``templatable`` is False when no label tells the expression's series apart (``absent(...)``, an
    alert on a whole job such as ``sum(up{job="api"}) == 0``): a description has nothing to template.
    """
    name = str(rule["alert"])
    labels: Mapping[str, Any] = rule.get("labels") or {}
    annotations: Mapping[str, Any] = rule.get("annotations") or {}
    severity = f"labels.{conv.SEVERITY_LABEL}"
    summary_field, description_field, runbook_field = (
        f"annotations.{key}"
        for key in (conv.SUMMARY_ANNOTATION, conv.DESCRIPTION_ANNOTATION, conv.RUNBOOK_ANNOTATION)
    )
    problems = []
    if not _camel_case(name):
        problems.append(("alert", f"{name!r} is not CamelCase (such as ApiHighErrorRate)"))
    if not labels.get(conv.SEVERITY_LABEL):
        problems.append((severity, "missing: every alert needs a severity (critical, warning...)"))
    summary = str(annotations.get(conv.SUMMARY_ANNOTATION) or "")
    if not summary:
        problems.append((summary_field, "missing: say in one plain sentence what is wrong"))
    elif "{{" in summary or not _SENTENCE.match(summary):
        problems.append(
            (
                summary_field,
                f"{summary!r} is not a plain sentence: one line, a capital first, no template, ending in '.'",
            )
        )
    description = str(annotations.get(conv.DESCRIPTION_ANNOTATION) or "")
    if not description:
        problems.append((description_field, "missing: describe what fired, with its value"))
    elif templatable and not _TEMPLATE.search(description):
        problems.append(
            (
                description_field,
                "is not templated: show what fired with {{ $value }} or {{ $labels.<name> }}",
            )
        )
    runbook = str(annotations.get(conv.RUNBOOK_ANNOTATION) or "")
    if not runbook:
        problems.append((runbook_field, "missing: link the runbook of this alert"))
    elif not _URL.match(runbook):
        problems.append((runbook_field, f"{runbook!r} is not an http(s) URL"))
    return problems


def _describe(rule: Mapping[str, Any]) -> str:
    if "alert" in rule:
        return f"Alert {rule['alert']!r}"
    labels = rule.get("labels") or {}
    shown = ", ".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    return f"Record {rule['record'] + ('{' + shown + '}' if shown else '')!r}"


def _global_target_labels() -> frozenset[str]:
    """Labels every scraped series of this Prometheus carries alike (``cluster`` from its external
    labels): the alert gets them at Alertmanager anyway, and they tell no series from another."""
    return frozenset(
        label.name
        for catalog in current_catalogs().catalogs
        for targets, _place in catalog.target_labels
        if not targets.jobs
        for label in targets.labels
    ) - set(TARGET_LABELS)  # job and instance: what tells targets apart


def _templatable(expr: str, known: KnownSeries) -> bool:
    """Whether a description has something to show: a label telling the alert's series apart. An
    alert on ``absent(...)`` or on a whole job or cluster (``sum(...) / sum(...) > 1.5``) has none."""
    varying = varying_labels(expr, known)
    return varying is None or bool(varying - _global_target_labels())


_LABEL_REFERENCE = re.compile(
    r"\$labels\.([A-Za-z_][A-Za-z0-9_]*)|index\s+\$labels\s+\"([A-Za-z_][A-Za-z0-9_]*)\""
)


def template_problems(rule: Mapping[str, Any], known: KnownSeries) -> list[tuple[str, str]]:
    """``{{ $labels.x }}`` in an annotation or label where no series of the alert has ``x``: Prometheus
    gives templates the labels of the expression's result, which an aggregation may have dropped."""
    try:
        labels = output_labels(pp.parse(str(rule["expr"])), known)
    except ValueError:
        return []
    if labels is None:
        return []
    problems = []
    for kind in ("annotations", "labels"):
        for key, text in sorted((rule.get(kind) or {}).items()):
            for match in _LABEL_REFERENCE.finditer(str(text)):
                label = match.group(1) or match.group(2)
                if label not in labels:
                    kept = ", ".join(sorted(labels)) or "none"
                    problems.append(
                        (
                            f"{kind}.{key}",
                            f"{{{{ $labels.{label} }}}} is always empty: the expression's series have no label "
                            f"{label!r} (labels: {kept})",
                        )
                    )
    return problems


def severity_problems(rule: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A ``severity`` the team's Alertmanager does not route (``[tool.aurum-obs.lint] severities``)."""
    severity = str((rule.get("labels") or {}).get(conv.SEVERITY_LABEL) or "")
    declared = current_project().lint.severities
    if not severity or "{{" in severity or severity in declared:
        return []
    return [
        (f"labels.{conv.SEVERITY_LABEL}", f"{severity!r} is not a declared severity ({', '.join(declared)})")
    ]


def _tested(tests: Mapping[str, Any] | None, alert: str) -> tuple[bool, bool]:
    """Whether some test expects ``alert`` firing, and some test expects it quiet."""
    fires = quiet = False
    for test in (tests or {}).get("tests", []):
        for check in test.get("alert_rule_test", []):
            if check.get("alertname") == alert:
                fires |= bool(check.get("exp_alerts"))
                quiet |= not check.get("exp_alerts")
    return fires, quiet


def _rule_findings(rule_file: RuleFile, rule: Mapping[str, Any], known: KnownSeries) -> Iterator[Finding]:
    obj = _describe(rule)
    name = str(rule.get("alert") or rule.get("record"))
    line = rule_file.lines.get(name)
    expr = str(rule.get("expr", ""))
    for problem in query_problems(expr, known):
        yield Finding(rule_file.file, line, obj, "expr", problem, query_category(problem))
    if "alert" not in rule:
        return
    for field, message in alert_problems(rule, templatable=_templatable(expr, known)):
        yield Finding(rule_file.file, line, obj, field, message, Category.STYLE)
    for field, message in [*template_problems(rule, known), *severity_problems(rule)]:
        yield Finding(rule_file.file, line, obj, field, message)
    if rule_file.handwritten:
        fires, quiet = _tested(rule_file.tests, name)
        untested = Category.UNTESTED
        if not fires:
            yield Finding(rule_file.file, line, obj, "tests", "no unit test shows it firing", untested)
        if not quiet:
            yield Finding(rule_file.file, line, obj, "tests", "no unit test shows it staying quiet", untested)


def _identity(rule: Mapping[str, Any]) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    kind = "alert" if "alert" in rule else "record"
    labels = tuple(sorted((str(k), str(v)) for k, v in (rule.get("labels") or {}).items()))
    return kind, str(rule[kind]), labels


def rule_findings(rule_files: Sequence[RuleFile], known: KnownSeries) -> list[Finding]:
    """Problems of every rule, then rules that collide with an earlier one (same name and labels).

    Recording rules of one name and labels whose series are provably disjoint do not collide.
    """
    findings: list[Finding] = []
    seen: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[tuple[Mapping[str, Any], str]]] = {}
    for rule_file in rule_files:
        for rule in rule_file.rules():
            findings.extend(_rule_findings(rule_file, rule, known))
            identity = _identity(rule)
            line = rule_file.lines.get(identity[1])
            where = f"{rule_file.file}:{line}" if line else rule_file.file
            earlier = seen.setdefault(identity, [])
            clash = next(
                (
                    place
                    for other, place in earlier
                    if identity[0] == "alert" or not disjoint_records(other, rule, known)
                ),
                None,
            )
            if clash is not None:
                verb = "defined" if identity[0] == "alert" else "recorded"
                findings.append(
                    Finding(
                        rule_file.file,
                        line,
                        _describe(rule),
                        identity[0],
                        f"the same {identity[0]} with the same labels is already {verb} at {clash}",
                    )
                )
            earlier.append((rule, where))
    return findings
