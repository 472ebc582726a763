"""A mentor's own side, as tables of cases: time away, I'm full, nomination keys."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.matching import Mentor
from bot.domain.mentor_side import (
    FAR_DATE,
    PAST_DATE,
    away_problem,
    away_until,
    back_on,
    full_changes,
    nomination_key,
    read_day,
    read_nomination_key,
    still_taking,
)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday; 05:00 in New York


def mentor(**more) -> Mentor:
    return Mentor("U2", "Grace", "America/New_York", ("engineering",), (), "senior", 2, **more)


@pytest.mark.parametrize(
    ("day", "tz", "back"),
    [
        (date(2026, 12, 1), "America/New_York", datetime(2026, 12, 1, 5, 0, tzinfo=UTC)),
        (date(2026, 7, 1), "America/New_York", datetime(2026, 7, 1, 4, 0, tzinfo=UTC)),  # DST
        (date(2026, 12, 1), "Asia/Tokyo", datetime(2026, 11, 30, 15, 0, tzinfo=UTC)),
        (date(2026, 12, 1), None, datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),
        (date(2026, 12, 1), "Not/AZone", datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_away_ends_at_the_start_of_that_day_in_their_timezone(day, tz, back) -> None:
    assert away_until(day, tz) == back
    assert back_on(away_until(day, tz), tz) == day


@pytest.mark.parametrize(
    ("day", "tz", "problem"),
    [
        (None, "Europe/London", None),  # not away
        (date(2026, 11, 25), "Europe/London", None),
        (date(2026, 11, 24), "Europe/London", PAST_DATE),  # today
        (date(2026, 11, 1), "Europe/London", PAST_DATE),
        # 05:00 in New York is still the 24th there; in Tokyo it is already the 24th at 19:00
        (date(2026, 11, 24), "America/New_York", PAST_DATE),
        (date(2026, 11, 25), "Pacific/Kiritimati", PAST_DATE),  # UTC+14: already the 25th
        (date(2027, 11, 25), "Europe/London", None),
        (date(2027, 11, 26), "Europe/London", FAR_DATE),
        (date(9999, 12, 31), "America/New_York", FAR_DATE),
        (date(1, 1, 1), "Asia/Tokyo", PAST_DATE),
    ],
)
def test_a_day_today_or_before_is_refused(day, tz, problem) -> None:
    assert away_problem(day, NOW, tz) == problem


@pytest.mark.parametrize(
    ("raw", "day"),
    [("2026-12-01", date(2026, 12, 1)), ("", None), (None, None), ("1 Dec", None), (7, None)],
)
def test_a_datepicker_value_is_read_or_ignored(raw, day) -> None:
    assert read_day(raw) == day


@pytest.mark.parametrize(
    ("mentees", "changes"), [(0, {"active": False}), (1, {"capacity": 1}), (3, {"capacity": 3})]
)
def test_full_sets_capacity_to_the_mentees_they_have_or_pauses(mentees, changes) -> None:
    assert full_changes(mentees) == changes


@pytest.mark.parametrize(
    ("who", "mentees", "taking"),
    [
        (mentor(), 1, True),
        (mentor(), 2, False),  # no free place
        (mentor(active=False), 0, False),
        (mentor(away_until=NOW), 0, False),
        (mentor(status="nominated"), 0, False),
        (None, 0, False),
    ],
)
def test_requests_wait_only_for_a_mentor_still_taking(who, mentees, taking) -> None:
    assert still_taking(who, mentees) is taking


def test_a_nomination_key_names_the_person_and_when() -> None:
    nominee = mentor(status="nominated", nominated_at=NOW)
    assert read_nomination_key(nomination_key(nominee)) == ("U2", NOW)
    assert read_nomination_key("U2") == ("U2", None)
    assert read_nomination_key("U2|not a time") == ("U2", None)
