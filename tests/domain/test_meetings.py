"""The meeting helper's times: inside both people's working hours, in their own zones."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.meetings import meeting_times
from bot.domain.nudges import WorkingHours

WEEKDAYS = frozenset(range(5))
NINE_TO_FIVE = WorkingHours(time(9), time(17), WEEKDAYS)
EIGHT_TO_SIX = WorkingHours(time(8), time(18), WEEKDAYS)
HALF_HOUR = timedelta(minutes=30)
# Tuesday 24 November 2026, 10:00 UTC.
TUESDAY = datetime(2026, 11, 24, 10, tzinfo=UTC)


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zones", "hours", "now", "expected"),
    [
        # Both in London: 09:00 on each of the next three working days.
        (
            ["Europe/London", "Europe/London"],
            NINE_TO_FIVE,
            TUESDAY,
            [utc(25, 9), utc(26, 9), utc(27, 9)],
        ),
        # New York and London, 5 hours apart: New York's 09:00 is London's 14:00.
        (
            ["America/New_York", "Europe/London"],
            NINE_TO_FIVE,
            TUESDAY,
            [utc(25, 14), utc(26, 14), utc(27, 14)],
        ),
        # Friday afternoon: the weekend is skipped for both.
        (
            ["Europe/Berlin", "Europe/London"],
            NINE_TO_FIVE,
            utc(27, 15),
            [utc(30, 9), utc(1, 9, month=12), utc(2, 9, month=12)],
        ),
        # Eight hours apart (San Francisco and London) with 08:00-18:00 days: two hours of
        # overlap, San Francisco's morning and London's late afternoon.
        (
            ["America/Los_Angeles", "Europe/London"],
            EIGHT_TO_SIX,
            TUESDAY,
            [utc(25, 16), utc(26, 16), utc(27, 16)],
        ),
        # Eight hours apart with 09:00-17:00 days: one's start is the other's end. None.
        (["America/Los_Angeles", "Europe/London"], NINE_TO_FIVE, TUESDAY, []),
        # Tokyo and New York never share a working hour.
        (["Asia/Tokyo", "America/New_York"], NINE_TO_FIVE, TUESDAY, []),
        # 9 March 2026: New York is on summer time, London not yet (4 hours apart, not 5).
        (
            ["America/New_York", "Europe/London"],
            NINE_TO_FIVE,
            datetime(2026, 3, 9, 10, tzinfo=UTC),
            [utc(10, 13, month=3), utc(11, 13, month=3), utc(12, 13, month=3)],
        ),
        # India is 5:30 ahead of London: its 09:00 falls on the half-hour, London's 09:00 is
        # India's 14:30.
        (
            ["Asia/Kolkata", "Europe/London"],
            NINE_TO_FIVE,
            TUESDAY,
            [utc(25, 9), utc(26, 9), utc(27, 9)],
        ),
        # An unknown timezone counts as UTC.
        ([None, "Not/AZone"], NINE_TO_FIVE, TUESDAY, [utc(25, 9), utc(26, 9), utc(27, 9)]),
    ],
)
def test_meeting_times(zones, hours, now, expected):
    assert meeting_times(zones, hours, now, 3, HALF_HOUR) == expected


@pytest.mark.parametrize("zones", [["America/New_York", "Europe/London"], ["Asia/Kolkata", "UTC"]])
def test_each_time_is_inside_both_days_on_different_days(zones):
    times = meeting_times(zones, NINE_TO_FIVE, TUESDAY, 3, timedelta(hours=1))
    assert times
    for zone in map(ZoneInfo, zones):
        local = [t.astimezone(zone) for t in times]
        assert all(t.weekday() < 5 and time(9) <= t.time() <= time(16) for t in local)
        assert len({t.date() for t in local}) == len(times)
        assert all(t.date() > TUESDAY.astimezone(zone).date() for t in local)
        assert all(t.minute in (0, 30) for t in times)


def test_a_meeting_longer_than_the_overlap_finds_nothing():
    zones = ["America/Los_Angeles", "Europe/London"]
    assert meeting_times(zones, EIGHT_TO_SIX, TUESDAY, 3, timedelta(hours=3)) == []


def test_asking_for_fewer_gives_fewer():
    assert meeting_times(["UTC"], NINE_TO_FIVE, TUESDAY, 1, HALF_HOUR) == [utc(25, 9)]
