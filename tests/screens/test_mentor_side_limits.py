"""A mentor's own screens stay within Slack's limits at their largest: the longest bio and
name, every field and topic, a Home tab with many nominations waiting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain.intros import Intro
from bot.domain.matching import Mentor
from bot.domain.pool import BIO_MOST
from bot.screens.blocks import section
from bot.screens.home import AdminSide, MentorSide, home_view
from bot.screens.mentor_side import (
    NOMINATIONS_SHOWN,
    REASON_MOST,
    away_set_view,
    away_view,
    back_message,
    decline_nomination_view,
    full_reply,
    join_view,
    nominated_view,
    nomination_decided_copy,
    nomination_declined_message,
    nomination_home_blocks,
    nomination_message,
    profile_view,
    saved_profile_view,
    welcome_message,
)
from tests.blockkit import assert_valid_message, assert_valid_view

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
LONG_NAME = "Ó" * 80 + "<!channel>"


def biggest(content, user_id: str = "U2") -> Mentor:
    return Mentor(
        user_id,
        LONG_NAME,
        "Asia/Tokyo",
        tuple(o.value for o in content.options_of("field")),
        tuple(o.value for o in content.options_of("topics")),
        content.matching.seniority[-1].value,
        10,
        "&<>🙂" * (BIO_MOST // 4),
        status="nominated",
        nominated_at=NOW,
    )


def test_the_join_and_profile_modals_fit(content):
    mentor = biggest(content)
    for needs in (True, False):
        assert_valid_view(join_view(content, None, needs))
        assert_valid_view(join_view(content, mentor, needs))
        assert_valid_view(nominated_view(needs))
        assert_valid_view(nominated_view(needs, changed=True))
    for day in (None, date(2027, 11, 24)):
        assert_valid_view(profile_view(content, mentor, 10, day, "f" * 16))
        assert_valid_view(saved_profile_view(day, True))
    assert_valid_view(away_view("i" * 32, {"channel": "D" * 20, "ts": "1700000000.000001"}))
    assert_valid_view(away_set_view(date(2026, 12, 1)))
    assert_valid_view(decline_nomination_view("U2|" + NOW.isoformat(), LONG_NAME))


def test_the_messages_fit_and_echo_nothing_that_pings(content):
    mentor = biggest(content)
    for message in (
        nomination_message(content, mentor),
        nomination_message(content, mentor, decided=True),
        nomination_decided_copy("U2", LONG_NAME, "approved", "UADMIN"),
        nomination_decided_copy("U2", LONG_NAME, "declined", "UADMIN", "<!here>" * 60),
        nomination_declined_message("<!here>" * (REASON_MOST // 7)),
        welcome_message(),
        back_message(),
        {"text": full_reply({"capacity": 3})},
        {"text": full_reply({"active": False})},
    ):
        assert_valid_message(message)
        assert "<!channel>" not in str(message) and "<!here>" not in str(message)


def nominees(content, count: int) -> list[Mentor]:
    return [
        Mentor(
            **{**vars(biggest(content, f"U{i:03d}")), "nominated_at": NOW + timedelta(minutes=i)}
        )
        for i in range(count)
    ]


def test_a_home_tab_with_many_nominations_fits(content):
    waiting = nominees(content, NOMINATIONS_SHOWN + 20)
    blocks = nomination_home_blocks(content, waiting)
    assert "And 20 more" in str(blocks) and len(blocks) == 2 + 2 * NOMINATIONS_SHOWN
    mentor = MentorSide(capacity=10, pending=[], mentees=[f"U{i}" for i in range(10)])
    admin = AdminSide(mentors=300, active=290, places=900, used=450, gaps=[("Legal", 9, 0)] * 5)
    view = home_view(content, NOW, None, None, [], [], mentor, admin, nominations=waiting)
    assert_valid_view(view)
    assert "nominee_U000" in str(view)


def test_nominations_take_only_the_room_the_rest_of_home_leaves(content):
    """The fullest Home (tests/screens/test_coaching_limits.py) leaves little room: the
    nominations shrink to what fits, and still say how many wait."""
    waiting = nominees(content, 3)
    for room, pairs in ((100, 3), (7, 2), (4, 1), (3, 0), (2, 0)):
        blocks = nomination_home_blocks(content, waiting, room)
        assert len(blocks) <= room
        assert str(blocks).count("nomination_approve") == pairs
        assert "Nominations waiting:* 3" in str(blocks)
    assert nomination_home_blocks(content, waiting, 1) == []
    assert nomination_home_blocks(content, [], 100) == []
    pending = [
        Intro(f"P{i}", f"UM{i}", "U1", "pending", NOW, NOW + timedelta(days=7)) for i in range(30)
    ]
    mentor = MentorSide(10, pending, [f"UM{i}" for i in range(10)])
    admin = AdminSide(300, 280, 900, 420, [(f"Field {i}", 10 - i, i) for i in range(12)])
    filler = [section(f"coaching {i}") for i in range(60)]
    view = home_view(
        content, NOW, None, None, [], [], mentor, admin, None, filler, nominations=waiting
    )
    assert_valid_view(view)
    assert len(view["blocks"]) <= 100 and "Nominations waiting" in str(view)
