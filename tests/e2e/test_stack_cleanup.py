"""The stack leaves nothing behind: no process, no directory, whether its block fails or a service
does not start."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from aurum.monitoring.pipeline import Artifacts
from examples.demo_stack.processes import StackError
from examples.demo_stack.stack import demo_stack
from examples.demo_stack.victoria import victoria_stack, vmalert

pytestmark = pytest.mark.slow


def _children() -> set[int]:
    """Pids of this process's living children (what a leaked service would be), from /proc."""
    me, found = Path("/proc/self").resolve().name, set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, IndexError):
            continue  # exited while we looked
        if ppid == me and state != "Z":
            found.add(int(stat.parent.name))
    return found


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def test_a_failing_block_stops_every_service_and_removes_the_directory(
    bundled_build: tuple[Path, Artifacts], tmp_path: Path
) -> None:
    before = _children()
    with (
        pytest.raises(RuntimeError, match="the test failed here"),
        demo_stack(bundled_build[0], tmp_root=tmp_path) as stack,
    ):
        services = (stack.app, stack.prometheus, stack.alertmanager)
        assert _children() - before == {service.process.pid for service in services}
        raise RuntimeError("the test failed here")
    assert all(service.process.returncode is not None for service in services)
    assert _children() == before
    assert list(tmp_path.iterdir()) == []
    assert not _answers(stack.webhook.url)
    assert not stack.traffic.statuses.get(0), "traffic ran on after the app had stopped"


def test_a_service_that_cannot_start_stops_those_already_started(
    bundled_build: tuple[Path, Artifacts], tmp_path: Path
) -> None:
    build = tmp_path / "build"
    shutil.copytree(bundled_build[0], build)
    (build / "prometheus" / "rules" / "broken.yaml").write_text(
        "groups:\n  - name: broken\n    rules:\n      - record: broken\n        expr: sum(\n"
    )
    work = tmp_path / "work"
    work.mkdir()
    before = _children()
    with (
        pytest.raises(StackError, match=r"(?s)prometheus exited with status [1-9].*broken"),
        demo_stack(build, tmp_root=work, timeout=30),
    ):
        pytest.fail("the stack started with a rule file Prometheus cannot parse")
    assert _children() == before
    assert list(work.iterdir()) == []


def test_a_failing_block_stops_victoriametrics_vmagent_and_vmalert(tmp_path: Path) -> None:
    """The second engine of the two-engine test: its three services stop whatever the block does
    (their directories live in the stack's working directory, which the stack removes)."""
    before = _children()
    rules = tmp_path / "rules"
    rules.mkdir()
    nothing = "127.0.0.1:9"  # discard: nothing to scrape or notify, which the services tolerate
    with (
        pytest.raises(RuntimeError, match="the test failed here"),
        victoria_stack(tmp_path, app=nothing, interval="1s", metrics_path="/metrics") as victoria,
        vmalert(
            tmp_path, victoria=victoria, rules=rules, alertmanager=f"http://{nothing}", interval="1s"
        ) as evaluator,
    ):
        services = (victoria.victoriametrics, victoria.vmagent, evaluator)
        assert _children() - before == {service.process.pid for service in services}
        raise RuntimeError("the test failed here")
    assert all(service.process.returncode is not None for service in services)
    assert _children() == before
    assert not any(_answers(service.url) for service in services)
