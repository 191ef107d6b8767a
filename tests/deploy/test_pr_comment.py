"""``aurum-obs comment``: the diff as one pull-request comment, updated in place on every push, against a
stand-in of the GitHub REST endpoints it uses; the job summary where the token may not comment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from aurum.monitoring.cli import main
from aurum.monitoring.deploy.standins import Faults, GitHubStandin, serve
from aurum.monitoring.diff.report import MARKER

TOKEN = "ghs_N0tARealT0kenButSecretAllTheSame"
REPO = "aurum/observability"


@dataclass
class GitHub:
    url: str
    app: GitHubStandin
    faults: Faults


@pytest.fixture
def github() -> Iterator[GitHub]:
    faults = Faults()
    app = GitHubStandin(TOKEN, REPO, issues=frozenset({7}))
    with serve(app, faults) as url:
        yield GitHub(url, app, faults)


@pytest.fixture
def post(github: GitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """``post(body)`` runs ``aurum-obs comment`` as the workflow does: everything from the environment."""
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "pull_request": {"number": 7}}))
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    def run(body: str) -> tuple[int, str, str, str]:
        path = tmp_path / "diff.md"
        path.write_text(body)
        capsys.readouterr()
        status = main(["comment", "--body-file", str(path), "--backoff", "0.01"])
        captured = capsys.readouterr()
        return status, captured.out, captured.err, summary.read_text() if summary.exists() else ""

    return run


def _diff(text: str) -> str:
    return f"{MARKER}\n### aurum-obs diff against origin/main\n\n{text}\n"


def test_the_first_push_creates_the_comment_and_later_pushes_update_it(post, github: GitHub) -> None:
    github.app.add(7, "LGTM", login="a-reviewer")
    status, out, _, summary = post(_diff("**SLOs: 1 added**"))
    assert status == 0 and out.startswith(
        "created the diff comment: https://github.com/aurum/observability/pull/7"
    )
    status, out, _, _ = post(_diff("**SLOs: 1 added; Dashboards: 1 changed**"))
    assert status == 0 and out.startswith("updated the diff comment")
    comments = github.app.comments[7]
    assert [c["body"] for c in comments] == ["LGTM", _diff("**SLOs: 1 added; Dashboards: 1 changed**")]
    assert github.faults.count("POST", f"/repos/{REPO}/issues/7/comments") == 1
    assert github.faults.count("PATCH", f"/repos/{REPO}/issues/comments/{comments[1]['id']}") == 1
    assert "The diff is in [the pull request's comment](https://github.com/" in summary


def test_an_unchanged_diff_is_not_sent_again(post, github: GitHub) -> None:
    post(_diff("no change"))
    status, out, _, _ = post(_diff("no change"))
    assert (status, out.split(" ")[0]) == (0, "unchanged")
    assert (
        github.faults.count("PATCH", f"/repos/{REPO}/issues/comments/{github.app.comments[7][0]['id']}") == 0
    )


def test_the_comment_is_found_on_a_later_page(post, github: GitHub) -> None:
    for n in range(130):
        github.app.add(7, f"comment {n}")
    ours = github.app.add(7, _diff("old"), login="github-actions[bot]")
    status, out, _, _ = post(_diff("new"))
    assert status == 0 and out.startswith("updated")
    assert ours["body"] == _diff("new") and len(github.app.comments[7]) == 131
    assert github.faults.count("GET", f"/repos/{REPO}/issues/7/comments") == 2  # two pages of 100


def test_a_body_without_the_marker_gets_it_so_the_next_push_finds_the_comment(post, github: GitHub) -> None:
    post("### a diff\n")
    post("### another diff\n")
    assert [c["body"] for c in github.app.comments[7]] == [f"{MARKER}\n### another diff\n"]


def test_without_permission_the_diff_goes_to_the_job_summary(post, github: GitHub) -> None:
    github.app.can_write = False  # a pull request from a fork: GITHUB_TOKEN is read-only
    status, _, err, summary = post(_diff("**Alerts: 1 changed**"))
    assert status == 0
    assert "::notice::cannot comment" in err and "Resource not accessible by integration" in err
    assert summary == _diff("**Alerts: 1 changed**")
    assert github.app.comments.get(7) is None
    assert TOKEN not in err


def test_a_github_failure_falls_back_too_and_fails_the_step(post, github: GitHub) -> None:
    github.faults.add("status", status=500, times=50, path=f"/repos/{REPO}/issues/7/comments")
    status, _, err, summary = post(_diff("x"))
    assert status == 1 and "::warning::the comment could not be posted" in err
    assert summary == _diff("x")


def test_a_create_whose_answer_is_lost_is_not_sent_twice(post, github: GitHub) -> None:
    """Creating is not idempotent: a retry would make a second comment. Updates are retried."""
    github.faults.add("drop-after", method="POST", path=f"/repos/{REPO}/issues/7/comments")
    status, _, err, summary = post(_diff("first"))
    assert status == 1 and "::warning::" in err and summary == _diff("first")
    assert [c["body"] for c in github.app.comments[7]] == [_diff("first")]  # it landed, once
    comment = github.app.comments[7][0]
    github.faults.add(
        "status", status=502, method="PATCH", path=f"/repos/{REPO}/issues/comments/{comment['id']}"
    )
    status, out, *_ = post(_diff("second"))
    assert status == 0 and out.startswith("updated")  # the 502 was retried
    assert [c["body"] for c in github.app.comments[7]] == [_diff("second")]


def test_a_too_long_diff_is_cut_to_fit_and_keeps_the_marker(post, github: GitHub) -> None:
    status, *_ = post(_diff("- changed alert `X`\n" * 5_000))
    assert status == 0
    [comment] = github.app.comments[7]
    assert len(comment["body"]) <= 65_536 and comment["body"].startswith(MARKER)
    assert comment["body"].endswith("the job's log and summary have all of it._\n")


def test_no_pull_request_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    for name in ("GITHUB_EVENT_PATH", "GITHUB_REPOSITORY"):
        monkeypatch.delenv(name, raising=False)
    body = tmp_path / "diff.md"
    body.write_text("x")
    assert main(["comment", "--body-file", str(body)]) == 2
    assert "set --repo and --pr" in capsys.readouterr().err
