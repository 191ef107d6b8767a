"""Secret redaction, applied to every log record before it is rendered.

Rules, at any nesting depth of dicts, lists, tuples and sets:

* a value whose **key** names a secret (``password``, ``token``, ``api_key``, ``authorization``,
  ``cookie``, ``set-cookie``, ... or a compound such as ``db_password``, ``X-Api-Key`` or
  ``accessToken``; see :mod:`~aurum.observability.logs._secret_names`) is replaced whole, whatever its
  type. A ``(name, value)`` pair (a 2-tuple or 2-list whose first item is a string or bytes, as header
  lists are) counts as a key and its value;
* a **name/value entry** whose name names a secret, as in Kubernetes env lists
  (``[{"name": "DB_PASSWORD", "value": "..."}]``) or AWS tags (``{"Key": ..., "Value": ...}``), has
  its value keys replaced;
* under an ``auth`` key (``auth``, ``basic_auth``, ``proxyAuth``), a ``(user, password)`` pair keeps
  the user and loses the password, and ``user:password`` text keeps what is before the colon;
* **keys** are text too: every key is written as a string (what the renderer would make of it) and
  scanned like one, so a URL with a password used as a dictionary key is cut like any string;
* inside any **string**, credentials are cut out (:mod:`~aurum.observability.logs._credentials`).

Values that are neither strings, numbers nor containers (bytes, exceptions, dates, any object) are
first converted to the text the line will carry (:func:`~aurum.observability.logs._values.json_form`),
and that text is scanned: converting after redaction would let a secret inside them through. NaN and
the infinities, which JSON cannot hold either, become their text ("nan", "inf") on the way.

Containers are copied only when something in them changes, so the caller's objects are never
mutated and a record without secrets costs one pass of cheap checks. Every field of a record is
redacted except those the shim generates itself (timestamp, level, logger, trace and span ids), which
:mod:`aurum.observability.logs._record` writes around the redacted ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aurum.observability.logs._credentials import REDACTED, redact_string
from aurum.observability.logs._secret_names import (
    ENTRY_NAME_KEYS,
    ENTRY_VALUE_KEYS,
    is_auth_key,
    is_secret_key,
)
from aurum.observability.logs._values import json_form, safe_text

__all__ = ["REDACTED", "is_secret_key", "redact", "redact_arguments", "redact_field", "redact_string"]

__all__ = [
    "REDACTED",
    "is_auth_key",
    "is_secret_key",
    "redact",
    "redact_arguments",
    "redact_auth",
    "redact_field",
    "redact_key",
    "redact_string",
    "redact_value",
]

_MAX_DEPTH = 32
_CONTAINERS = (Mapping, list, tuple, set, frozenset)
_MAX_ENTRY_SIZE = 8


def _is_secret_pair(value: list[Any] | tuple[Any, ...]) -> bool:
    """A ``(name, value)`` pair naming a secret, as in header lists: ``[(b"authorization", b"...")]``."""
    return len(value) == 2 and isinstance(value[0], (str, bytes)) and is_secret_key(value[0])


def _finite(value: float) -> float | str:
    """NaN and the infinities as text ("nan", "inf"): JSON has no literal for them."""
    return value if value - value == 0.0 else str(value)


def _redact_value(value: Any, depth: int, path: set[int] | None) -> Any:  # noqa: PLR0911 - one return per kind
    """``value`` redacted; ``path`` holds the ids of the containers being walked (made on the first)."""
    if isinstance(value, str):
        return redact_string(value)
    if isinstance(value, float):
        return _finite(value)
    if isinstance(value, int) or value is None:
        return value
    if depth >= _MAX_DEPTH:
        # Deeper than any honest log payload; refusing to look is safer than leaking.
        return REDACTED
    if not isinstance(value, _CONTAINERS):
        # Bytes, exceptions, objects: scan the text the renderer would otherwise make of them later.
        return _redact_value(json_form(value), depth + 1, path)
    if isinstance(value, (list, tuple)) and _is_secret_pair(value):
        return (value[0], REDACTED) if isinstance(value, tuple) else [value[0], REDACTED]
    if path is None:
        path = set()
    elif id(value) in path:
        # A container inside itself: handing the original back would let the renderer walk its
        # unredacted contents, so the cycle is cut here.
        return "<cycle>"
    path.add(id(value))
    try:
        if isinstance(value, Mapping):
            return _redact_mapping(value, depth + 1, path)
        items = [_redact_value(item, depth + 1, path) for item in value]
    finally:
        path.discard(id(value))
    if all(new is old for new, old in zip(items, value, strict=True)):
        return value
    return items if isinstance(value, list) else tuple(items)


def redact_key(key: object) -> str:
    """A mapping key as the line will carry it: text (as the renderer makes it), credentials cut out."""
    return redact_string(key if key.__class__ is str else safe_text(key))


def _names_a_secret(mapping: Mapping[Any, Any]) -> bool:
    """Whether ``mapping`` is a name/value entry whose name names a secret."""
    if len(mapping) > _MAX_ENTRY_SIZE:  # entries are small; a big mapping is a record, not an entry
        return False
    return any(
        isinstance(key, str)
        and key.lower() in ENTRY_NAME_KEYS
        and isinstance(value, (str, bytes))
        and is_secret_key(value)
        for key, value in mapping.items()
    )


def redact_auth(value: Any, depth: int = 0, path: set[int] | None = None) -> Any:
    """An ``auth`` value: ``(user, password)`` keeps the user, ``user:password`` what precedes the colon."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        user = _redact_value(value[0], depth, path)
        return (user, REDACTED) if isinstance(value, tuple) else [user, REDACTED]
    if isinstance(value, str) and ":" in value:
        return value.partition(":")[0] + ":" + REDACTED
    return _redact_value(value, depth, path)


