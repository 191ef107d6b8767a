"""The one error type of the deploy layer."""

from __future__ import annotations

__all__ = ["DeployError"]


class DeployError(Exception):
    """A deploy step that failed; the message is meant for the person running the deploy."""
