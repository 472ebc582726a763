from datetime import UTC, datetime

import pytest

from bot.domain.zones import known_zone, zone_or_utc

WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "winter", "summer"),
    [
        ("Europe/Berlin", 1.0, 2.0),
        ("America/New_York", -5.0, -4.0),
        ("Asia/Kolkata", 5.5, 5.5),
        ("Australia/Lord_Howe", 11.0, 10.5),
        ("UTC", 0.0, 0.0),
    ],
)
def test_a_known_zone_keeps_its_daylight_saving(name, winter, summer):
    zone = known_zone(name)
    assert zone is not None
    for moment, hours in ((WINTER, winter), (SUMMER, summer)):
        offset = moment.astimezone(zone).utcoffset()
        assert offset is not None and offset.total_seconds() / 3600 == hours
    assert known_zone(name) is zone  # made once


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "../../etc/passwd", "", "Europe/"])
def test_a_name_that_is_no_zone_is_none_and_utc_stands_in(name):
    assert known_zone(name) is None
    assert zone_or_utc(name) is zone_or_utc(None) is known_zone("UTC")
