"""``aurum-obs backtest``'s bad arguments: exit 2 (1 when Prometheus cannot be read), a clear
message, no traceback."""

from __future__ import annotations

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
        (["--from", "now-1h", "--against", "no-such-ref"], 2, "error: "),
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
