"""Secrets never reach a log line: by key at any depth, and by credential shape inside strings."""

from __future__ import annotations

import base64
import json
import logging
import string
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aurum.observability.enhanced_logging import get_logger
from aurum.observability.logs._redaction import (
    REDACTED,
    is_secret_key,
    redact,
    redact_arguments,
    redact_string,
)
from aurum.observability.testing import capture_logs

SECRET_KEYS = [
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "authorization",
    "cookie",
    "set-cookie",
    "Set-Cookie",
    "X-Api-Key",
    "db_password",
    "access_token",
    "client_secret",
    "AUTHORIZATION",
]
CAMEL_SECRET_KEYS = [
    "dbPassword",
    "accessToken",
    "clientSecret",
    "authToken",
    "refreshToken",
    "privateKey",
    "apiKey",
    "APIKey",
    "XApiKey",
]
PLAIN_KEYS = ["user", "scenario_id", "tokens_used", "tokenizer", "keyboard", "path", "cookies_enabled_count"]
CAMEL_PLAIN_KEYS = ["tokensUsed", "keyboardLayout", "authorName", "cookiesEnabledCount", "scenarioId"]


@pytest.mark.parametrize("key", SECRET_KEYS + CAMEL_SECRET_KEYS + [b"authorization", b"X-Api-Key"])
def test_secret_keys(key):
    assert is_secret_key(key)


@pytest.mark.parametrize("key", PLAIN_KEYS + CAMEL_PLAIN_KEYS)
def test_plain_keys(key):
    assert not is_secret_key(key)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer abc.def-ghi", "Authorization: Bearer [REDACTED]"),
        ("Basic dXNlcjpwYXNzd29yZA==", "Basic [REDACTED]"),
        ("postgres://bob:hunter2@db:5432/aurum", "postgres://bob:[REDACTED]@db:5432/aurum"),
        ("https://x.io/cb?a=1&access_token=abc123&b=2", "https://x.io/cb?a=1&access_token=[REDACTED]&b=2"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "jwt [REDACTED]"),
        ("password=hunter2 user=bob", "password=[REDACTED] user=bob"),
        ("db_password=hunter2", "db_password=[REDACTED]"),
        ("dbPassword: hunter2", "dbPassword: [REDACTED]"),
        # The repr of a dict and JSON: quotes around the key and the value, spaces inside the value.
        ("{'password': 'hunter 2', 'user': 'bob'}", "{'password': '[REDACTED]', 'user': 'bob'}"),
        ('{"accessToken": "abc123"}', '{"accessToken": "[REDACTED]"}'),
        ("Creds(user='bob', password='hunter2')", "Creds(user='bob', password='[REDACTED]')"),
        ("token: Bearer abc123", "token: [REDACTED]"),
        # Ordinary prose is left alone.
        ("Basic authentication failed", "Basic authentication failed"),
        ("Invalid token provided", "Invalid token provided"),
        ("ssh://git@github.com/org/repo", "ssh://git@github.com/org/repo"),
        ("tokens_used=5 max_tokens: 3 author: bob", "tokens_used=5 max_tokens: 3 author: bob"),
    ],
)
def test_credentials_inside_strings(text, expected):
    assert redact_string(text) == expected


def test_caller_objects_are_not_mutated():
    payload = {"user": {"password": "p", "name": "n"}, "items": [{"token": "t"}]}
    before = json.dumps(payload, sort_keys=True)
    event = {"payload": payload}
    redacted = redact(event)
    assert json.dumps(payload, sort_keys=True) == before
    assert redacted["payload"] == {
        "user": {"password": REDACTED, "name": "n"},
        "items": [{"token": REDACTED}],
    }


@dataclass
class Credentials:
    user: str
    password: str


def test_bytes_exceptions_and_objects_are_scanned_as_the_text_they_become(logs):
    get_logger("x").info(
        "odd carriers",
        raw=b"password=hunter2",
        error=ValueError({"clientSecret": "s3cr3t"}),
        creds=Credentials("bob", "swordfish"),
        nested=[b"Authorization: Bearer abc.def"],
    )
    line = json.dumps(logs[-1])
    for secret in ("hunter2", "s3cr3t", "swordfish", "abc.def"):
        assert secret not in line
    assert logs[-1]["creds"] == "Credentials(user='bob', password='[REDACTED]')"


