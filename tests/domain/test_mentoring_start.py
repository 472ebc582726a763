"""A relationship's start: the mentor's question stops the lapse clock; the mentee's goals."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.intros import Intro
from bot.domain.mentoring import (
    Agreement,
    at_risk_since,
    expiry_once_answered,
    flagged_at_risk,
    goal_problems,
    lapses,
    reset_if_flagged,
    waiting_on_mentee,
)

ASKED = datetime(2026, 11, 24, 10, tzinfo=UTC)
EXPIRES = ASKED + timedelta(days=7)
INTRO = Intro("i1", "U1", "U2", "pending", ASKED, EXPIRES)
QUESTION = {"text": "When are you free?", "asked_at": (ASKED + timedelta(days=1)).isoformat()}
ANSWERED = {
    **QUESTION,
    "answer": "Mornings",
    "answered_at": (ASKED + timedelta(days=3)).isoformat(),
}


@pytest.mark.parametrize(
    ("state", "question", "now", "waiting", "lapsed"),
    [
        ("pending", {}, EXPIRES - timedelta(seconds=1), False, False),
        ("pending", {}, EXPIRES, False, True),
        ("pending", QUESTION, EXPIRES + timedelta(days=5), True, False),  # the clock stands
        # ... but not for good: a whole request's time (7 days) past its expiry, it lapses.
        ("pending", QUESTION, EXPIRES + timedelta(days=7, seconds=-1), True, False),
        ("pending", QUESTION, EXPIRES + timedelta(days=7), True, True),
        ("pending", ANSWERED, EXPIRES, False, True),
        ("accepted", QUESTION, EXPIRES + timedelta(days=1), False, False),
        ("declined", {}, EXPIRES + timedelta(days=1), False, False),
    ],
)
def test_a_question_stops_the_lapse_clock(state, question, now, waiting, lapsed):
    intro = replace(INTRO, state=state, question=question)
    assert waiting_on_mentee(intro) is waiting
    assert lapses(intro, now) is lapsed


@pytest.mark.parametrize(
    ("question", "answered_at", "expected"),
    [
        # Asked a day in, answered two days later: the request lapses two days later too.
        (QUESTION, ASKED + timedelta(days=3), EXPIRES + timedelta(days=2)),
        # Answered within the hour: an hour more.
        (QUESTION, ASKED + timedelta(days=1, hours=1), EXPIRES + timedelta(hours=1)),
        # Waited past the original expiry: all of the wait is given back.
        (QUESTION, ASKED + timedelta(days=20), EXPIRES + timedelta(days=19)),
        ({}, ASKED + timedelta(days=3), EXPIRES),  # no question: nothing moves
        (QUESTION, ASKED, EXPIRES),  # a clock behind the question: nothing moves
    ],
)
def test_the_answer_gives_back_the_time_the_question_waited(question, answered_at, expected):
    assert expiry_once_answered(replace(INTRO, question=question), answered_at) == expected


LONG = "x" * 201


@pytest.mark.parametrize(
    ("goals", "expected"),
    [
        (["Lead a project", "Speak at a meetup", ""], {}),
        (["Lead a project", "Speak at a meetup", "Mentor someone"], {}),
        (["", "Lead a project", "Speak at a meetup"], {}),  # any two fields will do
        (["Lead a project", "", ""], {1: "Please give at least 2 goals."}),
        (["", "", ""], {0: "Please give at least 2 goals."}),
        (["x" * 200, "y" * 200, ""], {}),
        ([LONG, "ok", ""], {0: "Please keep each goal to 200 characters."}),
        (["ok", "", LONG], {2: "Please keep each goal to 200 characters."}),
        (
            [LONG, "", ""],
            {0: "Please keep each goal to 200 characters.", 1: "Please give at least 2 goals."},
        ),
    ],
)
def test_goal_problems(goals, expected):
    assert goal_problems(goals) == expected


def test_a_flag_is_reset_when_both_confirm_a_new_agreement():
    t0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
    flagged = {"signal": "low_scores", "at": t0.isoformat()}
    base = Intro("I1", "U1", "U2", "accepted", t0, t0)
    proposal = Agreement(("Lead", "Speak"), "2w", "12w", t0, "U1")
    later = t0 + timedelta(days=3)
    cases = [
        # (at_risk before, confirmed by, flagged after, reset_at after)
        ({}, ("U1", "U2"), False, None),
        (flagged, ("U1",), True, None),
        (flagged, ("U1", "U2"), False, later),
        ({**flagged, "reset_at": t0.isoformat()}, ("U1", "U2"), False, t0),
    ]
    for at_risk, confirmed_by, still_flagged, reset_at in cases:
        intro = replace(base, at_risk=at_risk)
        agreement = replace(proposal, confirmed_by=confirmed_by)
        changed = replace(intro, **reset_if_flagged(intro, agreement, later))
        assert changed.agreement == agreement.doc()
        assert flagged_at_risk(changed) is still_flagged, (at_risk, confirmed_by)
        assert at_risk_since(changed) == reset_at, (at_risk, confirmed_by)
