"""HTTP for the deploy clients: one requests session with a timeout, retries and a secret token.

Retries are urllib3's ``Retry`` mounted on the session's adapter, not a hand-written loop: connection
errors, read timeouts, 429 and 5xx are retried with exponential backoff, honouring ``Retry-After`` up
to the deploy's cap (``--max-retry-after``, urllib3's ``retry_after_max``). POST, PUT and DELETE are
retried too. That is safe here because every write is conditional or idempotent: a dashboard is saved
with the version that was read (a repeated save gets 412, and the caller then reads what is there),
folders and rule groups are written by uid or name (a repeat gets 409 or stores the same content
again), deletes are by uid (a repeat gets 404).

A connection that breaks while the answer's *body* is read (``IncompleteRead``, requests'
``ChunkedEncodingError``, urllib3's ``ProtocolError``) happens after urllib3 handed the response over,
so its ``Retry`` never sees it. :meth:`HttpClient.request` reads the body itself and retries such a
request under the same policy (the same ``Retry``'s ``increment`` and backoff), for reads and writes
alike. Attempts are counted as they happen, so messages give the real number.

Every wait (backoff, ``Retry-After``) goes through the deploy's :class:`DeployLimits`, which ends the
deploy rather than sleep past its deadline (``--deadline``), and notes every bound that was hit.

The token lives only in :class:`BearerToken`, whose repr hides it, and every error leaving this module
is a :class:`DeployError` whose message is scrubbed of it, so it cannot reach output, logs or
tracebacks.
"""

from __future__ import annotations

import http.client
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ProtocolError
from urllib3.util.retry import Retry

from aurum.monitoring.deploy.errors import DeployError
from aurum.monitoring.deploy.limits import DeadlineExceededError, DeployLimits

__all__ = [
    "DEFAULT_POLICY",
    "BearerToken",
    "DeployError",
    "DeployLimits",
    "HttpClient",
    "RetryPolicy",
    "attempts",
    "error_message",
]

log = logging.getLogger("aurum.monitoring.deploy")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class _Request(threading.local):
    """The request being sent on this thread, for the ``Retry`` below: urllib3 makes a new ``Retry``
    per attempt, so what must outlive one attempt (the count, the limits) lives here."""

    failed = 0
    """Attempts that failed and were handed to ``Retry.increment`` during this ``session.request``."""
    doing = ""
    limits: DeployLimits | None = None


_REQUEST = _Request()


class _CountedRetry(Retry):
    """urllib3's ``Retry`` that counts attempts, notes a capped ``Retry-After`` and waits through the
    deploy's limits (so that a wait never passes the deadline, and tests can use a fake clock)."""

    def increment(self, *args: Any, **kwargs: Any) -> _CountedRetry:
        _REQUEST.failed += 1
        return super().increment(*args, **kwargs)

    def get_retry_after(self, response: urllib3.BaseHTTPResponse) -> float | None:
        seconds = super().get_retry_after(response)  # already capped at retry_after_max
        header = response.headers.get("Retry-After")
        if seconds is not None and header is not None and seconds >= self.retry_after_max:
            asked = self.new(retry_after_max=2**62).parse_retry_after(header)
            if asked > self.retry_after_max and _REQUEST.limits is not None:
                _REQUEST.limits.capped_retry_after(asked, _REQUEST.doing)
        return seconds

    def sleep(self, response: urllib3.BaseHTTPResponse | None = None) -> None:
        seconds = self.get_retry_after(response) if self.respect_retry_after_header and response else None
        if not seconds:
            seconds = self.get_backoff_time()
        limits = _REQUEST.limits if _REQUEST.limits is not None else DeployLimits()
        limits.wait(seconds, f"retry {_REQUEST.doing}")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries: int = 4
    """Retries after the first attempt, for each kind of failure."""
    backoff: float = 0.5
    """urllib3's backoff factor: waits of 0, 2, 4… times this many seconds between attempts."""
    timeout: float = 10.0
    """Seconds to connect, and seconds to wait for each read of the answer."""
    limits: DeployLimits = field(default_factory=DeployLimits, compare=False)
    """The deploy's Retry-After cap and deadline, shared by everything the deploy does."""

    def retry(self) -> Retry:
        return _CountedRetry(
            total=self.retries,
            connect=self.retries,
            read=self.retries,
            status=self.retries,
            other=0,
            backoff_factor=self.backoff,
            backoff_max=30,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "HEAD", "POST", "PUT", "DELETE"}),
            # The last answer (e.g. a 503) is more useful to report than urllib3's MaxRetryError.
            raise_on_status=False,
            respect_retry_after_header=True,
            retry_after_max=int(self.limits.max_retry_after),
        )


DEFAULT_POLICY = RetryPolicy()


