"""Names more than one part relies on are defined once, in ``aurum.contract.conventions``.

Every string the conventions module defines (recorded series, label keys, group and file names,
dashboard and folder uids, the datasource reference, and the fixed parts of the names its functions
build) must not be written as a literal anywhere else under ``src/``: the compilers, the lint, the
dashboards, the deploy and the runtime import it instead.
"""

from __future__ import annotations

import ast
import re
from enum import Enum
from pathlib import Path, PurePosixPath

import pytest

from aurum.contract import conventions

SRC = Path(__file__).resolve().parents[1] / "src" / "aurum"
HOME = SRC / "contract" / "conventions.py"
_MARK = "\x00"


def _values(suffix: str = "") -> set[str]:
    """The strings the conventions define under names ending in ``suffix`` (all of them for "")."""
    found: set[str] = set()
    for name, value in vars(conventions).items():
        if name.startswith("_") or not name.endswith(suffix):
            continue
        if isinstance(value, str | PurePosixPath):
            found.add(str(value))
        elif isinstance(value, type) and issubclass(value, Enum) and value.__module__ == conventions.__name__:
            found |= {str(member) for member in value}
    return found


def _fragments() -> set[str]:
    """The fixed text of every name a conventions function builds (``aurum-slo-``, ``ErrorBudgetBurn``)."""
    built = [
        conventions.slo_error_ratio(_MARK),
        conventions.slo_group_name(_MARK, conventions.SLOGroup.SLI),
        conventions.rules_group_name(conventions.RuleKind.ALERTS, _MARK),
        conventions.slo_alert_name(_MARK, _MARK),
        conventions.slo_runbook_url(_MARK),
    ]
    return {part for name in built for part in name.split(_MARK) if len(part) >= 5}


# Names distinctive enough to be recognised anywhere: recorded series, uids, folder uids, the
# datasource reference, the runbook base and the fixed parts of built names are found inside longer
# literals (a PromQL query); file names and output paths where a literal is, or starts with, one.
DISTINCTIVE = {
    name for name in _values() | _fragments() if re.search(r"[:${}]|^aurum-|^https://|ErrorBudget", name)
}
PATHS = {name for name in _values() if "/" in name or name.endswith((".json", ".yaml"))} - DISTINCTIVE
# Label and annotation keys are plain words (``slo``, ``service``, ``summary``), so they count where they
# are used as keys: in a matcher, in PromQL, as a key of labels or annotations, in a ``Label``. Other
# plain words among the names (``5m``, ``prometheus``, ``datasource``, ``slos``, the group parts and rule
# kinds) are too common to recognise out of context; the modules use the constants all the same.
KEYS = _values("_LABEL") | _values("_ANNOTATION")
# Prometheus' own label names mean nothing else: a literal one is a copy wherever it is.
ALWAYS = {conventions.BUCKET_LABEL, conventions.METRIC_NAME_LABEL}
_OPS = {"=", "!=", "=~", "!~"}
_KEY_WORDS = "|".join(sorted(map(re.escape, KEYS), key=len, reverse=True))
_PROMQL = [
    re.compile(rf"(?<![\w.$])({_KEY_WORDS})\s*(?:=~|!~|!=|=)\s*[\"'$]"),  # a matcher: slo="..."
    re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)"),  # grouping
    re.compile(r"label_values\([^,]*,\s*(\w+)\s*\)"),
]


def _identifiers(node: ast.AST | None) -> set[str]:
    names: set[str] = set()
    for child in ast.walk(node) if node is not None else ():
        if isinstance(child, ast.Name):
            names.add(child.id)
        elif isinstance(child, ast.Attribute):
            names.add(child.attr)
        elif isinstance(child, ast.keyword | ast.arg) and child.arg:
            names.add(child.arg)
    return names


def _signature(function: ast.AST | None) -> set[str]:
    if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        return set()
    return {function.name} | _identifiers(function.args) | _identifiers(function.returns)


class _Tree:
    """A parsed module with each node's parent and enclosing function."""

    def __init__(self, source: str) -> None:
        self.root = ast.parse(source)
        self.parent: dict[int, ast.AST] = {}
        self.function: dict[int, ast.AST | None] = {}
        self._index(self.root, None)

    def _index(self, node: ast.AST, function: ast.AST | None) -> None:
        for child in ast.iter_child_nodes(node):
            self.parent[id(child)] = node
            self.function[id(child)] = function
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            self._index(child, inner)

    def owner(self, node: ast.AST) -> set[str]:
        """What a literal is for: the name it is assigned, passed or returned as, or stored under."""
        names = _signature(self.function.get(id(node)))
        child, parent = node, self.parent.get(id(node))
        while parent is not None:
            if isinstance(parent, ast.keyword) and parent.arg:
                return names | {parent.arg}
            if isinstance(parent, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
                return names | set().union(*(_identifiers(target) for target in targets))
            if isinstance(parent, ast.Call) and child in parent.args:
                return names | _identifiers(parent.func)
            if isinstance(parent, ast.Dict) and child in parent.values:
                key = parent.keys[parent.values.index(child)]
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    return names | {key.value}
            if isinstance(parent, ast.stmt):
                return names
            child, parent = parent, self.parent.get(id(parent))
        return names


def _labelish(names: set[str]) -> bool:
    return any("label" in name.lower() or "annotation" in name.lower() for name in names)


def _keys_used_on_labels(tree: _Tree) -> list[ast.Constant]:
    """Keys used as label or annotation keys: of a dict or set made for labels, looked up in labels."""
    found: list[ast.Constant] = []
    for node in ast.walk(tree.root):
        keys: list[ast.expr] = []
        context: set[str] = set()
        if isinstance(node, ast.Dict | ast.Set):
            keys = [
                key for key in (node.keys if isinstance(node, ast.Dict) else node.elts) if key is not None
            ]
            context = tree.owner(node)
        elif isinstance(node, ast.Subscript):
            keys, context = [node.slice], _identifiers(node.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"get", "pop", "setdefault"}
        ):
            keys, context = node.args[:1], _identifiers(node.func.value)
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            keys = operands
            context = set().union(*(_identifiers(o) for o in operands)) | _signature(
                tree.function.get(id(node))
            )
        if _labelish(context):
            found += [key for key in keys if isinstance(key, ast.Constant) and key.value in KEYS]
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    """Docstrings, and bare strings after an assignment (attribute docstrings)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def _decorator_arguments(tree: ast.AST) -> set[int]:
    """String arguments of decorators: pydantic's ``field_validator("severity")`` names a field."""
    return {
        id(argument)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        for decorator in node.decorator_list
        if isinstance(decorator, ast.Call)
        for argument in decorator.args
    }


