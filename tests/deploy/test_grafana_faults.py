"""Under injected faults the deploy retries, then either succeeds or names exactly what failed (and what
succeeded); a second run converges with nothing lost. The token never shows, whatever fails."""

from __future__ import annotations

import socket
import time

import pytest

from .conftest import TOKEN, Build, Grafana, Run, dashboard

SAVE = "/api/dashboards/db"


def _no_token(run: Run, logs: pytest.LogCaptureFixture) -> None:
    text = run.out + run.err + "\n".join(f"{r.getMessage()} {r.args}" for r in logs.records)
    assert TOKEN not in text
    assert TOKEN[5:20] not in text


def _three(build: Build) -> None:
    """Three dashboards, saved in this order: a (folder aurum-ops), then b and c (aurum-slos)."""
    build.write(
        ("aurum-ops", dashboard("a", "A")),
        ("aurum-slos", dashboard("b", "B")),
        ("aurum-slos", dashboard("c", "C")),
    )


def test_a_burst_of_5xx_is_retried(grafana: Grafana, build: Build, deploy, debug_logs) -> None:
    _three(build)
    grafana.faults.add("status", times=3, status=503, method="POST", path=SAVE)
    grafana.faults.add("status", times=1, status=429, method="GET", path="/api/dashboards/uid/b")
    run = deploy()
    assert run.status == 0, run.out + run.err
    assert [s.outcome for s in grafana.faults.seen if s.path == SAVE] == [
        "503",
        "503",
        "503",
        "200",
        "200",
        "200",
    ]
    assert set(grafana.store.dashboards) == {"a", "b", "c"}
    assert (
        "Incremented Retry for (url='/api/dashboards/db')" in debug_logs.text
    )  # urllib3 retried, not a loop of ours
    _no_token(run, debug_logs)


def test_a_slow_answer_past_the_timeout_is_retried(
    grafana: Grafana, build: Build, deploy, debug_logs
) -> None:
    _three(build)
    grafana.faults.add("slow", delay=1.5, method="GET", path="/api/dashboards/uid/a")
    started = time.monotonic()
    run = deploy()
    assert run.status == 0, run.out + run.err
    assert time.monotonic() - started < 3  # gave up on the slow answer after the 0.5 s timeout
    assert grafana.faults.count("GET", "/api/dashboards/uid/a") >= 1
    assert set(grafana.store.dashboards) == {"a", "b", "c"}
    _no_token(run, debug_logs)


def test_a_dropped_connection_is_retried(grafana: Grafana, build: Build, deploy) -> None:
    _three(build)
    grafana.faults.add("drop", times=2, method="POST", path=SAVE)
    run = deploy()
    assert run.status == 0, run.out + run.err
    assert [s.outcome for s in grafana.faults.seen if s.path == SAVE][:3] == ["dropped", "dropped", "200"]
    assert all(d.version == 1 for d in grafana.store.dashboards.values())


def test_a_save_whose_answer_was_lost_is_not_saved_twice(grafana: Grafana, build: Build, deploy) -> None:
    """The save landed, the answer was dropped; the retry gets 412, and reading back shows it is ours."""
    _three(build)
    grafana.faults.add("drop-after", method="POST", path=SAVE)
    run = deploy()
    assert run.status == 0, run.out + run.err
    assert "create dashboard a (A) (an earlier attempt had already saved it)" in run.out
    assert [d.version for d in grafana.store.dashboards.values()] == [1, 1, 1]
    assert deploy("--detailed-exitcode").status == 0


