"""Child processes of the stack: started on loopback, waited for with a deadline, always stopped.

Standard library only, and independent of ``aurum.monitoring``: the stack runs what the build wrote
(files under ``build/``), not the build's code, exactly as a Prometheus in production would.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Service", "StackError", "free_port", "running", "tail", "wait_until"]

_STOP_SECONDS = 10.0


class StackError(RuntimeError):
    """A service did not start, or a bounded wait ran out; the message carries the evidence."""


def free_port() -> int:
    """A port free on loopback now. Prometheus and Alertmanager can only be told a port, not handed a
    bound socket, so another process could take it before they bind: start-up then fails loudly."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, evidence: Callable[[], str] = str
) -> None:
    """Poll ``condition`` until it holds; past ``timeout`` seconds raise, with ``evidence()``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            msg = f"timed out after {timeout:.0f}s waiting for {what}\n{evidence()}"
            raise StackError(msg)
        time.sleep(0.25)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _guarded(argv: list[str]) -> list[str]:
    # If this process dies without cleaning up (SIGKILL, a CI timeout), the kernel sends the child
    # SIGTERM: setpriv sets the parent-death signal, then execs the service, which keeps it. It is
    # tied to the spawning thread, so services are started from the main thread.
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--", *argv] if setpriv else argv


@dataclass(frozen=True)
class Service:
    name: str
    url: str
    log: Path
    process: subprocess.Popen[bytes]


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def running(
    name: str,
    argv: list[str],
    *,
    url: str,
    ready_path: str,
    log: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[Service]:
    """Run ``argv`` until the block ends, once ``url + ready_path`` answers 200; stopped and waited for
    on the way out, whatever happened (terminate, then kill after ten seconds)."""
    with log.open("ab") as output:
        # A session of its own: Ctrl-C in a terminal reaches only the stack, which then stops the
        # services in order instead of racing them as they all die at once.
        process = subprocess.Popen(
            _guarded(argv), stdout=output, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        service = Service(name, url, log, process)
        wait_until(
            lambda: process.poll() is not None or _answers(url + ready_path),
            timeout,
            f"{name} to answer {url}{ready_path}",
            lambda: f"last lines of {log}:\n{tail(log)}",
        )
        if process.poll() is not None:
            msg = f"{name} exited with status {process.returncode}; last lines of {log}:\n{tail(log)}"
            raise StackError(msg)
        yield service
    finally:
        _stop(process)
