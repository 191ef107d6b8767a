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
from pathlib import Path
from typing import Any

import _jsonnet

from aurum.monitoring.io.errors import DeclarationError
from aurum.monitoring.io.sources import declaration_files, require_utf8

__all__ = ["LIBRARY_DIR", "VENDOR_DIR", "evaluate", "jsonnet_files", "resolve", "search_path"]

LIBRARY_DIR = Path(__file__).resolve().parent.parent / "jsonnet"
"""Where ``aurum.libsonnet`` lives (package data, so it also works from an installed package)."""
VENDOR_DIR = "vendor"


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


def evaluate(path: Path, root: Path, shown: str, ext: Mapping[str, Any]) -> Any:
    """The JSON value of ``path``; a DeclarationError naming the file and line when it fails."""
    require_utf8(path, shown)
    # libjsonnet searches its -J directories right-most first.
    search = [str(directory) for directory in reversed(search_path(root))]
    codes = {name: json.dumps(value, sort_keys=True) for name, value in ext.items()}
    try:
        text = _jsonnet.evaluate_file(str(path), jpathdir=search, ext_codes=codes)
    except RuntimeError as error:
        raise _error(shown, path, root, str(error)) from None
    return json.loads(text)
