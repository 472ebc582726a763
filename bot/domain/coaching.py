"""The coaching path's records: the coach roster, requests the program decides, engagements.

Coaching is formal and time-limited: a person asks, the program approves (it usually pays),
the person chooses a coach, and the engagement runs toward goals they can measure, from a
start to a planned end, with a mid-point and an end review. These are the shapes every part
of that path shares; the rules live beside them.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

from bot.domain.pool import BIO_MOST, NAME_MOST, capacity_problem, choices_problem, clean_text
from bot.domain.recommendation import has_coaching

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


# The coach roster: what an entry may hold, and the content's words for it.

CREDENTIALS_MOST = 200
ORGANISATION_MOST = 100
EMAIL_MOST = 254
URL_MOST = 500
EXTERNAL_PREFIX = "x-"
_ID_LETTERS = string.ascii_lowercase + string.digits
_EXTERNAL_ID = re.compile(r"^x-[a-z0-9]{4,20}$")
# Nothing that mrkdwn reads as markup (<, >, |) or that ends an address (spaces).
_EMAIL = re.compile(r"^[^@\s<>|]+@[^@\s<>|.]+(\.[^@\s<>|.]+)+$")
_URL_CHARS = re.compile(r"^[^\s<>|]+$")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class CoachArea:
    """What a coach can coach on; `topics` are the questionnaire's `topics` values it serves,
    `words` find it in what a person typed as their goals."""

    value: str
    label: str
    topics: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class CoachWeights:
    area: float = 20  # per area the person needs, up to `areas_counted`
    areas_counted: int = 3
    language: float = 10  # they speak one of the person's languages
    timezone: float = 6  # full in the same timezone, nothing `timezone_far_hours` apart
    timezone_far_hours: float = 8
    capacity: float = 4  # full when every place is free


@dataclass(frozen=True)
class CoachRules:
    """conversations/coaches.yml, checked."""

    areas: tuple[CoachArea, ...]
    languages: tuple[Choice, ...]
    timezones: tuple[str, ...]
    weights: CoachWeights = CoachWeights()
    coaches_shown: int = 3
    show_without_area: bool = False  # offer coaches who coach none of the person's areas

    @property
    def labels(self) -> dict[str, str]:
        """Area and language values to the words people read."""
        return {a.value: a.label for a in self.areas} | {c.value: c.label for c in self.languages}


def new_external_id() -> str:
    """An external coach's id: "x-" and six random letters or digits."""
    return EXTERNAL_PREFIX + "".join(secrets.choice(_ID_LETTERS) for _ in range(6))


def is_external_id(coach_id: str) -> bool:
    return bool(_EXTERNAL_ID.match(coach_id))


def email_problem(text: str) -> str | None:
    text = text.strip()
    if not text:
        return "is missing"
    if len(text) > EMAIL_MOST or not _EMAIL.match(text):
        return f"'{text[:80]}' is not an email address (like name@example.com)"
    return None


def booking_url_problem(text: str) -> str | None:
    """None when empty (it is optional) or a web address Slack can link to."""
    text = text.strip()
    if not text:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or "." not in (parts.hostname or "")
        or not _URL_CHARS.match(text)
        or len(text) > URL_MOST
    ):
        return f"'{text[:80]}' is not a web address (like https://example.com/book)"
    return None


def coach_problems(
    *,
    kind: str,
    name: str,
    timezone: str | None,
    areas: Collection[str],
    languages: Collection[str],
    capacity: str | int,
    credentials: str,
    bio: str,
    organisation: str = "",
    email: str = "",
    booking_url: str = "",
    known_areas: Collection[str],
    known_languages: Collection[str],
) -> dict[str, str]:
    """Problems by part of the entry (kind, name, timezone, areas, languages, capacity,
    credentials, bio, organisation, email, booking_url). An internal coach's name and timezone
    come from Slack; an external one's are typed, with how to reach them."""
    problems: dict[str, str] = {}

    def longer(part: str, text: str, most: int) -> None:
        if len(clean_text(text)) > most:
            problems[part] = f"is {len(clean_text(text))} characters; at most {most}"

    if kind not in ("internal", "external"):
        problems["kind"] = f"should be internal or external, not '{kind}'"
    if not clean_text(name):
        problems["name"] = "is missing"
    longer("name", name, NAME_MOST)
    if problem := choices_problem(areas, known_areas, "area", "areas"):
        problems["areas"] = problem
    if problem := choices_problem(languages, known_languages, "language", "languages"):
        problems["languages"] = problem
    if problem := capacity_problem(capacity):
        problems["capacity"] = problem
    longer("credentials", credentials, CREDENTIALS_MOST)
    longer("bio", bio, BIO_MOST)
    longer("organisation", organisation, ORGANISATION_MOST)
    if kind == "external":
        if not timezone:
            problems["timezone"] = "pick their timezone"
        if not clean_text(organisation):
            problems["organisation"] = "is missing"
    if (kind == "external" or email.strip()) and (problem := email_problem(email)):
        problems["email"] = problem
    if problem := booking_url_problem(booking_url):
        problems["booking_url"] = problem
    return problems


