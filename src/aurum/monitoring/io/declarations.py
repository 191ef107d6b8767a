"""Loading declaration files (``slos/*.py``) into validated model objects, with precise errors."""

from __future__ import annotations

import ast
import functools
import importlib.util
import operator
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Generic, TypeVar

from pydantic import ValidationError

from aurum.contract.conventions import SLOS_DIRECTORY
from aurum.monitoring.io.errors import CombinedDeclarationError, DeclarationError, field_path, raise_all
from aurum.monitoring.io.hard_exit import HardExit, os_exit_refused
from aurum.monitoring.io.locate import Position, context_at, position_in
from aurum.monitoring.io.sources import declaration_files, python_source, shown_path
from aurum.monitoring.model import SLO

__all__ = [
    "CombinedDeclarationError",
    "DeclarationError",
    "Declared",
    "Ran",
    "collect",
    "load_declarations",
    "load_slos",
    "raise_all",
    "run_file",
]

T = TypeVar("T")

# The compiler flags of a declaration's own `from __future__ import ...` lines (an ordinary import
# of the module would sit, by import-sorting rules, among this file's own future statements).
_FUTURE = importlib.import_module("__future__")


@dataclass(frozen=True)
class Declared(Generic[T]):
    """A model object with where it was declared."""

    obj: T
    file: str
    line: int
    variable: str

    def error(self, field: str, message: str) -> DeclarationError:
        name = getattr(self.obj, "name", self.variable)
        return DeclarationError(
            self.file, self.line, f"{type(self.obj).__name__} {name!r}", ((field, message),)
        )


def _message(msg: str, loc: tuple[int | str, ...], model: str) -> str:
    message = msg.removeprefix("Value error, ")
    if model == "ObservabilitySettings" and loc:
        # Settings come from the environment: name the variable the user actually sets.
        message += f" (environment variable AURUM_{str(loc[0]).upper()})"
    return message


def _validation_error(
    path: str, source: str, error: ValidationError, position: Position | None
) -> DeclarationError:
    context = context_at(source, position) if position else None
    problems = tuple(
        (
            field_path(tuple(e["loc"]), context.field_prefix if context else ()),
            _message(e["msg"], tuple(e["loc"]), error.title),
        )
        for e in error.errors(include_url=False)
    )
    obj = context.obj if context else error.title
    return DeclarationError(path, position.line if position else None, obj, problems)


