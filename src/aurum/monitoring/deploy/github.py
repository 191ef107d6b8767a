"""One pull-request comment carrying the diff, updated on every push instead of adding another.

The comment is found again by a hidden marker in its body (:data:`aurum.monitoring.diff.report.MARKER`):
the first comment of the pull request that carries it is updated (``PATCH``), or, when there is none,
one is created (``POST``). An unchanged body is not sent again, so a push that changes nothing does not
notify anyone. A token that may not write (a pull request from a fork gets a read-only
``GITHUB_TOKEN``) is :class:`NoPermissionError`, for the caller to fall back to the job summary.

Endpoints: ``GET /repos/{repo}/issues/{n}/comments`` (every page, following ``Link: rel="next"``),
``POST /repos/{repo}/issues/{n}/comments``, ``PATCH /repos/{repo}/issues/comments/{id}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from urllib3.util.retry import Retry

from aurum.monitoring.deploy.session import DeployError, HttpClient, RetryPolicy, error_message

__all__ = ["MAX_BODY", "CommentPolicy", "CommentResult", "NoPermissionError", "fit", "upsert_comment"]

MAX_BODY = 65_536
"""GitHub refuses a longer comment (422)."""
HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
_NO_PERMISSION = frozenset({403, 404})
"""403 for a read-only token; 404 is how GitHub answers a token that may not see the repository."""


@dataclass(frozen=True, slots=True)
class CommentPolicy(RetryPolicy):
    """The deploy's retries, but a create is never sent twice.

    Creating a comment is not idempotent: a ``POST`` whose answer was lost and is sent again makes a
    second comment. Reads and updates (``PATCH`` sets the whole body) are retried; a create that gets
    no answer fails, the diff goes to the job summary, and the next push finds the comment, if it was
    made, by its marker and updates it.
    """

    def retry(self) -> Retry:
        return RetryPolicy.retry(self).new(allowed_methods=frozenset({"GET", "PATCH"}))


class NoPermissionError(DeployError):
    """The token may not read or write the pull request's comments."""


@dataclass(frozen=True, slots=True)
class CommentResult:
    action: str
    """``created``, ``updated`` or ``unchanged``."""
    url: str


def fit(body: str, marker: str) -> str:
    """``body`` cut to what GitHub accepts, saying so, the marker kept so the comment is found again."""
    if len(body) <= MAX_BODY:
        return body
    note = "\n\n_The diff was cut to fit a comment: the job's log and summary have all of it._\n"
    cut = body[: MAX_BODY - len(note) - len(marker) - 1]
    return (cut if marker in cut else f"{marker}\n{cut}") + note


def _check(response: Any, doing: str) -> Any:
    if response.status_code in _NO_PERMISSION:
        raise NoPermissionError(f"{doing}: {response.status_code} {error_message(response)}")
    if response.status_code >= 400:
        raise DeployError(f"{doing}: {response.status_code} {error_message(response)}")
    return response.json()


def _comments(http: HttpClient, repo: str, number: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    path: str | None = f"/repos/{repo}/issues/{number}/comments?per_page=100"
    while path:
        response = http.request("GET", path)
        found += _check(response, f"reading the comments of {repo}#{number}")
        following = response.links.get("next", {}).get("url")
        path = _path(following) if following else None
    return found


def _path(url: str) -> str:
    """The path and query of a ``Link`` URL: requests go to the client's own base URL."""
    split = urlsplit(url)
    return split.path + (f"?{split.query}" if split.query else "")


def upsert_comment(http: HttpClient, repo: str, number: int, body: str, marker: str) -> CommentResult:
    """Create the pull request's comment carrying ``marker``, or update it to ``body``."""
    body = fit(body, marker)
    existing = next((c for c in _comments(http, repo, number) if marker in str(c.get("body") or "")), None)
    if existing is not None and existing.get("body") == body:
        return CommentResult("unchanged", str(existing.get("html_url", "")))
    if existing is not None:
        response = http.request(
            "PATCH", f"/repos/{repo}/issues/comments/{existing['id']}", json={"body": body}
        )
        comment = _check(response, f"updating comment {existing['id']} of {repo}#{number}")
        return CommentResult("updated", str(comment.get("html_url", "")))
    response = http.request("POST", f"/repos/{repo}/issues/{number}/comments", json={"body": body})
    comment = _check(response, f"commenting on {repo}#{number}")
    return CommentResult("created", str(comment.get("html_url", "")))
