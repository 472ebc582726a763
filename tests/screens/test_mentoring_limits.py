"""A relationship's start stays within Slack's limits at its largest: questions, answers and
goals at their longest and written in the characters that grow most when escaped."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.intros import Intro
from bot.domain.mentoring import GOAL_MOST, QUESTION_MOST, Agreement
from bot.domain.recommendation import recommend
from bot.domain.records import Response
from bot.screens.home import home_view
from bot.screens.intros import kickoff_message, mentor_request_message
from bot.screens.mentoring import (
    RELATIONSHIPS_SHOWN,
    agreement_message,
    agreement_view,
    answer_view,
    mentoring_blocks,
    mentoring_status,
    question_answered_message,
    question_message,
    question_view,
    replaced_message,
    slack_date,
    start_blocks,
)
from bot.screens.status import status_message
from tests.answers import MENTORING
from tests.blockkit import assert_valid_message, assert_valid_view
from tests.domain.test_recommendation import answers

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
WORST = "&" * QUESTION_MOST  # each becomes "&amp;": five times as long
QUESTION = {"text": WORST, "asked_at": NOW.isoformat()}
ANSWERED = {**QUESTION, "answer": "<" * QUESTION_MOST, "answered_at": NOW.isoformat()}
INTRO = Intro(
    "i" * 32, "U1", "U2", "pending", NOW, NOW + timedelta(days=7), note="&" * 500, shares=("path",)
)
AGREEMENT = Agreement(
    goals=("&" * GOAL_MOST, "&" * GOAL_MOST, "&" * GOAL_MOST),
    meet_every="2w",
    runs_for="52w",
    proposed_at=NOW,
    proposed_by="U1",
)


def test_the_question_and_answer_fit(content):
    rec = recommend(content.questionnaire, answers(MENTORING), content.thresholds)
    for question in ({}, QUESTION, ANSWERED):
        intro = replace(INTRO, question=question, shares=("path", "needs"))
        assert_valid_message(mentor_request_message(content, intro, rec, {}, "in 7 days"))
    assert_valid_view(question_view(INTRO))
    asked = replace(INTRO, question=QUESTION)
    assert_valid_message(question_message(asked))
    assert_valid_view(answer_view(asked, {"channel": "D1", "ts": "1.2"}))
    assert_valid_message(question_answered_message(replace(INTRO, question=ANSWERED)))


def test_the_kickoff_and_the_agreement_fit(content):
    rules = content.mentoring
    times = [NOW + timedelta(days=n) for n in range(1, 6)]
    for shown, guessed in ((times, ["U1", "U2"]), ([], [])):
        start = start_blocks(INTRO.id, "U1", shown, guessed, rules)
        assert_valid_message(kickoff_message(content, "U1", "U2", start))
    accepted = replace(INTRO, state="accepted")
    assert_valid_view(agreement_view(accepted, rules, None))
    assert_valid_view(agreement_view(accepted, rules, AGREEMENT))
    agreed = AGREEMENT.confirm("U1", accepted, NOW).confirm("U2", accepted, NOW)
    for agreement in (AGREEMENT, agreed):
        assert_valid_message(agreement_message(agreement, accepted, rules))
    assert_valid_message(replaced_message())


def test_status_and_home_fit_with_many_relationships(content):
    rules = content.mentoring
    many = [
        (replace(INTRO, id=f"{n:032d}", state="accepted", mentor_id=f"U{n + 10}"), AGREEMENT)
        for n in range(RELATIONSHIPS_SHOWN + 5)
    ]
    response = Response(
        "U1",
        answers(MENTORING),
        recommend(content.questionnaire, answers(MENTORING), content.thresholds),
        content.version,
        NOW,
    )
    home = home_view(
        content, NOW, response, None, relationships=mentoring_blocks(many, "U1", rules)
    )
    assert_valid_view(home)
    blocks = mentoring_status(many, "U1", rules)
    assert len(blocks) == RELATIONSHIPS_SHOWN
    assert_valid_message(status_message(content, response, None, NOW, mentoring=blocks))


def test_a_meeting_time_reads_in_each_readers_own_time():
    moment = datetime(2026, 11, 25, 9, tzinfo=ZoneInfo("America/New_York"))
    assert slack_date(moment) == (
        "<!date^1795615200^{date_short_pretty} at {time}|Wed 25 Nov 2026 14:00 UTC>"
    )
