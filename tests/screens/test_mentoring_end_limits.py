"""The mentoring relationship's middle and end stay within Slack's limits at their largest:
three goals of the longest length, the longest notes, a Home with many relationships."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.domain.intros import Intro
from bot.domain.matching import Match, Mentor
from bot.domain.mentoring import GOAL_MOST, GOALS_MOST
from bot.domain.mentoring_end import CLOSEOUT_NOTE_MOST
from bot.domain.nudges import Nudge
from bot.screens.home import home_view
from bot.screens.mentoring import mentoring_blocks
from bot.screens.mentoring_end import (
    at_risk_admin_message,
    closeout_view,
    end_view,
    ended_message,
    goal_ratings_view,
    next_match_message,
    note_message,
    reset_offer_message,
    thanks_message,
)
from bot.screens.nudges import answered_nudge, nudge_message
from tests.blockkit import assert_valid_message, assert_valid_view

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)
LONGEST = tuple("<!channel> " + "g" * (GOAL_MOST - 11) for _ in range(GOALS_MOST))
INTRO = Intro("i" * 32, "U1", "U2", "accepted", NOW, NOW)
ENDED = replace(INTRO, state="ended", ended_at=NOW, ended_by="U2", end_reason="r" * 500)


@pytest.mark.parametrize("goals", [(), LONGEST])
def test_check_ins_fit_with_and_without_goals(content, goals):
    check_in = Nudge("n" * 32, "U1", "check_in", NOW, NOW, INTRO.id, state="sent")
    message = nudge_message(content, check_in, True, "<@U2>", goals=goals)
    assert_valid_message(message)
    assert "<!channel>" not in str(message["blocks"])
    assert_valid_message(answered_nudge("Thanks", check_in.id, ()))
    if goals:
        assert_valid_view(goal_ratings_view(check_in.id, goals))


@pytest.mark.parametrize("user", ["U1", "U2"])
def test_the_end_fits_for_each_side(user):
    assert_valid_view(end_view(INTRO, user, early=False))
    assert_valid_view(end_view(INTRO, user, early=True))
    assert_valid_view(closeout_view(ENDED, user, LONGEST))
    assert_valid_view(closeout_view(ENDED, user, ()))
    for ending in ("done", "early", "agreed end"):
        assert_valid_message(ended_message(ENDED, user, ending))
    assert_valid_message(thanks_message(ENDED, user))
    assert_valid_message(reset_offer_message(INTRO, user))
    note = note_message(user, "<!here> " + "n" * (CLOSEOUT_NOTE_MOST - 7))
    assert_valid_message(note)
    assert "<!here>" not in str(note["blocks"])


def test_alerts_and_offers_fit():
    assert_valid_message(at_risk_admin_message(INTRO, "both left their latest 2 check-ins"))
    mentor = Mentor("U9", "M" * 80, "Europe/London", ("engineering",), (), "mid", 3, "b" * 500)
    mentors = [Match(replace(mentor, user_id=f"U{n}"), 1.0, 2, "r" * 200) for n in range(3)]
    assert_valid_message(next_match_message(mentors))
    assert_valid_message(next_match_message([]))


def test_a_home_with_many_relationships_fits(content):
    intros = [replace(INTRO, id=f"{n:032d}", mentee_id=f"U{n}") for n in range(40)]
    pairs = [(intro, None) for intro in intros]
    shown = mentoring_blocks(pairs, "U2", content.mentoring)
    view = home_view(content, NOW, None, None, relationships=shown)
    assert_valid_view(view)
