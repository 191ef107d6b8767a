"""Declaration files that cannot be read, or that try to stop the build, and builds with several broken
declarations: each is exit 2 with the file named, never a traceback, and every problem is reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_declaration_errors import HEADER, _prepare, _slo, _snapshot

from aurum.monitoring.cli import main
from aurum.monitoring.pipeline import render


def _errors(stderr: str) -> list[str]:
    lines = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert lines, stderr
    assert "Traceback" not in stderr, stderr
    return lines


def _refused(tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    before = _snapshot(out)
    status = main(["build", "--root", str(tmp_path), "--out", str(out)])
    lines = _errors(capsys.readouterr().err)
    assert status == 2, lines
    assert _snapshot(out) == before
    return lines


def test_a_file_that_is_not_utf8_is_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _prepare(tmp_path, {})
    source = HEADER + _slo('description="Caf\xe9 latency."')
    (tmp_path / "slos" / "latin.py").write_bytes(source.encode("latin-1"))
    (line,) = _refused(tmp_path, out, capsys)
    assert line.startswith("error: slos/latin.py: file: field '(file)': not readable as Python source"), line
    assert "b'\\xe9'" in line, line
    assert "coding line" in line, line


def test_a_file_declaring_its_encoding_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _prepare(tmp_path, {})
    source = "# -*- coding: latin-1 -*-\n" + HEADER + _slo('description="Caf\xe9 latency."', name="cafe")
    (tmp_path / "slos" / "latin.py").write_bytes(source.encode("latin-1"))
    artifacts = render(tmp_path)
    manifest = next(content for path, content in artifacts.files.items() if path.name == "slos.json")
    assert '"description": "Caf\u00e9 latency."' in manifest.decode("utf-8")
    assert main(["build", "--root", str(tmp_path), "--out", str(out), "--jobs", "1"]) == 0, (
        capsys.readouterr().err
    )
    assert "Café latency." in (out / "slos.json").read_text(encoding="utf-8")


def test_a_jsonnet_file_that_is_not_utf8_is_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _prepare(tmp_path, {"ok.py": HEADER + _slo(name="fine")})
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "board.jsonnet").write_bytes(b'{folder: {uid: "x", title: "caf\xe9"}}\n')
    (line,) = _refused(tmp_path, out, capsys)
    assert line.startswith("error: dashboards/board.jsonnet: file: field '(file)': not UTF-8"), line


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: (d / "loop.py").symlink_to("loop.py"), "a symbolic link that loops back on itself"),
        (
            lambda d: (d / "gone.py").symlink_to("nowhere.py"),
            "a symbolic link to nowhere.py, which does not exist",
        ),
        (lambda d: (d / "folder.py").mkdir(), "not a regular file"),
    ],
    ids=["loop", "dangling", "directory"],
)
def test_an_unusable_entry_in_a_declaration_folder_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, message: str
) -> None:
    out = _prepare(tmp_path, {"ok.py": HEADER + _slo(name="fine")})
    assert callable(make)
    make(tmp_path / "slos")
    (line,) = _refused(tmp_path, out, capsys)
    name = line.removeprefix("error: ").split(":")[0]
    assert name in {"slos/loop.py", "slos/gone.py", "slos/folder.py"}, line
    assert line.endswith(f"field '(file)': {message}"), line


def test_a_dangling_jsonnet_link_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _prepare(tmp_path, {"ok.py": HEADER + _slo(name="fine")})
    (tmp_path / "alerts").mkdir()
    (tmp_path / "alerts" / "team.jsonnet").symlink_to("../vendor/team.jsonnet")
    (line,) = _refused(tmp_path, out, capsys)
    assert line.startswith("error: alerts/team.jsonnet: file: field '(file)': a symbolic link to"), line


def test_a_declaration_folder_that_is_a_dangling_link_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _prepare(tmp_path, {"ok.py": HEADER + _slo(name="fine")})
    (tmp_path / "dashboards").symlink_to("shared/dashboards")
    (line,) = _refused(tmp_path, out, capsys)
    assert line == (
        "error: dashboards: file: field '(file)': a symbolic link to shared/dashboards, which does not exist"
    ), line


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ('import sys\nsys.exit("stop the build")', "calls sys.exit('stop the build')"),
        ("raise SystemExit(3)", "calls sys.exit(3)"),
        ("raise KeyboardInterrupt", "raises KeyboardInterrupt"),
        ("class Stop(BaseException): pass\nraise Stop('halt')", "raises Stop: halt"),
        ("raise GeneratorExit", "raises GeneratorExit"),
        (
            "class Mute:\n    def __repr__(self): raise ValueError\nraise SystemExit(Mute())",
            "calls sys.exit(<Mute whose repr() raised>)",
        ),
        ("import os\nos._exit(0)", "calls os._exit(0)"),  # skips every handler: exit 0, nothing built
        ("import posix\nposix._exit(3)", "calls os._exit(3)"),
    ],
    ids=[
        "sys-exit-text",
        "system-exit-code",
        "keyboard-interrupt",
        "base-exception",
        "generator-exit",
        "unspeakable",
        "os-exit",
        "posix-exit",
    ],
)
def test_a_declaration_that_stops_the_process_is_a_declaration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], statement: str, message: str
) -> None:
    out = _prepare(tmp_path, {"stop.py": HEADER + _slo(name="fine") + statement + "\n"})
    (line,) = _refused(tmp_path, out, capsys)
    assert line.startswith("error: slos/stop.py:"), line
    assert f": module: field '(code)': {message}; a declaration cannot end the build" in line, line


def test_three_broken_slos_in_one_file_are_all_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (
        HEADER
        + _slo("objective=100", name="first")
        + _slo("period_days=0", name="second")
        + _slo("sli=RatioSLI(total=REQUESTS)", name="third")
        + "ALL = [BAD]\n"  # reads a name a failure left unbound: no fourth, derived error
    )
    out = _prepare(tmp_path, {"three.py": source})
    lines = _refused(tmp_path, out, capsys)
    assert len(lines) == 3, lines
    for line, obj, field in zip(
        lines, ["first", "second", "third"], ["objective", "period_days", "sli"], strict=True
    ):
        assert line.startswith("error: slos/three.py:"), line
        assert f": SLO '{obj}': field '{field}'" in line, line


def test_broken_slos_in_several_files_and_a_duplicate_are_all_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _prepare(
        tmp_path,
        {
            "a.py": HEADER + _slo("objective=0", name="a"),
            "b.py": "BAD = SLO(name='x'\n",
            "c.py": HEADER + _slo(name="twin"),
            "d.py": HEADER + _slo(name="twin") + _slo('service=""', name="d"),
        },
    )
    lines = _refused(tmp_path, out, capsys)
    assert [line.removeprefix("error: ").split(":")[0] for line in lines] == [
        "slos/a.py",
        "slos/b.py",
        "slos/d.py",
        "slos/d.py",
    ], lines
    assert "field '(syntax)'" in lines[1]
    assert "field 'service'" in lines[2]
    assert "SLO 'twin': field 'name'" in lines[3]
    assert "is already declared at slos/c.py:7" in lines[3]


def test_the_report_command_marks_every_problem_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _prepare(
        tmp_path,
        {"a.py": HEADER + _slo("objective=0", name="a"), "b.py": HEADER + _slo('service=""', name="b")},
    )
    status = main(["report", "--prometheus", "http://127.0.0.1:9", "--root", str(tmp_path)])
    lines = capsys.readouterr().err.splitlines()
    assert status == 2, lines
    assert [line.split(":")[1] for line in lines] == [" slos/a.py", " slos/b.py"], lines
    assert all(line.startswith("error: ") for line in lines), lines


def test_an_exception_whose_str_raises_is_still_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = "class Broken(Exception):\n    def __str__(self): raise RuntimeError('no')\nraise Broken()\n"
    out = _prepare(tmp_path, {"broken.py": HEADER + source})
    (line,) = _refused(tmp_path, out, capsys)
    assert line.endswith("field '(code)': Broken: <Broken whose str() raised>"), line


def test_an_imported_jsonnet_library_that_is_not_utf8_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _prepare(tmp_path, {"ok.py": HEADER + _slo(name="fine")})
    (tmp_path / "vendor" / "lib").mkdir(parents=True)
    (tmp_path / "vendor" / "lib" / "names.libsonnet").write_bytes(b'{ name: "caf\xe9" }\n')
    (tmp_path / "recording_rules").mkdir()
    (tmp_path / "recording_rules" / "team.jsonnet").write_text(
        "local n = import 'lib/names.libsonnet';\n{groups: [{name: n.name, rules: []}]}\n"
    )
    (line,) = _refused(tmp_path, out, capsys)
    assert line.startswith("error: recording_rules/team.jsonnet:1: Jsonnet: field '(evaluation)': "), line
    assert "import vendor/lib/names.libsonnet is not UTF-8 (byte b'\\xe9' at offset 12)" in line, line


def test_broken_alerts_records_and_dashboards_are_reported_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """(Broken SLOs are reported alone, first: the rules and dashboards read the SLOs.)"""
    out = _prepare(tmp_path, {"a.py": HEADER + _slo(name="a")})
    for directory, name, source in [
        ("alerts", "team.py", "from aurum.monitoring import Alert\nBAD = Alert(name='TeamDown')\n"),
        ("recording_rules", "team.py", "from aurum.monitoring import Record\nBAD = Record(record='a:b:c')\n"),
        ("recording_rules", "cache.jsonnet", "{groups: 'none'}\n"),
        ("dashboards", "team.jsonnet", "{folder: {uid: 'team', title: 'Team'}, dashboards: 'none'}\n"),
    ]:
        (tmp_path / directory).mkdir(exist_ok=True)
        (tmp_path / directory / name).write_text(source)
    lines = _refused(tmp_path, out, capsys)
    files = [line.removeprefix("error: ").split(":")[0] for line in lines]
    assert sorted(set(files)) == [
        "alerts/team.py",
        "dashboards/team.jsonnet",
        "recording_rules/cache.jsonnet",
        "recording_rules/team.py",
    ], lines


def test_a_declaration_folder_that_loops_is_named_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """recording_rules/ holds Python and Jsonnet declarations: both loaders meet the loop, one line says so."""
    out = _prepare(tmp_path, {"ok.py": HEADER + _slo(name="fine")})
    (tmp_path / "recording_rules").symlink_to("recording_rules")
    (line,) = _refused(tmp_path, out, capsys)
    assert (
        line == "error: recording_rules: file: field '(file)': a symbolic link that loops back on itself"
    ), line
