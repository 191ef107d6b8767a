"""Argument types the sub-commands share."""

from __future__ import annotations

import argparse

__all__ = ["positive"]


def positive(value: str) -> int:
    """A positive whole number (``--jobs``, ``--examples``); argparse reports anything else."""
    number = int(value)
    if number < 1:
        msg = f"{value} is not a positive number"
        raise argparse.ArgumentTypeError(msg)
    return number
