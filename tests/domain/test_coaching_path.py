"""The coaching path's pure rules: who may ask, the budget's window, the checkpoints' times,
what an extension allows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.coaching import (
    NO_COACHING,
    OPEN_REQUEST,
    Budget,
    CoachingRequest,
    Engagement,
    checkpoints,
    may_act_on,
    may_extend,
    quarter_start,
    why_not_request,
)
from bot.domain.nudges import plan_engagement, plan_offer_reminder

T0 = datetime(2026, 11, 24, 10, tzinfo=UTC)


def request(state: str = "pending", rid: str = "Q1") -> CoachingRequest:
    return CoachingRequest(rid, "U1", ("a", "b"), "3m", "yes", T0, state=state)  # type: ignore[arg-type]


def engagement(state: str = "active", **more) -> Engagement:
    return Engagement("G1", "Q1", "U1", "C1", ("a", "b"), state, T0, **more)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "requests", "engagements", "why"),
    [
        ("mentoring", [], [], NO_COACHING),
        ("not_sure", [], [], NO_COACHING),
        (None, [], [], NO_COACHING),
        ("coaching", [], [], None),
        ("both", [request("declined"), request("withdrawn")], [], None),
        ("coaching", [request("pending")], [], OPEN_REQUEST),
        ("coaching", [request("approved")], [engagement("active")], OPEN_REQUEST),
        ("coaching", [request("approved")], [engagement("lapsed")], OPEN_REQUEST),
        ("coaching", [request("approved")], [engagement("ended")], None),  # closed: ask again
    ],
)
def test_who_may_ask(path, requests, engagements, why) -> None:
    assert why_not_request(path, requests, engagements) == why


@pytest.mark.parametrize(
    ("now", "start"),
    [
        (datetime(2026, 11, 24, 10, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)),
        (datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
        (datetime(2026, 3, 31, 23, 59, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
        (datetime(2026, 6, 30, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)),
    ],
)
def test_the_quarter_an_approval_counts_in(now, start) -> None:
    assert quarter_start(now) == start
    assert Budget(per_quarter=3).window_start(now) == start
    assert Budget(seats=3).window_start(now) is None


def test_the_budget_in_words() -> None:
    assert Budget(per_quarter=6).describe(2) == "2 of 6 engagements approved this quarter"
    assert Budget(seats=4).describe(4) == "4 of 4 coaching seats taken"
    assert Budget().limit is None


def test_checkpoints_fall_a_week_in_half_way_and_at_the_end(content) -> None:
    end = T0 + timedelta(weeks=13)
    due = checkpoints(T0, end, timedelta(weeks=1))
    assert due == {
        "coaching_goals": T0 + timedelta(weeks=1),
        "coaching_midpoint": T0 + timedelta(weeks=6.5),
        "coaching_review": end,
    }
    # A short engagement (a demo) never asks for goals after its mid-point.
    short = checkpoints(T0, T0 + timedelta(days=4), timedelta(weeks=1))
    assert short["coaching_goals"] == short["coaching_midpoint"] == T0 + timedelta(days=2)
    started = engagement(started_at=T0, planned_end=end)
    plan = plan_engagement(started, T0, content.nudges.cadence)
    assert {(n.kind, n.due_at, n.subject, n.user_id) for n in plan} == {
        (kind, at, "G1", "U1") for kind, at in due.items()
    }
    reminder = plan_offer_reminder("C1", "G1", T0 + timedelta(days=7), timedelta(days=2), T0)
    assert (reminder.user_id, reminder.due_at) == ("C1", T0 + timedelta(days=5))


def test_an_engagement_is_extended_once_by_the_coachee_or_an_admin() -> None:
    assert may_extend(engagement()) is None
    assert "once already" in (may_extend(engagement(extended=True)) or "")
    assert "under way" in (may_extend(engagement("ended")) or "")
    assert may_act_on(engagement(), "U1", admin=False)
    assert not may_act_on(engagement(), "C1", admin=False)  # the coach: not theirs to end
    assert may_act_on(engagement(), "UADMIN", admin=True)
