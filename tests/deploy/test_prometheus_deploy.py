"""Rule deploys checked against a real Prometheus (the distribution's package) on loopback: a bad rule
never reaches it, a failed reload is rolled back, and what it evaluates is what was declared."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

from aurum.monitoring.cli import main
from aurum.monitoring.deploy import prometheus as prometheus_deploy

from .conftest import Run

pytestmark = pytest.mark.slow

GOLDEN_RULES = Path(__file__).resolve().parents[1] / "golden" / "prometheus" / "rules"


@dataclass
class Prometheus:
    url: str
    rules_dir: Path

    def groups(self) -> dict[tuple[str, str], list[str]]:
        """``(file name, group) -> [rule queries]`` as Prometheus evaluates them."""
        data = requests.get(f"{self.url}/api/v1/rules", timeout=5).json()["data"]["groups"]
        return {(Path(g["file"]).name, g["name"]): [r["query"] for r in g["rules"]] for g in data}

    def last_reload_ok(self) -> bool:
        metrics = requests.get(f"{self.url}/metrics", timeout=5).text
        return "\nprometheus_config_last_reload_successful 1\n" in metrics


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[Prometheus]:
    """A real Prometheus with the lifecycle API, loading ``rules/*.yaml``; stopped even on failure."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("prometheus is not installed: apt-get install prometheus (or make build)")
    rules = tmp_path / "rules"
    rules.mkdir()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        yaml.safe_dump({"global": {"evaluation_interval": "1m"}, "rule_files": [f"{rules}/*.yaml"]})
    )
    log = (tmp_path / "prometheus.log").open("wb")
    port = _free_port()
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-lifecycle",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Prometheus did not start:\n{(tmp_path / 'prometheus.log').read_text()}")
            time.sleep(0.1)
        yield Prometheus(url, rules)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _source(tmp_path: Path, name: str, files: dict[str, str] | None = None) -> Path:
    """A build directory holding the bundled rule files, or ``files``."""
    build = tmp_path / name
    rules = build / "prometheus" / "rules"
    rules.mkdir(parents=True)
    if files is None:
        for path in GOLDEN_RULES.glob("*.yaml"):
            shutil.copy(path, rules / path.name)
    for file_name, text in (files or {}).items():
        (rules / file_name).write_text(text)
    return build


def _deploy(capsys, prometheus: Prometheus, build: Path, *flags: str) -> Run:
    capsys.readouterr()
    argv = ["deploy", "prometheus", "--url", prometheus.url, "--rules-dir", str(prometheus.rules_dir)]
    status = main([*argv, "--build", str(build), "--timeout", "5", "--retries", "1", *flags])
    captured = capsys.readouterr()
    return Run(status, captured.out, captured.err)


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _bad(rule: str) -> dict[str, str]:
    return {
        "api-availability.yaml": yaml.safe_dump(
            {"groups": [{"name": "broken", "rules": [{"record": "x:y", "expr": rule}]}]}
        )
    }


@pytest.fixture
def deployed(tmp_path: Path, prometheus: Prometheus, capsys) -> dict[tuple[str, str], list[str]]:
    """The bundled rules deployed, as Prometheus evaluates them."""
    run = _deploy(capsys, prometheus, _source(tmp_path, "bundled"))
    assert run.status == 0, run.out + run.err
    return prometheus.groups()


def test_every_declared_group_is_loaded(tmp_path: Path, prometheus: Prometheus, deployed, capsys) -> None:
    expected = {
        (path.name, group["name"]): len(group["rules"])
        for path in GOLDEN_RULES.glob("*.yaml")
        for group in yaml.safe_load(path.read_text())["groups"]
    }
    assert {key: len(rules) for key, rules in deployed.items()} == expected
    for path in prometheus.rules_dir.glob("*.yaml"):
        assert path.read_text().startswith("# Managed by aurum-obs")
    assert not list(prometheus.rules_dir.glob(".*"))  # no temporary file left behind
    again = _deploy(capsys, prometheus, _source(tmp_path, "same"), "--detailed-exitcode")
    files = len(list(GOLDEN_RULES.glob("*.yaml")))
    assert again.status == 0 and f"{files} unchanged" in again.out


def test_a_bad_rule_never_reaches_prometheus(
    tmp_path: Path, prometheus: Prometheus, deployed, capsys
) -> None:
    before = _snapshot(prometheus.rules_dir)
    run = _deploy(
        capsys, prometheus, _source(tmp_path, "bad", _bad("sum(rate(aurum_http_requests_total[5m])"))
    )
    assert run.status == 1
    assert "promtool rejected the rules, nothing was deployed" in run.err
    assert _snapshot(prometheus.rules_dir) == before
    assert prometheus.groups() == deployed


def test_a_failed_reload_is_rolled_back(tmp_path: Path, prometheus: Prometheus, deployed, capsys) -> None:
    """promtool in CI can be newer than the server: here one that accepts everything stands in for a
    promtool that knows sort_by_label(), which this Prometheus (2.42) does not."""
    lenient = tmp_path / "newer-promtool"
    lenient.write_text("#!/bin/sh\nexit 0\n")
    lenient.chmod(0o755)
    before = _snapshot(prometheus.rules_dir)
    source = _source(tmp_path, "newer", _bad('sort_by_label(up, "job")'))
    run = _deploy(capsys, prometheus, source, "--promtool", str(lenient))
    assert run.status == 1
    assert "reload answered 500" in run.out
    assert "rolled back: the previous files are restored and loaded" in run.out, run.out
    assert _snapshot(prometheus.rules_dir) == before
    assert prometheus.groups() == deployed
    assert prometheus.last_reload_ok()  # the reload after the rollback succeeded


def test_groups_that_do_not_load_are_rolled_back(
    tmp_path: Path, prometheus: Prometheus, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory outside Prometheus's rule_files reloads fine but loads nothing: that is a failure."""
    monkeypatch.setattr(prometheus_deploy, "CONFIRM_WITHIN", 0.5)
    elsewhere = Prometheus(prometheus.url, tmp_path / "not-in-rule-files")
    run = _deploy(capsys, elsewhere, _source(tmp_path, "bundled"))
    assert run.status == 1
    not_loaded = next(line for line in run.out.splitlines() if "not loaded: " in line)
    assert "not loaded: aurum-alerts-api (alerts.api.yaml), " in not_loaded
    assert "is this directory in Prometheus's rule_files?" in run.out
    assert list(elsewhere.rules_dir.iterdir()) == []
    assert prometheus.groups() == {}


def test_files_of_the_same_names_loaded_from_another_directory_are_not_a_deploy(
    tmp_path: Path, prometheus: Prometheus, deployed, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prometheus reads rules/*.yaml; deploying the same files into a directory it does not read
    reloads fine and shows groups of the same names and sizes, from the other directory."""
    monkeypatch.setattr(prometheus_deploy, "CONFIRM_WITHIN", 0.5)
    elsewhere = Prometheus(prometheus.url, tmp_path / "not-in-rule-files")
    run = _deploy(capsys, elsewhere, _source(tmp_path, "same"))
    assert run.status == 1, run.out
    prefix = "  create rule file api-availability.yaml: "
    line = next(line for line in run.out.splitlines() if line.startswith(prefix))
    assert "not loaded: aurum-alerts-api (alerts.api.yaml), " in line
    assert (
        "Prometheus reads these from other files instead: "
        f"aurum-alerts-api ({prometheus.rules_dir}/alerts.api.yaml), "
    ) in line
    assert " more; " in line  # the first few named, and how many more
    assert f"The groups must be read from {elsewhere.rules_dir.resolve()}" in line
    assert "rolled back: the previous files are restored and loaded" in line
    assert list(elsewhere.rules_dir.iterdir()) == []
    assert prometheus.groups() == deployed


def test_rules_loaded_with_other_queries_than_deployed_are_not_a_deploy(
    tmp_path: Path, prometheus: Prometheus, deployed, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reload that did not take (here: not sent at all) keeps the old expressions, under the same
    file names, group names and rule counts: the queries are compared, not only counted."""
    monkeypatch.setattr(prometheus_deploy, "CONFIRM_WITHIN", 0.5)
    monkeypatch.setattr(prometheus_deploy.PrometheusClient, "reload", lambda self: None)
    source = _source(tmp_path, "changed")
    latency = source / "prometheus" / "rules" / "api-latency.yaml"
    assert "or vector(0)" in latency.read_text()
    latency.write_text(latency.read_text().replace("or vector(0)", "or vector(1)", 1))
    run = _deploy(capsys, prometheus, source)
    assert run.status == 1, run.out
    assert "loaded with other rules than deployed: " in run.out
    assert "vector(1)" in run.out  # the declared query is named
    assert prometheus.groups() == deployed


def test_a_hand_edited_rule_file_is_a_conflict(
    tmp_path: Path, prometheus: Prometheus, deployed, capsys
) -> None:
    target = prometheus.rules_dir / "api-latency.yaml"
    target.write_text(target.read_text().replace("or vector(0)", "or vector(42)", 1))
    edited = target.read_bytes()
    run = _deploy(capsys, prometheus, _source(tmp_path, "same"))
    assert run.status == 1 and "edited by hand since the last deploy" in run.out
    assert any(line.lstrip().startswith("-") and "vector(42)" in line for line in run.out.splitlines())
    assert target.read_bytes() == edited
    assert _deploy(capsys, prometheus, _source(tmp_path, "force"), "--force").status == 0
    assert "vector(42)" not in target.read_text()


def test_prune_removes_only_managed_files(tmp_path: Path, prometheus: Prometheus, deployed, capsys) -> None:
    team = prometheus.rules_dir / "team.yaml"
    team.write_text(
        yaml.safe_dump({"groups": [{"name": "team", "rules": [{"record": "team:up", "expr": "up"}]}]})
    )
    source = _source(tmp_path, "fewer")
    (source / "prometheus" / "rules" / "data-freshness.yaml").unlink()
    run = _deploy(capsys, prometheus, source, "--prune")
    assert run.status == 0, run.out + run.err
    assert re.search(
        r"^delete +rule file +data-freshness.yaml +- +no longer declared$", run.out, re.MULTILINE
    )
    declared = {path.name for path in GOLDEN_RULES.glob("*.yaml")}
    assert sorted(p.name for p in prometheus.rules_dir.iterdir()) == sorted(
        declared - {"data-freshness.yaml"} | {"team.yaml"}
    )
    files = {file for file, _ in prometheus.groups()}
    assert "team.yaml" in files and "data-freshness.yaml" not in files


def test_prometheus_operator_manifests(tmp_path: Path, capsys, promtool) -> None:
    out = tmp_path / "manifests"
    argv = ["deploy", "prometheus", "--format", "prometheus-operator", "--rules-dir", str(out)]
    argv += [
        "--build",
        str(_source(tmp_path, "bundled")),
        "--namespace",
        "monitoring",
        "--label",
        "release=kube-prom",
    ]
    assert main(argv) == 0
    manifests = sorted(out.glob("*.yaml"))
    assert [p.name for p in manifests] == sorted(p.name for p in GOLDEN_RULES.glob("*.yaml"))
    for path in manifests:
        manifest = yaml.safe_load(path.read_text())
        assert (manifest["apiVersion"], manifest["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
        assert manifest["metadata"]["name"] == f"aurum-{path.stem}"
        assert manifest["metadata"]["namespace"] == "monitoring"
        assert manifest["metadata"]["labels"]["release"] == "kube-prom"
        assert manifest["metadata"]["labels"]["aurum-obs/owner"] == "aurum"  # this repository's owner
        assert manifest["spec"]["groups"] == yaml.safe_load((GOLDEN_RULES / path.name).read_text())["groups"]
        spec = tmp_path / f"spec-{path.name}"
        spec.write_text(yaml.safe_dump({"groups": manifest["spec"]["groups"]}))
        assert promtool.check_rules([spec]).ok
    capsys.readouterr()
    assert main([*argv, "--detailed-exitcode"]) == 0  # a second run changes nothing
