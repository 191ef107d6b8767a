"""Stand-in servers for testing deploys without a Grafana, a Mimir or GitHub: the deploy's own tests use them,
and so can a team's (as ``structlog.testing`` serves structlog's users).

They live in the package rather than under ``tests/`` so they are type-checked with the rest of
``src/``, and so a team can point ``aurum-obs deploy`` at one in its own CI checks. They use only the
standard library's ``http.server`` (and PyYAML for the ruler's YAML), listen on loopback only, and
inject faults on request.
"""

from aurum.monitoring.deploy.standins.github import GitHubStandin
from aurum.monitoring.deploy.standins.grafana import GrafanaStandin
from aurum.monitoring.deploy.standins.mimir import MimirStandin
from aurum.monitoring.deploy.standins.server import Faults, serve

__all__ = ["Faults", "GitHubStandin", "GrafanaStandin", "MimirStandin", "serve"]
