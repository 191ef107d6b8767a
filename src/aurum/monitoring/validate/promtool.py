"""promtool, run as a subprocess: ``check rules`` with every lint fatal, and ``test rules``."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CHECK_RULES",
    "CHECK_RULES_UNLINTED",
    "TEST_RULES",
    "Promtool",
    "PromtoolMissingError",
    "PromtoolResult",
]

CHECK_RULES = ("check", "rules", "--lint=all", "--lint-fatal")
"""Every lint fatal: duplicate rules fail too."""
CHECK_RULES_UNLINTED = ("check", "rules", "--lint=none")
"""For files whose same-name records the build's lint proved disjoint: promtool's only lint,
duplicate-rules, flags any two records of one name and labels, however different their series."""
TEST_RULES = ("test", "rules")


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

    def identity(self) -> str:
        """What a proof depends on besides its files: which binary, and the version it reports."""
        return f"{self.binary}\n{self._run('--version').output}"

    def version(self) -> tuple[int, int]:
        text = self._run("--version").output
        match = re.search(r"version (\d+)\.(\d+)", text)
        return (int(match.group(1)), int(match.group(2))) if match else (0, 0)

    def check_rules(self, files: list[Path], *, lint: bool = True) -> PromtoolResult:
        """``promtool check rules --lint=all --lint-fatal`` (``--lint=none`` without ``lint``)."""
        return self._run(*(CHECK_RULES if lint else CHECK_RULES_UNLINTED), *map(str, files))

    def test_rules(self, files: list[Path], cwd: Path | None = None) -> PromtoolResult:
        return self._run(*TEST_RULES, *map(str, files), cwd=cwd)
