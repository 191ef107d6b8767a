"""Reading what a Jsonnet declaration evaluated to: rule groups (as a mixin writes them) or dashboards.

A file under ``alerts/`` or ``recording_rules/`` evaluates to a Prometheus rule file,
``{groups: [...]}``, optionally with ``tests``: promtool test cases for its alerts, and
``test_files``: promtool test files of a vendored mixin, by their place on the import path. A file under
``dashboards/`` evaluates to ``{folder: {uid, title}, dashboards: [...]}`` (or an object of
dashboards, as mixins' ``grafanaDashboards`` are). Unknown keys are refused rather than dropped, so
nothing a declaration says is silently lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from aurum.contract.conventions import RuleKind
from aurum.monitoring.compile.rules import AlertingRule, RecordingRule, Rule, RuleGroup
from aurum.monitoring.io.errors import DeclarationError, field_path, raise_all
from aurum.monitoring.io.shapes import DashboardShape, check_shape, check_test_case
from aurum.monitoring.model.dashboard import Folder

__all__ = ["dashboards_document", "rules_document"]

_RULE_KEYS = {
    RuleKind.ALERTS: {"alert", "expr", "for", "labels", "annotations"},
    RuleKind.RECORDS: {"record", "expr", "labels"},
}
_KIND_KEY = {RuleKind.ALERTS: "alert", RuleKind.RECORDS: "record"}


def _fail(file: str, obj: str, field: str, message: str) -> DeclarationError:
    return DeclarationError(file, None, obj, ((field, message),))


def _strings(value: Any, file: str, obj: str, field: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise _fail(file, obj, field, "must be an object of strings")
    return {str(key): value[key] for key in sorted(value)}


def _rule(rule: Any, kind: RuleKind, file: str, where: str) -> Rule:
    if not isinstance(rule, Mapping):
        raise _fail(file, where, "(rule)", "a rule is an object")
    key = _KIND_KEY[kind]
    if key not in rule:
        other = RuleKind.RECORDS if kind is RuleKind.ALERTS else RuleKind.ALERTS
        raise _fail(
            file,
            where,
            key,
            f"missing: {kind.directory}/ holds only {kind}; move this rule to {other.directory}/",
        )
    if not isinstance(rule[key], str) or not rule[key]:
        raise _fail(file, where, key, f"must be the {'alert' if kind is RuleKind.ALERTS else 'series'} name")
    obj = f"{'Alert' if kind is RuleKind.ALERTS else 'Record'} {rule[key]!r}"
    unknown = sorted(set(rule) - _RULE_KEYS[kind])
    if unknown:
        raise _fail(
            file, obj, unknown[0], f"unsupported key (supported: {', '.join(sorted(_RULE_KEYS[kind]))})"
        )
    expr = rule.get("expr")
    if not isinstance(expr, str) or not expr.strip():
        raise _fail(file, obj, "expr", "missing: a rule needs a PromQL expression")
    labels = _strings(rule.get("labels"), file, obj, "labels")
    if kind is RuleKind.RECORDS:
        return RecordingRule(rule[key], expr, labels)
    hold = rule.get("for")
    if hold is not None and not isinstance(hold, str):
        raise _fail(file, obj, "for", "must be a duration such as '5m'")
    annotations = _strings(rule.get("annotations"), file, obj, "annotations")
    return AlertingRule(rule[key], expr, labels, annotations, hold)


def _group(group: Any, index: int, kind: RuleKind, file: str) -> RuleGroup:
    if not isinstance(group, Mapping) or not isinstance(group.get("name"), str):
        raise _fail(file, f"group #{index + 1}", f"groups[{index}].name", "missing: every group needs a name")
    where = f"group {group['name']!r}"
    extra = sorted(set(group) - {"name", "interval", "rules"})
    if extra or not isinstance(group.get("rules"), list):
        raise _fail(file, where, extra[0] if extra else "rules", "a group has a name, rules and an interval")
    interval = group.get("interval")
    if interval is not None and not isinstance(interval, str):
        raise _fail(file, where, "interval", "must be a duration such as '1m'")
    errors, rules = [], []
    for rule in group["rules"]:
        try:
            rules.append(_rule(rule, kind, file, where))
        except DeclarationError as error:
            errors.append(error)
    raise_all(errors)
    return RuleGroup(group["name"], tuple(rules), interval)


def _each(items: Any, check: Any) -> None:
    """Run ``check(item, index)`` on every item; raise every DeclarationError together."""
    errors = []
    for index, item in enumerate(items):
        try:
            check(item, index)
        except DeclarationError as error:
            errors.append(error)
    raise_all(errors)


def rules_document(
    document: Any, kind: RuleKind, file: str
) -> tuple[tuple[RuleGroup, ...], list[Any] | None, Any]:
    """The rule groups, the promtool test cases and the attached test files (as given) of an evaluated
    rules declaration."""
    if not isinstance(document, Mapping) or not isinstance(document.get("groups"), list):
        raise _fail(
            file, "Jsonnet", "groups", "the file must evaluate to {groups: [...]} (a Prometheus rule file)"
        )
    unknown = sorted(set(document) - {"groups", "tests", "test_files"})
    if unknown:
        raise _fail(file, "Jsonnet", unknown[0], "unsupported key (supported: groups, tests, test_files)")
    groups: list[RuleGroup] = []
    tests = document.get("tests")
    if tests is not None and not isinstance(tests, list):
        raise _fail(file, "Jsonnet", "tests", "must be a list of promtool test cases")
    _each(document["groups"], lambda group, index: groups.append(_group(group, index, kind, file)))
    _each(tests or [], lambda case, index: check_test_case(case, file, "Jsonnet", f"tests[{index}]"))
    return tuple(groups), tests, document.get("test_files")


def _dashboard(dashboard: Any, where: str, file: str) -> dict[str, Any]:
    uid = dashboard.get("uid") if isinstance(dashboard, Mapping) else None
    obj = f"Dashboard {uid!r}" if isinstance(uid, str) and uid else f"Dashboard {where}"
    if not isinstance(dashboard, Mapping):
        raise _fail(file, obj, where, "a dashboard is an object")
    check_shape(DashboardShape, dashboard, file, obj, where)
    return dict(dashboard)


def dashboards_document(document: Any, file: str) -> tuple[Folder, list[dict[str, Any]]]:
    """The folder and the dashboards of an evaluated dashboards declaration."""
    if not isinstance(document, Mapping) or set(document) != {"folder", "dashboards"}:
        raise _fail(
            file, "Jsonnet", "(file)", "the file must evaluate to {folder: {uid, title}, dashboards: [...]}"
        )
    try:
        folder = Folder.model_validate(document["folder"])
    except ValidationError as error:
        problems = tuple(
            (field_path(tuple(e["loc"]), ("folder",)), e["msg"].removeprefix("Value error, "))
            for e in error.errors(include_url=False)
        )
        raise DeclarationError(file, None, "Jsonnet", problems) from None
    found = document["dashboards"]
    if isinstance(found, Mapping):  # a mixin's grafanaDashboards, keyed by file name
        places = [(f"dashboards[{key!r}]", found[key]) for key in sorted(found)]
    elif isinstance(found, list):
        places = [(f"dashboards[{index}]", dashboard) for index, dashboard in enumerate(found)]
    else:
        raise _fail(file, "Jsonnet", "dashboards", "must be a list (or an object) of dashboard objects")
    dashboards: list[dict[str, Any]] = []
    _each(places, lambda place, _: dashboards.append(_dashboard(place[1], place[0], file)))
    return folder, dashboards
