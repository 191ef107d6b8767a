"""A connection that breaks while the answer's body is read is retried like any transient fault, for
reads and for the conditional writes; a write whose answer never came whole is read back; the summary
gives the real number of attempts. Also the bounds of a deploy: a capped Retry-After, a deadline."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest

from aurum.monitoring.deploy.limits import DeadlineExceededError, DeployLimits
from aurum.monitoring.deploy.session import HttpClient, RetryPolicy, attempts
from aurum.monitoring.deploy.standins import Faults, GrafanaStandin, serve

from .conftest import TOKEN, Build, Grafana, dashboard

SAVE = "/api/dashboards/db"
TRUNCATIONS = ["truncate", "truncate-chunked"]


def _two(build: Build) -> None:
    build.write(("aurum-ops", dashboard("a", "A")), ("aurum-slos", dashboard("b", "B")))


@pytest.mark.parametrize("kind", TRUNCATIONS)
def test_a_read_whose_body_breaks_off_is_retried(grafana: Grafana, build: Build, deploy, kind: str) -> None:
    _two(build)
    grafana.faults.add(kind, times=2, method="GET", path="/api/dashboards/uid/a")
    run = deploy()
    assert run.status == 0, run.out + run.err
    reads = [s.outcome for s in grafana.faults.seen if s.path == "/api/dashboards/uid/a"]
    assert reads[:3] == ["truncated 404", "truncated 404", "404"]
    assert set(grafana.store.dashboards) == {"a", "b"}


@pytest.mark.parametrize("kind", TRUNCATIONS)
def test_a_save_that_landed_but_whose_answer_broke_off_is_applied_once(
    grafana: Grafana, build: Build, deploy, kind: str
) -> None:
    """The save landed, its body broke off; the retry gets 412, and reading back shows it is ours."""
    _two(build)
    grafana.faults.add(kind, method="POST", path=SAVE)
    run = deploy()
    assert run.status == 0, run.out + run.err
    assert [s.outcome for s in grafana.faults.seen if s.path == SAVE][:2] == ["truncated 200", "412"]
    assert "create dashboard a (A) (an earlier attempt had already saved it)" in run.out
    assert "Failed" not in run.out
    assert [d.version for d in grafana.store.dashboards.values()] == [1, 1]
    assert deploy("--detailed-exitcode").status == 0


def test_a_save_whose_every_answer_broke_off_is_read_back_and_not_listed_as_failed(
    grafana: Grafana, build: Build, deploy
) -> None:
    _two(build)
    grafana.faults.add("truncate", times=4, method="POST", path=SAVE)  # every attempt of the first save
    run = deploy()
    assert run.status == 0, run.out + run.err
    assert grafana.faults.count("POST", SAVE) == 4 + 1  # four for a, one for b
    summary = run.out[run.out.index("Deploy to Grafana:") :]
    assert summary.startswith("Deploy to Grafana: 4 applied, 0 failed")
    assert "Failed" not in summary
    assert "create dashboard a (A) (saved, though Grafana's answer was lost (POST " in summary
    assert "the connection broke while the answer was read" in summary
    assert "(after 4 attempts))" in summary  # the real count: retries 3, so 4 sent
    assert grafana.store.dashboards["a"].version == 1


def test_a_folder_created_whose_answer_broke_off_is_applied(grafana: Grafana, build: Build, deploy) -> None:
    _two(build)
    grafana.faults.add("truncate-chunked", times=4, method="POST", path="/api/folders")
    run = deploy()
    assert run.status == 0, run.out + run.err
    assert set(grafana.store.folders) == {"aurum-ops", "aurum-slos"}
    assert "Failed" not in run.out


def test_a_read_that_breaks_off_every_time_names_the_real_number_of_attempts(
    grafana: Grafana, build: Build, deploy
) -> None:
    _two(build)
    grafana.faults.add("truncate", times=10, method="GET", path="/api/dashboards/uid/a")
    run = deploy("--retries", "2")
    assert run.status == 1
    assert grafana.faults.count("GET", "/api/dashboards/uid/a") == 3
    assert "the connection broke while the answer was read: Connection broken: IncompleteRead" in run.err
    assert "(after 3 attempts)" in run.err
    assert not grafana.store.dashboards


def test_an_error_after_one_attempt_says_one_attempt(grafana: Grafana, build: Build, deploy) -> None:
    """A 400 is not retried: the message must not claim the retries were spent."""
    _two(build)
    grafana.faults.add("status", status=400, method="GET", path="/api/dashboards/uid/a")
    run = deploy()
    assert run.status == 1
    assert "Grafana answered 400: injected fault" in run.err
    assert "attempts" not in run.err


# -- Retry-After and the deadline ----------------------------------------------------------------
@dataclass
class FakeClock:
    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float, /) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def standin() -> tuple[str, Faults]:
    faults = Faults()
    with serve(GrafanaStandin(TOKEN), faults) as url:
        yield url, faults


def _client(url: str, limits: DeployLimits, retries: int = 3) -> HttpClient:
    return HttpClient(
        url, token=TOKEN, policy=RetryPolicy(retries=retries, backoff=0.5, timeout=2, limits=limits)
    )


def test_a_long_retry_after_is_capped_and_the_cap_is_noted(standin: tuple[str, Faults]) -> None:
    url, faults = standin
    clock = FakeClock()
    limits = DeployLimits(max_retry_after=60, clock=clock)
    faults.add("status", status=429, retry_after="3600", method="GET", path="/api/health")
    response = _client(url, limits).request("GET", "/api/health")
    assert response.status_code == 200
    assert attempts(response) == 2
    assert clock.slept == [60]
    assert limits.notes == [
        "GET /api/health: the server asked to wait 3600s (Retry-After); waited 60s, the cap (--max-retry-after)"
    ]


def test_a_retry_after_within_the_cap_is_honoured_as_asked(standin: tuple[str, Faults]) -> None:
    url, faults = standin
    clock = FakeClock()
    limits = DeployLimits(max_retry_after=60, clock=clock)
    faults.add("status", status=503, retry_after="7", method="GET", path="/api/health")
    assert _client(url, limits).request("GET", "/api/health").status_code == 200
    assert clock.slept == [7]
    assert limits.notes == []


def test_a_wait_that_would_pass_the_deadline_stops_the_deploy(standin: tuple[str, Faults]) -> None:
    url, faults = standin
    clock = FakeClock()
    limits = DeployLimits(max_retry_after=60, deadline=100, clock=clock)
    faults.add("status", times=5, status=429, retry_after="60", method="GET", path="/api/health")
    client = _client(url, limits)
    with pytest.raises(
        DeadlineExceededError, match=r"deadline of 100s \(--deadline\) was reached: waiting 60s"
    ):
        client.request("GET", "/api/health")
    assert clock.slept == [60]  # the second wait would have passed the deadline: not slept
    assert faults.count("GET", "/api/health") == 2
    # Once reached, nothing more is sent.
    with pytest.raises(DeadlineExceededError, match="reached earlier; GET /api/search not sent"):
        client.request("GET", "/api/search")
    assert faults.count("GET", "/api/search") == 0


def test_once_the_deadline_has_passed_no_request_is_sent(standin: tuple[str, Faults]) -> None:
    url, faults = standin
    clock = FakeClock()
    client = _client(url, DeployLimits(deadline=5, clock=clock))
    assert client.request("GET", "/api/health").status_code == 200
    clock.now += 5
    with pytest.raises(DeadlineExceededError, match="was reached: before GET /api/health"):
        client.request("GET", "/api/health")
    assert faults.count("GET", "/api/health") == 1


def test_body_read_retries_wait_through_the_limits_too(standin: tuple[str, Faults]) -> None:
    url, faults = standin
    clock = FakeClock()
    limits = DeployLimits(clock=clock)
    faults.add("truncate", times=2, method="GET", path="/api/health")
    response = _client(url, limits).request("GET", "/api/health")
    assert response.status_code == 200 and attempts(response) == 3
    assert clock.slept == [1.0]  # urllib3's backoff: 0 after the first failure, then 2 x 0.5 s


def test_the_deploy_reports_a_capped_retry_after_in_its_summary(
    grafana: Grafana, build: Build, deploy
) -> None:
    _two(build)
    grafana.faults.add("status", status=429, retry_after="3600", method="POST", path=SAVE)
    started = time.monotonic()
    run = deploy("--max-retry-after", "0.2")
    assert run.status == 0, run.out + run.err
    assert time.monotonic() - started < 10  # not an hour
    assert run.out.rstrip().endswith(
        "Limits reached:\n  POST /api/dashboards/db: the server asked to wait 3600s (Retry-After); "
        "waited 0.2s, the cap (--max-retry-after)"
    )


def test_the_deadline_stops_a_deploy_and_the_summary_says_what_was_done(
    grafana: Grafana, build: Build, deploy
) -> None:
    _two(build)
    # The first save is answered 503 "retry in 30 s" every time: far past a 1 s deadline.
    grafana.faults.add("status", times=10, status=503, retry_after="30", method="POST", path=SAVE)
    started = time.monotonic()
    run = deploy("--deadline", "1")
    assert run.status == 1
    assert time.monotonic() - started < 10
    summary = run.out[run.out.index("Deploy to Grafana:") :]
    assert "create folder aurum-ops" in summary[: summary.index("Failed")]  # done before the deadline
    assert "create dashboard a (A): the deploy's deadline of 1s (--deadline) was reached" in summary
    assert (
        "create dashboard b (B): the deploy's deadline of 1s (--deadline) was reached earlier; "
        "POST /api/dashboards/db not sent"
    ) in summary
    assert summary.rstrip().endswith(
        "Limits reached:\n  the deploy's deadline of 1s (--deadline) was reached: "
        "waiting 30s to retry POST /api/dashboards/db would pass it"
    )
    assert grafana.faults.count("POST", SAVE) == 1
    assert "a" not in grafana.store.dashboards


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--deadline", "-1"),
        ("--deadline", "soon"),
        ("--deadline", "inf"),
        ("--max-retry-after", "nan"),
        ("--timeout", "0"),
        ("--backoff", "-0.5"),
        ("--retries", "-1"),
        ("--retries", "two"),
    ],
)
def test_bounds_that_are_not_numbers_of_seconds_are_refused_naming_the_flag(
    grafana: Grafana, build: Build, deploy, capsys, flag: str, value: str
) -> None:
    _two(build)
    with pytest.raises(SystemExit) as exited:
        deploy(flag, value)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {flag}: {value!r} is not " in err
    assert "Traceback" not in err
    assert grafana.faults.seen == []


def test_the_limits_reached_are_in_the_json_results(grafana: Grafana, build: Build, deploy) -> None:
    _two(build)
    grafana.faults.add("status", status=429, retry_after="3600", method="POST", path=SAVE)
    run = deploy("--json", "--max-retry-after", "0.1")
    assert run.status == 0, run.err
    assert run.json()["results"]["limits_reached"] == [
        "POST /api/dashboards/db: the server asked to wait 3600s (Retry-After); waited 0.1s, the cap (--max-retry-after)"
    ]


def test_a_deadline_reached_before_the_plan_stops_the_deploy_saying_so(
    grafana: Grafana, build: Build, deploy
) -> None:
    _two(build)
    grafana.faults.add("status", times=10, status=503, retry_after="30", method="GET", path="/api/health")
    started = time.monotonic()
    run = deploy("--deadline", "1")
    assert run.status == 1
    assert time.monotonic() - started < 10
    assert (
        "error: Grafana is unreachable: the deploy's deadline of 1s (--deadline) was reached: "
        "waiting 30s to retry GET /api/health would pass it"
    ) in run.err
    assert grafana.faults.count("GET", "/api/health") == 1
    assert not grafana.store.folders and not grafana.store.dashboards
