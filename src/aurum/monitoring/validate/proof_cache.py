"""Proofs cached by content: a promtool run that passed is not repeated on byte-identical input.

A key digests everything the outcome depends on: which promtool (its path and its ``--version``
output), the command, and the bytes of every file it reads (a test file and each rule file it
loads). Only passing runs are recorded, so a failure is always re-run and shown. Entries are empty
marker files named by their key, written atomically, so several builds can share one directory (CI
keeps it between runs) and a killed build never leaves a half-written entry.
"""

from __future__ import annotations

import glob
import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["ProofCache", "default_cache_dir", "test_inputs"]

_SCHEMA = b"aurum-obs promtool proof 1"
"""Bumped when what a key covers changes, so older entries stop matching."""

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/aurum-obs/proofs`` (``~/.cache`` by default): outside ``build/``, which every
    build replaces whole, and one directory CI can keep."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aurum-obs" / "proofs"


def test_inputs(test_file: Path) -> list[Path] | None:
    """The test file and every rule file it loads (relative to it, globs expanded as promtool does);
    None when that cannot be known, e.g. unreadable YAML or a missing rule file: then promtool runs."""
    try:
        document = yaml.load(test_file.read_bytes(), Loader=_Loader)
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("rule_files", []), list):
        return None
    inputs = [test_file]
    for pattern in document.get("rule_files", []):
        # Patterns may be absolute or climb with '..', as promtool's own filepath.Glob takes them.
        matches = sorted(glob.glob(str(test_file.parent / str(pattern))))  # noqa: PTH207
        if not matches:
            return None
        inputs += [Path(match) for match in matches]
    return inputs


@dataclass(frozen=True, slots=True)
class ProofCache:
    directory: Path

    def key(self, identity: str, command: Sequence[str], files: Sequence[Path]) -> str | None:
        """The digest of one promtool run, or None when one of ``files`` cannot be read."""
        digest = hashlib.sha256(_SCHEMA)
        for part in (identity, *command):
            digest.update(_framed(part.encode()))
        for path in files:
            try:
                digest.update(_framed(path.read_bytes()))
            except OSError:
                return None
        return digest.hexdigest()

    def _entry(self, key: str) -> Path:
        return self.directory / key[:2] / key

    def passed(self, key: str) -> bool:
        return self._entry(key).is_file()

    def record(self, key: str) -> None:
        """Remember that the run of ``key`` passed; a cache that cannot be written is only slower."""
        entry = self._entry(key)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
            os.close(handle)
            Path(temporary).replace(entry)
        except OSError:
            return


def _framed(part: bytes) -> bytes:
    # Length-prefixed, so no two different sequences of parts digest the same bytes.
    return len(part).to_bytes(8, "big") + part
