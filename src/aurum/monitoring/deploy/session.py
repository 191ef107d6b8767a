"""HTTP for the deploy clients: one requests session with a timeout, retries and a secret token.

Retries are urllib3's ``Retry`` mounted on the session's adapter, not a hand-written loop: connection
errors, read timeouts, 429 and 5xx are retried with exponential backoff, honouring ``Retry-After``.
POST, PUT and DELETE are retried too. That is safe here because every write is conditional or
idempotent: a dashboard is saved with the version that was read (a repeated save gets 412, and the
caller then reads what is there), folders and rule groups are written by uid or name (a repeat gets
409 or stores the same content again), deletes are by uid (a repeat gets 404).

The token lives only in :class:`BearerToken`, whose repr hides it, and every error leaving this module
is a :class:`DeployError` whose message is scrubbed of it, so it cannot reach output, logs or
tracebacks.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

__all__ = ["DEFAULT_POLICY", "BearerToken", "DeployError", "HttpClient", "RetryPolicy", "error_message"]

log = logging.getLogger("aurum.monitoring.deploy")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class DeployError(Exception):
    """A deploy step that failed; the message is meant for the person running the deploy."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries: int = 4
    """Retries after the first attempt, for each kind of failure."""
    backoff: float = 0.5
    """urllib3's backoff factor: waits of 0, 2, 4… times this many seconds between attempts."""
    timeout: float = 10.0
    """Seconds to connect, and seconds to wait for each read of the answer."""

    def retry(self) -> Retry:
        return Retry(
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
        """Send with retries; raise :class:`DeployError` only when no answer came at all."""
        url = self.base_url + path
        try:
            response = self.session.request(
                method, url, auth=self._auth, timeout=self.policy.timeout, **kwargs
            )
        except requests.exceptions.Timeout:
            msg = (
                f"{method} {url}: no answer within {self.policy.timeout:g}s "
                f"after {self.policy.retries + 1} attempts"
            )
            raise DeployError(self.scrub(msg)) from None
        except requests.exceptions.RequestException as error:
            reason = _reason(error)
            msg = f"{method} {url}: {reason} (after {self.policy.retries + 1} attempts)"
            raise DeployError(self.scrub(msg)) from None
        log.debug("%s %s -> %s after %d attempt(s)", method, path, response.status_code, attempts(response))
        return response

    def close(self) -> None:
        self.session.close()


def attempts(response: requests.Response) -> int:
    """How many times urllib3 sent the request before this answer."""
    retries = getattr(response.raw, "retries", None)
    return len(retries.history) + 1 if retries is not None else 1


def _reason(error: BaseException) -> str:
    """The innermost cause, which says what actually happened (refused, reset, name not known)."""
    text = str(error)
    for marker in ("Caused by ", "Connection aborted."):
        if marker in text:
            text = text[text.index(marker) :]
            break
    return text.replace("Caused by ", "").strip("() ") or type(error).__name__
