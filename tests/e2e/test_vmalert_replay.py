"""What ``vmalert -replay`` 1.79.5 does over a backfilled history in the real VictoriaMetrics 1.79.5,
as the README's replay section states it: without ``-datasource.queryStep=0`` it evaluates every
5 minutes whatever the group's interval (and a ``for:`` alert never fires), it works in chunks of
``-replay.maxDatapointsPerQuery`` evaluations whose boundary it writes twice unless VictoriaMetrics
deduplicates, and every chunk starts each ``for:`` over.

One recording rule and one always-true alert with ``for: 10m`` in a group evaluated every minute,
over two days of a gauge sampled every 15 s: 2,881 evaluations, three chunks of 1,000 (the default).
"""

from __future__ import annotations

import collections
import itertools
import json
import subprocess
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from examples.demo_stack import configs
from examples.demo_stack.victoria import binary, victoria_metrics

pytestmark = pytest.mark.slow

EVERY = 60
"""The group's interval, seconds."""
DAYS = 2
EVALUATIONS = DAYS * 86_400 // EVERY + 1
"""Both ends of the replayed range are evaluated."""
CHUNK = 1_000
"""vmalert's default ``-replay.maxDatapointsPerQuery``."""
FOR_SECONDS = 600
RECORD = "replay:value"
ALERT = "ReplayAlways"
RULES = {
    "groups": [
        {
            "name": "replayed",
            "interval": f"{EVERY}s",
            "rules": [
                {"record": RECORD, "expr": "sum(history_value)"},
                {"alert": ALERT, "expr": "sum(history_value) >= 0", "for": f"{FOR_SECONDS}s"},
            ],
        }
    ]
}
REPLAY_TIMEOUT = 120


@dataclass(frozen=True)
class Replayed:
    start: int
    """Unix seconds of the replayed range's first evaluation."""
    series: dict[str, list[int]]
    """``replay:value``, ``pending``, ``firing`` -> the timestamps (unix seconds) stored for it."""

    def duplicates(self, name: str) -> list[int]:
        return sorted(t for t, n in collections.Counter(self.series[name]).items() if n > 1)

    def steps(self, name: str) -> set[int]:
        """The distinct seconds between consecutive timestamps, duplicates set aside."""
        stamps = sorted(set(self.series[name]))
        return {b - a for a, b in itertools.pairwise(stamps)}

    def runs(self, name: str) -> list[int]:
        """Where each unbroken run of ``name`` (at the group's interval) begins, as offsets from start."""
        stamps = sorted(set(self.series.get(name, [])))
        begins = [s for i, s in enumerate(stamps) if i == 0 or s - stamps[i - 1] > EVERY]
        return [s - self.start for s in begins]


def _post(url: str, body: bytes) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST"), timeout=30) as r:
        return bytes(r.read())


def _history(start: int) -> bytes:
    """Two days of ``history_value 1`` every 15 s, in VictoriaMetrics's JSON line import format."""
    stamps = list(range(start * 1000, (start + DAYS * 86_400) * 1000 + 1, 15_000))
    line = {"metric": {"__name__": "history_value", "job": "history"}, "values": [1] * len(stamps)}
    return json.dumps(line | {"timestamps": stamps}).encode()


