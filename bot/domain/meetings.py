"""The meeting helper: a few times for a first meeting, inside everyone's working hours.

Pure. Each candidate is a UTC half-hour, checked in each person's own timezone on its own
date, so a daylight-saving change (or two zones changing on different weeks) lands right.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.nudges import WorkingHours
from bot.domain.zones import zone_or_utc

STEP = timedelta(minutes=30)
LOOK_AHEAD = timedelta(days=14)  # two working weeks: nothing by then means no overlap at all


def meeting_times(
    timezones: Sequence[str | None],
    hours: WorkingHours,
    now: datetime,
    count: int,
    length: timedelta,
) -> list[datetime]:
    """Up to `count` meeting starts (UTC), each inside every person's working hours on one of
    their working days, from the next day on, each on a later day for everyone than the
    one before. [] when their hours never overlap (within two weeks)."""
    zones = [zone_or_utc(tz) for tz in timezones] or [zone_or_utc(None)]
    found: list[datetime] = []
    moment = _next_day(now, zones)
    until = moment + LOOK_AHEAD
    while len(found) < count and moment < until:
        if all(_inside(moment, length, zone, hours) for zone in zones):
            found.append(moment)
            moment = _next_day(moment, zones)
        else:
            moment += STEP
    return found


def _inside(start: datetime, length: timedelta, zone: ZoneInfo, hours: WorkingHours) -> bool:
    local_start, local_end = start.astimezone(zone), (start + length).astimezone(zone)
    return (
        local_start.weekday() in hours.days
        and local_start.date() == local_end.date()
        and hours.start <= local_start.time()
        and (local_end.time() <= hours.end)
    )


def _next_day(moment: datetime, zones: Sequence[ZoneInfo]) -> datetime:
    """The first UTC half-hour at which it is a later date than at `moment` for everyone."""
    starts = [
        datetime.combine(moment.astimezone(zone).date() + timedelta(days=1), time(0), zone)
        for zone in zones
    ]
    latest = max(starts).astimezone(moment.tzinfo)
    return _half_hour_at_or_after(latest)


def _half_hour_at_or_after(moment: datetime) -> datetime:
    floor = moment.replace(minute=0, second=0, microsecond=0)
    while floor < moment:
        floor += STEP
    return floor
