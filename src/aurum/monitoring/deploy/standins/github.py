"""A stand-in for the three GitHub REST endpoints the pull-request comment uses, on loopback.

Followed documentation: GitHub REST API, "Issue comments"
(https://docs.github.com/en/rest/issues/comments); a pull request is an issue for comments:

- ``GET /repos/{owner}/{repo}/issues/{number}/comments?per_page=&page=`` answers the comments oldest
  first, ``per_page`` at most 100 (default 30), with a ``Link`` header naming the ``next`` (and
  ``last``) page while there are more ("Using pagination in the REST API");
- ``POST /repos/{owner}/{repo}/issues/{number}/comments`` with ``{"body": …}`` answers 201 and the
  comment (``id``, ``body``, ``html_url``, ``user``);
- ``PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}`` with ``{"body": …}`` answers 200 and the
  comment; 404 for an unknown id;
- a missing or wrong token is 401 ``Bad credentials``; a token without write access to pull requests
  (a workflow's ``GITHUB_TOKEN`` on a pull request from a fork is read-only) gets 403 ``Resource not
  accessible by integration`` on writes; an unknown repository or issue is 404 ``Not Found``;
- a body longer than 65,536 characters is 422 ``Validation Failed``.

Faults are injected by :func:`aurum.monitoring.deploy.standins.server.serve`.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from aurum.monitoring.deploy.standins.server import Reply, Request

__all__ = ["MAX_BODY", "GitHubStandin"]

MAX_BODY = 65_536
_LIST = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
_ONE = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")


def _json(status: int, document: object, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, json.dumps(document).encode(), "application/json; charset=utf-8", headers)


def _message(status: int, message: str) -> Reply:
    docs = "https://docs.github.com/rest/issues/comments"
    return _json(status, {"message": message, "documentation_url": docs})


@dataclass
class GitHubStandin:
    """Issue comments of one repository; ``comments`` is open for tests to inspect and seed."""

    token: str
    repo: str
    issues: frozenset[int] = frozenset({1})
    can_write: bool = True
    login: str = "github-actions[bot]"
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _next_id: int = 1000

    def add(self, number: int, body: str, login: str = "someone") -> dict[str, Any]:
        """A comment as if someone had posted it."""
        with self.lock:
            return self._new(number, body, login)

    def _new(self, number: int, body: str, login: str) -> dict[str, Any]:
        self._next_id += 1
        comment = {
            "id": self._next_id,
            "body": body,
            "html_url": f"https://github.com/{self.repo}/pull/{number}#issuecomment-{self._next_id}",
            "user": {"login": login, "type": "Bot" if login.endswith("[bot]") else "User"},
        }
        self.comments.setdefault(number, []).append(comment)
        return comment

    def handle(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _message(401, "Bad credentials")
        with self.lock:
            listing, one = _LIST.match(request.path), _ONE.match(request.path)
            if listing and listing.group(1) == self.repo and int(listing.group(2)) in self.issues:
                number = int(listing.group(2))
                if request.method == "GET":
                    return self._list(request, number)
                if request.method == "POST":
                    return self._write(request, lambda body: (201, self._new(number, body, self.login)))
            if one and one.group(1) == self.repo and request.method == "PATCH":
                found = self._find(int(one.group(2)))
                if found is None:
                    return _message(404, "Not Found")
                return self._write(request, lambda body: (200, found | {"body": body}))
            return _message(404, "Not Found")

    def _find(self, comment_id: int) -> dict[str, Any] | None:
        return next((c for cs in self.comments.values() for c in cs if c["id"] == comment_id), None)

    def _write(self, request: Request, store: Any) -> Reply:
        if not self.can_write:
            return _message(403, "Resource not accessible by integration")
        try:
            body = json.loads(request.body)["body"]
        except (ValueError, KeyError, TypeError):
            return _message(400, "Problems parsing JSON")
        if not isinstance(body, str) or len(body) > MAX_BODY:
            return _message(422, "Validation Failed")
        status, comment = store(body)
        if status == 200:  # an update: change the stored comment in place
            stored = self._find(comment["id"])
            if stored is not None:
                stored["body"] = body
        return _json(status, comment)

    def _list(self, request: Request, number: int) -> Reply:
        per_page = min(int((request.query.get("per_page") or ["30"])[0]), 100)
        page = int((request.query.get("page") or ["1"])[0])
        comments = self.comments.get(number, [])
        last = max((len(comments) + per_page - 1) // per_page, 1)
        chunk = comments[(page - 1) * per_page : page * per_page]
        links = []
        base = f"http://{request.headers.get('host', 'localhost')}{request.path}?per_page={per_page}"
        if page < last:
            links = [f'<{base}&page={page + 1}>; rel="next"', f'<{base}&page={last}>; rel="last"']
        headers = (("Link", ", ".join(links)),) if links else ()
        return _json(200, chunk, headers)
