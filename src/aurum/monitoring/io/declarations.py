"""Loading declaration files (``slos/*.py``) into validated model objects, with precise errors."""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from aurum.contract.conventions import SLOS_DIRECTORY
from aurum.monitoring.io.locate import Position, context_at, position_in
from aurum.monitoring.model import SLO

__all__ = ["CombinedDeclarationError", "DeclarationError", "Declared", "load_declarations", "load_slos"]

T = TypeVar("T", bound=BaseModel)


@dataclass(eq=False)
class DeclarationError(Exception):
    """A declaration that cannot be built; ``str()`` is one line per problem, each naming all three."""

    file: str
    line: int | None
    obj: str
    problems: tuple[tuple[str, str], ...]
    """``(field, message)`` pairs."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return "\n".join(
            f"{where}: {self.obj}: field '{field}': {message}" for field, message in self.problems
        )


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


def _field(loc: tuple[int | str, ...], prefix: tuple[str, ...]) -> str:
    parts = list(prefix)
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        else:
            parts.append(item)
    return ".".join(parts) or "(whole object)"


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
            _field(tuple(e["loc"]), context.field_prefix if context else ()),
            _message(e["msg"], tuple(e["loc"]), error.title),
        )
        for e in error.errors(include_url=False)
    )
    obj = context.obj if context else error.title
    return DeclarationError(path, position.line if position else None, obj, problems)


def _run(path: Path, shown: str, package: str) -> ModuleType:
    source = path.read_text(encoding="utf-8")
    name = f"_aurum_declarations.{package}.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DeclarationError(shown, None, "module", (("(file)", "cannot be loaded as a Python module"),))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise DeclarationError(shown, error.lineno, "module", (("(syntax)", str(error.msg)),)) from None
    except ValidationError as error:
        raise _validation_error(shown, source, error, position_in(error.__traceback__, path)) from None
    except Exception as error:  # any failure while running a declaration is the declaration's fault
        position = position_in(error.__traceback__, path)
        context = context_at(source, position) if position else None
        raise DeclarationError(
            shown,
            position.line if position else None,
            context.obj if context else "module",
            (("(code)", f"{type(error).__name__}: {error}"),),
        ) from None
    finally:
        sys.modules.pop(name, None)
    return module


def _assignment_lines(source: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for node in ast.parse(source).body:
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


def _collect(module: ModuleType, path: Path, shown: str, kind: type[T]) -> list[Declared[T]]:
    """Module-level objects of ``kind``, alone or in a list/tuple, in source order."""
    lines = _assignment_lines(path.read_text(encoding="utf-8"))
    found: dict[int, Declared[T]] = {}
    for variable, value in vars(module).items():
        if variable.startswith("_") or variable not in lines:
            continue
        members = value if isinstance(value, list | tuple) else [value]
        for member in members:
            if isinstance(member, kind) and id(member) not in found:
                found[id(member)] = Declared(member, shown, lines[variable], variable)
    return sorted(found.values(), key=lambda d: (d.line, d.variable))


def _files(directory: Path) -> Iterable[Path]:
    return (
        sorted(p for p in directory.glob("*.py") if not p.name.startswith("_")) if directory.is_dir() else []
    )


def load_declarations(
    root: Path, directory: str, kind: type[T], *, unique_names: bool = True
) -> tuple[Declared[T], ...]:
    """Run every ``root/directory/*.py`` (files starting with ``_`` are helpers) and collect ``kind``.

    Names must be unique across all files, since they become label values and file names; objects
    without a ``name`` (recording rules, dashboards) pass ``unique_names=False`` and are checked for
    collisions by the lint instead.
    """
    declared: list[Declared[T]] = []
    for path in _files(root / directory):
        shown = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        declared += _collect(_run(path, shown, directory), path, shown, kind)
    if not unique_names:
        return tuple(declared)
    seen: dict[str, Declared[T]] = {}
    for item in declared:
        name = getattr(item.obj, "name", item.variable)
        if name in seen:
            first = seen[name]
            raise item.error("name", f"{name!r} is already declared at {first.file}:{first.line}")
        seen[name] = item
    return tuple(sorted(declared, key=lambda d: getattr(d.obj, "name", d.variable)))


def load_slos(root: Path) -> tuple[Declared[SLO], ...]:
    return load_declarations(root, SLOS_DIRECTORY, SLO)


class CombinedDeclarationError(DeclarationError):
    """Problems in several declarations (the lint's findings); ``str()`` is one line per problem."""

    def __init__(self, errors: Sequence[DeclarationError]) -> None:
        first = errors[0]
        super().__init__(first.file, first.line, first.obj, first.problems)
        self.errors = tuple(errors)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)
