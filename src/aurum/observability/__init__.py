"""Runtime shim of the Aurum observability system: what applications import.

The spec's entry points are modules of their own (``enhanced_logging``, ``tracing_enhanced``,
``metrics``, ``slo_dashboard``, ``api``); this package exports the names that tie them together:
:class:`Observability` (one application's settings, registry, tracer provider, log sink and trace
store), the process default's :func:`configure`, and :func:`current`.

Importing this package must stay cheap and must not need any build-time dependency (grafanalib,
jsonnet, yaml, requests): applications install it without them, and the build imports the catalog
through it. So the runtime's names are loaded on first access.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from aurum.observability import catalog
from aurum.observability.settings import ObservabilitySettings

if TYPE_CHECKING:
    from aurum.observability._observability import Observability
    from aurum.observability.runtime import configure, current

__all__ = ["Observability", "ObservabilitySettings", "catalog", "configure", "current"]

_LAZY = {
    "Observability": "aurum.observability._observability",
    "configure": "aurum.observability.runtime",
    "current": "aurum.observability.runtime",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(module), name)
