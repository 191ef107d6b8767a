"""Hand-written rules and dashboards, from Python and Jsonnet declarations, ready to lint and write.

Python declarations are loaded as model objects and compiled; Jsonnet ones are evaluated (with the
catalog and the SLOs as external variables) into the same rule groups and dashboard JSON. Either way
the result records the declaration file, so the lint can name it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from aurum.contract import conventions as conv
from aurum.contract.conventions import RuleKind
from aurum.contract.project import current_project
from aurum.monitoring.compile import handwritten as hw
from aurum.monitoring.compile.dashboards import compile_board
from aurum.monitoring.compile.grafana_json import normalise
from aurum.monitoring.compile.jsonnet_vars import catalog_variable, slos_variable
from aurum.monitoring.compile.rules import RuleGroup
from aurum.monitoring.compile.slo_dashboards import slo_dashboards
from aurum.monitoring.io.attached_tests import AttachedTest, load_attached_tests
from aurum.monitoring.io.declarations import DeclarationError, Declared, load_declarations, raise_all
from aurum.monitoring.io.documents import dashboards_document, rules_document
from aurum.monitoring.io.jsonnet import evaluate, jsonnet_files
from aurum.monitoring.model import SLO
from aurum.monitoring.model.dashboard import Board, Folder
from aurum.monitoring.model.rules import Alert, Record

__all__ = ["GENERATED", "DashboardSource", "RuleSource", "load_dashboards", "load_rules"]

GENERATED = "(generated from slos/)"
"""The file named for the SLO dashboards, which no single declaration file holds."""

T = TypeVar("T", Alert, Record)


@dataclass(frozen=True)
class RuleSource:
    """The rules (and their tests) of one declaration file."""

    kind: RuleKind
    stem: str
    file: str
    groups: tuple[RuleGroup, ...]
    tests: dict[str, Any] | None
    lines: dict[str, int] = field(default_factory=dict)
    attached: tuple[AttachedTest, ...] = ()
    """A vendored mixin's own promtool test files, attached by a Jsonnet declaration."""
    tree: str = ""
    """The source tree whose lint policy applies (a vendored mixin's, else ``file``)."""

    @property
    def source_tree(self) -> str:
        return self.tree or self.file

    @property
    def rule_file(self) -> str:
        return current_project().rule_file(self.kind, self.stem)

    @property
    def test_file(self) -> str:
        return current_project().test_file(self.kind, self.stem)

    def attached_test_file(self, test: AttachedTest) -> str:
        """``alerts.<stem>.<test>.test.yaml``: a mixin's test file ``<test>.yaml`` attached here."""
        return current_project().test_file(self.kind, f"{self.stem}.{test.stem}")


@dataclass(frozen=True)
class DashboardSource:
    file: str
    line: int | None
    folder: Folder
    dashboard: dict[str, Any]
    tree: str = ""
    """The source tree whose lint policy applies (a vendored mixin's, else ``file``)."""

    @property
    def source_tree(self) -> str:
        return self.tree or self.file


def _ext(slos: Sequence[SLO]) -> dict[str, Any]:
    return {"catalog": catalog_variable(), "slos": slos_variable(slos)}


def _by_file(declared: Sequence[Declared[T]]) -> dict[str, list[Declared[T]]]:
    files: dict[str, list[Declared[T]]] = defaultdict(list)
    for item in sorted(declared, key=lambda d: (d.file, d.line)):  # stable: list members keep their order
        files[item.file].append(item)
    return dict(files)


def _stem(path: Path, file: str) -> str:
    """The stem that names a rule file, refused unless it is one safe path segment."""
    problem = conv.declaration_stem_problem(path.stem)
    if problem is not None:
        raise DeclarationError(file, None, "module", (("(file name)", problem),))
    return path.stem