def _replay(work: Path, *, flags: tuple[str, ...] = (), vm_flags: tuple[str, ...] = ()) -> Replayed:
    """Backfill the history into a fresh VictoriaMetrics, replay the rules over it, read back what
    vmalert wrote."""
    work.mkdir()
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight - timedelta(days=DAYS + 1)
    end = start + timedelta(days=DAYS)
    rules = configs.write(work / "rules.yml", RULES)
    with victoria_metrics(work, flags=vm_flags) as vm:
        _post(f"{vm.url}/api/v1/import", _history(int(start.timestamp())))
        _post(f"{vm.url}/internal/force_flush", b"")
        stamp = "%Y-%m-%dT%H:%M:%SZ"
        done = subprocess.run(
            [
                binary("vmalert"),
                f"-rule={rules}",
                f"-datasource.url={vm.url}",
                f"-remoteWrite.url={vm.url}",
                f"-replay.timeFrom={start.strftime(stamp)}",
                f"-replay.timeTo={end.strftime(stamp)}",
                "-httpListenAddr=127.0.0.1:0",
                *flags,
            ],
            capture_output=True,
            text=True,
            timeout=REPLAY_TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        # vmalert returns once its remote write is flushed; force VictoriaMetrics's in-memory rows
        # into searchable parts rather than wait the second it takes.
        _post(f"{vm.url}/internal/force_flush", b"")
        query = urllib.parse.urlencode(
            {"match[]": '{__name__=~"replay:value|ALERTS"}', "start": int(start.timestamp()) - 3600}
        ).encode()
        exported = _post(f"{vm.url}/api/v1/export", query).decode()
    series: dict[str, list[int]] = {}
    for line in exported.splitlines():
        one = json.loads(line)
        name = one["metric"].get("alertstate", one["metric"]["__name__"])
        series[name] = [t // 1000 for t in one["timestamps"]]
    return Replayed(int(start.timestamp()), series)


@pytest.fixture(scope="module")
def default_step(tmp_path_factory: pytest.TempPathFactory) -> Replayed:
    return _replay(tmp_path_factory.mktemp("replay") / "default-step")


@pytest.fixture(scope="module")
def step_zero(tmp_path_factory: pytest.TempPathFactory) -> Replayed:
    return _replay(tmp_path_factory.mktemp("replay") / "step-zero", flags=("-datasource.queryStep=0",))


@pytest.fixture(scope="module")
def deduplicated(tmp_path_factory: pytest.TempPathFactory) -> Replayed:
    return _replay(
        tmp_path_factory.mktemp("replay") / "dedup",
        flags=("-datasource.queryStep=0",),
        vm_flags=(f"-dedup.minScrapeInterval={EVERY}s",),
    )


def test_without_query_step_zero_replay_evaluates_every_5_minutes_and_for_never_fires(
    default_step: Replayed,
) -> None:
    assert default_step.steps(RECORD) == {300}
    assert len(set(default_step.series[RECORD])) == DAYS * 86_400 // 300 + 1
    # Each evaluation is 5 minutes after the last, more than the group's interval, so vmalert
    # takes the alert for a new one every time: pending throughout, never firing.
    assert "firing" not in default_step.series
    assert set(default_step.series["pending"]) == set(default_step.series[RECORD])


def test_query_step_zero_evaluates_at_the_group_interval(step_zero: Replayed) -> None:
    assert step_zero.steps(RECORD) == {EVERY}
    assert len(set(step_zero.series[RECORD])) == EVALUATIONS


def test_each_chunk_boundary_is_stored_twice_unless_victoriametrics_deduplicates(
    step_zero: Replayed, deduplicated: Replayed
) -> None:
    boundaries = [step_zero.start + k * CHUNK * EVERY for k in range(1, EVALUATIONS // CHUNK + 1)]
    assert step_zero.duplicates(RECORD) == boundaries
    assert len(step_zero.series[RECORD]) == EVALUATIONS + len(boundaries)
    assert deduplicated.duplicates(RECORD) == []
    assert len(deduplicated.series[RECORD]) == EVALUATIONS


def test_every_chunk_starts_each_for_state_over(step_zero: Replayed, deduplicated: Replayed) -> None:
    """The always-true alert is pending for its ``for:`` at the start of each chunk, and fires only
    after it, deduplicated or not."""
    chunks = [k * CHUNK * EVERY for k in range(EVALUATIONS // CHUNK + 1)]
    for replayed in (step_zero, deduplicated):
        assert replayed.runs("pending") == chunks
        assert replayed.runs("firing") == [c + FOR_SECONDS for c in chunks]


def test_one_chunk_over_the_whole_range_has_neither_duplicates_nor_restarts(tmp_path: Path) -> None:
    whole = _replay(
        tmp_path / "one-chunk",
        flags=("-datasource.queryStep=0", f"-replay.maxDatapointsPerQuery={EVALUATIONS}"),
    )
    assert whole.duplicates(RECORD) == []
    assert whole.runs("pending") == [0]
    assert whole.runs("firing") == [FOR_SECONDS]
