"""Prometheus durations as whole seconds: ``"5m"``-style strings parsed, and rendered canonically.

Window names are part of recorded series' names (``slo:sli_error:ratio_rate30d``), so the build and
the runtime spell them with the same function.
"""

from __future__ import annotations

import re

__all__ = ["format_duration", "parse_duration"]

_UNIT_SECONDS = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
_DURATION_RE = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(value: object) -> int:
    """Seconds in ``value``: a positive int of seconds or a Prometheus duration such as ``1h30m``.

    Milliseconds and years are refused on purpose: SLO windows are minutes to days, and a year is
    not a fixed number of seconds.
    """
    if isinstance(value, bool):
        msg = "a duration is a string such as '5m' or a number of seconds, not a boolean"
        raise ValueError(msg)
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str):
        match = _DURATION_RE.match(value.strip())
        if not value.strip() or match is None:
            msg = f"{value!r} is not a duration such as '30s', '5m', '1h30m' or '3d'"
            raise ValueError(msg)
        seconds = sum(
            int(amount) * unit
            for amount, unit in zip(match.groups(), _UNIT_SECONDS.values(), strict=True)
            if amount
        )
    else:
        msg = f"a duration is a string such as '5m' or a number of seconds, not {type(value).__name__}"
        raise ValueError(msg)
    if seconds <= 0:
        msg = f"a duration must be positive, got {value!r}"
        raise ValueError(msg)
    return seconds


def format_duration(seconds: int) -> str:
    """The canonical single-unit form (``86400`` -> ``1d``, ``5400`` -> ``90m``) used in rule names."""
    for unit in ("d", "h", "m", "s"):
        size = _UNIT_SECONDS[unit]
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    raise AssertionError  # unreachable: every integer is a whole number of seconds
