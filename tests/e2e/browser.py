"""Debian's chromium, headless, to check that a page really renders: its DOM after load and a screenshot.

The flags are the ones that work on these machines (no sandbox as root, no GPU, nothing fetched in
the background), with a new empty profile each time. Every request a page would make to the network
goes to a proxy that does not exist, so a page that needs the network shows it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["FLAGS", "IMAGES_PROBE", "chromium", "dump_dom", "screenshot"]

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Nothing may come from the network: a request would fail against this unused port.
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)

IMAGES_PROBE = """
<script>
window.addEventListener("load", () => {
  const sizes = [...document.images].map((i) => `${i.complete}:${i.naturalWidth}x${i.naturalHeight}`);
  document.body.setAttribute("data-images", sizes.join(" "));
});
</script>
"""
"""Appended to a copy of a page (never to the page itself): records whether each image decoded."""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        msg = "chromium is not installed: apt-get install chromium (make build does)"
        raise RuntimeError(msg)
    return found


def _run(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="aurum-chromium-") as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )


def dump_dom(page: Path) -> str:
    """The page's DOM once loaded (scripts run, a few seconds of virtual time for them)."""
    return _run(page, "--virtual-time-budget=5000", "--dump-dom").stdout


def screenshot(page: Path, out: Path, width: int = 1200, height: int = 2400) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    _run(page, f"--window-size={width},{height}", "--hide-scrollbars", f"--screenshot={out.resolve()}")
    return out
