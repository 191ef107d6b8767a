"""The model's duration type: whole seconds, accepting ``"5m"`` or ``300``, serialised canonically."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

from aurum.contract.durations import format_duration, parse_duration

__all__ = ["Duration", "format_duration", "parse_duration"]

Duration = Annotated[int, BeforeValidator(parse_duration), PlainSerializer(format_duration)]
"""A window or hold time in whole seconds; accepts ``"5m"`` or ``300``."""
