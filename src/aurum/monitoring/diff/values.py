"""What changed in a value, said as values: ``objective: 0.999 → 0.9995``, not "fieldConfig changed".

A :class:`Detail` is one line of a change: what it is about, and the value before and after (each
already rendered as text). The renderers put them in code spans for Markdown and leave them bare in a
terminal, so the same detail reads right in both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Detail", "changed_values", "field_details", "flat", "shown"]

MAX_VALUE_CHARS = 160
"""A longer value (a description, a list of links) is cut: the reviewer opens the file for it."""


@dataclass(frozen=True, slots=True)
class Detail:
    what: str
    before: str | None = None
    after: str | None = None
    """Both ``None``: a note (``panel 'Errors' added``); one ``None``: a value added or removed."""

    def text(self, code: bool = False) -> str:
        def value(v: str) -> str:
            return f"`{v}`" if code and "`" not in v else v

        if self.before is None and self.after is None:
            return self.what
        if self.before is None:
            return f"{self.what}: {value(str(self.after))} (added)"
        if self.after is None:
            return f"{self.what}: {value(self.before)} (removed)"
        return f"{self.what}: {value(self.before)} → {value(self.after)}"


def shown(value: Any) -> str:
    """A value as a reviewer reads it: numbers and numeric strings bare, text quoted, the rest JSON."""
    return str(_bounded(_full(value)))


def _bounded(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_VALUE_CHARS:
        return text
    return text[: MAX_VALUE_CHARS - 1] + "…"


def _full(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        text = json.dumps(value)
    elif isinstance(value, int | float):
        text = repr(value)
    elif isinstance(value, str):
        text = value if _numeric(value) else json.dumps(value, ensure_ascii=False)
    else:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
    return text


CONTEXT = 24
"""Characters kept either side of the part of two long values that differs."""


def changed_values(before: str, after: str) -> tuple[str, str]:
    """Two long values cut to where they differ (``…latency|data…`` → ``…latency|billing|data…``)."""
    if len(before) <= 2 * CONTEXT + 20 and len(after) <= 2 * CONTEXT + 20:
        return before, after
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    head = max(start - CONTEXT, 0)
    tail = max(end - CONTEXT, 0)

    def cut(text: str) -> str:
        middle = text[head : len(text) - tail]
        return ("…" if head else "") + middle + ("…" if tail else "")

    return cut(before), cut(after)


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text != ""


def flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as ``a.b.c`` keys; lists stay whole values (their order is their meaning)."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out |= flat(item, f"{prefix}.{key}" if prefix else str(key))
        return out if out or not prefix else {prefix: {}}
    return {prefix: value}


def field_details(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    skip: frozenset[str] = frozenset(),
    prefix: str = "",
    names: Mapping[str, str] | None = None,
) -> list[Detail]:
    """One detail per leaf field that differs; ``names`` renames long paths to what a person calls them."""
    before, after = flat(old), flat(new)
    details = []
    for key in sorted(set(before) | set(after)):
        if key.split(".", 1)[0] in skip or before.get(key) == after.get(key):
            continue
        label = (names or {}).get(key, key)
        was = _full(before[key]) if key in before else None
        now = _full(after[key]) if key in after else None
        if was is not None and now is not None:
            was, now = changed_values(was, now)
        details.append(Detail(f"{prefix}{label}", _bounded(was), _bounded(now)))
    return details
