"""Nudge rules: what to nudge when, whether it still makes sense, and when a person can get it.

Pure: the scheduler gathers the facts from the store and Slack, these functions decide.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Literal

from bot.domain.coaching import Engagement, checkpoints
from bot.domain.intros import Intro
from bot.domain.zones import zone_or_utc

NudgeState = Literal["scheduled", "sending", "sent", "answered", "cancelled", "skipped", "snoozed"]
KINDS = (
    "reach_out",
    "answer_request",
    "did_you_meet",
    "check_in",
    "coaching_goals",
    "coaching_midpoint",
    "coaching_review",
    "gentle_reminder",
    "coaching_offer",
)
# Nudges about a questionnaire result, replaced when the person takes it again.
RESULT_KINDS = {"reach_out", "gentle_reminder"}
# The checkpoints of a coaching engagement, about it (their subject is its id).
ENGAGEMENT_KINDS = frozenset({"coaching_goals", "coaching_midpoint", "coaching_review"})
# Kinds that count as one for "two ignored in a row": the coaching checkpoints are one thread.
FAMILY = {
    "coaching_goals": "coaching",
    "coaching_midpoint": "coaching",
    "coaching_review": "coaching",
}
IGNORED_LIMIT = 2


def family(kind: str) -> str:
    return FAMILY.get(kind, kind)


@dataclass(frozen=True)
class Nudge:
    id: str
    user_id: str
    kind: str
    due_at: datetime
    created_at: datetime
    subject: str = ""  # the intro, response or coaching engagement this nudge is about
    state: NudgeState = "scheduled"
    sent_at: datetime | None = None
    answered_at: datetime | None = None
    answer: Mapping[str, str] = field(default_factory=dict)
    attempts: int = 0
    last_of_kind: bool = False
    message: Mapping[str, str] = field(default_factory=dict)


def new_nudge(user_id: str, kind: str, due_at: datetime, now: datetime, subject: str = "") -> Nudge:
    return Nudge(uuid.uuid4().hex, user_id, kind, due_at, now, subject)


@dataclass(frozen=True)
class Cadence:
    """When each kind falls due, from conversations/nudges.yml."""

    reach_out_after: timedelta
    answer_before_lapse: timedelta
    did_you_meet_after: timedelta
    check_in_every: timedelta
    coaching_goals_after: timedelta  # from the engagement's start
    coaching_review_before_end: timedelta  # the mid-point is half-way
    gentle_after: timedelta
    snooze: timedelta


@dataclass(frozen=True)
class WorkingHours:
    start: time
    end: time
    days: frozenset[int]  # 0 is Monday, as datetime.weekday()


def plan_after_recommendation(
    user_id: str, response_id: str, has_matches: bool, now: datetime, cadence: Cadence
) -> list[Nudge]:
    """The coaching checkpoints are not here: they belong to an engagement, once it starts
    (`plan_engagement`); "not sure yet" gets the gentle reminder, and the reach-out when it
    lists mentors (a first conversation helps decide)."""
    plan = [new_nudge(user_id, "gentle_reminder", now + cadence.gentle_after, now, response_id)]
    if has_matches:
        plan.append(
            new_nudge(user_id, "reach_out", now + cadence.reach_out_after, now, response_id)
        )
    return plan


def plan_engagement(
    engagement: Engagement, now: datetime, cadence: Cadence, kinds: Iterable[str] = ENGAGEMENT_KINDS
) -> list[Nudge]:
    """The coachee's checkpoints, timed from the engagement's start and planned end."""
    start, end = engagement.started_at or now, engagement.planned_end or now
    due = checkpoints(start, end - cadence.coaching_review_before_end, cadence.coaching_goals_after)
    return [
        new_nudge(engagement.user_id, kind, max(now, due[kind]), now, engagement.id)
        for kind in ("coaching_goals", "coaching_midpoint", "coaching_review")
        if kind in kinds
    ]


def plan_offer_reminder(
    coach_id: str, engagement_id: str, expires_at: datetime, before: timedelta, now: datetime
) -> Nudge:
    return new_nudge(coach_id, "coaching_offer", max(now, expires_at - before), now, engagement_id)


def plan_after_intro_requested(intro: Intro, now: datetime, cadence: Cadence) -> list[Nudge]:
    due = max(now, intro.expires_at - cadence.answer_before_lapse)
    return [new_nudge(intro.mentor_id, "answer_request", due, now, intro.id)]


def plan_after_intro_accepted(intro: Intro, now: datetime, cadence: Cadence) -> list[Nudge]:
    plan = []
    for person in (intro.mentee_id, intro.mentor_id):
        plan.append(
            new_nudge(person, "did_you_meet", now + cadence.did_you_meet_after, now, intro.id)
        )
        plan.append(new_nudge(person, "check_in", now + cadence.check_in_every, now, intro.id))
    return plan


def plan_follow_up(nudge: Nudge, now: datetime, cadence: Cadence) -> list[Nudge]:
    """What comes after this nudge is sent: check-ins go on while the mentoring does."""
    if nudge.kind == "check_in":
        return [
            new_nudge(nudge.user_id, "check_in", now + cadence.check_in_every, now, nudge.subject)
        ]
    return []


@dataclass(frozen=True)
class Facts:
    """What is true for this nudge's person and subject at the moment it would be sent."""

    stopped: bool = False
    intro_state: str | None = None  # the subject intro's state, for intro nudges
    engagement_state: str | None = None  # the subject engagement's, for coaching nudges
    intro_requested_since: bool = False  # the person asked for an intro after the nudge was planned
    latest_response_id: str | None = None
    acted_since: bool = False  # anything at all since the recommendation
    met: bool = False  # they already said they met
    ignored_in_a_row: int = 0  # the latest sent nudges of this kind's family, unanswered


