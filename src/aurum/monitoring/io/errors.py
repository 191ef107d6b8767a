"""The one error type of a bad declaration: the file, the line, the object and each field, named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["CombinedDeclarationError", "DeclarationError", "raise_all"]


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


class CombinedDeclarationError(DeclarationError):
    """Problems in several declarations (the lint's findings); ``str()`` is one line per problem."""

    def __init__(self, errors: Sequence[DeclarationError]) -> None:
        first = errors[0]
        super().__init__(first.file, first.line, first.obj, first.problems)
        self.errors = tuple(errors)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


def raise_all(errors: Sequence[DeclarationError]) -> None:
    """Raise ``errors`` together (one line per problem), if there are any."""
    flat = [
        line
        for error in errors
        for line in (error.errors if isinstance(error, CombinedDeclarationError) else (error,))
    ]
    if len(flat) == 1:
        raise flat[0]
    if flat:
        raise CombinedDeclarationError(flat)
