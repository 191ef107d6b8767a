"""A mixin's own promtool test files, attached to the build by a Jsonnet rules declaration.

A rules declaration names them under ``test_files`` by their place on the Jsonnet import path
(``github.com/kubernetes-monitoring/kubernetes-mixin/tests/tests.yaml``), so they are read from
``vendor/`` exactly as the mixin's Jsonnet is. Their own ``rule_files`` point at the mixin's output
(``../prometheus_alerts.yaml``), which the build does not write: the build replaces them by the rule
files each test needs (:func:`aurum.monitoring.compile.test_rule_files.needed_rule_files`).

A test written for a newer Prometheus than the promtool at hand (kubernetes-mixin's ``tests.yaml``
expects Prometheus 3's range semantics) is attached as ``{file: NAME, min_prometheus: '3.0'}``: the
build writes it, checks it against the rule files like any other, and runs it only with a promtool
at least that new; otherwise it says so and counts it ("not run: needs Prometheus >= 3.0"), and
its alerts do not count as tested by it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from aurum.monitoring.io.errors import DeclarationError, raise_all
from aurum.monitoring.io.jsonnet import resolve
from aurum.monitoring.io.shapes import check_test_case

__all__ = ["AttachedTest", "load_attached_tests"]


@dataclass(frozen=True)
class AttachedTest:
    """One test file as the mixin wrote it, without its ``rule_files``."""

    name: str
    """Where it was found on the import path (``github.com/<org>/<repo>/tests/tests.yaml``)."""
    document: Mapping[str, Any]
    min_prometheus: tuple[int, int] | None = None
    """The oldest Prometheus (``promtool``) whose semantics the test expects; None for any."""

    @property
    def stem(self) -> str:
        """The file name without ``.yaml`` or ``.yml``, for the name of the build's copy."""
        return PurePosixPath(self.name).name.removesuffix(".yaml").removesuffix(".yml")


def _fail(file: str, field: str, message: str) -> DeclarationError:
    return DeclarationError(file, None, "Jsonnet", ((field, message),))


class _TestFileLoader(yaml.SafeLoader):
    """YAML as promtool reads a test file: it decodes every label value into a string from its text,
    so ``condition: true`` is the label value ``true`` (YAML's booleans stay text; no field of a test
    file but ``fuzzy_compare`` is a boolean, and that one is read from the text ``true``)."""


_TestFileLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_VERSION = re.compile(r"(\d+)\.(\d+)")
_ENTRY_KEYS = ("file", "min_prometheus")


def _entry(entry: Any, file: str, field: str) -> tuple[Any, tuple[int, int] | None]:
    """The name and minimum Prometheus version of one ``test_files`` entry: a name, or an object."""
    if not isinstance(entry, Mapping):
        return entry, None
    unknown = sorted(set(entry) - set(_ENTRY_KEYS))
    if unknown:
        raise _fail(file, f"{field}.{unknown[0]}", f"unsupported key (supported: {', '.join(_ENTRY_KEYS)})")
    version = entry.get("min_prometheus")
    if version is None:
        return entry.get("file"), None
    found = _VERSION.fullmatch(version) if isinstance(version, str) else None
    if found is None:
        raise _fail(file, f"{field}.min_prometheus", f"{version!r} is not a version such as '3.0'")
    return entry.get("file"), (int(found.group(1)), int(found.group(2)))


def _without_nulls(value: Any) -> Any:
    """``value`` without the keys set to null (``exp_alerts:`` left empty, as etcd's tests write
    it): promtool reads a null as the field's zero value, the same as leaving it out."""
    if isinstance(value, Mapping):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _load(entry: Any, root: Path, file: str, field: str) -> AttachedTest:
    name, min_prometheus = _entry(entry, file, field)
    if isinstance(entry, Mapping):
        field = f"{field}.file"
    if not isinstance(name, str) or not name:
        raise _fail(file, field, "must be the path of a promtool test file on the Jsonnet import path")
    path = resolve(name, root)
    if path is None:
        raise _fail(file, field, f"{name}: no such file in vendor/ or the repository")
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_TestFileLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise _fail(file, field, f"{name}: cannot be read as YAML ({str(error).splitlines()[0]})") from None
    if (
        not isinstance(document, Mapping)
        or not isinstance(document.get("tests"), list)
        or not document["tests"]
    ):
        raise _fail(file, field, f"{name}: not a promtool test file (it needs a non-empty 'tests' list)")
    unknown = sorted(set(document) - {"rule_files", "evaluation_interval", "group_eval_order", "tests"})
    if unknown:
        raise _fail(file, field, f"{name}: unsupported key {unknown[0]!r} in a promtool test file")
    errors, cases = [], []
    for index, case in enumerate(document["tests"]):
        try:
            cases.append(
                check_test_case(
                    _without_nulls(case), file, "Jsonnet", f"{field}.tests[{index}]", strict=False
                )
            )
        except DeclarationError as error:
            errors.append(error)
    raise_all(errors)
    document = {**document, "tests": cases}
    kept = {key: value for key, value in document.items() if key != "rule_files"}
    return AttachedTest(name, kept, min_prometheus)


def load_attached_tests(names: Any, root: Path, file: str) -> tuple[AttachedTest, ...]:
    """The test files ``names`` (the declaration's ``test_files``) designates, in the order given."""
    if names is None:
        return ()
    if not isinstance(names, list):
        raise _fail(file, "test_files", "must be a list of promtool test files")
    tests = tuple(_load(name, root, file, f"test_files[{index}]") for index, name in enumerate(names))
    stems = [test.stem for test in tests]
    for index, stem in enumerate(stems):
        if stem in stems[:index]:
            raise _fail(file, f"test_files[{index}]", f"a second test file named {stem}; rename one of them")
    return tests
