"""What follows an action, as written with a new response; which effects are made again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.nudges import new_nudge
from bot.domain.outbox import Followups, at_least_once, due, new_effect, waiting_until

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_a_response_s_followups_are_about_it() -> None:
    then = Followups(
        nudges=(
            new_nudge("U1", "gentle_reminder", T0, T0),
            new_nudge("U1", "check_in", T0, T0, "I1"),
        ),
        effects=(new_effect("result_dm", "U1", T0), new_effect("share", "U1", T0, channel="C1")),
    )
    about = then.about_response("42")
    assert [n.subject for n in about.nudges] == ["42", "I1"]  # its own subject is kept
    assert [dict(e.data) for e in about.effects] == [
        {"response_id": "42"},
        {"channel": "C1", "response_id": "42"},
    ]
    assert [n.id for n in about.nudges] == [n.id for n in then.nudges]


@pytest.mark.parametrize(
    ("kind", "again"),
    [
        ("result_dm", True),
        ("intro_request", True),
        ("kickoff", True),
        ("mentee_accepted", True),
        ("mentee_declined", True),
        ("mentor_copies", True),
        ("request_taken", True),
        ("share", False),  # seen by the whole channel: never twice
        ("gap_alert", False),  # a heads-up for admins
    ],
)
def test_which_effects_are_made_again_after_a_crash(kind: str, again: bool) -> None:
    assert at_least_once(new_effect(kind, "U1", T0)) is again


def test_an_effect_may_wait_for_a_moment() -> None:
    now = new_effect("feedback_remind", "U2", T0, giver_id="U2")
    assert due(now, T0) and waiting_until(now, T0) == now  # not later: at once
    later = waiting_until(now, T0 + timedelta(hours=4))
    assert later.id == now.id and later.data["giver_id"] == "U2"
    assert not due(later, T0 + timedelta(hours=3, minutes=59))
    assert due(later, T0 + timedelta(hours=4))
