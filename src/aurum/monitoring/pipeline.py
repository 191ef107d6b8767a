"""The build: load declarations, compile, parse, stage, prove with promtool, then publish atomically."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from aurum.contract.build_settings import DEFAULT_BUILD_SETTINGS, BuildSettings
from aurum.contract.catalogs import using_catalogs
from aurum.contract.conventions import (
    DASHBOARDS_DIR,
    DATASOURCES_FILE,
    FOLDERS_FILE,
    MANIFEST_FILE,
    PROVISIONING_FILE,
    RULES_DIR,
    TESTS_DIR,
)
from aurum.contract.project import DEFAULT_PROJECT, ProjectSettings, current_project
from aurum.monitoring.assemble import DashboardSource, RuleSource, load_dashboards, load_rules
from aurum.monitoring.build_context import blame_overrides, building_with, describe_settings
from aurum.monitoring.compile import slo_names
from aurum.monitoring.compile.manifest import manifest
from aurum.monitoring.compile.promtool_tests import promtool_tests
from aurum.monitoring.compile.provisioning import datasource_document, folders_document, provisioning_document
from aurum.monitoring.compile.rules import AlertingRule, Rule, RuleGroup, rule_file
from aurum.monitoring.compile.series_cost import series_statement
from aurum.monitoring.compile.slo_rules import compile_slo
from aurum.monitoring.compile.workload import SynthesisError
from aurum.monitoring.io.catalogs import repository_catalogs
from aurum.monitoring.io.declarations import (
    DeclarationError,
    Declared,
    load_slos,
    raise_all,
)
from aurum.monitoring.io.output import OutsideOutputError, Staging, not_build_output, staged_output
from aurum.monitoring.io.render import dump_json, dump_yaml
from aurum.monitoring.model import SLO, PromQLSLI
from aurum.monitoring.validate.lint import DashboardFile, RuleFile, lint
from aurum.monitoring.validate.lint_policy import LintFailedError, Waived, apply_policies, describe_waived
from aurum.monitoring.validate.promql import expression_error
from aurum.monitoring.validate.promtool import Promtool
from aurum.monitoring.validate.proof_cache import ProofCache
from aurum.monitoring.validate.proofs import Proof, Prover
from aurum.monitoring.validate.rule_dependencies import needed_rule_files
from aurum.monitoring.validate.unit_tests import vacuous_assertions

__all__ = ["Artifacts", "BuildFailedError", "NothingDeclaredError", "build", "render", "validate"]


class BuildFailedError(Exception):
    """Rendered output that promtool or a guard rejected (exit status 1)."""


class NothingDeclaredError(ValueError):
    """A root without a single declaration: a wrong ``--root`` rather than an empty success."""


@dataclass
class Artifacts:
    """Everything one build writes, by path under the output directory."""

    files: dict[PurePosixPath, bytes] = field(default_factory=dict)
    documents: dict[PurePosixPath, dict[str, Any]] = field(default_factory=dict)
    slos: int = 0
    rules: int = 0
    handwritten_rules: int = 0
    dashboards: int = 0
    series_notes: list[str] = field(default_factory=list)
    """What each grouped SLO costs in series, worst case."""
    waived: list[Waived] = field(default_factory=list)
    """Lint findings the policy of their source tree makes warnings (a vendored mixin's style...)."""
    min_prometheus: dict[PurePosixPath, tuple[int, int]] = field(default_factory=dict)
    """Attached test files that run only with a promtool at least this new."""

    def add(
        self, path: PurePosixPath, document: dict[str, Any], dump: Callable[[Any], bytes] = dump_yaml
    ) -> None:
        if path in self.files:  # e.g. an SLO named "alerts" and a hand-written alerts/long.py
            msg = f"two declarations render the same file {path}; rename one of them"
            raise BuildFailedError(msg)
        self.documents[path] = document
        self.files[path] = dump(document)

    def under(self, directory: PurePosixPath) -> list[PurePosixPath]:
        return sorted(path for path in self.files if path.parent == directory)


def _rule_name(rule: Rule) -> str:
    return rule.alert if isinstance(rule, AlertingRule) else rule.record


def _check_promql(declared: Declared[SLO], groups: tuple[RuleGroup, ...]) -> None:
    for group in groups:
        for rule in group.rules:
            error = expression_error(rule.expr)
            if error is None:
                continue
            name = _rule_name(rule)
            if isinstance(declared.obj.sli, PromQLSLI):
                raise declared.error("sli", f"Prometheus would refuse the PromQL ({error}) in rule {name}")
            msg = f"compiler bug: invalid PromQL for {declared.obj.name} rule {name}: {error}\n{rule.expr}"
            raise BuildFailedError(msg)


def _render_slo(declared: Declared[SLO], artifacts: Artifacts) -> RuleFile:
    slo = declared.obj
    groups = compile_slo(slo)
    _check_promql(declared, groups)
    note = series_statement(slo, groups)
    if note is not None:
        artifacts.series_notes.append(note)
    rules_path = RULES_DIR / slo_names.rule_file_name(slo)
    try:
        tests = promtool_tests(slo, f"../rules/{rules_path.name}", [group.name for group in groups])
    except SynthesisError as error:
        raise declared.error("sli", f"cannot generate promtool tests: {error}") from None
    artifacts.add(rules_path, rule_file(groups))
    artifacts.rules += sum(len(group.rules) for group in groups)
    for timing, document in tests.items():
        artifacts.add(TESTS_DIR / slo_names.test_file_name(slo, timing), document)
    lines = {_rule_name(rule): declared.line for group in groups for rule in group.rules}
    return RuleFile(declared.file, artifacts.documents[rules_path], lines, handwritten=False)


def _render_slos(slos: tuple[Declared[SLO], ...], artifacts: Artifacts) -> list[RuleFile]:
    """Every SLO's rules and tests; the SLOs that cannot be compiled are reported together."""
    linted, errors = [], []
    for declared in slos:
        try:
            linted.append(_render_slo(declared, artifacts))
        except DeclarationError as error:
            errors.append(error)
    raise_all(errors)
    artifacts.slos = len(slos)
    return linted


def _with_rule_files(test: dict[str, Any], own: str, artifacts: Artifacts) -> dict[str, Any]:
    """``test`` loading its own rule file and every rule file of the build it depends on."""
    rule_files = {path.name: artifacts.documents[path] for path in artifacts.under(RULES_DIR)}
    needed = needed_rule_files(test, own, rule_files)
    return {
        "rule_files": [f"../rules/{name}" for name in needed],
        **{k: v for k, v in test.items() if k != "rule_files"},
    }


def _render_rules(sources: list[RuleSource], artifacts: Artifacts) -> list[RuleFile]:
    for source in sources:
        artifacts.add(RULES_DIR / source.rule_file, rule_file(source.groups))
        artifacts.handwritten_rules += sum(len(group.rules) for group in source.groups)
    linted = []
    for source in sources:
        cases = list((source.tests or {}).get("tests", []))
        if source.tests is not None:
            artifacts.add(
                TESTS_DIR / source.test_file, _with_rule_files(source.tests, source.rule_file, artifacts)
            )
        for attached in source.attached:
            test = _with_rule_files(dict(attached.document), source.rule_file, artifacts)
            path = TESTS_DIR / source.attached_test_file(attached)
            artifacts.add(path, test)
            if attached.min_prometheus is not None:
                artifacts.min_prometheus[path] = attached.min_prometheus
            else:  # a test that may not run proves nothing about the alerts it checks
                cases += test["tests"]
        document = artifacts.documents[RULES_DIR / source.rule_file]
        linted.append(RuleFile(source.file, document, source.lines, {"tests": cases} if cases else None))
    return linted


def _render_dashboards(sources: list[DashboardSource], artifacts: Artifacts) -> None:
    for source in sources:
        path = DASHBOARDS_DIR / source.folder.uid / f"{source.dashboard['uid']}.json"
        artifacts.add(path, source.dashboard, dump_json)
    folders = [source.folder for source in sources]
    artifacts.add(FOLDERS_FILE, folders_document(folders), dump_json)
    artifacts.add(PROVISIONING_FILE, provisioning_document(folders))
    artifacts.add(DATASOURCES_FILE, datasource_document())
    artifacts.dashboards = len(sources)


def render(
    root: Path, settings: BuildSettings = DEFAULT_BUILD_SETTINGS, project: ProjectSettings = DEFAULT_PROJECT
) -> Artifacts:
    """Load and compile every declaration under ``root``; pure apart from reading the declarations.

    The output is a function of the declarations, ``settings`` and ``project`` (the names' prefixes)
    alone: nothing reads the environment or the project configuration. Everything rendered is linted before any file is produced: a query reading an unknown
    metric or label, an alert breaking a convention, a collision or a broken dashboard is a
    DeclarationError, which names the overrides of ``settings`` that cause it.
    """
    try:
        return _render(root, settings, project)
    except DeclarationError as error:
        if not settings.overrides():
            raise
        raise blame_overrides(
            error, settings, lambda other: _declaration_error(root, other, project)
        ) from None


def _declaration_error(
    root: Path, settings: BuildSettings, project: ProjectSettings
) -> DeclarationError | None:
    try:
        _render(root, settings, project)
    except DeclarationError as error:
        return error
    except BuildFailedError:
        return None
    return None


def _render(root: Path, settings: BuildSettings, project: ProjectSettings) -> Artifacts:
    # Catalogs first: every declaration selects from them, and imports them as catalog.<file>.
    with building_with(settings, project), repository_catalogs(root) as catalogs, using_catalogs(catalogs):
        return _render_all(root)


R = TypeVar("R")


def _collecting(errors: list[DeclarationError], step: Callable[[], R], instead: R) -> R:
    """``step()``, or ``instead`` with its DeclarationError added to ``errors``."""
    try:
        return step()
    except DeclarationError as error:
        errors.append(error)
        return instead


def _render_all(root: Path) -> Artifacts:
    slos = load_slos(root)
    with slo_names.distinguishing([d.obj for d in slos]):
        return _compiled(root, slos)


def _compiled(root: Path, slos: tuple[Declared[SLO], ...]) -> Artifacts:
    artifacts = Artifacts()
    # The SLOs, the hand-written rules and the dashboards are independent: report every problem of
    # all three before stopping, as the lint does.
    errors: list[DeclarationError] = []
    objects = [d.obj for d in slos]
    linted: list[RuleFile] = _collecting(errors, lambda: _render_slos(slos, artifacts), [])
    rules: list[RuleSource] = _collecting(errors, lambda: load_rules(root, objects), [])
    dashboards: list[DashboardSource] = _collecting(errors, lambda: load_dashboards(root, objects), [])
    raise_all(errors)
    linted += _render_rules(rules, artifacts)
    findings = lint(
        linted,
        [DashboardFile(d.file, d.line, (d.folder.uid, d.folder.title), d.dashboard) for d in dashboards],
    )
    trees = {rule.file: rule.source_tree for rule in rules}
    trees.update({board.file: board.source_tree for board in dashboards})
    findings, artifacts.waived = apply_policies(findings, trees, current_project().lint)
    if findings:
        raise LintFailedError(findings, artifacts.waived)
    if dashboards:
        _render_dashboards(dashboards, artifacts)
    artifacts.add(MANIFEST_FILE, manifest([d.obj for d in slos]), dump_json)
    return artifacts


def _guard(artifacts: Artifacts) -> None:
    problems = []
    for path in artifacts.under(TESTS_DIR):
        test = artifacts.documents[path]
        rules = [artifacts.documents[RULES_DIR / PurePosixPath(name).name] for name in test["rule_files"]]
        problems += [f"{path}: {problem}" for problem in vacuous_assertions(test, rules)]
    if problems:
        raise BuildFailedError("promtool tests would pass vacuously:\n" + "\n".join(problems))


def _repeats_records(document: dict[str, Any]) -> bool:
    """Whether a rule file records one name with the same labels twice (which the lint let through
    only because it proved their series disjoint)."""
    seen = set()
    for group in document.get("groups", []):
        for rule in group.get("rules", []):
            if "record" in rule:
                identity = (rule["record"], tuple(sorted((rule.get("labels") or {}).items())))
                if identity in seen:
                    return True
                seen.add(identity)
    return False


def _check(prover: Prover, staged: Path, artifacts: Artifacts, log: Callable[[str], None]) -> None:
    paths = artifacts.under(RULES_DIR)
    if not paths:
        return
    unlinted = [staged / path for path in paths if _repeats_records(artifacts.documents[path])]
    linted = [staged / path for path in paths if staged / path not in unlinted]
    for files, strict in ((linted, True), (unlinted, False)):
        if not files:
            continue
        checked = prover.check_rules(files, lint=strict)
        if not checked.result.ok:
            raise BuildFailedError(f"promtool check rules failed:\n{checked.result.output}")
        cached = " (cached)" if checked.cached else ""
        how = (
            "--lint=all --lint-fatal"
            if strict
            else "--lint=none (same-name records the lint proved disjoint)"
        )
        log(f"promtool check rules {how}: {len(files)} files OK{cached}")


def _runnable(
    prover: Prover, artifacts: Artifacts, log: Callable[[str], None]
) -> tuple[list[PurePosixPath], str]:
    """The test files this promtool can run, and what the summary says of the others (or '')."""
    paths = artifacts.under(TESTS_DIR)
    if not artifacts.min_prometheus:
        return paths, ""
    have = prover.promtool.version()
    too_new = {path: need for path, need in artifacts.min_prometheus.items() if need > have}
    for path, (major, minor) in sorted(too_new.items()):
        log(f"  not run: {path.name}: needs Prometheus >= {major}.{minor} (promtool is {have[0]}.{have[1]})")
    if not too_new:
        return paths, ""
    return [path for path in paths if path not in too_new], f"; {len(too_new)} not run (Prometheus too old)"


def _test(prover: Prover, staged: Path, artifacts: Artifacts, log: Callable[[str], None]) -> None:
    paths, not_run = _runnable(prover, artifacts, log)
    test_files = [staged / path for path in paths]
    if not test_files:
        if not_run:
            log(f"promtool test rules: 0 files run{not_run}")
        return
    started = time.perf_counter()

    def progress(proof: Proof, done: int, total: int) -> None:
        if proof.cached:  # counted in [done/total] and in the summary; one line each would drown the rest
            return
        outcome = "passed" if proof.result.ok else "FAILED"
        log(f"  [{done:>{len(str(total))}}/{total}] {proof.path.name}: {outcome} in {proof.seconds:.1f}s")

    proofs = prover.test_rules(test_files, progress)
    failed = [f"{proof.path.name}:\n{proof.result.output}" for proof in proofs if not proof.result.ok]
    if failed:
        raise BuildFailedError("promtool test rules failed:\n" + "\n".join(failed))
    cached = sum(proof.cached for proof in proofs)
    log(
        f"promtool test rules: {len(proofs)} files OK ({cached} cached) "
        f"in {time.perf_counter() - started:.1f}s, {prover.jobs} at a time{not_run}"
    )


def _rendered(
    root: Path, log: Callable[[str], None], settings: BuildSettings, project: ProjectSettings
) -> Artifacts:
    log(describe_settings(settings))
    started = time.perf_counter()
    artifacts = render(root, settings, project)
    elapsed = time.perf_counter() - started
    if not artifacts.slos and not artifacts.under(RULES_DIR) and not artifacts.dashboards:
        msg = f"{root} holds no declarations (no SLO, alert, recording rule or dashboard)"
        raise NothingDeclaredError(msg)
    log(
        f"compiled {artifacts.slos} SLOs into {artifacts.rules} rules and their tests, "
        f"{artifacts.handwritten_rules} hand-written rules and {artifacts.dashboards} dashboards, "
        f"and linted them in {elapsed:.2f}s"
    )
    for note in artifacts.series_notes:
        log(f"series: {note}")
    if artifacts.waived:
        log(f"lint: {describe_waived(artifacts.waived)}")
    _guard(artifacts)
    return artifacts


def build(
    root: Path,
    out: Path,
    promtool: Promtool,
    log: Callable[[str], None] = print,
    settings: BuildSettings = DEFAULT_BUILD_SETTINGS,
    *,
    cache: ProofCache | None = None,
    jobs: int | None = None,
    project: ProjectSettings = DEFAULT_PROJECT,
) -> Artifacts:
    """Render with ``settings``, validate in a staging directory, and only then replace ``out``.

    promtool runs ``jobs`` files at a time (default: one per core), and not at all on a file whose
    bytes, rule files and promtool all match a run that passed and was recorded in ``cache``.
    Raises DeclarationError for a bad declaration and BuildFailedError when validation fails; in
    both cases ``out`` is left exactly as it was.
    """
    foreign = not_build_output(out)
    if foreign is not None:
        msg = f"{out}: {foreign}"
        raise BuildFailedError(msg)
    artifacts = _rendered(root, log, settings, project)
    prover = Prover(promtool, cache, jobs)
    try:
        with staged_output(out) as staging:
            try:
                staging.write(artifacts.files)
            except OutsideOutputError as error:
                raise BuildFailedError(str(error)) from None
            _check(prover, staging.path, artifacts, log)
            _test(prover, staging.path, artifacts, log)
            staging.commit()
    except OSError as error:  # an unwritable or vanished --out, a full disk: the old output stays
        msg = f"could not write the output {out}: {error.strerror or error} ({error.filename or out})"
        raise BuildFailedError(msg) from None
    return artifacts


def validate(
    root: Path,
    promtool: Promtool,
    log: Callable[[str], None] = print,
    settings: BuildSettings = DEFAULT_BUILD_SETTINGS,
    *,
    cache: ProofCache | None = None,
    project: ProjectSettings = DEFAULT_PROJECT,
) -> Artifacts:
    """Everything :func:`build` checks but the promtool unit tests, writing nothing: load, compile,
    lint, parse, the vacuous-test guard and ``promtool check rules``. Raises as :func:`build` does."""
    artifacts = _rendered(root, log, settings, project)
    with tempfile.TemporaryDirectory(prefix="aurum-obs-validate-") as scratch:
        rules = {path: content for path, content in artifacts.files.items() if path.parent == RULES_DIR}
        try:
            Staging.write_files(Path(scratch), rules)
        except OutsideOutputError as error:
            raise BuildFailedError(str(error)) from None
        _check(Prover(promtool, cache), Path(scratch), artifacts, log)
    return artifacts
