"""Matching rounds for cohort programs: everyone waiting is assigned at once.

An admin opens a round with a name and a closing date. Everyone waiting for a mentor (their
latest result is mentoring or both, and they have no mentor and no request out) is in it
(`everyone`), or is asked to join and only those who do are (`opt_in`); mentors confirm how
many places they give it, and at closing (or on Match now) devpath proposes the assignment
that scores highest in total while no mentor gets more than the places they confirmed
(bot/domain/assignment.py). The admin previews it, swaps or removes pairs (the rest is
assigned again), and publishes: only then does anyone hear, as intro requests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from bot.domain.intros import Intro

# open: people join, mentors confirm places; matched: a proposal waits for the admin;
# published: the intros went out; cancelled: closed without publishing.
RoundState = Literal["open", "matched", "published", "cancelled"]
# everyone: all who wait for a mentor are in the round from its start (and told so by DM);
# opt_in: they get a DM with Join the round, and only those who join are in it.
Audience = Literal["everyone", "opt_in"]
NAME_MOST = 60


@dataclass(frozen=True)
class Pair:
    """One proposed pair, with its score and its one-line reason in the mentee's words."""

    mentee_id: str
    mentor_id: str
    score: float
    reason: str

    def doc(self) -> dict[str, Any]:
        return {
            "mentee_id": self.mentee_id,
            "mentor_id": self.mentor_id,
            "score": self.score,
            "reason": self.reason,
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Pair:
        return cls(
            str(doc["mentee_id"]), str(doc["mentor_id"]), float(doc["score"]), str(doc["reason"])
        )


@dataclass(frozen=True)
class Round:
    id: str
    name: str
    created_by: str
    created_at: datetime
    closes_at: datetime
    audience: Audience = "opt_in"
    replaces_first_come: bool = False  # while open, joiners are not offered Request intro
    state: RoundState = "open"
    joined: tuple[str, ...] = ()  # mentees, in the order they joined
    places: Mapping[str, int] = field(default_factory=dict)  # mentor -> places confirmed
    proposal: tuple[Pair, ...] = ()
    unmatched: Mapping[str, str] = field(default_factory=dict)  # mentee -> what is lacking
    first_come_total: float = 0.0  # what first-come matching would score on the same people
    kept: tuple[tuple[str, str], ...] = ()  # (mentee, mentor) the admin set: kept as they are
    removed: tuple[tuple[str, str], ...] = ()  # pairs the admin removed: never proposed again
    matched_at: datetime | None = None
    published_at: datetime | None = None
    intro_ids: tuple[str, ...] = ()  # the intro requests publishing sent
    # Where the bot's messages about the round are, to update them: the admin's preview,
    # as {"channel", "ts"}.
    messages: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return round(sum(p.score for p in self.proposal), 3)

    def pair_of(self, mentee_id: str) -> Pair | None:
        return next((p for p in self.proposal if p.mentee_id == mentee_id), None)

    def doc(self) -> dict[str, Any]:
        """The round as both stores keep it: plain JSON, times as UTC ISO text."""
        return {
            "id": self.id,
            "name": self.name,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "closes_at": self.closes_at.isoformat(),
            "audience": self.audience,
            "replaces_first_come": self.replaces_first_come,
            "state": self.state,
            "joined": list(self.joined),
            "places": dict(self.places),
            "proposal": [p.doc() for p in self.proposal],
            "unmatched": dict(self.unmatched),
            "first_come_total": self.first_come_total,
            "kept": [list(k) for k in self.kept],
            "removed": [list(r) for r in self.removed],
            "matched_at": self.matched_at.isoformat() if self.matched_at else None,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "intro_ids": list(self.intro_ids),
            "messages": {k: dict(v) for k, v in self.messages.items()},
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Round:
        return cls(
            id=str(doc["id"]),
            name=str(doc["name"]),
            created_by=str(doc["created_by"]),
            created_at=datetime.fromisoformat(doc["created_at"]),
            closes_at=datetime.fromisoformat(doc["closes_at"]),
            audience=doc.get("audience", "opt_in"),
            replaces_first_come=bool(doc.get("replaces_first_come", False)),
            state=doc.get("state", "open"),
            joined=tuple(doc.get("joined", ())),
            places={str(k): int(v) for k, v in (doc.get("places") or {}).items()},
            proposal=tuple(Pair.from_doc(p) for p in doc.get("proposal", ())),
            unmatched={str(k): str(v) for k, v in (doc.get("unmatched") or {}).items()},
            first_come_total=float(doc.get("first_come_total", 0.0)),
            kept=tuple((str(a), str(b)) for a, b in doc.get("kept", ())),
            removed=tuple((str(a), str(b)) for a, b in doc.get("removed", ())),
            matched_at=_moment(doc.get("matched_at")),
            published_at=_moment(doc.get("published_at")),
            intro_ids=tuple(doc.get("intro_ids", ())),
            messages={k: dict(v) for k, v in (doc.get("messages") or {}).items()},
        )

    def without(self, user_id: str) -> Round:
        """The round with no trace of this person (they asked devpath to erase their data):
        not among those who joined, their places and pairs gone."""
        return replace(
            self,
            joined=tuple(u for u in self.joined if u != user_id),
            places={m: n for m, n in self.places.items() if m != user_id},
            proposal=tuple(p for p in self.proposal if user_id not in (p.mentee_id, p.mentor_id)),
            unmatched={m: why for m, why in self.unmatched.items() if m != user_id},
            kept=tuple(k for k in self.kept if user_id not in k),
            removed=tuple(r for r in self.removed if user_id not in r),
        )

    def joined_by(self, user_id: str) -> Round | None:
        """The round with this person joined at the end; None while it is not open, or when
        they are in it already (what the stores' `join_round` writes)."""
        if self.state != "open" or user_id in self.joined:
            return None
        return replace(self, joined=(*self.joined, user_id))

    def with_places(self, mentor_id: str, places: int) -> Round | None:
        """The round with this mentor's places; None once it is not open."""
        if self.state != "open":
            return None
        return replace(self, places={**self.places, mentor_id: int(places)})

    def changed(
        self,
        from_states: frozenset[str],
        changes: Mapping[str, Any],
        expect: Mapping[str, Any] | None = None,
    ) -> Round | None:
        """The round with `changes`, if it is in one of `from_states` and its fields hold
        `expect` (the stores' compare-and-set `update_round`); else None."""
        if self.state not in from_states:
            return None
        if any(getattr(self, key) != value for key, value in (expect or {}).items()):
            return None
        return replace(self, **changes)

    def involves(self, user_id: str) -> bool:
        return (
            user_id in self.joined
            or user_id in self.places
            or any(user_id in (p.mentee_id, p.mentor_id) for p in self.proposal)
        )


WAITING_PATHS = ("mentoring", "both")  # results that send a person looking for a mentor
HAS_A_MENTOR = ("pending", "accepted")  # an intro in these: a mentor now, or a request out


def waiting_for_a_mentor(path: str | None, mentee_id: str, intros: Iterable[Intro]) -> bool:
    """Whether a person waits for a mentor: their latest result is mentoring or both, and
    they have no mentor now and no request out."""
    if path not in WAITING_PATHS:
        return False
    return not any(i.mentee_id == mentee_id and i.state in HAS_A_MENTOR for i in intros)


def excluded_in_rounds(mentee_id: str, intros: Iterable[Intro]) -> set[str]:
    """Mentors a round never assigns to this mentee: any past pair (asked, matched, declined
    or ended; a request that lapsed unanswered may be tried again)."""
    return {
        i.mentor_id
        for i in intros
        if i.mentee_id == mentee_id and i.state in ("pending", "accepted", "declined", "ended")
    }


def _moment(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
