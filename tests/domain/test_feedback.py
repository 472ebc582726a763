"""The rules that keep 360 feedback anonymous, without Slack or a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import permutations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.feedback import (
    Behaviour,
    FeedbackAnswer,
    FeedbackRequest,
    feedback_figures,
    givers_problem,
    shown_after,
    summary,
    waiting_for,
)

T0 = datetime(2026, 11, 24, 10, tzinfo=UTC)
BEHAVIOURS = (Behaviour("listens", "Listens"), Behaviour("calm", "Stays calm"))
REQUEST = FeedbackRequest(
    "F1", "U1", ("U2", "U3", "U4", "U5"), T0, T0 + timedelta(days=14), T0 + timedelta(days=3)
)
PEOPLE = {u: {"id": u} for u in ("U2", "U3", "U4", "U5")}


def answer(giver: str, listens: int, strength: str = "", minutes: int = 0) -> FeedbackAnswer:
    at = T0 + timedelta(minutes=minutes)
    return FeedbackAnswer("F1", giver, {"listens": listens}, strength, "", at)


@pytest.mark.parametrize(
    ("shown", "answered", "minimum", "expected"),
    [
        # Nothing until three have answered.
        (0, 0, 3, 0),
        (0, 1, 3, 0),
        (0, 2, 3, 0),
        (0, 3, 3, 3),
        # A fourth or fifth answer alone would be told apart: the summary stays at three.
        (3, 4, 3, 3),
        (3, 5, 3, 3),
        (3, 6, 3, 6),
        (6, 8, 3, 6),
        # A jump takes in everyone who answered, however many came since.
        (0, 5, 3, 5),
        (3, 8, 3, 8),
        # A larger minimum, and never a step under 3 whatever the content says.
        (0, 3, 4, 0),
        (0, 4, 4, 4),
        (4, 7, 4, 4),
        (4, 8, 4, 8),
        (0, 2, 2, 0),
        (3, 5, 2, 3),
    ],
)
def test_what_is_shown_grows_only_by_groups(shown, answered, minimum, expected):
    assert shown_after(shown, answered, minimum) == expected


def test_the_summary_is_of_the_first_shown_answers():
    answers = [answer("U2", 5, "Kind"), answer("U3", 1), answer("U4", 3), answer("U5", 1, "Late")]
    assert summary(REQUEST, answers, BEHAVIOURS) is None  # nothing shown yet
    assert summary(replace(REQUEST, shown=2), answers, BEHAVIOURS) is None  # never under 3
    shown = summary(replace(REQUEST, shown=3), answers, BEHAVIOURS)
    assert shown is not None and shown.answered == 3 and shown.asked == 4
    listens, calm = shown.ratings
    assert listens.average == 3 and listens.counts == (1, 0, 1, 0, 1)  # not the fourth's 1
    assert calm.average is None and calm.rated_by == 0
    assert shown.strengths == ("Kind",)


def test_the_summary_holds_no_giver_and_no_answer_order():
    answers = [
        answer("U2", 5, "Zeal", 0),
        answer("U3", 4, "Always prepared", 5),
        answer("U4", 2, "brave calls", 9),
        answer("U5", 3, "", 12),
    ]
    everyone = replace(REQUEST, shown=4)
    shown = {summary(everyone, list(order), BEHAVIOURS) for order in permutations(answers)}
    assert len(shown) == 1
    (only,) = shown
    assert only is not None
    assert only.strengths == ("Always prepared", "brave calls", "Zeal")
    assert not any(g in repr(only) for g in REQUEST.givers)


@given(st.lists(st.text(max_size=20), min_size=3, max_size=8), st.randoms())
def test_free_text_order_never_follows_who_answered_when(texts, shuffle):
    answers = [answer(f"U{n}", 3, text, n) for n, text in enumerate(texts)]
    mixed = answers[:]
    shuffle.shuffle(mixed)
    request = replace(REQUEST, givers=tuple(a.giver_id for a in answers), shown=len(answers))
    assert summary(request, answers, BEHAVIOURS) == summary(request, mixed, BEHAVIOURS)


def test_who_can_be_asked():
    assert givers_problem("U1", ["U2", "U3", "U4"], PEOPLE) is None
    assert givers_problem("U1", ["U2", "U3", "UNKNOWN"]) is None  # Slack not asked yet
    assert "3 to 8" in (givers_problem("U1", [f"U{n}" for n in range(2, 1002)]) or "")
    assert "3 to 8" in (givers_problem("U1", ["U2", "U3"], PEOPLE) or "")
    assert "3 to 8" in (givers_problem("U1", [f"U{n}" for n in range(2, 11)], PEOPLE) or "")
    assert "yourself" in (givers_problem("U1", ["U1", "U2", "U3"], PEOPLE) or "")
    assert "once" in (givers_problem("U1", ["U2", "U2", "U3"], PEOPLE) or "")
    bots = {**PEOPLE, "U4": {"id": "U4", "is_bot": True}}
    assert "an app" in (givers_problem("U1", ["U2", "U3", "U4"], bots) or "")
    gone = {**PEOPLE, "U4": {"id": "U4", "deleted": True}}
    assert "no longer" in (givers_problem("U1", ["U2", "U3", "U4"], gone) or "")


def test_waiting_for_and_figures():
    answers = [answer("U3", 4)]
    assert waiting_for(REQUEST, answers) == ["U2", "U4", "U5"]
    other = replace(REQUEST, id="F2")
    figures = feedback_figures([REQUEST, other], {"F1": 3, "F2": 1})
    assert (figures.requests, figures.answers, figures.reached_minimum) == (2, 4, 1)
