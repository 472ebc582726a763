"""Nudge rules, case by case: relevance at send time, adaptation, working hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.domain.nudges import (
    Facts,
    WorkingHours,
    decide,
    ignored_in_a_row,
    new_nudge,
    next_delivery,
)

T0 = datetime(2026, 11, 24, 10, tzinfo=UTC)  # a Tuesday
HOURS = WorkingHours(time(9), time(17), frozenset(range(5)))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("due", "tz", "expected"),
    [
        # Inside the day: at once.
        ("2026-11-24T10:00+00:00", "Europe/London", "2026-11-24T10:00+00:00"),
        # Before nine in New York: nine there, 14:00 UTC.
        ("2026-11-24T10:00+00:00", "America/New_York", "2026-11-24T09:00-05:00"),
        # After five in Kolkata (UTC+5:30): the next morning there.
        ("2026-11-24T12:00+00:00", "Asia/Kolkata", "2026-11-25T09:00+05:30"),
        # Friday evening: Monday morning.
        ("2026-11-27T18:00+00:00", "Europe/London", "2026-11-30T09:00+00:00"),
        # Saturday: Monday.
        ("2026-11-28T11:00+00:00", "Europe/Berlin", "2026-11-30T09:00+01:00"),
        # London springs forward on Sunday 29 March 2026: Monday 09:00 is 08:00 UTC.
        ("2026-03-27T17:30+00:00", "Europe/London", "2026-03-30T09:00+01:00"),
        # The US falls back on Sunday 1 November 2026: Monday 09:00 is 14:00 UTC, not 13:00.
        ("2026-10-30T22:00+00:00", "America/New_York", "2026-11-02T09:00-05:00"),
        # No timezone known, or a wrong one: UTC stands in.
        ("2026-11-24T07:00+00:00", None, "2026-11-24T09:00+00:00"),
        ("2026-11-24T07:00+00:00", "Mars/Base", "2026-11-24T09:00+00:00"),
    ],
)
def test_next_delivery(due, tz, expected):
    assert next_delivery(at(due), tz, HOURS) == at(expected)


def nudge(kind: str, subject: str = "R1", **changes):
    made = new_nudge("U1", kind, T0, T0 - timedelta(days=3), subject)
    return made if not changes else made.__class__(**{**vars(made), **changes})


@pytest.mark.parametrize(
    ("kind", "facts", "decision"),
    [
        ("reach_out", Facts(latest_response_id="R1"), "send"),
        ("reach_out", Facts(latest_response_id="R1", intro_requested_since=True), "skip"),
        ("reach_out", Facts(latest_response_id="R2"), "skip"),  # retaken since
        ("gentle_reminder", Facts(latest_response_id="R1"), "send"),
        ("gentle_reminder", Facts(latest_response_id="R1", acted_since=True), "skip"),
        ("coaching_goals", Facts(engagement_state="active"), "send"),
        ("coaching_review", Facts(engagement_state="ended"), "skip"),  # closed early
        ("coaching_offer", Facts(engagement_state="offered"), "send"),
        ("coaching_offer", Facts(engagement_state="active"), "skip"),
        ("answer_request", Facts(intro_state="pending"), "send"),
        ("answer_request", Facts(intro_state="accepted"), "skip"),
        ("did_you_meet", Facts(intro_state="accepted"), "send"),
        ("did_you_meet", Facts(intro_state="accepted", met=True), "skip"),
        ("check_in", Facts(intro_state="ended"), "skip"),
        ("check_in", Facts(intro_state="accepted", stopped=True), "skip"),
        ("check_in", Facts(intro_state="accepted", ignored_in_a_row=1), "send_last"),
        ("check_in", Facts(intro_state="accepted", ignored_in_a_row=2), "skip"),
    ],
)
def test_decide(kind, facts, decision):
    assert decide(nudge(kind), facts)[0] == decision


def test_ignored_in_a_row_counts_back_to_the_last_answer():
    sent = [
        nudge("coaching_goals", sent_at=T0, answered_at=T0),
        nudge("coaching_midpoint", sent_at=T0 + timedelta(days=1)),
        nudge("check_in", sent_at=T0 + timedelta(days=2)),  # another family
        nudge("coaching_review", sent_at=T0 + timedelta(days=3)),
    ]
    assert ignored_in_a_row("coaching_review", sent) == 2
    assert ignored_in_a_row("check_in", sent) == 1
    assert ignored_in_a_row("reach_out", sent) == 0
