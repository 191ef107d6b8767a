"""The one error type of a bad declaration: the file, the line, the object and each field, named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["CombinedDeclarationError", "DeclarationError", "error_lines", "field_path", "raise_all"]


# Every character str.splitlines() breaks at, spelt as an escape instead.
_LINE_BREAKS = str.maketrans(
    {c: c.encode("unicode_escape").decode() for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}
)


def _one_line(text: str) -> str:
    """A problem is one line whatever a declaration put in a key or a value (a key may hold a newline)."""
    return text.translate(_LINE_BREAKS)


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
            _one_line(f"{where}: {self.obj}: field '{field}': {message}") for field, message in self.problems
        )


class CombinedDeclarationError(DeclarationError):
    """Problems in several declarations (the lint's findings); ``str()`` is one line per problem."""

    def __init__(self, errors: Sequence[DeclarationError]) -> None:
        first = errors[0]
        super().__init__(first.file, first.line, first.obj, first.problems)
        self.errors = tuple(errors)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


def raise_all(errors: Sequence[DeclarationError]) -> None:
    """Raise ``errors`` together (one line per problem, each once), if there are any."""
    found = {
        (line.file, line.line, line.obj, line.problems): line
        for error in errors
        for line in (error.errors if isinstance(error, CombinedDeclarationError) else (error,))
    }
    # One problem met twice (a folder both the Python and the Jsonnet loaders list) is told once.
    flat = list(found.values())
    if len(flat) == 1:
        raise flat[0]
    if flat:
        raise CombinedDeclarationError(flat)


def field_path(loc: tuple[int | str, ...], prefix: tuple[str, ...]) -> str:
    """A pydantic error location as a field path: ``("sli", "bad")`` -> ``sli.bad``, list indices
    as ``panels[3]``, under ``prefix``."""
    parts = list(prefix)
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        else:
            parts.append(item)
    return ".".join(parts) or "(whole object)"


def error_lines(error: Exception) -> list[str]:
    """What a command prints for ``error``: one ``error: `` line per problem, however many there are."""
    return [f"error: {line}" for line in str(error).splitlines()]