class BearerToken(requests.auth.AuthBase):
    """``Authorization: Bearer …`` on every request; never shown by repr or str."""

    __slots__ = ("_token",)

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerToken(<hidden>)"

    def scrub(self, text: str) -> str:
        return text.replace(self._token, "<token>") if self._token else text


def error_message(response: requests.Response) -> str:
    """The server's own explanation: Grafana's ``message``, or the first line of a plain-text body."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip().splitlines()[0][:300] if response.text.strip() else response.reason
    if isinstance(body, Mapping):
        return str(body.get("message") or body.get("error") or body)[:300]
    return str(body)[:300]


class HttpClient:
    """A base URL, a session with retries, and errors that name what failed without the token."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.policy = policy
        self._auth = BearerToken(token) if token else None
        self.session = requests.Session()
        adapter = HTTPAdapter(max_retries=policy.retry())
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update(headers or {})

    def scrub(self, text: str) -> str:
        return self._auth.scrub(text) if self._auth else text

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send with retries; raise :class:`DeployError` only when no whole answer came at all.

        The body is read here (``stream=True``), so a connection that breaks while it is read is
        retried like any transient fault, by the same ``Retry`` policy.
        """
        url = self.base_url + path
        limits = self.policy.limits
        doing = f"{method} {path}"
        body_retry = self.policy.retry()  # the budget for answers whose body broke off
        sent = 0
        while True:
            limits.check(doing)
            _REQUEST.failed, _REQUEST.doing, _REQUEST.limits = 0, doing, limits
            try:
                response = self.session.request(
                    method, url, auth=self._auth, timeout=self._timeout(), stream=True, **kwargs
                )
            except DeadlineExceededError:
                raise
            except requests.exceptions.Timeout:
                sent += max(_REQUEST.failed, 1)
                msg = f"{method} {url}: no answer within {self._timeout():g}s after {_count(sent)}"
                raise DeployError(self.scrub(msg)) from None
            except requests.exceptions.RequestException as error:
                sent += max(_REQUEST.failed, 1)
                msg = f"{method} {url}: {_reason(error)} (after {_count(sent)})"
                raise DeployError(self.scrub(msg)) from None
            sent += _sent(response)
            try:
                response.content  # noqa: B018 - reads the body, which is what may break
            except _BODY_BROKEN as error:
                response.close()
                reason = _broken(error)
                try:
                    body_retry = body_retry.increment(method, url, error=ProtocolError(reason))
                except MaxRetryError:
                    msg = f"{method} {url}: the connection broke while the answer was read: {reason} (after {_count(sent)})"
                    raise DeployError(self.scrub(msg)) from None
                log.debug("%s %s: the answer broke off (%s); retrying (%s)", method, path, reason, body_retry)
                limits.wait(body_retry.get_backoff_time(), f"retry {doing}")
                continue
            setattr(response, _ATTEMPTS, sent)
            log.debug("%s %s -> %s after %d attempt(s)", method, path, response.status_code, sent)
            return response

    def _timeout(self) -> float:
        """The per-request timeout, shortened to what is left of the deploy's deadline."""
        left = self.policy.limits.remaining()
        return self.policy.timeout if left is None else max(0.001, min(self.policy.timeout, left))

    def close(self) -> None:
        self.session.close()


_ATTEMPTS = "aurum_attempts"
# What a connection broken while the body is read surfaces as: requests wraps urllib3's ProtocolError
# (IncompleteRead included) in ChunkedEncodingError; the others are there in case a layer does not.
_BODY_BROKEN = (
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ConnectionError,
    ProtocolError,
    http.client.IncompleteRead,
)


def _sent(response: requests.Response) -> int:
    """How many times urllib3 sent the request before this answer."""
    retries = getattr(response.raw, "retries", None)
    return len(retries.history) + 1 if retries is not None else 1


def attempts(response: requests.Response) -> int:
    """How many times the request was sent before this answer, body-read retries included."""
    counted = getattr(response, _ATTEMPTS, None)
    return counted if isinstance(counted, int) else _sent(response)


def _broken(error: BaseException) -> str:
    """What broke, from the innermost error: ``Connection broken: IncompleteRead(34 bytes read, ...)``."""
    inner = error
    while inner.args and isinstance(inner.args[0], BaseException):
        inner = inner.args[0]
    first = inner.args[0] if inner.args else None
    return first if isinstance(first, str) else str(inner) or type(inner).__name__


def _count(sent: int) -> str:
    return f"{sent} attempt" if sent == 1 else f"{sent} attempts"


def _reason(error: BaseException) -> str:
    """The innermost cause, which says what actually happened (refused, reset, name not known)."""
    text = str(error)
    for marker in ("Caused by ", "Connection aborted."):
        if marker in text:
            text = text[text.index(marker) :]
            break
    return text.replace("Caused by ", "").strip("() ") or type(error).__name__