def _targets(statement: ast.stmt) -> set[str]:
    """The names ``statement`` binds (``*`` for a star import, which may bind any)."""
    names = {
        node.id
        for node in ast.walk(statement)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        names.add(statement.name)
    if isinstance(statement, ast.Import | ast.ImportFrom):
        names |= {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    return names


def _future_flags(statement: ast.stmt) -> int:
    if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
        return functools.reduce(
            operator.or_,
            (
                getattr(_FUTURE, alias.name).compiler_flag
                for alias in statement.names
                if hasattr(_FUTURE, alias.name)
            ),
            0,
        )
    return 0


def _shown(value: object, spell: Callable[[object], str]) -> str:
    """``spell(value)``, or a note saying it could not be spelt: a declaration's exception may have
    a ``__str__`` that raises, and its report must not."""
    try:
        return spell(value)
    except Exception:  # whatever it raised, the report says so instead
        return f"<{type(value).__name__} whose {spell.__name__}() raised>"


def _failure(error: BaseException, path: Path, shown: str, source: str) -> DeclarationError:
    """What a statement of a declaration file raised, as the declaration's error."""
    position = position_in(error.__traceback__, path)
    if isinstance(error, ValidationError):
        return _validation_error(shown, source, error, position)
    context = context_at(source, position) if position else None
    obj = context.obj if context else "module"
    if not isinstance(error, Exception):
        obj = "module"  # the call that stops the process is no object of the file; its line is named
    if isinstance(error, SystemExit):
        # sys.exit("...") would end the build with that text alone; say which file asked to stop.
        message = f"calls sys.exit({_shown(error.code, repr)}); a declaration cannot end the build"
    elif isinstance(error, HardExit):
        message = f"calls os._exit({_shown(error.status, repr)}); a declaration cannot end the build"
    elif not isinstance(error, Exception):
        text = _shown(error, str)
        detail = f": {text}" if text else ""
        message = f"raises {type(error).__name__}{detail}; a declaration cannot end the build"
    else:
        message = f"{type(error).__name__}: {_shown(error, str)}"
    return DeclarationError(
        shown,
        position.line if position else None,
        obj,
        (("(code)", message),),
    )


@dataclass(frozen=True)
class Ran:
    """A declaration file that ran: its module, its syntax tree, and what its statements raised."""

    module: ModuleType
    tree: ast.Module
    errors: tuple[DeclarationError, ...]


def run_file(path: Path, shown: str, package: str, *, module_name: str | None = None) -> Ran:
    """Run a declaration file one top-level statement at a time, so that every broken declaration
    in it is reported, not only the first; a statement that fails only because it reads a name an
    earlier failure left unbound adds nothing new and is not reported.

    The module is in ``sys.modules`` only while it runs, unless it has a ``module_name`` (a
    catalog, which declarations import): then whoever gave the name removes it."""
    source = python_source(path, shown)
    try:
        tree = ast.parse(source, str(path))
    except SyntaxError as error:
        raise DeclarationError(shown, error.lineno, "module", (("(syntax)", str(error.msg)),)) from None
    name = module_name or f"_aurum_declarations.{package}.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None:
        raise DeclarationError(shown, None, "module", (("(file)", "cannot be loaded as a Python module"),))
    module = importlib.util.module_from_spec(spec)
    module.__doc__ = ast.get_docstring(tree, clean=False)  # as running the file whole would set it
    sys.modules[name] = module
    errors: list[DeclarationError] = []
    unbound: set[str] = set()
    flags = 0
    try:
        for statement in tree.body:
            flags |= _future_flags(statement)
            try:
                code = compile(ast.Module([statement], []), str(path), "exec", flags=flags, dont_inherit=True)
            except SyntaxError as error:  # what parses but cannot compile: 'return' outside a function
                line = error.lineno or statement.lineno
                errors.append(DeclarationError(shown, line, "module", (("(syntax)", str(error.msg)),)))
                unbound |= _targets(statement)
                continue
            try:
                with os_exit_refused():
                    exec(code, module.__dict__)  # running the declaration is the point of loading it
            except BaseException as error:  # whatever a declaration raises is its own error
                if isinstance(error, NameError) and (error.name in unbound or "*" in unbound):
                    unbound |= _targets(statement)
                    continue
                errors.append(_failure(error, path, shown, source))
                unbound |= _targets(statement)
                if not isinstance(error, Exception):  # it meant to stop: run nothing more of this file
                    break
    finally:
        if module_name is None:
            sys.modules.pop(name, None)
    return Ran(module, tree, tuple(errors))


def _assignment_lines(tree: ast.Module) -> dict[str, int]:
    lines: dict[str, int] = {}
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        for target in targets:
            if isinstance(target, ast.Name):
                lines[target.id] = node.lineno
    return lines


def collect(ran: Ran, shown: str, kind: type[T]) -> list[Declared[T]]:
    """Module-level objects of ``kind``, alone or in a list/tuple, in source order."""
    lines = _assignment_lines(ran.tree)
    found: dict[int, Declared[T]] = {}
    for variable, value in vars(ran.module).items():
        if variable.startswith("_") or variable not in lines:
            continue
        members = value if isinstance(value, list | tuple) else [value]
        for member in members:
            if isinstance(member, kind) and id(member) not in found:
                found[id(member)] = Declared(member, shown, lines[variable], variable)
    return sorted(found.values(), key=lambda d: (d.line, d.variable))


def load_declarations(
    root: Path,
    directory: str,
    kind: type[T],
    *,
    unique_names: bool = True,
    identity: Callable[[T], str] | None = None,
) -> tuple[Declared[T], ...]:
    """Run every ``root/directory/*.py`` (files starting with ``_`` are helpers) and collect ``kind``.

    Every file is run even when an earlier one fails, and every problem found is raised together.
    Names must be unique across all files, since they become label values and file names; objects
    without a ``name`` (recording rules, dashboards) pass ``unique_names=False`` and are checked for
    collisions by the lint instead. ``identity`` is what must be unique when it is more than the
    name (an SLO's service and name).
    """
    declared: list[Declared[T]] = []
    errors: list[DeclarationError] = []
    for path in declaration_files(root / directory, ".py", root):
        shown = shown_path(path, root)
        try:
            ran = run_file(path, shown, directory)
        except DeclarationError as error:
            errors.append(error)
            continue
        errors += ran.errors
        declared += collect(ran, shown, kind)
    if unique_names:
        seen: dict[str, Declared[T]] = {}
        for item in declared:
            name = identity(item.obj) if identity else getattr(item.obj, "name", item.variable)
            if name in seen:
                first = seen[name]
                errors.append(
                    item.error("name", f"{name!r} is already declared at {first.file}:{first.line}")
                )
            seen[name] = item
        declared.sort(key=lambda d: identity(d.obj) if identity else getattr(d.obj, "name", d.variable))
    raise_all(errors)
    return tuple(declared)


def load_slos(root: Path) -> tuple[Declared[SLO], ...]:
    # An SLO is its service and its name: the same name may measure two services.
    return load_declarations(root, SLOS_DIRECTORY, SLO, identity=lambda slo: f"{slo.name} of {slo.service}")
