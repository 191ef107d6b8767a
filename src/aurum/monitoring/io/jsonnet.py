"""Evaluating ``.jsonnet`` declarations with the ``jsonnet`` Python binding.

Every file sees two external variables, ``std.extVar('catalog')`` (metrics, labels and output
contract names, keyed as in :mod:`aurum.observability.catalog`) and ``std.extVar('slos')`` (the
SLO declarations). Imports are searched as jsonnet-bundler sets them up (``jb install`` writes
``vendor/github.com/<org>/<repo>/...``, and mixins import each other by those paths): the importing
file's directory, then ``vendor/``, then the repository root, then our own library
(``import 'aurum.libsonnet'``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _jsonnet

from aurum.monitoring.io.errors import DeclarationError
from aurum.monitoring.io.sources import declaration_files, require_utf8

__all__ = [
    "LIBRARY_DIR",
    "MIXIN_ENTRY_POINT",
    "VENDOR_DIR",
    "Evaluation",
    "evaluate",
    "jsonnet_files",
    "resolve",
    "search_path",
]

LIBRARY_DIR = Path(__file__).resolve().parent.parent / "jsonnet"
"""Where ``aurum.libsonnet`` lives (package data, so it also works from an installed package)."""
VENDOR_DIR = "vendor"
MIXIN_ENTRY_POINT = "mixin.libsonnet"


def jsonnet_files(directory: Path, root: Path) -> list[Path]:
    """``*.jsonnet`` declarations of ``directory``, sorted; files starting with ``_`` are helpers."""
    return declaration_files(directory, ".jsonnet", root)


def _error(shown: str, path: Path, root: Path, message: str) -> DeclarationError:
    """One line: Jsonnet's first line and the innermost place in the declaration file it points at."""
    for full, short in (
        (str(path), shown),
        (f"{LIBRARY_DIR}/", ""),
        (f"{root / VENDOR_DIR}/", f"{VENDOR_DIR}/"),
        (f"{root}/" if root.is_absolute() else str(path), ""),  # a relative root shows as it is
    ):
        message = message.replace(full, short)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    head = lines[0] if lines else "evaluation failed"
    places = [line.split("\t")[0].strip() for line in lines[1:]]
    line, place = None, ""
    for candidate in [head, *places]:
        found = re.search(rf"{re.escape(shown)}:\(?(\d+):", candidate)
        if found:
            line, place = int(found.group(1)), candidate
            break
    text = f"{head} (at {place})" if place and place != head else head
    return DeclarationError(shown, line, "Jsonnet", (("(evaluation)", text),))


def search_path(root: Path) -> list[Path]:
    """Jsonnet's import path (``-J``) for the declarations under ``root``, first match wins."""
    return [root / VENDOR_DIR, root, LIBRARY_DIR]


def resolve(name: str, root: Path) -> Path | None:
    """The file ``name`` designates on the import path, as ``import`` would find it; None if none."""
    for directory in search_path(root):
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True)
class Evaluation:
    value: Any
    imports: tuple[Path, ...]
    """What the file imported itself (not what those files import), as found on the import path."""

    def source_tree(self, root: Path, file: str) -> str:
        """Whose declarations these are, for the lint's policies: a file importing a vendored mixin's
        ``mixin.libsonnet`` (the entry point jsonnet-bundler mixins share) renders that mixin, so it is
        judged as ``vendor/<the mixin's directory>/``; anything else is the repository's own ``file``."""
        vendor = root / VENDOR_DIR
        for imported in self.imports:
            if imported.name == MIXIN_ENTRY_POINT and imported.is_relative_to(vendor):
                return f"{imported.parent.relative_to(root).as_posix()}/"
        return file


_CODE_SUFFIXES = (".jsonnet", ".libsonnet")


def _imported_bytes(candidate: Path) -> bytes:
    """An imported file's bytes; Jsonnet code must be UTF-8, since the evaluator would read other
    bytes as replacement characters (data read with ``importbin`` may be anything)."""
    try:
        data = candidate.read_bytes()
    except OSError as error:
        msg = f"couldn't read import {candidate}: {error.strerror or error}"
        raise RuntimeError(msg) from None
    if candidate.name.endswith(_CODE_SUFFIXES):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            msg = f"import {candidate} is not UTF-8 (byte {data[error.start : error.start + 1]!r} at offset {error.start})"
            raise RuntimeError(msg) from None
    return data


def _importer(root: Path, path: Path, found: list[Path]) -> Any:
    """Jsonnet's own lookup (the importing file's directory, then the import path), noting what
    ``path`` itself imports."""
    search = search_path(root)
    own = path.parent
    # An import may read the repository and aurum's library, never the machine: importstr
    # '/etc/passwd' or '../../.ssh/id_rsa' would end up in a dashboard deployed to Grafana.
    allowed = (root.resolve(), LIBRARY_DIR.resolve())

    def load(directory: str, name: str) -> tuple[str, bytes]:
        for base in (Path(directory), *search):
            candidate = base / name
            if candidate.is_file():
                real = candidate.resolve()
                if not any(real.is_relative_to(place) for place in allowed):
                    msg = f"import {name!r} is {real}, outside the repository: imports read only its files"
                    raise RuntimeError(msg)
                if Path(directory) == own:
                    found.append(candidate)
                return str(candidate), _imported_bytes(candidate)
        msg = f"couldn't open import {name!r}: no match locally or in vendor/, the repository or aurum's library"
        raise RuntimeError(msg)

    return load


def evaluate(path: Path, root: Path, shown: str, ext: Mapping[str, Any]) -> Evaluation:
    """The JSON value of ``path`` and what it imports; a DeclarationError naming the file and line
    when it fails."""
    require_utf8(path, shown)
    codes = {name: json.dumps(value, sort_keys=True) for name, value in ext.items()}
    found: list[Path] = []
    try:
        text = _jsonnet.evaluate_file(
            str(path), ext_codes=codes, import_callback=_importer(root, path, found)
        )
    except RuntimeError as error:
        raise _error(shown, path, root, str(error)) from None
    return Evaluation(json.loads(text), tuple(found))
