"""Python expressions laid out as ruff's formatter lays them out, for generated declaration files.

A node is written on one line when it fits; otherwise its brackets open, one item a line with a
trailing comma (ruff keeps such a "magic trailing comma" split), and each item is laid out again.
Strings take the quote needing fewer escapes, double on a tie, as ruff does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["LINE_LENGTH", "Call", "Dict", "Expr", "Raw", "Text", "Tuple", "assignment", "string", "text"]

LINE_LENGTH = 110  # [tool.ruff] line-length of the repositories this package sets up


@dataclass(frozen=True)
class Raw:
    code: str


@dataclass(frozen=True)
class Call:
    function: str
    args: Sequence[Expr] = ()
    kwargs: Sequence[tuple[str, Expr]] = ()


@dataclass(frozen=True)
class Dict:
    items: Sequence[tuple[Expr, Expr]]


@dataclass(frozen=True)
class Tuple:
    items: Sequence[Expr]


@dataclass(frozen=True)
class Text:
    """A string of several lines: written as one literal a line, in parentheses (implicit concatenation)."""

    value: str


Expr = Raw | Call | Dict | Tuple | Text


def text(value: str) -> Expr:
    """A string: one literal when it is one line, a :class:`Text` otherwise."""
    return Text(value) if "\n" in value.rstrip("\n") else string(value)


def string(value: str) -> Raw:
    quote = "'" if value.count('"') > value.count("'") else '"'
    escaped = value.replace("\\", "\\\\").replace(quote, "\\" + quote)
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return Raw(f"{quote}{escaped}{quote}")


def _parts(node: Expr) -> tuple[str, list[str], str]:
    """Opening, items and closing of a bracketed node."""
    if isinstance(node, Call):
        items = [_flat(arg) for arg in node.args] + [f"{key}={_flat(value)}" for key, value in node.kwargs]
        return f"{node.function}(", items, ")"
    if isinstance(node, Dict):
        return "{", [f"{_flat(key)}: {_flat(value)}" for key, value in node.items], "}"
    assert isinstance(node, Tuple)
    return "(", [_flat(item) for item in node.items], ")"


def _flat(node: Expr) -> str:
    if isinstance(node, Raw):
        return node.code
    if isinstance(node, Text):
        return string(node.value).code
    opening, items, closing = _parts(node)
    if isinstance(node, Tuple) and len(items) == 1:
        return f"({items[0]},)"
    return opening + ", ".join(items) + closing


def _children(node: Expr) -> list[tuple[str, Expr]]:
    if isinstance(node, Call):
        return [("", arg) for arg in node.args] + [(f"{key}=", value) for key, value in node.kwargs]
    if isinstance(node, Dict):
        return [(f"{_flat(key)}: ", value) for key, value in node.items]
    if isinstance(node, Tuple):
        return [("", item) for item in node.items]
    return []


def _layout(node: Expr, indent: int, before: str, after: str) -> str:
    if isinstance(node, Text):
        pieces = node.value.splitlines(keepends=True)
        inner = [" " * (indent + 4) + string(piece).code for piece in pieces]
        return "\n".join([" " * indent + before + "(", *inner, " " * indent + ")" + after])
    flat = _flat(node)
    if isinstance(node, Raw) or indent + len(before) + len(flat) + len(after) <= LINE_LENGTH:
        return " " * indent + before + flat + after
    opening, _items, closing = _parts(node)
    lines = [" " * indent + before + opening]
    lines += [_layout(child, indent + 4, prefix, ",") for prefix, child in _children(node)]
    lines.append(" " * indent + closing + after)
    return "\n".join(lines)


def assignment(name: str, value: Expr) -> str:
    """``NAME = <value>``, split as ruff splits it."""
    return _layout(value, 0, f"{name} = ", "")
