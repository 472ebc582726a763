"""The coaching path's records: the coach roster, requests the program decides, engagements.

Coaching is formal and time-limited: a person asks, the program approves (it usually pays),
the person chooses a coach, and the engagement runs toward goals they can measure, from a
start to a planned end, with a mid-point and an end review. These are the shapes every part
of that path shares; the rules live beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

CoachKind = Literal["internal", "external"]
RequestState = Literal["pending", "approved", "declined", "withdrawn"]
# offered: an internal coach was asked and has not answered; arranging: an external coach was
# chosen and the program arranges the contract; active: under way; the rest are closed.
EngagementState = Literal["offered", "arranging", "active", "declined", "lapsed", "ended"]
# An engagement in one of these holds a place of the coach's capacity.
HOLDS_A_PLACE: frozenset[str] = frozenset({"offered", "arranging", "active"})


@dataclass(frozen=True)
class Coach:
    """An internal coach's id is their Slack user ID; an external coach's is "x-" and a few
    letters given when they are added, kept by the CSV so an export imports back unchanged."""

    id: str
    kind: CoachKind
    name: str
    timezone: str | None
    areas: tuple[str, ...]
    languages: tuple[str, ...]
    capacity: int
    credentials: str = ""
    bio: str = ""
    active: bool = True
    organisation: str = ""  # external coaches: where they work ...
    email: str = ""  # ... how to reach them ...
    booking_url: str = ""  # ... and, if they have one, where to book a session


@dataclass(frozen=True)
class CoachingRequest:
    id: str
    user_id: str
    goals: tuple[str, ...]
    timeframe: str  # a value of the content's timeframes ("3m", "6m")
    manager_knows: str  # a value of the content's manager answers ("yes", "not_yet", ...)
    created_at: datetime
    state: RequestState = "pending"
    note: str = ""  # for the program team
    response_id: str = ""  # the recommendation it came from
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str = ""  # a decline's reason, which the person sees
    over_budget: bool = False  # approved past the budget, confirmed by the admin
    # Where each admin's copy of the request is, so it can be updated once decided.
    admin_messages: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class Engagement:
    id: str
    request_id: str
    user_id: str
    coach_id: str
    goals: tuple[str, ...]
    state: EngagementState
    created_at: datetime
    expires_at: datetime | None = None  # offered: when the coach's silence lapses it
    started_at: datetime | None = None
    planned_end: datetime | None = None
    ended_at: datetime | None = None
    extended: bool = False  # an engagement may be extended once
    end_reason: str = ""
    progress: dict[str, int] = field(default_factory=dict)  # goal index ("0") -> 1..5, mid-point
    outcome: dict[str, int] = field(default_factory=dict)  # goal index -> 1..5, end review
    would_recommend: bool | None = None
    channel_id: str | None = None  # the group DM with an internal coach
    # Where the coach's copy of the offer is, so it can be updated once answered.
    coach_message: dict[str, str] = field(default_factory=dict)
