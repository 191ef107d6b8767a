"""Secret redaction, applied to every log record before it is rendered.

Two rules, at any nesting depth of dicts, lists, tuples and sets:

* a value whose **key** names a secret (``password``, ``token``, ``api_key``, ``authorization``,
  ``cookie``, ``set-cookie``, ... or a compound such as ``db_password``, ``X-Api-Key`` or
  ``accessToken``) is replaced whole, whatever its type. A ``(name, value)`` pair (a 2-tuple or
  2-list whose first item is a string or bytes, as header lists are) counts as a key and its value;
* inside any **string**, credentials are cut out: ``Bearer``/``Basic``/``Token`` schemes, passwords
  in URLs (``scheme://user:pass@host``), ``password=...``-style parameters (also quoted, as in the
  ``repr`` of a dict: ``{'password': 'x'}``), and JWTs.

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

import re
from collections.abc import Mapping
from typing import Any

from aurum.observability.logs._values import json_form

__all__ = ["REDACTED", "is_secret_key", "redact", "redact_arguments", "redact_field", "redact_string"]

REDACTED = "[REDACTED]"
_MAX_DEPTH = 32
_CONTAINERS = (Mapping, list, tuple, set, frozenset)

# Whole-segment words: "token" redacts access_token and token, not tokens_used or tokenizer.
_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "authorization",
        "cookie",
        "credential",
        "credentials",
        "apikey",
        "passphrase",
    }
)
# Multi-word names that only mean a secret as a whole (api_key, not api or key alone).
_SECRET_COMPOUNDS = ("api_key", "set_cookie", "private_key", "secret_key", "access_key", "client_secret")

_key_cache: dict[object, bool] = {}
_KEY_CACHE_LIMIT = 4096


# camelCase and PascalCase word boundaries ("dbPassword", "APIKey" -> "API_Key"), made snake_case
# before lower-casing so that the same whole-segment rule applies to every spelling.
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _classify(key: object) -> bool:
    text = key.decode("latin-1") if isinstance(key, (bytes, bytearray)) else str(key)
    snake = _CAMEL_BOUNDARY.sub("_", text)
    normalised = snake.lower().replace("-", "_").replace(".", "_").replace(" ", "_")
    if any(compound in normalised for compound in _SECRET_COMPOUNDS):
        return True
    return any(segment in _SECRET_WORDS for segment in normalised.split("_"))


def is_secret_key(key: object) -> bool:
    """Whether a value stored under ``key`` is a secret (cached: log keys are a small set)."""
    try:
        return _key_cache[key]
    except KeyError:
        pass
    except TypeError:  # unhashable key: classify without caching
        return _classify(key)
    secret = _classify(key)
    if len(_key_cache) < _KEY_CACHE_LIMIT:
        _key_cache[key] = secret
    return secret


# "Bearer" is followed by a credential; the other schemes are also ordinary words ("Basic
# authentication failed"), so there the credential must look like one: a digit, '+', '/', '=' or a
# lower-to-upper case change inside the word, as base64 almost always has.
_SCHEME = (
    r"(?P<scheme>\bbearer\s+)[A-Za-z0-9\-._~+/]+=*"
    r"|(?P<scheme2>\b(?:basic|token|digest|apikey)\s+)(?=(?-i:[A-Za-z\-._~]*(?:[0-9+/=]|[a-z][A-Z])))[A-Za-z0-9\-._~+/]+=*"
)
# The password may hold an unencoded '/' (invalid, but seen in logs): stop only at whitespace or '@'.
_URL_PASSWORD = r"(?P<userinfo>[a-z][a-z0-9+.\-]*://[^/\s:@]*:)[^\s@]+@"
# A name ending in a secret word (password, db_password, dbPassword, accessToken, ...), an optional
# closing quote (the repr of a dict: {'password': 'x'}), '=' or ':', then the value: quoted whole, or
# up to a separator; a credential scheme before the value is taken with it ("token: Bearer abc").
_PARAM = (
    r"(?P<param>\b[\w.\-]*?(?:password|passwd|pwd|passphrase|secret|token|api[_\-]?key|auth"
    r"|credentials?|private[_\-]?key|access[_\-]?key)[\"']?\s*[=:]\s*)"
    r"(?:(?:bearer|basic|digest|token)\s+)?(?:\"[^\"]*\"|'[^']*'|[^&\s,;\"']+)"
)
_JWT = r"\beyJ[A-Za-z0-9_\-]+\.eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"
_CREDENTIALS = re.compile("|".join((_SCHEME, _URL_PASSWORD, _PARAM, _JWT)), re.IGNORECASE)


def _replace(match: re.Match[str]) -> str:
    for group in ("scheme", "scheme2", "userinfo"):
        prefix = match.group(group)
        if prefix is not None:
            return prefix + (REDACTED + "@" if group == "userinfo" else REDACTED)
    prefix = match.group("param")
    if prefix is not None:
        # Keep the value's quotes, so that a redacted repr still reads as one.
        quote = match.group(0)[len(prefix) : len(prefix) + 1]
        return prefix + quote + REDACTED + quote if quote in ("'", '"') else prefix + REDACTED
    return REDACTED


# Every credential pattern above contains one of these (lower-cased) words. Substring tests are ~10x
# cheaper than the full pattern, so the pattern runs only on strings that could hold a credential.
_TRIGGERS = (
    "bearer", "basic", "token", "digest", "apikey", "api_key", "api-key", "://", "eyj", "passw", "pwd",
    "secret", "auth", "credential", "privatekey", "private_key", "private-key", "accesskey", "access_key",
    "access-key",
)  # fmt: skip
# Strings known to hold no credential (log messages, logger names, components repeat on every line).
# Only clean strings are remembered, so no secret is kept; cleared when full to stay bounded.
_clean: set[str] = set()
_CLEAN_LIMIT = 4096
_CLEAN_MAX_LENGTH = 256


def _may_hold_credential(text: str) -> bool:
    lowered = text.lower()
    for trigger in _TRIGGERS:  # noqa: SIM110 - any() over a generator costs twice as much here
        if trigger in lowered:
            return True
    return False


def redact_string(text: str) -> str:
    """``text`` with credentials cut out (the same object when there are none)."""
    if text in _clean:
        return text
    if not _may_hold_credential(text) or _CREDENTIALS.search(text) is None:
        if len(text) <= _CLEAN_MAX_LENGTH:
            if len(_clean) >= _CLEAN_LIMIT:
                _clean.clear()
            _clean.add(text)
        return text
    return _CREDENTIALS.sub(_replace, text)


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


def _redact_mapping(mapping: Mapping[Any, Any], depth: int, path: set[int]) -> Mapping[Any, Any]:
    changed: dict[Any, Any] | None = None
    for key, value in mapping.items():
        new = REDACTED if is_secret_key(key) else _redact_value(value, depth, path)
        if new is not value:
            if changed is None:
                changed = dict(mapping)
            changed[key] = new
    return mapping if changed is None else changed


def redact_field(key: object, value: Any) -> Any:
    """``value`` as it may be written under ``key``: replaced whole under a secret key, else scanned."""
    return REDACTED if is_secret_key(key) else _redact_value(value, 0, None)


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
