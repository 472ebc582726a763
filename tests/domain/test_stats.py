"""The program's figures from plain records."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.intros import Intro
from bot.domain.matching import Mentor
from bot.domain.nudges import new_nudge
from bot.domain.recommendation import recommend
from bot.domain.records import Response
from bot.domain.stats import program_stats
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
