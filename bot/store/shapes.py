"""The stored form of the records both backends keep alike (answers, recommendations, 360
feedback), and the checks of a dump that both backends make before they restore it."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.domain.coaching import CoachingRequest, Engagement
from bot.domain.feedback import FeedbackAnswer, FeedbackRequest
from bot.domain.intros import Tombstone
from bot.domain.outbox import WITHDRAWN, Effect, new_effect
from bot.domain.questionnaire import Answers, in_current_terms
from bot.domain.recommendation import CLEAR, FAIRLY_CLEAR, MIXED, Reason, Recommendation
from bot.domain.rounds import Round
from bot.store.base import KINDS, StoreError, Tables

FORMER_ADMIN = "a former admin"  # who made a change, once that admin is forgotten
MAX_ID = 2**63 - 1  # a PostgreSQL bigint
# How sure a result stored before 2026.12 was, in today's words.
EARLIER_CONFIDENCE = {"high": CLEAR, "medium": FAIRLY_CLEAR, "low": MIXED}
_REASON_KEYS = ("axis", "question_id", "answer", "side", "weight", "text", "kind")


def answers_doc(answers: Answers) -> dict[str, list[str]]:
    return {question: list(values) for question, values in answers.items()}


def answers_from(doc: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Answers as stored, read in today's terms (answers given under earlier content too)."""
    return in_current_terms({question: tuple(values) for question, values in doc.items()})


def recommendation_doc(rec: Recommendation) -> dict[str, Any]:
    return {
        "path": rec.path,
        "confidence_label": rec.confidence_label,
        "coaching_need": rec.coaching_need,
        "mentoring_need": rec.mentoring_need,
        "reasons": [_reason_doc(reason) for reason in rec.reasons],
        "also": [_reason_doc(reason) for reason in rec.also],
        "against": [_reason_doc(reason) for reason in rec.against],
    }


def recommendation_from(doc: Mapping[str, Any]) -> Recommendation:
    """Any stored shape: one from before 2026.12 (a percentage, "high"/"medium"/"low", shares
    of one pool instead of needs, no also/against) reads with what it has."""
    label = doc.get("confidence_label", MIXED)
    return Recommendation(
        path=doc["path"],
        confidence_label=EARLIER_CONFIDENCE.get(label, label),
        reasons=_reasons_from(doc.get("reasons")),
        also=_reasons_from(doc.get("also")),
        against=_reasons_from(doc.get("against")),
        coaching_need=doc.get("coaching_need"),
        mentoring_need=doc.get("mentoring_need"),
    )


def _reason_doc(reason: Reason) -> dict[str, Any]:
    return dict(vars(reason))


def _reasons_from(docs: Any) -> tuple[Reason, ...]:
    return tuple(
        Reason(**{k: v for k, v in doc.items() if k in _REASON_KEYS}) for doc in docs or ()
    )


