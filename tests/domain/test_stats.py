"""The program's figures from plain records."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.coaching import CoachingRequest, Engagement
from bot.domain.feedback import FeedbackFigures, answered_figures
from bot.domain.intros import Intro
from bot.domain.matching import Mentor
from bot.domain.mentoring import Agreement
from bot.domain.nudges import new_nudge
from bot.domain.recommendation import recommend
from bot.domain.records import Response
from bot.domain.stats import Mean, coaching_stats, mentoring_stats, program_stats, rating
from tests.domain.test_recommendation import NEW_DIRECTOR, NEW_HIRE_IN_TRANSITION, TANDEM

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_program_stats(content):
    def response(user: str, answers) -> Response:
        rec = recommend(content.questionnaire, answers, content.thresholds)
        return Response(user, answers, rec, "v", T0)

    latest = [
        response("U1", NEW_DIRECTOR),
        response("U2", NEW_HIRE_IN_TRANSITION),
        response("U3", NEW_HIRE_IN_TRANSITION),
        response("U4", TANDEM),
    ]
    intros = [
        Intro("a", "U2", "M1", "accepted", T0, T0, answered_at=T0 + timedelta(hours=2)),
        Intro("b", "U3", "M1", "accepted", T0, T0, answered_at=T0 + timedelta(hours=10)),
        Intro("c", "U4", "M2", "declined", T0, T0, answered_at=T0 + timedelta(hours=1)),
        Intro("d", "U5", "M2", "pending", T0, T0),
        Intro("e", "U6", "M2", "accepted", T0, T0, answered_at=T0, source="open_request"),
    ]
    mentors = [
        Mentor("M1", "Ann", None, ("engineering",), ("networking",), "senior", 3),
        Mentor("M2", "Bob", None, ("design",), ("confidence",), "mid", 2),
        Mentor("M3", "Cy", None, ("data",), ("networking",), "mid", 4, active=False),
    ]
    check_in = new_nudge("U2", "check_in", T0, T0)
    scored = [replace(check_in, sent_at=T0, answered_at=T0, answer={"score": s}) for s in "35"]
    ignored = replace(check_in, sent_at=T0)
    stats = program_stats(latest, intros, mentors, [*scored, ignored])
    assert stats.people == 4
    assert stats.paths == {"coaching": 1, "mentoring": 2, "both": 1, "not_sure": 0}
    assert stats.intros == {
        "requested": 4,
        "accepted": 3,
        "declined": 1,
        "expired": 0,
        "pending": 1,
    }
    assert stats.median_hours_to_accept == 6.0  # 2 h and 10 h; the open request is no wait
    assert (stats.places_used, stats.places_free) == (
        3,
        2,
    )  # the paused mentor's places don't count
    assert (stats.nudges_sent, stats.nudges_answered) == (3, 2)
    assert (stats.check_ins, stats.average_score) == (2, 4.0)


def test_coaching_stats():
    def request(rid: str, state: str, days_ago: int = 0) -> CoachingRequest:
        return CoachingRequest(
            rid, "U" + rid, ("g",), "12w", "yes", T0 - timedelta(days=days_ago), state=state
        )

    def engagement(eid: str, state: str, **more) -> Engagement:
        return Engagement(eid, eid, "U" + eid, "C1", ("g1", "g2"), state, T0, **more)

    requests = [
        request("a", "approved", days_ago=4),
        request("b", "approved", days_ago=10),
        request("c", "approved", days_ago=1),
        request("d", "declined"),
        request("e", "pending"),
        request("f", "withdrawn"),
        request("g", "pending"),
    ]
    engagements = [
        engagement("a", "active", started_at=T0, progress={"0": 4, "1": 2}),
        engagement(
            "b",
            "ended",
            started_at=T0,
            progress={"0": 3},
            outcome={"0": 5, "1": 4},
            would_recommend=True,
        ),
        engagement("c", "declined"),  # the coach said no: never started, not closed either
        engagement("x", "arranging"),  # its request is gone (forgotten): no wait counted
    ]
    stats = coaching_stats(requests, engagements)
    assert stats.requests == {"pending": 2, "approved": 3, "declined": 1, "withdrawn": 1}
    assert stats.engagements == {"active": 2, "closed": 1}
    assert stats.median_days_to_start == 7.0  # 4 and 10 days
    assert stats.average_progress == 3.0
    assert stats.average_outcome == 4.5
    assert stats.would_recommend == (1, 1)


def test_coaching_stats_with_nothing_yet():
    stats = coaching_stats([], [])
    assert stats.requests == {"pending": 0, "approved": 0, "declined": 0, "withdrawn": 0}
    assert stats.engagements == {"active": 0, "closed": 0}
    assert (stats.median_days_to_start, stats.average_progress, stats.average_outcome) == (
        None,
        None,
        None,
    )
    assert stats.would_recommend == (0, 0)


def test_mentoring_stats():
    agreed = Agreement(("Lead", "Speak up"), "2w", "12w", T0, "U1", ("U1", "M1"), T0, T0)
    proposed = Agreement(("Lead", "Speak up"), "2w", "12w", T0, "U3", ("U3",))
    intros = [
        Intro("a", "U1", "M1", "accepted", T0, T0, answered_at=T0, agreement=agreed.doc()),
        Intro("b", "U3", "M1", "accepted", T0, T0, answered_at=T0, agreement=proposed.doc()),
        Intro(
            "c",
            "U4",
            "M2",
            "ended",
            T0,
            T0,
            answered_at=T0,
            ended_at=T0 + timedelta(days=30),
            closeouts={"U4": {"goals": "4", "recommend": "yes"}, "M2": {"goals": "2"}},
            at_risk={"signal": "two low check-in scores in a row"},
        ),
        Intro(
            "d",
            "U5",
            "M2",
            "ended",
            T0,
            T0,
            answered_at=T0,
            ended_at=T0 + timedelta(days=90),
            closeouts={"U5": {"goals": "5", "recommend": "no", "note": "Thanks"}},
        ),
        Intro("e", "U6", "M2", "pending", T0, T0),
    ]
    pool = [
        Mentor("M1", "Ann", None, ("engineering",), (), "senior", 3, nominated_at=T0),
        Mentor("M2", "Bob", None, ("design",), (), "mid", 2, away_until=T0 + timedelta(days=9)),
    ]
    nominee = Mentor("M3", "Cy", None, ("data",), (), "mid", 1, status="nominated")
    rated = new_nudge("U1", "check_in", T0, T0)
    checks = [
        replace(rated, answer={"score": "4", "goal_0": "3", "goal_1": "4"}),
        replace(rated, answer={"score": "2", "goal_0": "2", "note": "slow"}),
        replace(new_nudge("U1", "coaching_midpoint", T0, T0), answer={"goal_0": "5"}),
    ]
    stats = mentoring_stats(intros, pool, [nominee], checks)
    assert stats.nominations == (1, 1)
    assert stats.mentors_away == 1
    assert stats.agreements_confirmed == 1  # the other is proposed, not confirmed by both
    assert stats.relationships == {"active": 2, "closed": 2}
    assert stats.median_days == 60.0
    assert stats.average_goal_progress == 3.0  # 3, 4, 2: coaching ratings are not counted
    assert stats.average_closeout == round((4 + 2 + 5) / 3, 1)
    assert stats.would_recommend == (1, 2)
    assert stats.at_risk == 1


def test_mentoring_stats_with_nothing_yet():
    stats = mentoring_stats([], [], [], [])
    assert stats.nominations == (0, 0) and stats.relationships == {"active": 0, "closed": 0}
    assert stats.median_days is None and stats.average_closeout is None
    assert stats.would_recommend == (0, 0) and stats.at_risk == 0


def test_an_ended_mentoring_still_counts_as_accepted(content):
    ended = Intro("a", "U2", "M1", "ended", T0, T0, answered_at=T0 + timedelta(hours=4))
    stats = program_stats([], [ended], [], [])
    assert stats.intros["accepted"] == 1 and stats.median_hours_to_accept == 4.0


def test_partial_tallies_add_up_and_only_ratings_count():
    assert Mean(3, 1) + Mean(5, 1) + Mean() == Mean(8, 2)
    assert (Mean(8, 2).value, Mean(11, 3).value, Mean().value) == (4.0, 3.7, None)
    assert [rating(v) for v in ("4", 5, "05", "4.0", "-1", "²", "", True, None)] == [
        4,
        5,
        5,
        None,
        None,
        None,
        None,
        None,
        None,
    ]


def test_360_figures_from_requests_by_their_answers():
    assert answered_figures({0: 2, 1: 1, 3: 2, 5: 1}) == FeedbackFigures(6, 12, 3)
    assert answered_figures({}) == FeedbackFigures(0, 0, 0)
