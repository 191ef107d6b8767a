"""Names that become paths (dashboard and folder uids, declaration file stems) are checked, and the
writer refuses any path outside the output directory, whatever a declaration managed to name."""

from __future__ import annotations

import textwrap
from pathlib import Path, PurePosixPath

import pytest
from test_declaration_errors import HEADER, _prepare, _slo, _snapshot

from aurum.monitoring.cli import main
from aurum.monitoring.io.output import OutsideOutputError, Staging
from aurum.monitoring.pipeline import render

BOARD = """\
local aurum = import 'aurum.libsonnet';
{
  folder: { uid: %(folder)s, title: 'Team' },
  dashboards: [
    aurum.dashboard(
      uid=%(uid)s,
      title='Escaping',
      tags=['team'],
      rows=[{ title: 'Requests', height: 8, panels: [[aurum.panel('stat', 'Up', [aurum.target('up')], 'short'), 24]] }],
    ),
  ],
}
"""

PYTHON_BOARD = """\
from aurum.monitoring.dashboards import Board, Folder, Row
from grafanalib.core import Stat, Target

BOARD = Board(
    uid=%(uid)s,
    title="Escaping",
    folder=Folder(uid=%(folder)s, title="Team"),
    tags=("team",),
    rows=(Row(title="Up", panels=(Stat(title="Up", targets=[Target(expr="up")]),)),),
)
"""


def _refused(root: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    outside = _snapshot(root.parent)
    status = main(["build", "--root", str(root), "--out", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert status == 2, err
    assert _snapshot(root.parent) == outside, "a file was written or changed outside the output"
    return lines


@pytest.mark.parametrize(
    ("template", "file", "uid", "folder", "field"),
    [
        (BOARD, "board.jsonnet", "'../../escaped'", "'team'", "uid"),
        (BOARD, "board.jsonnet", "'team-board'", "'../../escaped'", "folder.uid"),
        (BOARD, "board.jsonnet", "'/tmp/escaped'", "'team'", "uid"),
        (PYTHON_BOARD, "board.py", "'../../escaped'", "'team'", "uid"),
        (PYTHON_BOARD, "board.py", "'team-board'", "'..'", "folder.uid"),
    ],
    ids=["jsonnet-uid", "jsonnet-folder-uid", "jsonnet-absolute-uid", "python-uid", "python-folder-uid"],
)
def test_a_uid_that_would_leave_the_output_is_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    template: str,
    file: str,
    uid: str,
    folder: str,
    field: str,
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    out = _prepare(root, {"ok.py": HEADER + _slo(name="fine")})
    (root / "dashboards").mkdir()
    (root / "dashboards" / file).write_text(template % {"uid": uid, "folder": folder})
    lines = _refused(root, out, capsys)
    assert any(
        line.startswith(f"error: dashboards/{file}")
        and f"field '{field}'" in line
        and "is not a Grafana uid" in line
        for line in lines
    ), lines


def test_a_rule_file_stem_that_is_no_safe_file_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    out = _prepare(root, {"ok.py": HEADER + _slo(name="fine")})
    (root / "recording_rules").mkdir()
    (root / "recording_rules" / "my rules.jsonnet").write_text("{groups: []}\n")
    (line,) = _refused(root, out, capsys)
    assert line.startswith("error: recording_rules/my rules.jsonnet: module: field '(file name)':"), line
    assert "'my rules' names its rule files" in line, line


def test_hidden_files_are_not_declarations(tmp_path: Path) -> None:
    """An editor's lock link (``.#api.py``, dangling by design) neither breaks nor joins the build."""
    root = tmp_path / "repo"
    root.mkdir()
    _prepare(root, {"ok.py": HEADER + _slo(name="fine")})
    (root / "slos" / ".#ok.py").symlink_to("user@host.1234:1700000000")
    (root / "slos" / ".hidden.py").write_text(HEADER + _slo(name="hidden"))
    manifest = next(content for path, content in render(root).files.items() if path.name == "slos.json")
    assert b'"fine"' in manifest
    assert b'"hidden"' not in manifest


@pytest.mark.parametrize(
    "relative",
    ["../escaped.json", "grafana/../../escaped.json", "/tmp/escaped.json", "."],
)
def test_the_writer_refuses_a_path_outside_its_directory_before_writing_anything(
    tmp_path: Path, relative: str
) -> None:
    directory = tmp_path / "out"
    directory.mkdir()
    files = {PurePosixPath("a/first.json"): b"{}", PurePosixPath(relative): b"{}"}
    with pytest.raises(OutsideOutputError, match="not a file under the output directory"):
        Staging.write_files(directory, files)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["out"]


def test_the_writer_refuses_a_path_through_a_link_that_leaves_its_directory(tmp_path: Path) -> None:
    directory = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    directory.mkdir()
    elsewhere.mkdir()
    (directory / "grafana").symlink_to(elsewhere)
    with pytest.raises(OutsideOutputError):
        Staging.write_files(directory, {PurePosixPath("grafana/board.json"): b"{}"})
    assert not list(elsewhere.iterdir())


def test_the_writer_writes_what_stays_inside(tmp_path: Path) -> None:
    Staging.write_files(tmp_path, {PurePosixPath("a/b.json"): b"{}\n"})
    assert (tmp_path / "a" / "b.json").read_bytes() == textwrap.dedent("{}\n").encode()