def check_tables(tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> Tables:
    """Every kind, in order, as lists of documents (a missing kind: none); unknown kinds are
    refused rather than dropped."""
    unknown = sorted(set(tables) - set(KINDS))
    if unknown:
        raise StoreError(f"cannot restore unknown kinds of record: {', '.join(unknown)}")
    checked: Tables = {}
    for kind in KINDS:
        docs = tables.get(kind) or []
        if not all(isinstance(doc, Mapping) for doc in docs):
            raise StoreError(f"cannot restore {kind}: every document should be an object")
        checked[kind] = [dict(doc) for doc in docs]
    return checked


def not_empty(counts: Mapping[str, int]) -> StoreError:
    held = ", ".join(f"{kind} {n}" for kind, n in counts.items() if n)
    return StoreError(f"the target database is not empty ({held}): restore only into a new one")


def stable_ids(given: Sequence[Any]) -> list[int]:
    """The ids to store responses under: each its own id when that is a positive integer not
    already taken, so what refers to a response (its nudges) still finds it; the others get
    new ones after the largest."""
    wanted: list[int | None] = []
    taken: set[int] = set()
    for value in given:
        number = _positive_int(value)
        if number is None or number in taken:
            wanted.append(None)
        else:
            taken.add(number)
            wanted.append(number)
    following = max(taken, default=0)
    ids = []
    for number in wanted:
        if number is None:
            following += 1
            number = following
        ids.append(number)
    return ids


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    return None


def feedback_request_doc(request: FeedbackRequest) -> dict[str, Any]:
    doc = vars(request).copy()
    for key in ("created_at", "closes_at", "remind_at"):
        doc[key] = _iso(doc[key])
    doc["givers"], doc["shared_with"] = list(request.givers), list(request.shared_with)
    return doc


def feedback_request_from(doc: dict[str, Any]) -> FeedbackRequest:
    doc = dict(doc)
    for key in ("created_at", "closes_at", "remind_at"):
        doc[key] = datetime.fromisoformat(doc[key])
    doc["givers"], doc["shared_with"] = tuple(doc["givers"]), tuple(doc["shared_with"])
    return FeedbackRequest(**doc)


def feedback_answer_doc(answer: FeedbackAnswer) -> dict[str, Any]:
    doc = vars(answer).copy()
    doc["ratings"] = dict(answer.ratings)
    doc["answered_at"] = _iso(answer.answered_at)
    return doc


def feedback_answer_from(doc: dict[str, Any]) -> FeedbackAnswer:
    doc = dict(doc)
    doc["answered_at"] = datetime.fromisoformat(doc["answered_at"])
    doc["ratings"] = {str(k): int(v) for k, v in doc["ratings"].items()}
    return FeedbackAnswer(**doc)


def given_doc(answer: FeedbackAnswer) -> dict[str, Any]:
    """An answer as its giver's export shows it: without the request, so without whom it was
    about (that is the other person's business; the giver knows it from their DM)."""
    doc = feedback_answer_doc(answer)
    del doc["request_id"]
    return doc


# Coaching requests and engagements: documents of plain JSON (times as UTC ISO text), the
# same in a TinyDB file and in any dump.

_REQUEST_TIMES = ("created_at", "decided_at")
_ENGAGEMENT_TIMES = ("created_at", "expires_at", "started_at", "planned_end", "ended_at")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _moment(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC)


def coaching_request_doc(request: CoachingRequest) -> dict[str, Any]:
    doc = vars(request).copy()
    for key in _REQUEST_TIMES:
        doc[key] = _iso(doc[key])
    doc["goals"], doc["languages"] = list(request.goals), list(request.languages)
    doc["admin_messages"] = [dict(m) for m in request.admin_messages]
    return doc


def coaching_request_from(doc: Mapping[str, Any]) -> CoachingRequest:
    """A request from its document (or a row of the same names, times as datetimes)."""
    given = dict(doc)
    for key in _REQUEST_TIMES:
        given[key] = _moment(given.get(key))
    given["goals"] = tuple(given["goals"])
    given["languages"] = tuple(given.get("languages") or ())
    given["admin_messages"] = tuple(dict(m) for m in given.get("admin_messages") or ())
    return CoachingRequest(**given)


def engagement_doc(engagement: Engagement) -> dict[str, Any]:
    doc = vars(engagement).copy()
    for key in _ENGAGEMENT_TIMES:
        doc[key] = _iso(doc[key])
    doc["goals"] = list(engagement.goals)
    for key in ("progress", "outcome", "coach_message"):
        doc[key] = dict(doc[key])
    return doc


def engagement_from(doc: Mapping[str, Any]) -> Engagement:
    given = dict(doc)
    for key in _ENGAGEMENT_TIMES:
        given[key] = _moment(given.get(key))
    given["goals"] = tuple(given["goals"])
    for key in ("progress", "outcome", "coach_message"):
        given[key] = dict(given.get(key) or {})
    return Engagement(**given)


# Forgetting, as both backends do it.

TOMBSTONE_SECRET = "tombstones"  # the name of the database's key for pair_mark
FORMER = {"mentor": "a former mentor", "coach": "a former coach"}


def new_secret() -> str:
    """A database's own key, made once, kept in it and carried by dump and restore."""
    return secrets.token_hex(32)


def tombstone_doc(tombstone: Tombstone) -> dict[str, Any]:
    return {"pair": tombstone.pair, "declined": tombstone.declined, "at": _iso(tombstone.at)}


def tombstone_from(doc: Mapping[str, Any]) -> Tombstone:
    at = _moment(doc["at"])
    if not isinstance(doc["pair"], str) or at is None:
        raise ValueError("a tombstone needs its pair and when it was asked")
    return Tombstone(doc["pair"], bool(doc["declined"]), at)


def audit_about(kind: str, ids: Sequence[str]) -> list[str]:
    """Whom an admin change is about, as the audit entry keeps it: "mentor:U1", "coach:C1"."""
    return [f"{kind}:{i}" for i in ids]


def scrubbed_audit(
    what: str, about: Sequence[str], user_id: str, names: Mapping[str, str | None]
) -> tuple[str, list[str]]:
    """An audit entry's text and subjects once `user_id` is forgotten. An entry about them
    alone is rewritten whole ("added a former mentor"); one about several (an import) loses
    their ID. That one, and an entry from before subjects were kept, lose their name
    (`names`: by kind, as the pool or roster showed it) where it is a whole word, never
    inside another word."""
    mine = [a for a in about if a.split(":", 1)[-1] == user_id]
    rest = [a for a in about if a not in mine]
    if mine and not rest:
        verb = what.split(" ", 1)[0]
        return f"{verb} {FORMER[mine[0].split(':', 1)[0]]}", []
    if mine or not about:
        for kind, name in names.items():
            if name and name.strip():
                pattern = rf"(?<!\w){re.escape(name)}(?!\w)"
                what = re.sub(pattern, FORMER[kind], what)  # no backslash in it
    return what, rest


def intro_export(doc: Mapping[str, Any], user_id: str) -> dict[str, Any]:
    """An intro as this person's export shows it: the other person's close-out keeps only
    the note they wrote to this person (their ratings are their own business)."""
    shown = dict(doc)
    closeouts = doc.get("closeouts") or {}
    shown["closeouts"] = {
        who: dict(said) if who == user_id else {"note": said["note"]}
        for who, said in closeouts.items()
        if who == user_id or said.get("note")
    }
    return shown


def round_key(name: str) -> str:
    """What makes two rounds' names the same: case and surrounding spaces aside."""
    return name.strip().casefold()


def round_export(found: Round, user_id: str) -> dict[str, Any]:
    """A round as this person's export shows it, in their own terms: whether they joined,
    the places they gave, and their own pair (as mentee, else as mentor), which names only
    the other person of that pair. Nobody else's ID."""
    pair = found.pair_of(user_id) or next(
        (p for p in found.proposal if p.mentor_id == user_id), None
    )
    return {
        "name": found.name,
        "state": found.state,
        "joined": user_id in found.joined,
        "places": found.places.get(user_id),
        "pair": pair.doc() if pair is not None else None,
    }


def round_forgotten(found: Round, user_id: str) -> Round | None:
    """The round with nothing of this person left (`Round.without`, and as the admin who
    made it, "a former admin"), or None when it holds nothing of theirs."""
    if not found.involves(user_id) and found.created_by != user_id:
        return None
    changed = found.without(user_id)
    if changed.created_by == user_id:
        changed = replace(changed, created_by=FORMER_ADMIN)
    return changed


def withdrawals(
    user_id: str,
    intros: Sequence[Mapping[str, Any]],
    requests: Sequence[Mapping[str, Any]],
    now: datetime,
    shared: Sequence[Mapping[str, Any]] = (),
    coached: Sequence[Mapping[str, Any]] = (),
) -> list[Effect]:
    """The messages still quoting this person that the bot posted and knows where: a
    mentor's copy of their intro request (their note, their field, their answer to the
    mentor's question), the pair's agreement in their group DM (the mentee's goals; it goes
    with either of the two), a mentor's question in their mentee's DM, their open request in
    the match channel, the results they shared there (their settings' "shared"), the admins'
    copies of their mentor nomination (passed in `shared` too: their settings'
    "nomination_messages"), the admins' copies of their coaching requests and a coach's
    offer with their goals (`coached`: the "admin_messages" and "coach_message" of their
    requests and engagements). An effect for each to rewrite it, carrying only where it
    is: no ID of theirs, so it outlives their erasure."""
    where = [i.get("mentor_message") or {} for i in intros if i["mentee_id"] == user_id]
    # The pair's agreement in their group DM quotes the mentee's goals: it goes with either.
    where += [(i.get("agreement") or {}).get("message") or {} for i in intros]
    # The mentor's question in the mentee's DM.
    for intro in intros:
        question = intro.get("question") or {}
        if intro["mentor_id"] == user_id and question.get("dm_ts"):
            where.append({"channel": question.get("dm_channel"), "ts": question["dm_ts"]})
    where += [r for r in requests if r["mentee_id"] == user_id]
    where += [s for s in shared if isinstance(s, Mapping)]
    for record in coached:
        where += [m for m in record.get("admin_messages") or () if isinstance(m, Mapping)]
        where.append(record.get("coach_message") or {})
    return [
        new_effect(WITHDRAWN, "", now, channel=str(w["channel"]), ts=str(w["ts"]))
        for w in where
        if w.get("channel") and w.get("ts")
    ]