def test_failures_beyond_the_retries_are_named_and_a_second_run_converges(
    grafana: Grafana, build: Build, deploy, debug_logs
) -> None:
    grafana.store.create_folder("aurum-ops", "Aurum operations")
    theirs = grafana.store.seed(dashboard("theirs", "Made by hand"), "aurum-ops")
    _three(build)
    # The first save fails four times (every attempt), the next has its answer dropped, one read is slow.
    grafana.faults.add("status", times=4, status=502, method="POST", path=SAVE)
    grafana.faults.add("drop-after", method="POST", path=SAVE)
    grafana.faults.add("slow", delay=1.0, method="GET", path="/api/dashboards/uid/c")
    run = deploy()
    assert run.status == 1
    summary = run.out[run.out.index("Deploy to Grafana:") :]
    assert summary.startswith("Deploy to Grafana: 3 applied, 1 failed, 1 unchanged.")
    failed = summary[summary.index("Failed") :].splitlines()[1:]
    assert failed == [
        "  create dashboard a (A): cannot save dashboard a: Grafana answered 502 after 4 attempts: injected fault"
    ]
    applied = summary[summary.index("Applied:") : summary.index("Failed")]
    assert "create folder aurum-slos" in applied
    assert "create dashboard b (B)" in applied and "create dashboard c (C)" in applied
    assert "[1/4] create folder aurum-slos (Aurum SLOs) ... ok" in run.err  # progress as it went
    assert "[2/4] create dashboard a (A) ... FAILED: cannot save dashboard a" in run.err
    assert set(grafana.store.dashboards) == {"theirs", "b", "c"}
    _no_token(run, debug_logs)

    grafana.faults.clear()
    again = deploy("--detailed-exitcode")
    assert again.status == 2, again.out + again.err
    assert "Deploy to Grafana: 1 applied, 0 failed, 4 unchanged." in again.out
    assert set(grafana.store.dashboards) == {"theirs", "a", "b", "c"}
    assert [grafana.store.dashboards[uid].version for uid in "abc"] == [1, 1, 1]
    assert grafana.store.dashboards["theirs"].model == theirs.model  # nothing lost
    assert deploy("--detailed-exitcode").status == 0


def test_a_401_mid_deploy_is_reported_for_that_dashboard(
    grafana: Grafana, build: Build, deploy, debug_logs
) -> None:
    _three(build)
    grafana.faults.add("status", status=401, method="POST", path=SAVE)
    run = deploy()
    assert run.status == 1
    assert "create dashboard a (A): Grafana at" in run.out and "rejected the token (401)" in run.out
    assert set(grafana.store.dashboards) == {"b", "c"}
    assert grafana.faults.count("POST", SAVE) == 3  # 401 is not retried
    _no_token(run, debug_logs)


def test_a_wrong_token_stops_at_the_preflight(grafana: Grafana, build: Build, deploy, debug_logs) -> None:
    _three(build)
    run = deploy(token="glsa_wrong_but_also_secret")
    assert run.status == 1
    assert "rejected the token (401)" in run.err and "GRAFANA_TOKEN" in run.err
    assert "glsa_wrong_but_also_secret" not in run.out + run.err + debug_logs.text
    assert not grafana.store.dashboards and not grafana.store.folders


def test_a_403_at_the_preflight_is_explained(grafana: Grafana, build: Build, deploy) -> None:
    _three(build)
    grafana.faults.add("status", status=403, method="GET", path="/api/search")
    run = deploy()
    assert run.status == 1 and "(403): the token's role lacks the permission" in run.err


def test_an_unreachable_grafana_is_said_plainly(
    build: Build, deploy, monkeypatch, capsys, debug_logs
) -> None:
    from aurum.monitoring.cli import main

    _three(build)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("GRAFANA_TOKEN", TOKEN)
    argv = ["deploy", "grafana", "--url", f"http://127.0.0.1:{port}", "--build", str(build.path)]
    status = main([*argv, "--retries", "1", "--backoff", "0.01"])
    captured = capsys.readouterr()
    assert status == 1
    assert "error: Grafana is unreachable: GET http://127.0.0.1:" in captured.err
    assert "after 2 attempts" in captured.err
    _no_token(Run(status, captured.out, captured.err), debug_logs)


def test_an_unhealthy_grafana_is_said_plainly(grafana: Grafana, build: Build, deploy) -> None:
    _three(build)
    grafana.faults.add("status", times=10, status=503, method="GET", path="/api/health")
    run = deploy()
    assert run.status == 1
    assert "cannot check its health (GET /api/health): Grafana answered 503 after 4 attempts" in run.err