def _in_text(text: str) -> set[str]:
    """Names a string literal copies: distinctive ones anywhere, paths, keys in PromQL syntax."""
    found = {name for name in DISTINCTIVE if name in text} | ({text} & ALWAYS)
    found |= {name for name in PATHS if text == name or text.startswith(f"{name}/")}
    for pattern in _PROMQL:
        for match in pattern.finditer(text):
            found |= {word for word in re.split(r"[\s,]+", match.group(1)) if word in KEYS}
    return found


def _in_structure(tree: _Tree) -> list[ast.Constant]:
    """Keys copied into a matcher ``(label, op, value)``, a ``Label(...)``, or used on labels."""
    found = _keys_used_on_labels(tree)
    for node in ast.walk(tree.root):
        if isinstance(node, ast.Tuple) and len(node.elts) == 3:
            first, op = node.elts[0], node.elts[1]
            if (
                isinstance(first, ast.Constant)
                and first.value in KEYS
                and isinstance(op, ast.Constant)
                and op.value in _OPS
            ):
                found.append(first)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Label":
            found += [arg for arg in node.args[:1] if isinstance(arg, ast.Constant) and arg.value in KEYS]
    return found


def copied_names(source: str) -> list[tuple[int, str]]:
    """``(line, name)`` for every convention written as a literal in ``source``."""
    tree = _Tree(source)
    skipped = _docstrings(tree.root) | _decorator_arguments(tree.root)
    found = {
        (node.lineno, name)
        for node in ast.walk(tree.root)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped
        for name in _in_text(node.value)
    }
    found |= {(node.lineno, str(node.value)) for node in _in_structure(tree) if id(node) not in skipped}
    return sorted(found)


def test_the_conventions_cover_the_names_the_issue_lists() -> None:
    assert {"slo", "service", "tier", "severity", "le", "summary", "runbook_url"} <= KEYS
    assert {
        "slo:info",
        "aurum-slo-overview",
        "aurum-slos",
        "${datasource}",
        "aurum-slo-runtime",
    } <= DISTINCTIVE
    assert {"slo:sli_error:ratio_rate", "aurum-slo-", "ErrorBudgetBurn"} <= DISTINCTIVE
    assert {"slos.json", "grafana/folders.json", "prometheus/rules"} <= PATHS


@pytest.mark.parametrize(
    "source",
    [
        'SELECTOR = [("slo", "=", name)]',
        'QUERY = f"sum(slo:objective:ratio{{slo={name!r}}})"',
        'UID = "aurum-slo-detail"',
        'GROUP = f"aurum-slo-{name}-sli"',
        'REF = {"type": "prometheus", "uid": "${datasource}"}',
        'def alert_labels(tier):\n    return {"severity": tier.severity}',
        'def _rule(labels):\n    return labels.get("tier")',
        'OUT = Path("grafana/folders.json")',
        'QUERY = "sum by (le, service) (rate(x[5m]))"',
        'LABEL = Label("slo", "The SLO.")',
        'if matcher.name == "__name__":\n    pass',
    ],
)
def test_the_check_finds_a_copied_name(source: str) -> None:
    assert copied_names(source)


def test_a_plain_word_outside_a_label_position_is_not_a_copy() -> None:
    assert copied_names('SOURCE = "service"\nMOUNT = "/var/lib/grafana/dashboards/aurum"') == []
    assert copied_names('def report(result):\n    return result.get("summary")') == []


def test_the_check_ignores_docstrings_and_pydantic_field_names() -> None:
    source = '"""Reads slo:info."""\n@field_validator("severity")\ndef f(labels):\n    """The slo label."""\n'
    assert copied_names(source) == []


@pytest.mark.parametrize(
    "path",
    sorted(path for path in SRC.rglob("*.py") if path != HOME),
    ids=lambda path: str(path.relative_to(SRC)),
)
def test_no_convention_is_written_as_a_literal_outside_the_conventions_module(path: Path) -> None:
    found = copied_names(path.read_text())
    assert not found, f"import these from aurum.contract.conventions instead: {found}"


def test_the_jsonnet_library_takes_its_names_from_the_build() -> None:
    library = (SRC / "monitoring" / "jsonnet" / "aurum.libsonnet").read_text()
    quoted = set(re.findall(r"'([^'\n]*)'", library))
    assert not quoted & (KEYS | PATHS | {"datasource", "prometheus"})
    assert not [name for name in DISTINCTIVE if name in library]
