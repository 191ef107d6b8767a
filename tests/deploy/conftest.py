"""Fixtures for the deploy tests: a stand-in Grafana with fault injection, a build directory with small
fixture dashboards in the build's layout, and a runner for the ``aurum-obs`` command line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aurum.monitoring.cli import main
from aurum.monitoring.deploy.standins import Faults, GrafanaStandin, serve
from aurum.monitoring.deploy.standins.grafana_store import GrafanaStore

TOKEN = "glsa_Sup3rSecretT0ken_do-not-print"
FOLDERS = {"aurum-slos": "Aurum SLOs", "aurum-ops": "Aurum operations"}


def dashboard(
    uid: str, title: str, *, expr: str = "up", tags: tuple[str, ...] = ("aurum",)
) -> dict[str, Any]:
    """A small dashboard model as the build writes it: uid, title, tags, panels; no id, no version."""
    return {
        "uid": uid,
        "title": title,
        "tags": list(tags),
        "schemaVersion": 39,
        "panels": [
            {"id": 1, "type": "timeseries", "title": "Requests", "targets": [{"refId": "A", "expr": expr}]},
        ],
    }


@dataclass
class Build:
    """A ``build/`` directory with ``grafana/folders.json`` and ``grafana/dashboards/<folder>/<uid>.json``."""

    path: Path

    def write(self, *dashboards: tuple[str, dict[str, Any]], folders: dict[str, str] | None = None) -> Build:
        grafana = self.path / "grafana"
        if grafana.exists():
            for old in grafana.rglob("*.json"):
                old.unlink()
        grafana.mkdir(parents=True, exist_ok=True)
        (grafana / "folders.json").write_text(json.dumps(folders or FOLDERS))
        for folder, model in dashboards:
            target = grafana / "dashboards" / folder / f"{model['uid']}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(model, indent=2))
        return self


@dataclass
class Grafana:
    url: str
    app: GrafanaStandin
    faults: Faults

    @property
    def store(self) -> GrafanaStore:
        return self.app.store

    def posts(self) -> int:
        return self.faults.count("POST", "/api/dashboards/db")


@dataclass
class Run:
    status: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.out)
        return document


@pytest.fixture
def grafana() -> Iterator[Grafana]:
    faults = Faults()
    app = GrafanaStandin(TOKEN)
    with serve(app, faults) as url:
        yield Grafana(url, app, faults)


@pytest.fixture
def build(tmp_path: Path) -> Build:
    return Build(tmp_path / "build")


@pytest.fixture
def deploy(
    grafana: Grafana, build: Build, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """``deploy(*flags)`` runs ``aurum-obs deploy grafana`` against the stand-in with fast retries."""
    monkeypatch.setenv("GRAFANA_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_SHA", "0123456789abcdef0123")

    def run(*flags: str, token: str = TOKEN) -> Run:
        monkeypatch.setenv("GRAFANA_TOKEN", token)
        capsys.readouterr()
        argv = ["deploy", "grafana", "--url", grafana.url, "--build", str(build.path)]
        status = main([*argv, "--timeout", "0.5", "--retries", "3", "--backoff", "0.01", *flags])
        captured = capsys.readouterr()
        return Run(status, captured.out, captured.err)

    return run


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every log record at DEBUG, urllib3's retry warnings included, to check what they reveal."""
    caplog.set_level(logging.DEBUG)
    return caplog
