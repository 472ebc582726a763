"""Timezones by the IANA names Slack gives (`tz`), each read from disk once.

`ZoneInfo` keeps only the last eight zones it made; a company spans more, so ranking a pool
read the zone files again for most mentors of every ranking. Here each name is made once
(a few hundred exist), and a name that is not a zone is remembered as such.
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@lru_cache(maxsize=1024)
def known_zone(name: str) -> ZoneInfo | None:
    """The zone of that name, or None when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The person's zone; UTC stands in for an unknown or unreadable one."""
    found = known_zone(name) if name else None
    return found if found is not None else UTC_ZONE


UTC_ZONE = ZoneInfo("UTC")
