"""The spec's code blocks, by the heading they appear under (read from the vendored copy of the spec)."""

from __future__ import annotations

import re
from pathlib import Path

# Stored as .txt so formatters that understand Markdown leave the spec byte-identical.
DATA = Path(__file__).parent / "data" / "observability-system.md.txt"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "spec" / "observability-system.md"

_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def blocks(language: str) -> dict[str, str]:
    """``{heading: code}`` for every block of ``language`` (the heading is the closest one above)."""
    text = DATA.read_text()
    found: dict[str, str] = {}
    for match in _BLOCK.finditer(text):
        if match.group(1) != language:
            continue
        headings = re.findall(r"^#+ (.+)$", text[: match.start()], re.M)
        found[headings[-1].strip()] = match.group(2)
    return found