def areas_text(areas: Collection[str], labels: Mapping[str, str]) -> str:
    """Areas in the person's words: "leadership, communication and influence"."""
    return ", ".join(labels.get(a, a).lower() for a in areas)


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
    languages: tuple[str, ...] = ()  # values of the roster's languages the person would like
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


# The rules of the path, beside the records: pure, so they are tested without Slack or a store.

# A person has one request in play at a time: waiting for the program, or approved and not
# yet closed by an ended engagement.
OPEN_REQUEST = "You already have a coaching request in; you will hear by DM when it moves."
NO_COACHING = (
    "Request coaching follows a coaching (or coaching and mentoring) result: "
    "type `/devpath` to take the questionnaire first."
)


@dataclass(frozen=True)
class Timeframe:
    value: str  # what a request keeps ("3m")
    label: str  # what the person reads ("About 3 months")
    duration: timedelta  # from the engagement's start to its planned end


@dataclass(frozen=True)
class Budget:
    """What the program can pay for: engagements approved per calendar quarter, or seats
    (approved requests whose engagement has not ended). None of both: no limit."""

    per_quarter: int | None = None
    seats: int | None = None

    @property
    def limit(self) -> int | None:
        return self.per_quarter if self.per_quarter is not None else self.seats

    def window_start(self, now: datetime) -> datetime | None:
        """Approvals since this moment count (per quarter); None: every open one (seats)."""
        if self.per_quarter is None:
            return None
        return quarter_start(now)

    def describe(self, used: int) -> str:
        if self.per_quarter is not None:
            return f"{used} of {self.per_quarter} engagements approved this quarter"
        if self.seats is not None:
            return f"{used} of {self.seats} coaching seats taken"
        return f"{used} engagements under way (no budget limit set)"


@dataclass(frozen=True)
class CoachingRules:
    """conversations/coaching.yml: what a request asks, what the program can pay for, how an
    offer to a coach lapses, and the words of the kickoff and of a decline."""

    timeframes: tuple[Timeframe, ...]
    manager_knows: tuple[tuple[str, str], ...]  # (value, label)
    budget: Budget
    offer_expires_after: timedelta
    remind_before_lapse: timedelta
    extend_by: timedelta
    kickoff: str
    decline_frame: str  # "{reason}" is the admin's reason, escaped
    goal_hints: Mapping[str, str]  # a questionnaire option value -> a goal hint

    def timeframe(self, value: str) -> Timeframe | None:
        return next((t for t in self.timeframes if t.value == value), None)

    def manager_label(self, value: str) -> str:
        return dict(self.manager_knows).get(value, value)

    def hints_for(self, answers: Mapping[str, Sequence[str]]) -> list[str]:
        """Goal hints from the person's answers, in the order of the content, each once."""
        given = {v for values in answers.values() for v in values}
        return list(dict.fromkeys(h for value, h in self.goal_hints.items() if value in given))


def quarter_start(now: datetime) -> datetime:
    """The first moment of the calendar quarter `now` is in (UTC)."""
    moment = now.astimezone(UTC)
    return datetime(moment.year, 3 * ((moment.month - 1) // 3) + 1, 1, tzinfo=UTC)


def why_not_request(
    latest_path: str | None,
    requests: Iterable[CoachingRequest],
    engagements: Iterable[Engagement],
) -> str | None:
    """None when this person may ask for coaching now, else the reason in their words: a
    latest result with coaching in it, and no request already pending or approved and open."""
    if latest_path is None or not has_coaching(latest_path):
        return NO_COACHING
    ended = {e.request_id for e in engagements if e.state == "ended"}
    for request in requests:
        if request.state == "pending" or (request.state == "approved" and request.id not in ended):
            return OPEN_REQUEST
    return None


def planned_end(start: datetime, timeframe: Timeframe | None, fallback: timedelta) -> datetime:
    return start + (timeframe.duration if timeframe else fallback)


def checkpoints(start: datetime, end: datetime, goals_after: timedelta) -> dict[str, datetime]:
    """When each coaching checkpoint falls due: the goals a little after the start, the
    mid-point half-way, the end review at the planned end."""
    return {
        "coaching_goals": min(start + goals_after, start + (end - start) / 2),
        "coaching_midpoint": start + (end - start) / 2,
        "coaching_review": end,
    }


def may_extend(engagement: Engagement) -> str | None:
    """None when the engagement may be extended (once, while under way), else why not."""
    if engagement.state != "active":
        return "Only an engagement under way can be extended."
    if engagement.extended:
        return "This engagement was extended once already; a new request can follow it."
    return None


def may_act_on(engagement: Engagement, user_id: str, admin: bool) -> bool:
    """The coachee or a program admin may end or extend an engagement."""
    return admin or user_id == engagement.user_id
