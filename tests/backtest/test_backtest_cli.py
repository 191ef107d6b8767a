"""``aurum-obs backtest``'s bad arguments: exit 2 (1 when Prometheus cannot be read), a clear
message, no traceback."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from aurum.monitoring.cli import main
from tests.backtest.test_backtest_live import DECLARATION


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "slos").mkdir()
    (tmp_path / "slos" / "checkout.py").write_text(textwrap.dedent(DECLARATION.format(tiers="PAGE,")))
    return tmp_path


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--from", "tuesday"], 2, "'tuesday' is not a time"),
        (["--from", "now", "--to", "now-1h"], 2, "--from must be before --to"),
        (["--from", "now-1h", "--slo", "nope"], 2, "no SLO named nope"),
        (["--from", "now-1h", "--against", "no-such-ref"], 2, "revision no-such-ref cannot be read"),
        (["--from", "now-1h"], 1, "could not be reached"),
    ],
)
def test_bad_arguments_are_named_with_their_exit_status(
    root: Path, extra: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["backtest", "--prometheus", "http://127.0.0.1:9", "--root", str(root), *extra]
    assert main(argv) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def _commit(root: Path) -> None:
    for args in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "broken"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_a_revision_whose_declarations_fail_to_build_is_named_with_the_error(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The revision declares an objective above 100 %; the working tree is fine: the error must say the
    revision's declarations are at fault, and which field."""
    declaration = root / "slos" / "checkout.py"
    good = declaration.read_text()
    declaration.write_text(good.replace("objective=99.5", "objective=150"))
    _commit(root)
    declaration.write_text(good)
    argv = ["backtest", "--prometheus", "http://127.0.0.1:9", "--root", str(root), "--from", "now-1h"]
    assert main([*argv, "--against", "HEAD"]) == 2
    err = capsys.readouterr().err
    assert "the declarations of revision HEAD do not build" in err
    assert "objective" in err and "Traceback" not in err


def test_a_revision_that_does_not_exist_is_named(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _commit(root)
    argv = ["backtest", "--prometheus", "http://127.0.0.1:9", "--root", str(root), "--from", "now-1h"]
    assert main([*argv, "--against", "no-such-ref"]) == 2
    err = capsys.readouterr().err
    assert "revision no-such-ref cannot be read" in err and "Traceback" not in err