def _redact_mapping(mapping: Mapping[Any, Any], depth: int, path: set[int]) -> Mapping[Any, Any]:
    entry = _names_a_secret(mapping)
    items: list[tuple[str, Any]] = []
    changed = False
    for key, value in mapping.items():
        text = redact_key(key)
        if is_secret_key(key if key.__class__ in (str, bytes) else text) or (
            entry and text.lower() in ENTRY_VALUE_KEYS
        ):
            new = REDACTED
        elif is_auth_key(text):
            new = redact_auth(value, depth, path)
        else:
            new = _redact_value(value, depth, path)
        changed = changed or new is not value or text is not key
        items.append((text, new))
    if not changed:
        return mapping
    result: dict[str, Any] = {}
    for text, new in items:
        name, copy = text, 1
        while name in result:  # two keys that became the same text: both are kept
            copy += 1
            name = f"{text} #{copy}"
        result[name] = new
    return result


def redact_value(value: Any) -> Any:
    """``value`` scanned for secrets, whatever key it stands under."""
    return _redact_value(value, 0, None)


def redact_field(key: object, value: Any) -> Any:
    """``value`` as it may be written under ``key``: replaced whole under a secret key, else scanned."""
    if is_secret_key(key):
        return REDACTED
    return redact_auth(value) if is_auth_key(key) else _redact_value(value, 0, None)


def redact(event: dict[str, Any]) -> dict[str, Any]:
    """Redact every field of a log record in place (nested containers are copied, never mutated)."""
    for key, value in event.items():
        new = redact_field(key, value)
        if new is not value:
            event[key] = new
    return event


def redact_arguments(args: tuple[Any, ...] | Mapping[str, Any]) -> tuple[Any, ...] | Mapping[str, Any]:
    """``%``-format arguments with secrets in containers redacted by key, before formatting turns the
    keys into text (``log.info("%s", {"password": "x"})``). Other arguments are kept as they are, so
    ``%d`` and ``%.2f`` still get numbers; the formatted message is scanned as a string afterwards."""
    if isinstance(args, Mapping):  # "%(name)s" formatting with one mapping argument
        return {
            key: redact_field(key, value) if is_secret_key(key) or isinstance(value, _CONTAINERS) else value
            for key, value in args.items()
        }
    return tuple(_redact_value(arg, 0, None) if isinstance(arg, _CONTAINERS) else arg for arg in args)
