"""Intro requests between a mentee and a mentor: who may ask whom, and how a request moves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

IntroState = Literal["pending", "accepted", "declined", "expired", "ended"]
# A mentee is never offered again a mentor with one of these intros.
CLOSED_TO_MATCHING: frozenset[str] = frozenset({"pending", "accepted", "declined"})


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
    source: Literal["match", "open_request"] = "match"
    # Where the mentor's copy of the request is, so it can be updated once answered.
    mentor_message: dict[str, str] = field(default_factory=dict)


def excluded_mentors(mentee_id: str, intros: Iterable[Intro]) -> set[str]:
    """Mentors not to offer this mentee: already asked, already matched, or declined."""
    return {
        i.mentor_id for i in intros if i.mentee_id == mentee_id and i.state in CLOSED_TO_MATCHING
    }


def why_not_request(mentee_id: str, mentor_id: str, intros: Iterable[Intro]) -> str | None:
    """None when the mentee may ask this mentor for an intro, else the reason in their words."""
    if mentee_id == mentor_id:
        return "That is you: pick someone else to talk to."
    for intro in intros:
        if intro.mentee_id != mentee_id or intro.mentor_id != mentor_id:
            continue
        if intro.state == "pending":
            return "You have already asked them; they have not answered yet."
        if intro.state == "accepted":
            return "They are already your mentor."
        if intro.state == "declined":
            return "They could not take this on; try one of your other matches."
    return None


def mentees_now(intros: Iterable[Intro]) -> dict[str, int]:
    """How many mentees each mentor has: accepted intros that have not ended."""
    counts: dict[str, int] = {}
    for intro in intros:
        if intro.state == "accepted":
            counts[intro.mentor_id] = counts.get(intro.mentor_id, 0) + 1
    return counts
