"""The rules of a mentoring relationship's middle and end, as tables of cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.intros import Intro
from bot.domain.mentoring import Agreement, MentoringRules
from bot.domain.mentoring_end import (
    CLOSED_OUT,
    ENDED_ALREADY,
    NOT_ENDED,
    NOT_YOURS,
    agreed_end_passed,
    at_risk_signal,
    closeout_problems,
    goal_ratings,
    goals_of,
    how_ended,
    other_of,
    signal_words,
    why_not_close_out,
    why_not_end,
)
from bot.domain.nudges import Nudge

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)
WEEK = timedelta(weeks=1)
EVERY = timedelta(weeks=4)
RULES = MentoringRules()  # low_score 2, low_in_a_row 2, ignored_in_a_row 2
INTRO = Intro("i1", "MENTEE", "MENTOR", "accepted", NOW - 20 * WEEK, NOW - 19 * WEEK)


def check_in(
    user: str, weeks_ago: float, score: str | None = None, answered: bool = False
) -> Nudge:
    sent = NOW - weeks_ago * WEEK
    answer = {"score": score} if score else {}
    return Nudge(
        f"{user}-{weeks_ago}",
        user,
        "check_in",
        sent,
        sent,
        "i1",
        state="answered" if (score or answered) else "sent",
        sent_at=sent,
        answered_at=sent + timedelta(hours=1) if (score or answered) else None,
        answer=answer,
    )


PAIR = ("MENTEE", "MENTOR")


@pytest.mark.parametrize(
    ("check_ins", "expected"),
    [
        pytest.param([], None, id="no check-ins yet"),
        pytest.param([check_in("MENTEE", 8, "2")], None, id="one low score is not a row"),
        pytest.param(
            [check_in("MENTEE", 8, "2"), check_in("MENTEE", 4, "1")],
            "low_scores",
            id="two low scores of one person",
        ),
        pytest.param(
            [check_in("MENTEE", 4, "2"), check_in("MENTOR", 3.9, "2")],
            "low_scores",
            id="across the pair",
        ),
        pytest.param(
            [check_in("MENTEE", 8, "1"), check_in("MENTOR", 6, "4"), check_in("MENTEE", 4, "2")],
            None,
            id="a good score breaks the row",
        ),
        pytest.param(
            [check_in("MENTEE", 8, "3"), check_in("MENTEE", 4, "2")],
            None,
            id="3 is above the low score",
        ),
        pytest.param(
            [
                check_in("MENTEE", 8, "2"),
                check_in("MENTEE", 6, answered=True),
                check_in("MENTOR", 4, "2"),
            ],
            "low_scores",
            id="an answer without a score neither counts nor breaks",
        ),
        pytest.param(
            [check_in(p, w) for p in PAIR for w in (8, 4)],
            "ignored",
            id="both ignored their latest two",
        ),
        pytest.param(
            [check_in("MENTEE", w) for w in (8, 4)]
            + [check_in("MENTOR", 8), check_in("MENTOR", 4, answered=True)],
            None,
            id="one of them answered",
        ),
        pytest.param(
            [check_in(p, w) for p in PAIR for w in (8, 4)] + [check_in("MENTOR", 12, "5")],
            "ignored",
            id="an older answer does not help",
        ),
        pytest.param(
            [check_in(p, w) for p in PAIR for w in (4, 1)],
            None,
            id="the latest was sent a week ago: not ignored yet",
        ),
        pytest.param(
            [check_in("MENTEE", 4), check_in("MENTOR", 4)], None, id="one ignored is not a row"
        ),
    ],
)
def test_at_risk_signal(check_ins, expected):
    assert at_risk_signal(check_ins, PAIR, RULES, NOW, EVERY) == expected


def test_the_rules_come_from_the_content():
    strict = replace(RULES, low_score=3, low_in_a_row=1, ignored_in_a_row=1)
    assert at_risk_signal([check_in("MENTEE", 4, "3")], PAIR, strict, NOW, EVERY) == "low_scores"
    quiet = [check_in(p, 4) for p in PAIR]
    assert at_risk_signal(quiet, PAIR, strict, NOW, EVERY) == "ignored"
    assert "3 out of 5" in signal_words("low_scores", strict)
    assert "latest 1 check-ins unanswered" in signal_words("ignored", strict)


@pytest.mark.parametrize(
    ("intro", "user", "expected"),
    [
        (INTRO, "MENTEE", None),
        (INTRO, "MENTOR", None),
        (INTRO, "STRANGER", NOT_YOURS),
        (None, "MENTEE", NOT_YOURS),
        (replace(INTRO, state="ended"), "MENTOR", ENDED_ALREADY),
        (replace(INTRO, state="pending"), "MENTEE", ENDED_ALREADY),
    ],
)
def test_who_may_end(intro, user, expected):
    assert why_not_end(intro, user) == expected


ENDED = replace(INTRO, state="ended", ended_at=NOW, ended_by="MENTEE", end_reason="")


@pytest.mark.parametrize(
    ("intro", "user", "expected"),
    [
        (ENDED, "MENTEE", None),
        (ENDED, "MENTOR", None),
        (ENDED, "STRANGER", NOT_YOURS),
        (INTRO, "MENTEE", NOT_ENDED),
        (replace(ENDED, closeouts={"MENTEE": {"goals": "4"}}), "MENTEE", CLOSED_OUT),
        (replace(ENDED, closeouts={"MENTEE": {"goals": "4"}}), "MENTOR", None),
    ],
)
def test_who_may_close_out(intro, user, expected):
    assert why_not_close_out(intro, user) == expected


@pytest.mark.parametrize(
    ("ended_by", "reason", "expected"),
    [
        ("MENTEE", "", "done"),
        ("", "agreed end", "agreed end"),
        ("MENTOR", "I am moving teams", "early"),
        ("MENTOR", "done", "early"),  # a reason typed as "done" is still a reason
        ("MENTOR", "agreed end", "early"),
    ],
)
def test_how_it_ended(ended_by, reason, expected):
    assert how_ended(replace(ENDED, ended_by=ended_by, end_reason=reason)) == expected


def agreement(ends_at: datetime | None) -> dict:
    agreed = Agreement(("Lead a design review",), "2w", "12w", NOW - 13 * WEEK, "MENTEE")
    return replace(agreed, confirmed_by=PAIR, confirmed_at=NOW - 12 * WEEK, ends_at=ends_at).doc()


@pytest.mark.parametrize(
    ("intro", "expected"),
    [
        (INTRO, False),  # no agreement: it runs until one of them ends it
        (replace(INTRO, agreement=agreement(NOW)), True),
        (replace(INTRO, agreement=agreement(NOW - WEEK)), True),
        (replace(INTRO, agreement=agreement(NOW + WEEK)), False),
        (replace(INTRO, agreement=agreement(None)), False),  # not confirmed by both yet
        (replace(INTRO, state="ended", agreement=agreement(NOW - WEEK)), False),
    ],
)
def test_the_agreed_end(intro, expected):
    assert agreed_end_passed(intro, NOW) is expected


@pytest.mark.parametrize(
    ("typed", "goals", "expected"),
    [
        ({"goal_0": "4", "goal_1": "2"}, 2, {"goal_0": "4", "goal_1": "2"}),
        ({"goal_0": "4"}, 2, None),
        ({"goal_0": "6"}, 1, None),
        ({"goal_0": "4", "goal_9": "1"}, 1, {"goal_0": "4"}),
        ({}, 0, None),
    ],
)
def test_goal_ratings(typed, goals, expected):
    assert goal_ratings(typed, goals) == expected


@pytest.mark.parametrize(
    ("goals", "recommend", "note", "wrong"),
    [
        ("5", "yes", "", set()),
        ("1", "no", "x" * 500, set()),
        ("", "yes", "", {"goals"}),
        ("3", "maybe", "", {"recommend"}),
        ("3", "yes", "x" * 501, {"note"}),
    ],
)
def test_closeout_problems(goals, recommend, note, wrong):
    assert set(closeout_problems(goals, recommend, note)) == wrong


def test_the_other_person():
    assert other_of(INTRO, "MENTEE") == "MENTOR" and other_of(INTRO, "MENTOR") == "MENTEE"


def test_only_confirmed_goals_are_asked_about():
    confirmed = replace(INTRO, agreement=agreement(NOW + WEEK))
    assert goals_of(confirmed) == ("Lead a design review",)
    proposed = dict(confirmed.agreement, confirmed_by=["MENTEE"])
    assert goals_of(replace(INTRO, agreement=proposed)) == ()
    assert goals_of(INTRO) == () and goals_of(None) == ()