def test_header_lists_of_name_value_pairs_are_redacted_by_name():
    headers = [
        (b"authorization", b"Basic opaque"),
        ("Cookie", "sid=1"),
        ("accept", "text/html"),
        ["X-Api-Key", "k"],
    ]
    assert redact({"headers": headers})["headers"] == [
        (b"authorization", REDACTED),
        ("Cookie", REDACTED),
        ("accept", "text/html"),
        ["X-Api-Key", REDACTED],
    ]


def test_positional_arguments_are_redacted_by_key_before_formatting(logs):
    logging.getLogger("thirdparty").warning("%s", {"password": "hunter2", "user": "bob"})
    get_logger("x").info("sent %s", {"headers": [("authorization", b"opaque-credential")]})
    logging.getLogger("thirdparty").warning(
        "as %(user)s with %(token)s", {"user": "bob", "token": "t0ps3cret"}
    )
    logging.getLogger("thirdparty").warning("%d rows in %.1f s", 3, 0.5)
    assert logs.messages() == [
        "{'password': '[REDACTED]', 'user': 'bob'}",
        "sent {'headers': [('authorization', '[REDACTED]')]}",
        "as bob with [REDACTED]",
        "3 rows in 0.5 s",
    ]
    assert redact_arguments((3, 0.25)) == (3, 0.25)


def test_a_cycle_cannot_smuggle_a_secret_past_redaction():
    cycle: dict[str, object] = {"password": "hunter2"}
    cycle["again"] = cycle
    with capture_logs() as logs:
        get_logger("x").info("cyclic", data=cycle)
    assert "hunter2" not in json.dumps(logs[-1])


# -- property: generated nested payloads ---------------------------------------------------------
# Secret values carry a marker no other generated text can contain, so "not in the line" is exact.
MARKER = "S3KR1T"
secret_values = st.text(
    alphabet=string.ascii_letters + string.digits + "-_.~+/", min_size=4, max_size=24
).map(lambda tail: f"{MARKER}{tail}")
plain_text = st.text(alphabet=string.ascii_lowercase + " ", max_size=12)
plain_keys = st.sampled_from(PLAIN_KEYS + CAMEL_PLAIN_KEYS)
secret_keys = st.sampled_from(SECRET_KEYS + CAMEL_SECRET_KEYS)
scalars = st.one_of(
    plain_text,
    plain_text.map(str.encode),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
)
# Under a secret key a value of any type is replaced whole, so it may hold the secret in any form.
any_form_of_a_secret = st.one_of(
    secret_values,
    secret_values.map(str.encode),
    secret_values.map(ValueError),
    secret_values.map(lambda secret: Credentials("bob", secret)),
)
# Query parameters naming a secret, as written or percent-encoded, and credentials percent-encoded
# in the value of any parameter (what an access log line carries in its path).
secret_parameter_names = st.sampled_from(
    ["token", "access_token", "api_key", "api%5Fkey", "authorization", "Authorization", "X-Amz-Signature",
     "client_secret", "apiKey", "%61pi_key", "sig"]
)  # fmt: skip
encoded_values = st.sampled_from(
    [lambda s: s, lambda s: f"Bearer%20{s}", lambda s: quote(f"Bearer {s}", safe=""), lambda s: quote_plus(f"Bearer {s}")]
)  # fmt: skip
query_strings = st.builds(
    lambda name, encode, secret, path: f"GET {path}?a=1&{name}={encode(secret)}&b=2 HTTP/1.1",
    secret_parameter_names,
    encoded_values,
    secret_values,
    st.sampled_from(["/v1/x", "https://api.example/cb", "/"]),
)
encoded_credentials = st.builds(
    lambda encode, secret: f"/cb?q={encode(secret)}",
    st.sampled_from([lambda s: f"Bearer%20{s}", lambda s: quote_plus(f"Bearer {s}")]),
    secret_values,
)
# A URL with a password used as a dictionary key.
credential_keys = secret_values.map(lambda secret: {f"https://svc:{secret}@db.internal/x": 1})
# An HTTP client's auth: a (user, password) pair or user:password text under an auth key.
auth_values = st.builds(
    lambda key, form, secret: {key: form(secret)},
    st.sampled_from(["auth", "basic_auth", "proxyAuth", "http-auth"]),
    st.sampled_from([lambda s: ("bob", s), lambda s: ["bob", s], lambda s: f"bob:{s}"]),
    secret_values,
)
# Name/value entries: Kubernetes env lists, AWS tags; the secret's name is in a sibling value.
entry_lists = st.builds(
    lambda keys, name, secret: [{keys[0]: "HOME", keys[1]: "/root"}, {keys[0]: name, keys[1]: secret}],
    st.sampled_from([("name", "value"), ("Name", "Value"), ("Key", "Value"), ("key", "value")]),
    st.sampled_from(["DB_PASSWORD", "api_token", "AWS_SECRET_ACCESS_KEY", "stripeApiKey", "session-cookie"]),
    st.one_of(secret_values, secret_values.map(lambda secret: {"inner": secret})),
)
# Anywhere else a secret must be recognisable by its shape once the value is text.
secret_carriers = st.one_of(
    query_strings,
    encoded_credentials,
    credential_keys,
    auth_values,
    entry_lists,
    secret_values.map(lambda secret: f"Bearer {secret}"),
    secret_values.map(lambda secret: f"password={secret}".encode()),
    secret_values.map(lambda secret: RuntimeError(f"token={secret}")),
    secret_values.map(lambda secret: ValueError({"clientSecret": secret})),
    secret_values.map(lambda secret: Credentials("bob", secret)),
    st.tuples(secret_keys, any_form_of_a_secret),  # a (name, value) pair, as in header lists
    st.tuples(secret_keys.map(str.encode), secret_values.map(str.encode)),
)


