"""Durations as people write them in the content: 90s, 15m, 4h, 3d, 2w."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """Raise ValueError with a readable message when `text` is not like 90s, 3d or 2w."""
    found = _DURATION.match(str(text))
    if not found:
        raise ValueError(f"{text!r} is not a duration like 90s, 15m, 4h, 3d or 2w")
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
