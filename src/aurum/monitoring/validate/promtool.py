"""promtool, run as a subprocess: ``check rules`` with every lint fatal, and ``test rules``."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Promtool", "PromtoolMissingError", "PromtoolResult"]


class PromtoolMissingError(RuntimeError):
    """promtool is not installed."""


@dataclass(frozen=True, slots=True)
class PromtoolResult:
    ok: bool
    output: str


@dataclass(frozen=True, slots=True)
class Promtool:
    binary: str

    @classmethod
    def find(cls, binary: str = "promtool") -> Promtool:
        path = shutil.which(binary)
        if path is None:
            msg = (
                f"{binary} not found on PATH; install the distribution's 'prometheus' package "
                "(apt-get install prometheus) or run 'make build', which does"
            )
            raise PromtoolMissingError(msg)
        return cls(path)

    def _run(self, *args: str, cwd: Path | None = None) -> PromtoolResult:
        done = subprocess.run(
            [self.binary, *args], capture_output=True, text=True, check=False, cwd=cwd, timeout=600
        )
        return PromtoolResult(done.returncode == 0, (done.stdout + done.stderr).strip())

    def version(self) -> tuple[int, int]:
        text = self._run("--version").output
        match = re.search(r"version (\d+)\.(\d+)", text)
        return (int(match.group(1)), int(match.group(2))) if match else (0, 0)

    def check_rules(self, files: list[Path]) -> PromtoolResult:
        """``promtool check rules --lint=all --lint-fatal``: duplicate rules fail too."""
        return self._run("check", "rules", "--lint=all", "--lint-fatal", *map(str, files))

    def test_rules(self, files: list[Path], cwd: Path | None = None) -> PromtoolResult:
        return self._run("test", "rules", *map(str, files), cwd=cwd)