def _nest(children: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    secret_entry = st.tuples(secret_keys, st.one_of(any_form_of_a_secret, children))
    plain_entry = st.tuples(plain_keys, st.one_of(children, secret_carriers))
    return st.one_of(
        st.lists(st.one_of(children, secret_carriers), max_size=4),
        st.lists(st.one_of(children, secret_carriers), max_size=3).map(tuple),
        st.lists(st.one_of(secret_entry, plain_entry), max_size=4).map(dict),
    )


def _leaky_strings(secret: str) -> list[str]:
    return [f"Bearer {secret}", f"https://svc:{secret}@db.internal/x", f"callback?token={secret}&x=1"]


payloads = st.recursive(scalars, _nest, max_leaves=25)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    payload=payloads,
    secret=secret_values,
    shape=st.integers(min_value=0, max_value=2),
    camel_key=st.sampled_from(CAMEL_SECRET_KEYS),
    carrier=secret_carriers,
)
def test_generated_payloads_never_leak_a_secret_value(payload, secret, shape, camel_key, carrier):
    with capture_logs() as logs:
        get_logger("aurum.property").info(
            "payload",
            data=payload,
            api_key=secret,
            note=_leaky_strings(secret)[shape],
            nested={"headers": {"Authorization": f"Bearer {secret}", "Cookie": secret}},
            carried=carrier,
            **{camel_key: secret},
        )
        # Both logging paths format positional arguments: secrets must not survive becoming text.
        get_logger("aurum.property").info("%s %s", payload, carrier)
        logging.getLogger("aurum.property.stdlib").warning("%s %s", payload, carrier)
    assert len(logs) == 3
    for record in logs:
        assert MARKER not in json.dumps(record)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    user=st.text(alphabet=string.ascii_letters, min_size=1, max_size=8),
    password=st.binary(min_size=6, max_size=24),
)
def test_basic_credentials_with_base64_shape_are_redacted(user, password):
    encoded = base64.b64encode(user.encode() + b":" + password).decode()
    # The documented limit: a Basic credential that is a plain lower-case word is prose, not base64.
    if encoded.isalpha() and (encoded.islower() or encoded.isupper()):
        return
    assert encoded not in redact_string(f"Authorization: Basic {encoded}")
