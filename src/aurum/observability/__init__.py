"""Runtime shim of the Aurum observability system: what applications import.

Importing this package must stay cheap and must not need any build-time dependency
(grafanalib, jsonnet, yaml, requests): applications install it without them.
"""

from aurum.observability import catalog
from aurum.observability.settings import ObservabilitySettings

__all__ = ["ObservabilitySettings", "catalog"]
