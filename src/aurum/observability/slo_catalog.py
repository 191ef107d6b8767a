"""The SLO list at runtime: the build's manifest (``AURUM_SLO_MANIFEST``) or the bundled declarations'.

The build compiles ``slos/`` into ``build/slos.json``; the runtime reads that file when
``AURUM_SLO_MANIFEST`` points at it, so what ``/v1/observability/slos`` reports is what the rules
enforce. Without one it reads :data:`BUNDLED_MANIFEST`: the manifest the build renders from this
repository's own ``slos/`` at the default build settings, shipped as package data and kept current
by ``make golden`` (a test fails when it is stale). Both are read through the one manifest model,
:mod:`aurum.contract.slo_manifest`, the one the build writes them with.
"""

from __future__ import annotations

import functools
import stat
import threading
from importlib.resources import files
from typing import TYPE_CHECKING

from aurum.contract.conventions import MANIFEST_FILE
from aurum.contract.slo_manifest import (
    FreshnessSLI,
    LatencySLI,
    Matcher,
    PromqlSLI,
    RatioSLI,
    SLODefinition,
    SLOManifest,
)

if TYPE_CHECKING:
    from pathlib import Path

    from aurum.observability.settings import ObservabilitySettings

__all__ = [
    "BUNDLED_MANIFEST",
    "MAX_MANIFEST_BYTES",
    "FreshnessSLI",
    "LatencySLI",
    "Matcher",
    "PromqlSLI",
    "RatioSLI",
    "SLODefinition",
    "SLOManifest",
    "bundled_slos",
    "get_slos",
    "load_manifest",
]

BUNDLED_MANIFEST = files("aurum.observability") / "data" / MANIFEST_FILE.name
"""The bundled declarations' ``slos.json``, as the build renders it with the default settings."""


@functools.cache
def bundled_slos() -> tuple[SLODefinition, ...]:
    """The SLOs of :data:`BUNDLED_MANIFEST` (read once: package data does not change under a process)."""
    return SLOManifest.model_validate_json(BUNDLED_MANIFEST.read_bytes()).slos


MAX_MANIFEST_BYTES = 16 * 1024 * 1024
"""A manifest of thousands of SLOs is well under this; ``AURUM_SLO_MANIFEST=/dev/zero`` is not."""


def _manifest_bytes(path: Path) -> bytes:
    # Only a regular file, read with a bound: a device or a FIFO would block or fill memory.
    if not stat.S_ISREG(path.stat().st_mode):
        msg = "is not a regular file"
        raise ValueError(msg)
    with path.open("rb") as file:
        data = file.read(MAX_MANIFEST_BYTES + 1)
    if len(data) > MAX_MANIFEST_BYTES:
        msg = f"is larger than {MAX_MANIFEST_BYTES} bytes"
        raise ValueError(msg)
    return data


def load_manifest(path: Path) -> tuple[SLODefinition, ...]:
    """The SLOs of a manifest file; ``ValueError`` naming the file when it is invalid."""
    try:
        return SLOManifest.model_validate_json(_manifest_bytes(path)).slos
    except (OSError, ValueError) as exc:
        msg = f"SLO manifest {path}: {exc}"
        raise ValueError(msg) from exc


_cache_lock = threading.Lock()
_cache: tuple[tuple[Path, int], tuple[SLODefinition, ...]] | None = None


def get_slos(settings: ObservabilitySettings) -> tuple[SLODefinition, ...]:
    """The manifest's SLOs when ``AURUM_SLO_MANIFEST`` is set (re-read when it changes), else the
    bundled declarations' (the settings refuse target overrides that manifest was not built with)."""
    global _cache  # noqa: PLW0603 - a one-entry cache keyed by path and modification time
    path = settings.slo_manifest
    if path is None:
        return bundled_slos()
    try:
        key = (path, path.stat().st_mtime_ns)
    except OSError as exc:
        msg = f"SLO manifest {path}: {exc}"
        raise ValueError(msg) from exc
    with _cache_lock:
        if _cache is not None and _cache[0] == key:
            return _cache[1]
    slos = load_manifest(path)
    with _cache_lock:
        _cache = (key, slos)
    return slos
