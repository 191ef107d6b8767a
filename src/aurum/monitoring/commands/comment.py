"""``aurum-obs comment --body-file diff.md``: the diff as the pull request's one comment, or the job summary.

In a GitHub Actions job on a pull request everything comes from the environment: ``GITHUB_TOKEN``
(the workflow passes it; it needs ``pull-requests: write``), ``GITHUB_REPOSITORY``, the pull request's
number from the event (``GITHUB_EVENT_PATH``), ``GITHUB_API_URL`` and ``GITHUB_STEP_SUMMARY``. Where
the token may not comment (a pull request from a fork), or there is no token, the diff goes to the
job summary instead and the step still succeeds.

Exit status: 0 posted, or fell back for want of permission; 1 GitHub failed otherwise (the diff is in
the job summary then too); 2 the pull request or the body file cannot be determined.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from aurum.monitoring.deploy.github import HEADERS, CommentPolicy, NoPermissionError, upsert_comment
from aurum.monitoring.deploy.session import DeployError, HttpClient
from aurum.monitoring.diff.report import MARKER

__all__ = ["add_comment_parser", "run_comment"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_comment_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    comment = commands.add_parser(
        "comment", help="post a markdown diff as the pull request's one comment (token: GITHUB_TOKEN)"
    )
    comment.add_argument("--body-file", type=Path, required=True, help="the markdown to post")
    comment.add_argument(
        "--repo", default=os.environ.get("GITHUB_REPOSITORY"), help="owner/name (default: $GITHUB_REPOSITORY)"
    )
    comment.add_argument("--pr", type=int, default=None, help="pull request number (default: from the event)")
    comment.add_argument(
        "--api-url",
        default=os.environ.get("GITHUB_API_URL", "https://api.github.com"),
        help="GitHub's REST API (default: $GITHUB_API_URL or https://api.github.com)",
    )
    comment.add_argument("--retries", type=int, default=4, help="retries on errors, 429 and 5xx (default: 4)")
    comment.add_argument("--backoff", type=float, default=0.5, help="backoff factor, seconds (default: 0.5)")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    comment.add_argument(
        "--summary",
        type=Path,
        default=Path(summary) if summary else None,
        help="the fallback (default: $GITHUB_STEP_SUMMARY)",
    )


def _event_number() -> int | None:
    path = os.environ.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    number = (event.get("pull_request") or {}).get("number") or event.get("number")
    return int(number) if isinstance(number, int) else None


def _to_summary(summary: Path | None, text: str) -> None:
    if summary is None:
        print(text, end="")  # no job summary outside Actions: the log is the fallback
        return
    with summary.open("a", encoding="utf-8") as file:
        file.write(text)


def run_comment(args: argparse.Namespace) -> int:
    try:
        body = args.body_file.read_text(encoding="utf-8")
    except OSError as error:
        print(f"error: {args.body_file}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    body = body if MARKER in body else f"{MARKER}\n{body}"
    number = args.pr or _event_number()
    if not args.repo or number is None:
        print(
            "error: set --repo and --pr (or run on a pull_request event in GitHub Actions)", file=sys.stderr
        )
        return EXIT_USAGE
    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        print("::notice::no GITHUB_TOKEN: the diff is in the job summary, not a comment", file=sys.stderr)
        _to_summary(args.summary, body)
        return EXIT_OK
    policy = CommentPolicy(retries=args.retries, backoff=args.backoff)
    http = HttpClient(args.api_url, token=token, headers=HEADERS, policy=policy)
    try:
        result = upsert_comment(http, args.repo, number, body, MARKER)
    except NoPermissionError as error:
        # A fork's pull request: its token is read-only by design, which is no failure of the change.
        print(f"::notice::cannot comment ({error}): the diff is in the job summary", file=sys.stderr)
        _to_summary(args.summary, body)
        return EXIT_OK
    except DeployError as error:
        print(
            f"::warning::the comment could not be posted ({error}): the diff is in the job summary",
            file=sys.stderr,
        )
        _to_summary(args.summary, body)
        return EXIT_FAILED
    finally:
        http.close()
    print(f"{result.action} the diff comment: {result.url}")
    if args.summary is not None:
        _to_summary(
            args.summary, f"The diff is in [the pull request's comment]({result.url}) ({result.action}).\n"
        )
    return EXIT_OK