def _python_rules(root: Path) -> list[RuleSource]:
    sources: list[RuleSource] = []
    alerts_kind, records_kind = RuleKind.ALERTS, RuleKind.RECORDS
    errors = []
    try:
        declared_alerts = load_declarations(root, alerts_kind.directory, Alert)
    except DeclarationError as error:  # the records are loaded still, so that both are reported
        errors.append(error)
        declared_alerts = ()
    try:
        records = load_declarations(root, records_kind.directory, Record, unique_names=False)
    except DeclarationError as error:
        errors.append(error)
        records = ()
    raise_all(errors)
    for file, alerts in _by_file(declared_alerts).items():
        stem = _stem(Path(file), file)
        objects = [d.obj for d in alerts]
        tests = hw.alert_tests(stem, objects)
        lines = {d.obj.name: d.line for d in alerts}
        sources.append(RuleSource(alerts_kind, stem, file, (hw.alert_group(stem, objects),), tests, lines))
    for file, declared in _by_file(records).items():
        stem = _stem(Path(file), file)
        lines = {d.obj.record: d.line for d in declared}
        group = hw.record_group(stem, [d.obj for d in declared])
        sources.append(RuleSource(records_kind, stem, file, (group,), None, lines))
    return sources


def _jsonnet_rules(root: Path, ext: dict[str, Any]) -> list[RuleSource]:
    sources, errors = [], []
    for kind in RuleKind:
        for path in jsonnet_files(root / kind.directory, root):
            file = str(path.relative_to(root))
            try:
                stem = _stem(path, file)
                evaluation = evaluate(path, root, file, ext)
                groups, cases, test_files = rules_document(evaluation.value, kind, file)
                tests = hw.test_document(kind, stem, cases or [])
                attached = load_attached_tests(test_files, root, file)
            except DeclarationError as error:
                errors.append(error)
                continue
            tree = evaluation.source_tree(root, file)
            sources.append(RuleSource(kind, stem, file, groups, tests, attached=attached, tree=tree))
    raise_all(errors)
    return sources


def load_rules(root: Path, slos: Sequence[SLO]) -> list[RuleSource]:
    """Every hand-written rule file, sorted by output file; two declarations of one file are an error."""
    errors: list[DeclarationError] = []
    python: list[RuleSource] = []
    jsonnet: list[RuleSource] = []
    try:
        python = _python_rules(root)
    except DeclarationError as error:  # the Jsonnet ones are loaded still, so that both are reported
        errors.append(error)
    try:
        jsonnet = _jsonnet_rules(root, _ext(slos))
    except DeclarationError as error:
        errors.append(error)
    raise_all(errors)
    sources = sorted([*python, *jsonnet], key=lambda s: (s.rule_file, s.file))
    for first, second in itertools.pairwise(sources):
        if first.rule_file == second.rule_file:
            message = f"{first.file} renders to the same rule file {first.rule_file}; rename one of them"
            raise DeclarationError(second.file, None, "module", (("(file)", message),))
    return sources


def load_dashboards(root: Path, slos: Sequence[SLO]) -> list[DashboardSource]:
    """The generated SLO dashboards, then Python and Jsonnet ones in file order."""
    sources = [
        DashboardSource(GENERATED, None, board.folder, compile_board(board)) for board in slo_dashboards(slos)
    ]
    for declared in load_declarations(root, conv.DASHBOARDS_DIRECTORY, Board, unique_names=False):
        board = declared.obj
        try:
            document = compile_board(board)
        except (TypeError, ValueError) as error:  # a panel grafanalib cannot render
            raise declared.error("rows", f"cannot render the dashboard: {error}") from None
        sources.append(DashboardSource(declared.file, declared.line, board.folder, document))
    ext, errors = _ext(slos), []
    for path in jsonnet_files(root / conv.DASHBOARDS_DIRECTORY, root):
        file = str(path.relative_to(root))
        try:
            evaluation = evaluate(path, root, file, ext)
            folder, dashboards = dashboards_document(evaluation.value, file)
        except DeclarationError as error:
            errors.append(error)
            continue
        tree = evaluation.source_tree(root, file)
        sources += [
            DashboardSource(file, None, folder, normalise(dashboard), tree) for dashboard in dashboards
        ]
    raise_all(errors)
    return sources
