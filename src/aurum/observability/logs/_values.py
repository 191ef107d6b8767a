"""The JSON form of a log value that ``json`` cannot encode (bytes, exceptions, dates, any object).

Shared by redaction and rendering on purpose: redaction converts such values with :func:`json_form`
*before* it scans them, so the text that reaches the line is the text that was scanned. The renderer
keeps it as its ``default=`` only as a safety net for values redaction never saw.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from uuid import UUID

__all__ = ["MAX_REPR", "json_form"]

MAX_REPR = 1000
"""Longest ``repr`` written for an arbitrary object, so one odd value cannot flood a line."""


def json_form(value: object) -> object:  # noqa: PLR0911 - one return per type reads best
    """A JSON-encodable stand-in for ``value``; never raises (a log call must not crash)."""
    try:
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        if isinstance(value, (Decimal, UUID)):
            return str(value)
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, (set, frozenset)):
            return sorted(value, key=repr)
        if isinstance(value, (bytes, bytearray)):
            return bytes(value).decode("utf-8", "replace")
        if isinstance(value, BaseException):
            return f"{type(value).__name__}: {value}"
        text = repr(value)
    except Exception:
        return f"<unrepresentable {type(value).__qualname__}>"
    return text if len(text) <= MAX_REPR else text[:MAX_REPR] + "..."
