"""360 feedback's screens stay within Slack's limits at their fullest: 8 colleagues, 10
behaviours, the longest texts, all of them escaped."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.feedback import (
    MOST_GIVERS,
    NOTE_MOST,
    TEXT_MOST,
    Behaviour,
    FeedbackAnswer,
    FeedbackRequest,
    summary,
)
from bot.screens.feedback import (
    answer_view,
    ask_view,
    giver_message,
    shared_message,
    status_message,
    summary_message,
    too_few_message,
)
from tests.blockkit import assert_valid_message, assert_valid_view

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def fullest(content):
    behaviours = tuple(Behaviour(f"b{n}", "L" * 150) for n in range(10))
    rules = replace(content.feedback.rules, behaviours=behaviours)
    content = replace(content, feedback=replace(content.feedback, rules=rules))
    givers = tuple(f"U{n}" for n in range(MOST_GIVERS))
    request = FeedbackRequest(
        "F1",
        "UASK",
        givers,
        NOW,
        NOW + timedelta(days=14),
        NOW,
        note="&" * NOTE_MOST,
        shown=MOST_GIVERS,
    )
    answers = [
        FeedbackAnswer(
            "F1",
            g,
            {b.value: 5 for b in behaviours},
            "&<>" * (TEXT_MOST // 3),
            "<" * TEXT_MOST,
            NOW,
        )
        for g in givers
    ]
    shown = summary(request, answers, behaviours)
    assert shown is not None
    return content, request, shown


def test_every_feedback_screen_fits_at_its_fullest(content):
    content, request, shown = fullest(content)
    assert_valid_view(ask_view())
    assert_valid_view(answer_view(content, request))
    for reminder in (False, True):
        assert_valid_message(giver_message(content, request, NOW, reminder))
    for final in (False, True):
        message = summary_message(content, shown, request, NOW, final, coach=True)
        assert_valid_message(message)
        assert "&<>" not in str(message) and "<<" not in str(message)  # escaped
    assert_valid_message(status_message(content, request, MOST_GIVERS, shown, NOW, coach=True))
    assert_valid_message(status_message(content, request, 1, None, NOW))
    assert_valid_message(shared_message(content, request, shown))
    assert_valid_message(too_few_message(request, 2, 3))
