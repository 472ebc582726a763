"""Intro requests between a mentee and a mentor: who may ask whom, and how a request moves."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.domain.matching import Mentor

IntroState = Literal["pending", "accepted", "declined", "expired", "ended"]
# A mentee is never offered again a mentor with one of these intros.
CLOSED_TO_MATCHING: frozenset[str] = frozenset({"pending", "accepted", "declined"})
ALREADY_ASKED = "You have already asked them; they have not answered yet."
DECLINED = "They could not take this on; try one of your other matches."
ASKED_OFTEN = "You have asked them often lately; try one of your other matches for now."


@dataclass(frozen=True)
class Intro:
    id: str
    mentee_id: str
    mentor_id: str
    state: IntroState
    requested_at: datetime
    expires_at: datetime
    note: str = ""
    shares: tuple[str, ...] = ()
    answered_at: datetime | None = None
    source: Literal["match", "open_request", "round"] = "match"
    # Where the mentor's copy of the request is, so it can be updated once answered.
    mentor_message: dict[str, str] = field(default_factory=dict)
    # The mentor's question before answering (bot/domain/mentoring.py `lapses`): "text",
    # "asked_at", then "answer", "answered_at"; the lapse clock stops while it waits.
    question: Mapping[str, str] = field(default_factory=dict)
    # The mentoring agreement (bot/domain/mentoring.py `Agreement`), once proposed.
    agreement: Mapping[str, Any] = field(default_factory=dict)
    # Each person's close-out, by user ID: "goals" (1-5), "recommend", "note", "at".
    closeouts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # When the pair looked at risk and why ("signal", "at"), until a reset clears it.
    at_risk: Mapping[str, str] = field(default_factory=dict)
    ended_at: datetime | None = None
    ended_by: str = ""  # who ended it ("" at the agreed end)
    end_reason: str = ""


@dataclass(frozen=True)
class Tombstone:
    """What is left of an intro when one of the two asked devpath to erase their data: no ID
    of either, only a keyed hash of the pair (`pair_mark`), whether it was declined, and when
    it was asked (for the ask limit)."""

    pair: str
    declined: bool
    at: datetime


def pair_mark(secret: str, mentee_id: str, mentor_id: str) -> str:
    """The pair, recognisable again by whoever holds the database's secret, but by nobody
    who only reads the mark: an HMAC of the ordered pair."""
    message = f"{mentee_id}\x1f{mentor_id}".encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).hexdigest()


def tombstones_of(intros: Iterable[Intro], secret: str) -> list[Tombstone]:
    return [
        Tombstone(
            pair_mark(secret, i.mentee_id, i.mentor_id), i.state == "declined", i.requested_at
        )
        for i in intros
    ]


def excluded_mentors(mentee_id: str, intros: Iterable[Intro]) -> set[str]:
    """Mentors not to offer this mentee: already asked, already matched, or declined."""
    return {
        i.mentor_id for i in intros if i.mentee_id == mentee_id and i.state in CLOSED_TO_MATCHING
    }


def why_not_request(
    mentee_id: str,
    mentor_id: str,
    intros: Iterable[Intro],
    tombstones: Iterable[Tombstone] = (),
    now: datetime | None = None,
    limit: tuple[int, timedelta] | None = None,
) -> str | None:
    """None when the mentee may ask this mentor for an intro, else the reason in their words.
    `tombstones` are this pair's erased intros: a decline stays a decline after either of the
    two erased their data, and with `limit` (how many asks within how long, at `now`) erased
    asks count towards it too."""
    if mentee_id == mentor_id:
        return "That is you: pick someone else to talk to."
    asked: list[datetime] = []
    for intro in intros:
        if intro.mentee_id != mentee_id or intro.mentor_id != mentor_id:
            continue
        if intro.state == "pending":
            return ALREADY_ASKED
        if intro.state == "accepted":
            return "They are already your mentor."
        if intro.state == "declined":
            return DECLINED
        asked.append(intro.requested_at)
    for tombstone in tombstones:
        if tombstone.declined:
            return DECLINED
        asked.append(tombstone.at)
    if limit is not None and now is not None:
        most, window = limit
        if sum(1 for at in asked if at > now - window) >= most:
            return ASKED_OFTEN
    return None


def why_mentor_cannot_take(
    mentor: Mentor | None, taken: Mapping[str, int], mentee_id: str | None = None
) -> str | None:
    """None when this mentor can take on a mentee now, else the reason, said to the mentee
    (or, with no mentee named, to the mentor)."""
    if mentor is not None and mentor.status == "pool" and mentor.away_until is not None:
        if mentee_id is None:
            return "You are away: set yourself back with `/devpath mentor` to take requests."
        return f"{mentor.name} is away for now. Your other matches are not."
    if mentor is None or not mentor.taking:
        if mentee_id is None:
            return "Only mentors in the pool can take requests. Ask a program admin to add you."
        return "That mentor is not taking requests any more. Your other matches still are."
    if taken.get(mentor.user_id, 0) >= mentor.capacity:
        if mentee_id is None:
            return (
                "You have no free mentee place right now. "
                "Ask a program admin to raise your capacity."
            )
        return f"{mentor.name} has no free place right now. Try one of your other matches."
    return None


def free_in_field(mentors: Iterable[Mentor], taken: Mapping[str, int], field: str | None) -> int:
    """Active mentors in this field with a free place: what a gap in the pool is measured by."""
    return sum(
        1
        for m in mentors
        if m.taking and field in m.fields and m.capacity > taken.get(m.user_id, 0)
    )


def mentees_now(intros: Iterable[Intro]) -> dict[str, int]:
    """How many mentees each mentor has: accepted intros that have not ended."""
    counts: dict[str, int] = {}
    for intro in intros:
        if intro.state == "accepted":
            counts[intro.mentor_id] = counts.get(intro.mentor_id, 0) + 1
    return counts
