"""Rule deploys checked against a real vmalert (the distribution's ``victoria-metrics`` package) on
loopback: what it evaluates is what was declared, rule by rule, and a reload it refuses is rolled back."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

from aurum.monitoring.cli import main
from aurum.monitoring.deploy import vmalert as vmalert_deploy
from examples.demo_stack.processes import free_port, running, tail

from .conftest import Run

pytestmark = pytest.mark.slow

GOLDEN_RULES = Path(__file__).resolve().parents[1] / "golden" / "prometheus" / "rules"


@dataclass
class Vmalert:
    url: str
    rules_dir: Path
    log: Path

    def groups(self) -> dict[tuple[str, str], list[tuple[str, str]]]:
        """``(file name, group) -> [(rule name, query)]`` as vmalert evaluates them."""
        data = requests.get(f"{self.url}/api/v1/rules", timeout=5).json()["data"]["groups"] or []
        return {
            (Path(g["file"]).name, g["name"]): sorted((r["name"], r["query"]) for r in g["rules"])
            for g in data
        }

    def metric(self, name: str) -> float:
        for line in requests.get(f"{self.url}/metrics", timeout=5).text.splitlines():
            if line.startswith(f"{name} "):
                return float(line.split()[1])
        raise AssertionError(f"{name} not in vmalert's /metrics")


@pytest.fixture
def vmalert(tmp_path: Path) -> Iterator[Vmalert]:
    """A real vmalert reading ``rules/*.yaml``; stopped even on failure. Nothing answers at its
    datasource, remote write or notifier: these tests look at what it loads, not what it computes."""
    binary = shutil.which("vmalert")
    if binary is None:
        pytest.fail("vmalert is not installed: apt-get install victoria-metrics (or make build)")
    rules = tmp_path / "rules"
    rules.mkdir()
    nowhere = f"http://127.0.0.1:{free_port()}"
    port = free_port()
    argv = [
        binary,
        f"-rule={rules}/*.yaml",
        f"-datasource.url={nowhere}",
        f"-remoteWrite.url={nowhere}",
        f"-notifier.url={nowhere}",
        f"-httpListenAddr=127.0.0.1:{port}",
        "-evaluationInterval=1m",
    ]
    log = tmp_path / "vmalert.log"
    with running("vmalert", argv, url=f"http://127.0.0.1:{port}", ready_path="/health", log=log) as service:
        yield Vmalert(service.url, rules, log)


def _source(tmp_path: Path, name: str, files: dict[str, str] | None = None) -> Path:
    """A build directory holding the bundled rule files, and ``files`` on top."""
    build = tmp_path / name
    rules = build / "prometheus" / "rules"
    rules.mkdir(parents=True)
    for path in GOLDEN_RULES.glob("*.yaml"):
        shutil.copy(path, rules / path.name)
    for file_name, text in (files or {}).items():
        (rules / file_name).write_text(text)
    return build


def _deploy(capsys, target: Vmalert, build: Path, *flags: str) -> Run:
    capsys.readouterr()
    argv = ["deploy", "vmalert", "--url", target.url, "--rules-dir", str(target.rules_dir)]
    status = main([*argv, "--build", str(build), "--timeout", "5", "--retries", "1", *flags])
    captured = capsys.readouterr()
    return Run(status, captured.out, captured.err)


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _declared() -> dict[tuple[str, str], list[tuple[str, str]]]:
    return {
        (path.name, group["name"]): sorted((r.get("alert") or r["record"], r["expr"]) for r in group["rules"])
        for path in GOLDEN_RULES.glob("*.yaml")
        for group in yaml.safe_load(path.read_text())["groups"]
    }


@pytest.fixture
def deployed(tmp_path: Path, vmalert: Vmalert, capsys) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """The bundled rules deployed, as vmalert evaluates them."""
    run = _deploy(capsys, vmalert, _source(tmp_path, "bundled"))
    assert run.status == 0, run.out + run.err
    return vmalert.groups()


def test_every_declared_group_is_loaded_with_its_rules(
    tmp_path: Path, vmalert: Vmalert, deployed, capsys
) -> None:
    assert deployed == _declared()
    for path in vmalert.rules_dir.glob("*.yaml"):
        assert path.read_text().startswith("# Managed by aurum-obs")
    assert not list(vmalert.rules_dir.glob(".*"))  # no temporary file left behind
    assert vmalert.metric("vmalert_config_last_reload_successful") == 1
    again = _deploy(capsys, vmalert, _source(tmp_path, "same"), "--detailed-exitcode")
    files = len(list(GOLDEN_RULES.glob("*.yaml")))
    assert again.status == 0 and f"{files} unchanged" in again.out


def test_a_reload_vmalert_refuses_is_rolled_back(tmp_path: Path, vmalert: Vmalert, deployed, capsys) -> None:
    """promtool accepts Prometheus's ``toTime`` template function; vmalert 1.79 has no such function
    and refuses the whole reload, which it reports only in its metrics and log."""
    before = _snapshot(vmalert.rules_dir)
    team = {
        "groups": [
            {
                "name": "team-alerts",
                "rules": [
                    {"alert": "Stuck", "expr": "up == 0", "annotations": {"since": "{{ $value | toTime }}"}}
                ],
            }
        ]
    }
    run = _deploy(capsys, vmalert, _source(tmp_path, "newer", {"team.yaml": yaml.safe_dump(team)}))
    assert run.status == 1, run.out + run.err
    assert "vmalert refused the rule files" in run.out, run.out
    assert "rolled back: the previous files are restored and loaded" in run.out, run.out
    assert _snapshot(vmalert.rules_dir) == before
    assert vmalert.groups() == deployed
    assert vmalert.metric("vmalert_config_last_reload_successful") == 1  # the reload after the rollback
    assert "toTime" in tail(vmalert.log, 200)  # where the person deploying finds which rule it was


def test_groups_that_do_not_load_are_rolled_back(
    tmp_path: Path, vmalert: Vmalert, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory outside vmalert's -rule glob reloads fine but loads nothing: that is a failure."""
    monkeypatch.setattr(vmalert_deploy, "CONFIRM_WITHIN", 0.5)
    elsewhere = Vmalert(vmalert.url, tmp_path / "not-in-the-glob", vmalert.log)
    run = _deploy(capsys, elsewhere, _source(tmp_path, "bundled"))
    assert run.status == 1
    not_loaded = next(line for line in run.out.splitlines() if "not loaded: " in line)
    assert "aurum-slo-api-availability-sli (api-availability.yaml)" in not_loaded
    assert "does vmalert's -rule glob match this directory?" in run.out
    assert list(elsewhere.rules_dir.iterdir()) == []
    assert vmalert.groups() == {}


def test_prune_removes_only_managed_files(tmp_path: Path, vmalert: Vmalert, deployed, capsys) -> None:
    team = vmalert.rules_dir / "team.yaml"
    team.write_text(
        yaml.safe_dump({"groups": [{"name": "team", "rules": [{"record": "team:up", "expr": "up"}]}]})
    )
    source = _source(tmp_path, "fewer")
    (source / "prometheus" / "rules" / "data-freshness.yaml").unlink()
    run = _deploy(capsys, vmalert, source, "--prune")
    assert run.status == 0, run.out + run.err
    files = {file for file, _ in vmalert.groups()}
    assert "team.yaml" in files and "data-freshness.yaml" not in files
    assert team.exists() and not (vmalert.rules_dir / "data-freshness.yaml").exists()
