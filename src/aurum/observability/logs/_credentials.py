"""Credentials inside text: cut out of any string that reaches a log line.

* ``Bearer``/``Basic``/``Token`` schemes, passwords in URLs (``scheme://user:pass@host``),
  ``password=...``-style parameters (also quoted, as in the ``repr`` of a dict:
  ``{'password': 'x'}``), and JWTs;
* **parameters** ``name=value`` in query strings and key=value text (``?token=...``,
  ``&authorization=Bearer%20...``, ``api%5Fkey=...``): the name is percent-decoded and classified like
  a key (:func:`~aurum.observability.logs._secret_names.is_secret_key`), and a value that decodes to
  a credential (``Bearer%20abc``) is cut out whatever its name. This is what covers an access log
  line, whose path carries the raw query string.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from aurum.observability.logs._secret_names import is_secret_key

__all__ = ["REDACTED", "redact_string"]

REDACTED = "[REDACTED]"

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

# name=value at the start of the text, after whitespace, or after a query separator ('?', '&', ';').
_PARAMETER = re.compile(r"(?:^|(?<=[?&;\s]))(?P<name>[^=&;#\s?\"'<>]+)=(?P<value>[^&;#\s\"'<>]*)")


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


def _replace_parameter(match: re.Match[str]) -> str:
    name, value = match.group("name"), match.group("value")
    if not value or value == REDACTED:
        return match.group(0)
    if is_secret_key(unquote_plus(name)):
        return f"{name}={REDACTED}"
    if "%" in value or "+" in value:
        # Encoded, the value hid from the patterns above ("Bearer%20abc"): look at what it decodes to.
        decoded = unquote_plus(value)
        if redact_string(decoded) != decoded:
            return f"{name}={REDACTED}"
    return match.group(0)


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
    result = text
    if _may_hold_credential(text) and _CREDENTIALS.search(text) is not None:
        result = _CREDENTIALS.sub(_replace, text)
    if "=" in result:
        parameters = _PARAMETER.sub(_replace_parameter, result)
        if parameters != result:
            result = parameters
    if result is text and len(text) <= _CLEAN_MAX_LENGTH:
        if len(_clean) >= _CLEAN_LIMIT:
            _clean.clear()
        _clean.add(text)
    return result
