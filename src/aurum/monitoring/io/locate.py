"""Point a failure at the declaration that caused it: the object and the keyword path to the field.

A pydantic error raised while a declaration file runs knows the failing model and field, but not
which object in the file it belongs to. The traceback gives the exact source position (Python 3.11
keeps column offsets); the file's syntax tree around that position tells the enclosing call chain,
e.g. ``SLO(name="api-latency", sli=LatencySLI(threshold=...))`` -> object ``SLO 'api-latency'``,
field prefix ``sli``.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

__all__ = ["Position", "SourceContext", "context_at", "position_in"]


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    column: int | None


@dataclass(frozen=True, slots=True)
class SourceContext:
    obj: str
    """``SLO 'api-latency'``, or the variable or statement the position is in."""
    field_prefix: tuple[str, ...]
    """Keywords from the outermost call down to the failing call: ``("sli", "histogram")``."""


def position_in(traceback: TracebackType | None, path: Path) -> Position | None:
    """The position, in ``path``, of the innermost traceback frame that ran code from it."""
    found: Position | None = None
    resolved = str(path.resolve())
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if str(Path(code.co_filename).resolve()) == resolved:
            column = None
            positions = list(code.co_positions())
            index = traceback.tb_lasti // 2
            if 0 <= index < len(positions):
                column = positions[index][2]
            found = Position(traceback.tb_lineno, column)
        traceback = traceback.tb_next
    return found


def _contains(node: ast.expr, position: Position) -> bool:
    end_line = node.end_lineno or node.lineno
    if not node.lineno <= position.line <= end_line:
        return False
    if position.column is None:
        return True
    after_start = (position.line, position.column) >= (node.lineno, node.col_offset)
    before_end = (position.line, position.column) < (end_line, node.end_col_offset or 0)
    return after_start and before_end


def _callee(call: ast.Call) -> str:
    func = call.func
    return (
        func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else "object"
    )


def _link(parent: ast.Call, child: ast.AST) -> str | None:
    """The keyword of ``parent`` under which ``child`` sits (None for positional arguments)."""
    for keyword in parent.keywords:
        if keyword.arg and any(node is child for node in ast.walk(keyword.value)):
            return keyword.arg
    return None


def _describe(statement: ast.stmt, outer: ast.Call | None) -> str:
    if outer is not None:
        for keyword in outer.keywords:
            if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                return f"{_callee(outer)} {keyword.value.value!r}"
    if isinstance(statement, ast.Assign | ast.AnnAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        names = [target.id for target in targets if isinstance(target, ast.Name)]
        if names:
            return f"{_callee(outer)} {names[0]}" if outer is not None else names[0]
    return _callee(outer) if outer is not None else f"statement at line {statement.lineno}"


def context_at(source: str, position: Position) -> SourceContext:
    """The object and field prefix for a failure at ``position`` in ``source``."""
    tree = ast.parse(source)
    statement = next(
        (node for node in tree.body if node.lineno <= position.line <= (node.end_lineno or node.lineno)),
        None,
    )
    if statement is None:
        return SourceContext(f"line {position.line}", ())
    calls = sorted(
        (node for node in ast.walk(statement) if isinstance(node, ast.Call) and _contains(node, position)),
        key=lambda call: (call.lineno, call.col_offset, -(call.end_lineno or 0), -(call.end_col_offset or 0)),
    )
    if not calls:  # a column outside every call: fall back to the calls on that line
        calls = sorted(
            (node for node in ast.walk(statement) if isinstance(node, ast.Call)),
            key=lambda call: (call.lineno, call.col_offset),
        )[:1]
    prefix = tuple(link for parent, child in itertools.pairwise(calls) if (link := _link(parent, child)))
    return SourceContext(_describe(statement, calls[0] if calls else None), prefix)
