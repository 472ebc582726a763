"""A mentoring relationship from start to end: the agreement the pair confirms, the question a
mentor may ask before accepting, and the content's rules for both.

An accepted intro is the relationship (bot/domain/intros.py): these are the shapes its
lifecycle fields hold, read from and written to the intro's plain documents, so both stores
keep them alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.domain.coaching import Choice
from bot.domain.durations import parse_duration
from bot.domain.intros import Intro

GOALS_FEWEST, GOALS_MOST = 2, 3
GOAL_MOST = 200  # characters in one goal


@dataclass(frozen=True)
class MentoringRules:
    """conversations/mentoring.yml, checked; the defaults are the shipped file's."""

    # False: `/devpath mentor join` puts people in the pool at once, no admin asked.
    join_needs_approval: bool = True
    # The agreement's choices; the first of each is what the modal proposes.
    meet_every: tuple[Choice, ...] = (
        Choice("2w", "Every two weeks"),
        Choice("1w", "Every week"),
        Choice("4w", "Every four weeks"),
    )
    runs_for: tuple[Choice, ...] = (
        Choice("12w", "Three months"),
        Choice("26w", "Six months"),
        Choice("52w", "A year"),
    )
    # A pair looks at risk after `low_in_a_row` check-in scores at or under `low_score`, or
    # when both of them left their latest `ignored_in_a_row` check-ins unanswered.
    low_score: int = 2
    low_in_a_row: int = 2
    ignored_in_a_row: int = 2
    # The meeting helper in the kickoff: this many times of this length, inside both people's
    # working hours (nudges.yml), starting a day after the kickoff.
    meeting_length: timedelta = timedelta(minutes=30)
    meeting_suggestions: int = 3

    def label(self, value: str) -> str:
        """The words for a meet_every or runs_for value (the value itself if unknown)."""
        return next(
            (c.label for c in (*self.meet_every, *self.runs_for) if c.value == value), value
        )


@dataclass(frozen=True)
class Agreement:
    """What a mentee and mentor agree to: the mentee's goals, how often they meet, how long
    the mentoring is meant to run. Proposed by the mentee, confirmed by both; changing it
    asks both to confirm again."""

    goals: tuple[str, ...]
    meet_every: str  # a duration, as the content writes it: "2w"
    runs_for: str  # a duration: "26w"
    proposed_at: datetime
    proposed_by: str
    confirmed_by: tuple[str, ...] = ()
    confirmed_at: datetime | None = None  # when the second of the two confirmed
    ends_at: datetime | None = None  # the agreed end: confirmed_at + runs_for
    message: Mapping[str, str] = field(default_factory=dict)  # where the pair's copy is

    def confirmed(self, intro: Intro) -> bool:
        return {intro.mentee_id, intro.mentor_id} <= set(self.confirmed_by)

    def confirm(self, user_id: str, intro: Intro, now: datetime) -> Agreement:
        """Confirmed by this person too; once both have, it starts to run from `now`."""
        if user_id in self.confirmed_by:
            return self
        agreed = replace(self, confirmed_by=(*self.confirmed_by, user_id))
        if agreed.confirmed(intro):
            agreed = replace(agreed, confirmed_at=now, ends_at=now + parse_duration(self.runs_for))
        return agreed

    def doc(self) -> dict[str, Any]:
        return {
            "goals": list(self.goals),
            "meet_every": self.meet_every,
            "runs_for": self.runs_for,
            "proposed_at": self.proposed_at.isoformat(),
            "proposed_by": self.proposed_by,
            "confirmed_by": list(self.confirmed_by),
            "confirmed_at": self.confirmed_at.isoformat() if self.confirmed_at else None,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "message": dict(self.message),
        }


def agreement_of(intro: Intro) -> Agreement | None:
    """The intro's agreement, or None when none was proposed yet."""
    doc = intro.agreement
    if not doc or not doc.get("goals"):
        return None
    return Agreement(
        goals=tuple(doc["goals"]),
        meet_every=str(doc.get("meet_every", "")),
        runs_for=str(doc.get("runs_for", "")),
        proposed_at=datetime.fromisoformat(doc["proposed_at"]),
        proposed_by=str(doc.get("proposed_by", "")),
        confirmed_by=tuple(doc.get("confirmed_by", ())),
        confirmed_at=_moment(doc.get("confirmed_at")),
        ends_at=_moment(doc.get("ends_at")),
        message=dict(doc.get("message") or {}),
    )


def _moment(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# Asking before accepting: the mentor's one question, and the lapse clock it stops.

QUESTION_MOST = 500  # characters in the mentor's question, and in the mentee's answer


def waiting_on_mentee(intro: Intro) -> bool:
    """A pending request whose mentor asked a question the mentee has not answered yet: its
    lapse clock stands still, and the mentor is not reminded meanwhile."""
    question = intro.question
    return intro.state == "pending" and bool(question.get("text")) and not question.get("answer")


def lapses(intro: Intro, now: datetime) -> bool:
    """Whether a request's time has run out: pending and past its expiry while not waiting on
    the mentee's answer to the mentor's question, or (`unanswered`) waiting on it too long."""
    if intro.state != "pending":
        return False
    return unanswered(intro, now) or (now >= intro.expires_at and not waiting_on_mentee(intro))


def unanswered(intro: Intro, now: datetime) -> bool:
    """Whether the mentor's question, still waiting for the mentee, has stopped the clock
    past a whole request's time more: then the request lapses after all, so it holds nobody
    for good."""
    if not waiting_on_mentee(intro):
        return False
    return now >= intro.expires_at + (intro.expires_at - intro.requested_at)


def expiry_once_answered(intro: Intro, answered_at: datetime) -> datetime:
    """The request's new expiry once the mentee answers: moved on by how long the question
    waited, so the mentor keeps the time they had left when they asked."""
    asked_at = _moment(intro.question.get("asked_at"))
    if asked_at is None or answered_at <= asked_at:
        return intro.expires_at
    return intro.expires_at + (answered_at - asked_at)


# The agreement the mentee writes.


def goal_problems(goals: list[str]) -> dict[int, str]:
    """What is wrong with the goals typed (one per field, "" for an empty one), by the index
    of the field to show it on; {} when they will do."""
    problems = {
        n: f"Please keep each goal to {GOAL_MOST} characters."
        for n, goal in enumerate(goals)
        if len(goal) > GOAL_MOST
    }
    given = [n for n, goal in enumerate(goals) if goal]
    if len(given) < GOALS_FEWEST:
        missing = next(n for n in range(len(goals)) if not goals[n])
        problems.setdefault(missing, f"Please give at least {GOALS_FEWEST} goals.")
    return problems


def flagged_at_risk(intro: Intro) -> bool:
    """Whether the pair is flagged at risk now: flagged, and not reset since by a new
    agreement both confirmed (the flag stays on record, so the figures count it)."""
    return bool(intro.at_risk) and not intro.at_risk.get("reset_at")


def at_risk_since(intro: Intro) -> datetime | None:
    """Since when signals count: the latest reset of a flag, or always (None)."""
    return _moment(intro.at_risk.get("reset_at"))


def reset_if_flagged(intro: Intro, agreement: Agreement, now: datetime) -> dict[str, Any]:
    """The intro's changes when this agreement is stored: a flagged pair who both confirm a
    new agreement have reset, so a new episode may be flagged (from now on)."""
    changes: dict[str, Any] = {"agreement": agreement.doc()}
    if agreement.confirmed(intro) and flagged_at_risk(intro):
        changes["at_risk"] = {**intro.at_risk, "reset_at": now.isoformat()}
    return changes
