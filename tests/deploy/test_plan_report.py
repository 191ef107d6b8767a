"""How a deploy reads to the person running it: a dirty working tree is warned about, before a dry run
and before an apply, and an overwrite forced over a hand edit is reported as exactly that."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import Build, Grafana, dashboard


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed repository as the working directory, with build/ ignored as in this one."""
    root = tmp_path / "checkout"
    (root / "slos").mkdir(parents=True)
    (root / "slos" / "api.py").write_text("# an SLO\n")
    (root / ".gitignore").write_text("/build/\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    monkeypatch.chdir(root)
    return root


WARNING = "warning: the working tree has uncommitted changes"


def test_a_dirty_tree_is_warned_about_in_a_dry_run_and_an_apply(
    grafana: Grafana, build: Build, deploy, checkout: Path
) -> None:
    build.write(("aurum-slos", dashboard("one", "One")))
    clean = deploy("--dry-run")
    assert clean.status == 0 and WARNING not in clean.err
    (checkout / "slos" / "api.py").write_text("# an SLO, edited\n")
    (checkout / "slos" / "new.py").write_text("# not committed yet\n")
    for run in (deploy("--dry-run"), deploy()):
        assert run.status == 0
        assert f"{WARNING} (slos/api.py, slos/new.py)" in run.err


def test_a_forced_overwrite_is_reported_as_such(grafana: Grafana, build: Build, deploy) -> None:
    build.write(("aurum-slos", dashboard("edited", "Edited")), ("aurum-slos", dashboard("other", "Other")))
    assert deploy().status == 0
    grafana.store.edit("edited", title="Edited by hand")
    build.write(
        ("aurum-slos", dashboard("edited", "Edited")),
        ("aurum-slos", dashboard("other", "Other", expr="sum(up)")),
    )
    plan = deploy("--dry-run", "--force")
    assert "(--force: will be OVERWRITTEN)" in plan.out
    run = deploy("--force")
    assert run.status == 0, run.out + run.err
    assert (
        "Deploy to Grafana: 2 applied (1 of them overwriting with --force), 0 failed, 2 unchanged." in run.out
    )
    assert (
        "Overwritten with --force (what was in the target is lost):\n"
        "  dashboard edited (Edited): changed in Grafana since the last deploy (now version 2" in run.out
    )
    assert "Applied:\n  update dashboard other (Other)\n" in run.out
    assert grafana.store.dashboards["edited"].model["title"] == "Edited"
