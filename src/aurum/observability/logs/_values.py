"""The JSON form of a log value that ``json`` cannot encode (bytes, exceptions, dates, any object).

Shared by redaction and rendering on purpose: redaction converts such values with :func:`json_form`
*before* it scans them, so the text that reaches the line is the text that was scanned. The renderer
keeps it as its ``default=`` only as a safety net for values redaction never saw.

Nothing here raises, whatever the value does (a ``__str__`` or ``__repr__`` that raises, an integer
too long to print, text with lone surrogates): a log call must never fail or lose its line because of
what it was handed. What cannot be represented is written as ``<unrepresentable TYPE: ...>`` naming
what failed, so the line itself says that something was replaced.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from uuid import UUID

__all__ = [
    "MAX_INT_BITS",
    "MAX_REPR",
    "json_form",
    "propagate_interrupt",
    "safe_text",
    "unrepresentable",
    "valid_text",
]

MAX_REPR = 1000
"""Longest ``repr`` written for an arbitrary object, so one odd value cannot flood a line."""

# Python refuses to print integers of more than sys.get_int_max_str_digits() digits (4300 by default);
# 3.3 bits per decimal digit keeps every integer under this bound printable.
MAX_INT_BITS = int((sys.get_int_max_str_digits() or 4300) * 3.3)


def propagate_interrupt(error: BaseException) -> None:
    """Re-raise Ctrl-C; anything else a logged value raises is the value's fault and is written.

    Every net in a log call catches ``BaseException``: a ``__repr__`` that calls ``sys.exit()`` or
    raises a ``BaseException`` subclass of its own must not end the caller's request or thread.
    A ``KeyboardInterrupt`` is the user's and always propagates.
    """
    if isinstance(error, KeyboardInterrupt):
        raise error


def _type_name(value: object) -> str:
    try:
        return type(value).__qualname__
    except BaseException as error:  # a metaclass can make even this fail
        propagate_interrupt(error)
        return "object"


def unrepresentable(value: object, what: str, error: BaseException) -> str:
    """The text written in place of ``value`` when ``what`` (``__str__``, ``__repr__``, ...) raised."""
    return f"<unrepresentable {_type_name(value)}: {what} raised {_type_name(error)}>"


def valid_text(text: str) -> str:
    """``text`` encodable as UTF-8: lone surrogates (from ``surrogateescape`` decoding) as ``\\udcxx``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def safe_text(value: object) -> str:
    """``str(value)`` as a plain, UTF-8-encodable ``str``, or a note of why it could not be made."""
    try:
        text = str(value)
        # A str subclass could override any method redaction calls: work on a plain copy.
        return valid_text(text if type(text) is str else str.__str__(text))
    except BaseException as error:
        propagate_interrupt(error)
        return unrepresentable(value, "__str__", error)


def _int_text(value: int) -> object:
    return value if value.bit_length() <= MAX_INT_BITS else f"<integer of {value.bit_length()} bits>"


def json_form(value: object) -> object:  # noqa: PLR0911 - one return per type reads best
    """A JSON-encodable stand-in for ``value``; never raises (a log call must not crash)."""
    what = "__repr__"
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
        if isinstance(value, int):  # an int subclass orjson does not take as one, or too long
            return _int_text(int(value))
        if isinstance(value, BaseException):
            what = "__str__"
            return f"{_type_name(value)}: {safe_text(value)}"
        text = repr(value)
        if type(text) is not str:
            text = str.__str__(text)
    except BaseException as error:
        propagate_interrupt(error)
        return unrepresentable(value, what, error)
    text = valid_text(text)
    return text if len(text) <= MAX_REPR else text[:MAX_REPR] + "..."
