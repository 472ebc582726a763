"""A mentor's own side, without Slack or a database: when time away starts and ends, what
"I'm full" changes, whether a mentor still takes requests, and the key of a nomination."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.domain.matching import Mentor
from bot.domain.zones import zone_or_utc

PAST_DATE = "Pick a day after today: you are away until that day."
FAR_DATE = "Pick a day within the next year; you can set it again later."
AWAY_MOST = timedelta(days=366)


def today_for(now: datetime, timezone: str | None) -> date:
    return now.astimezone(zone_or_utc(timezone)).date()


def away_until(day: date, timezone: str | None) -> datetime:
    """The moment they are back: the start of that day in their own timezone, in UTC."""
    return datetime.combine(day, time(0, 0), zone_or_utc(timezone)).astimezone(UTC)


def back_on(moment: datetime, timezone: str | None) -> date:
    """The day, in their timezone, that a stored `away_until` stands for."""
    return moment.astimezone(zone_or_utc(timezone)).date()


def away_problem(day: date | None, now: datetime, timezone: str | None) -> str | None:
    """None when the day is fine (or none: not away); a day today or before is refused, and
    so is one more than a year ahead."""
    if day is None:
        return None
    today = today_for(now, timezone)
    if day <= today:
        return PAST_DATE
    if day > today + AWAY_MOST:
        return FAR_DATE
    return None


def read_day(raw: Any) -> date | None:
    """A datepicker's "YYYY-MM-DD", or None when empty or not a date."""
    if not isinstance(raw, str) or not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def full_changes(mentees: int) -> dict[str, Any]:
    """What "I'm full" changes: their capacity to the mentees they have, or, with none,
    a pause (a capacity of 0 is no capacity)."""
    return {"capacity": mentees} if mentees > 0 else {"active": False}


def still_taking(mentor: Mentor | None, mentees: int) -> bool:
    """Whether requests to this mentor may wait for their answer: in the pool, active, not
    away, with a free place."""
    return mentor is not None and mentor.taking and mentees < mentor.capacity


def fingerprint(mentor: Mentor) -> str:
    """What a profile held when its modal opened: a save from an older copy is told so."""
    return hashlib.sha256(repr(mentor).encode()).hexdigest()[:16]


def nomination_key(mentor: Mentor) -> str:
    """A nomination's buttons' value: whose, and when made, so a button of a nomination
    decided long ago never decides a new one by the same person."""
    made = mentor.nominated_at.isoformat() if mentor.nominated_at else ""
    return f"{mentor.user_id}|{made}"


def read_nomination_key(value: str) -> tuple[str, datetime | None]:
    user_id, _, made = value.partition("|")
    try:
        return user_id, datetime.fromisoformat(made) if made else None
    except ValueError:
        return user_id, None
