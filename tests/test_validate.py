"""``aurum-obs validate`` checks what ``build`` checks but the unit tests; ``--root`` and ``--out``
that make no sense are errors, not empty successes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from test_declaration_errors import CASES as DECLARATION_CASES
from test_declaration_errors import HEADER
from test_lint import CASES as LINT_CASES

from aurum.monitoring.cli import main

BROKEN_TREES = [
    (f"declaration {case[0]}", {"slos/bad.py": HEADER + case[1]}) for case in DECLARATION_CASES
] + [(f"lint {case[0]}", case[1]) for case in LINT_CASES]


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _errors(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.endswith("was left unchanged.")]


@pytest.mark.parametrize("files", [tree[1] for tree in BROKEN_TREES], ids=[tree[0] for tree in BROKEN_TREES])
def test_validate_refuses_every_declaration_and_lint_error_build_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    root = tmp_path / "repo"
    _write(root, files)
    assert main(["build", "--root", str(root), "--out", str(tmp_path / "out"), "--no-cache"]) == 2
    refused_by_build = _errors(capsys.readouterr().err)
    assert main(["validate", "--root", str(root), "--no-cache"]) == 2
    assert _errors(capsys.readouterr().err) == refused_by_build
    assert not (tmp_path / "out").exists()


def _promtool_failing(tmp_path: Path, failing: str) -> str:
    script = tmp_path / "promtool"
    script.write_text(
        f'#!/bin/sh\nif [ "$1" = "{failing}" ]; then echo "{failing} refused"; exit 1; fi\nexec promtool "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_validate_runs_promtool_check_rules_but_no_unit_test(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    no_tests = _promtool_failing(tmp_path, "test")
    assert main(["validate", "--root", str(repo_root), "--promtool", no_tests, "--no-cache"]) == 0
    assert "promtool check rules --lint=all --lint-fatal: 14 files OK" in capsys.readouterr().out
    no_check = _promtool_failing(tmp_path, "check")
    assert main(["validate", "--root", str(repo_root), "--promtool", no_check, "--no-cache"]) == 1
    assert "check refused" in capsys.readouterr().err
    assert not list(repo_root.glob(".build.*"))


def test_a_root_that_does_not_exist_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("build", "validate"):
        assert main([command, "--root", str(tmp_path / "nowhere")]) == 2
        assert f"--root {tmp_path / 'nowhere'}: no such directory" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()


def test_a_root_without_declarations_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "slos").mkdir()
    (tmp_path / "README.md").write_text("not a declaration")
    for command in ("build", "validate"):
        assert main([command, "--root", str(tmp_path)]) == 2
        assert f"{tmp_path} holds no declarations" in capsys.readouterr().err
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize("where", ["the root itself", "a parent of the root", "a file"])
def test_an_out_that_would_replace_the_declarations_or_a_file_is_an_error(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    root = tmp_path / "repo"
    _write(root, {"slos/api.py": (repo_root / "slos" / "api.py").read_text(), "notes.txt": "keep me"})
    out = {"the root itself": root, "a parent of the root": tmp_path, "a file": root / "notes.txt"}[where]
    assert main(["build", "--root", str(root), "--out", str(out)]) == 2
    assert f"--out {out}: " in capsys.readouterr().err
    assert (root / "notes.txt").read_text() == "keep me"
    assert (root / "slos" / "api.py").exists()


@pytest.mark.parametrize("where", ["slos", "a folder of notes"])
def test_an_out_holding_files_no_build_writes_is_refused_and_kept(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """``--out slos`` once replaced the declarations with the build's output and exited 0."""
    root = tmp_path / "repo"
    _write(root, {"slos/api.py": (repo_root / "slos" / "api.py").read_text(), "notes/a.txt": "keep me"})
    out = root / ("slos" if where == "slos" else "notes")
    assert main(["build", "--root", str(root), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    held = "api.py" if where == "slos" else "a.txt"
    assert (
        f"error: --out {out}: the build replaces it whole, and it holds {held}, which no build writes" in err
    )
    assert (root / "slos" / "api.py").exists()
    assert (root / "notes" / "a.txt").read_text() == "keep me"


def test_a_previous_build_or_an_empty_directory_is_replaced(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    _write(root, {"slos/api.py": (repo_root / "slos" / "api.py").read_text()})
    out = tmp_path / "out"
    out.mkdir()
    assert main(["build", "--root", str(root), "--out", str(out)]) == 0
    assert main(["build", "--root", str(root), "--out", str(out)]) == 0, capsys.readouterr().err
    assert sorted(entry.name for entry in out.iterdir()) == ["grafana", "prometheus", "slos.json"]


def test_an_output_that_cannot_be_written_is_exit_1_without_a_traceback(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    _write(root, {"slos/api.py": (repo_root / "slos" / "api.py").read_text()})
    out = Path("/proc/aurum-obs-build")  # no directory can be made there, even by root
    assert main(["build", "--root", str(root), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert (
        f"error: could not write the output {out}: No such file or directory (/proc/.aurum-obs-build.staging)"
        in err
    )
    assert f"{out} was left unchanged." in err