Decision = Literal["send", "send_last", "skip"]


def decide(nudge: Nudge, facts: Facts) -> tuple[Decision, str]:
    """Send, send as the last of its kind, or skip (with why) — checked at send time."""
    why = _not_relevant(nudge, facts)
    if why:
        return "skip", why
    if facts.ignored_in_a_row >= IGNORED_LIMIT:
        return "skip", f"{IGNORED_LIMIT} {family(nudge.kind)} nudges ignored in a row"
    if facts.ignored_in_a_row == IGNORED_LIMIT - 1:
        return "send_last", ""
    return "send", ""


def _not_relevant(nudge: Nudge, facts: Facts) -> str:
    if facts.stopped:
        return "the person stopped their reminders"
    kind = nudge.kind
    if kind == "reach_out" and facts.intro_requested_since:
        return "an intro was requested already"
    if kind in RESULT_KINDS and facts.latest_response_id != nudge.subject:
        return "a newer questionnaire replaced this one"
    if kind == "gentle_reminder" and facts.acted_since:
        return "the person acted on their result"
    if kind in ENGAGEMENT_KINDS and facts.engagement_state != "active":
        return "the coaching engagement is not under way"
    if kind == "coaching_offer" and facts.engagement_state != "offered":
        return "the offer was answered or lapsed"
    if kind == "answer_request" and facts.intro_state != "pending":
        return "the request was answered or lapsed"
    if kind in ("did_you_meet", "check_in") and facts.intro_state != "accepted":
        return "the mentoring has ended"
    if kind == "did_you_meet" and facts.met:
        return "they said they met"
    return ""


def ignored_in_a_row(kind: str, sent: Iterable[Nudge]) -> int:
    """How many of this family's latest sent nudges went unanswered, newest first."""
    count = 0
    ordered = sorted(
        (n for n in sent if family(n.kind) == family(kind) and n.sent_at is not None),
        key=lambda n: n.sent_at or n.due_at,
        reverse=True,
    )
    for nudge in ordered:
        if nudge.answered_at is not None:
            break
        count += 1
    return count


def next_delivery(moment: datetime, timezone: str | None, hours: WorkingHours) -> datetime:
    """The first moment at or after `moment` inside the person's working hours, in UTC terms.

    Worked out in their own timezone, day by day, so a daylight-saving change lands right.
    Without a known timezone, UTC stands in.
    """
    zone = zone_or_utc(timezone)
    local = moment.astimezone(zone)
    for _ in range(8):
        start = datetime.combine(local.date(), hours.start, zone)
        end = datetime.combine(local.date(), hours.end, zone)
        if local.weekday() in hours.days and local < end:
            return max(local, start).astimezone(moment.tzinfo)
        local = datetime.combine(local.date() + timedelta(days=1), time(0), zone)
    return moment  # no working day at all is configured: deliver when due
