"""Store: devpath's records in TinyDB, one async method per thing the bot asks for.

Every TinyDB call runs on one worker thread, so file I/O never blocks the event loop and
TinyDB, which is not thread-safe, only ever sees one caller at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from tinydb import Query, TinyDB

from bot.domain.intros import Intro
from bot.domain.matching import Mentor
from bot.domain.nudges import Nudge
from bot.domain.questionnaire import Answers
from bot.domain.recommendation import Reason, Recommendation
from bot.domain.records import Draft, Response
from bot.store.storage import AtomicJSONStorage

T = TypeVar("T")
SCHEMA_VERSION = 1


class StoreError(Exception):
    """The database cannot be opened; the message is one line for the operator."""


class Store:
    def __init__(self, db: TinyDB, executor: ThreadPoolExecutor) -> None:
        self._db = db
        self._executor = executor
        self._drafts = db.table("drafts")
        self._responses = db.table("responses")
        self._mentors = db.table("mentors")
        self._intros = db.table("intros")
        self._audit = db.table("audit")
        self._open_requests = db.table("open_requests")
        self._gaps = db.table("gaps")
        self._nudges = db.table("nudges")
        self._people = db.table("people")

    @classmethod
    def open(cls, path: str | Path) -> Store:
        try:
            db = TinyDB(path, storage=AtomicJSONStorage)
            meta = db.table("meta")
            if not meta.all():
                # The first write: a read-only directory shows up here, not at TinyDB().
                meta.insert({"schema_version": SCHEMA_VERSION})
        except (OSError, ValueError) as error:
            raise StoreError(f"DEVPATH_DB: cannot open {path}: {error}") from None
        return cls(db, ThreadPoolExecutor(max_workers=1, thread_name_prefix="devpath-store"))

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self._db.close()

    async def _run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    # Drafts: a half-finished questionnaire, one per person.

    async def get_draft(self, user_id: str) -> Draft | None:
        doc = await self._run(lambda: self._drafts.get(Query().user_id == user_id))
        return _draft(doc) if doc else None

    async def save_draft(self, draft: Draft) -> None:
        doc = {
            "user_id": draft.user_id,
            "answers": _answers_doc(draft.answers),
            "step": draft.step,
            "channel_id": draft.channel_id,
            "updated_at": draft.updated_at.isoformat(),
        }
        await self._run(lambda: self._drafts.upsert(doc, Query().user_id == draft.user_id))

    async def delete_draft(self, user_id: str) -> None:
        await self._run(lambda: self._drafts.remove(Query().user_id == user_id))

    # Responses: every completed questionnaire, kept as history.

    async def add_response(self, response: Response) -> str:
        """Keep a completed questionnaire; its id, for what refers to it (its nudges)."""
        rec = response.recommendation
        doc = {
            "user_id": response.user_id,
            "answers": _answers_doc(response.answers),
            "recommendation": {
                "path": rec.path,
                "confidence": rec.confidence,
                "confidence_label": rec.confidence_label,
                "coaching": rec.coaching,
                "mentoring": rec.mentoring,
                "reasons": [vars(reason) for reason in rec.reasons],
            },
            "content_version": response.content_version,
            "created_at": response.created_at.isoformat(),
        }
        return str(await self._run(lambda: self._responses.insert(doc)))

    async def responses(self, user_id: str) -> list[Response]:
        docs = await self._run(lambda: self._responses.search(Query().user_id == user_id))
        return sorted((_response(d) for d in docs), key=lambda r: r.created_at)

    async def latest_response(self, user_id: str) -> Response | None:
        history = await self.responses(user_id)
        return history[-1] if history else None

    async def all_latest_responses(self) -> list[Response]:
        """Each person's newest response: what the program figures count."""
        docs = await self._run(self._responses.all)
        latest: dict[str, dict[str, Any]] = {}
        for doc in docs:
            if (
                doc["user_id"] not in latest
                or doc["created_at"] >= latest[doc["user_id"]]["created_at"]
            ):
                latest[doc["user_id"]] = doc
        return [_response(d) for d in latest.values()]

    # Mentors: the pool, one document per mentor, keyed by Slack user ID.

    async def mentors(self) -> list[Mentor]:
        docs = await self._run(self._mentors.all)
        return sorted((_mentor(d) for d in docs), key=lambda m: (m.name.casefold(), m.user_id))

    async def get_mentor(self, user_id: str) -> Mentor | None:
        doc = await self._run(lambda: self._mentors.get(Query().user_id == user_id))
        return _mentor(doc) if doc else None

    async def save_mentors(self, mentors: list[Mentor], by: str, what: str, now: datetime) -> None:
        """Add or replace mentors (one write for the lot) and record who did it."""

        def work() -> None:
            wanted = {m.user_id: _mentor_doc(m) for m in mentors}
            existing = {d["user_id"]: d.doc_id for d in self._mentors.all()}
            updates = [
                (doc, Query().user_id == uid) for uid, doc in wanted.items() if uid in existing
            ]
            if updates:
                self._mentors.update_multiple(updates)
            new = [doc for uid, doc in wanted.items() if uid not in existing]
            if new:
                self._mentors.insert_multiple(new)
            self._audit.insert(_audit_doc(by, what, now))

        await self._run(work)

    async def remove_mentor(self, user_id: str, by: str, what: str, now: datetime) -> bool:
        def work() -> bool:
            removed = self._mentors.remove(Query().user_id == user_id)
            if removed:
                self._audit.insert(_audit_doc(by, what, now))
            return bool(removed)

        return await self._run(work)

    async def audit_log(self, limit: int = 10) -> list[dict[str, str]]:
        docs = await self._run(self._audit.all)
        return [dict(d) for d in docs[-limit:]][::-1]

    # Intros: requests from a mentee to a mentor, and their answers.

    async def add_intro(self, intro: Intro) -> bool:
        """Record a new intro, unless this pair already has one pending or accepted (a double
        submission, or two tabs): then nothing is written and the answer is False."""

        def work() -> bool:
            q = Query()
            same_pair = (q.mentee_id == intro.mentee_id) & (q.mentor_id == intro.mentor_id)
            if self._intros.contains(same_pair & q.state.one_of(["pending", "accepted"])):
                return False
            self._intros.insert(_intro_doc(intro))
            return True

        return await self._run(work)

    async def get_intro(self, intro_id: str) -> Intro | None:
        doc = await self._run(lambda: self._intros.get(Query().id == intro_id))
        return _intro(doc) if doc else None

    async def intros(self) -> list[Intro]:
        return [_intro(d) for d in await self._run(self._intros.all)]

    async def intros_of(self, user_id: str) -> list[Intro]:
        """Intros where this person is the mentee or the mentor."""
        q = Query()
        docs = await self._run(
            lambda: self._intros.search((q.mentee_id == user_id) | (q.mentor_id == user_id))
        )
        return [_intro(d) for d in docs]

    async def move_intro(
        self,
        intro_id: str,
        from_state: str,
        to_state: str,
        now: datetime,
        capacity: int | None = None,
    ) -> Intro | None:
        """Move an intro on only if it is still in `from_state`: a second click changes nothing.

        With `capacity`, an accept also checks the mentor still has a free place, in the same
        step, so two accepts at once cannot overfill a mentor.
        """

        def work() -> Intro | None:
            q = Query()
            doc = self._intros.get(q.id == intro_id)
            if doc is None or doc["state"] != from_state:
                return None
            if capacity is not None:
                taken = self._intros.count(
                    (q.mentor_id == doc["mentor_id"]) & (q.state == "accepted")
                )
                if taken >= capacity:
                    return None
            changes = {"state": to_state, "answered_at": now.isoformat()}
            self._intros.update(changes, q.id == intro_id)
            return _intro({**doc, **changes})

        return await self._run(work)

    async def mark_intro(self, intro_id: str, **changes: Any) -> None:
        """Record bookkeeping on an intro: the reminder sent, where the mentor's message is."""
        await self._run(lambda: self._intros.update(changes, Query().id == intro_id))

    # Open requests: a mentee's post in the match channel, until a mentor claims it.

    async def add_open_request(self, request: dict[str, Any]) -> None:
        await self._run(lambda: self._open_requests.insert(request))

    async def get_open_request(self, request_id: str) -> dict[str, Any] | None:
        doc = await self._run(lambda: self._open_requests.get(Query().id == request_id))
        return dict(doc) if doc else None

    async def claim_open_request(
        self, request_id: str, mentor_id: str, now: datetime
    ) -> dict | None:
        """Give the request to this mentor unless someone was quicker."""

        def work() -> dict | None:
            q = Query()
            doc = self._open_requests.get(q.id == request_id)
            if doc is None or doc.get("claimed_by"):
                return None
            changes = {"claimed_by": mentor_id, "claimed_at": now.isoformat()}
            self._open_requests.update(changes, q.id == request_id)
            return {**doc, **changes}

        return await self._run(work)

    async def open_requests_of(self, mentee_id: str) -> list[dict[str, Any]]:
        docs = await self._run(lambda: self._open_requests.search(Query().mentee_id == mentee_id))
        return [dict(d) for d in docs]

    # Gaps: a mentee nobody in the pool fits, by field, so admins know what to recruit.

    async def record_gap(
        self, field: str | None, topics: list[str], now: datetime, quiet: timedelta
    ) -> bool:
        """Count the gap; True when admins were not told about this field within `quiet`."""

        def work() -> bool:
            q = Query()
            since = (now - quiet).isoformat()
            told = self._gaps.contains((q.field == field) & (q.alerted == True) & (q.at >= since))  # noqa: E712
            self._gaps.insert(
                {"field": field, "topics": topics, "at": now.isoformat(), "alerted": not told}
            )
            return not told

        return await self._run(work)

    async def gap_counts(self) -> dict[str, int]:
        docs = await self._run(self._gaps.all)
        counts: dict[str, int] = {}
        for doc in docs:
            if doc.get("field"):
                counts[doc["field"]] = counts.get(doc["field"], 0) + 1
        return counts

    # Nudges: one document per DM nudge, from planned to sent and answered.

    async def add_nudges(self, nudges: list[Nudge]) -> None:
        if nudges:
            await self._run(lambda: self._nudges.insert_multiple([_nudge_doc(n) for n in nudges]))

    async def get_nudge(self, nudge_id: str) -> Nudge | None:
        doc = await self._run(lambda: self._nudges.get(Query().id == nudge_id))
        return _nudge(doc) if doc else None

    async def nudges(self) -> list[Nudge]:
        return [_nudge(d) for d in await self._run(self._nudges.all)]

    async def nudges_of(self, user_id: str) -> list[Nudge]:
        docs = await self._run(lambda: self._nudges.search(Query().user_id == user_id))
        return [_nudge(d) for d in docs]

    async def due_nudges(self, now: datetime) -> list[Nudge]:
        """Scheduled nudges whose time has come, oldest first."""
        moment = _utc(now)
        q = Query()
        docs = await self._run(
            lambda: self._nudges.search((q.state == "scheduled") & (q.due_at <= moment))
        )
        return sorted((_nudge(d) for d in docs), key=lambda n: n.due_at)

    async def claim_nudge(self, nudge_id: str) -> Nudge | None:
        """Scheduled to sending, only once: the claim is what makes a nudge go out at most once."""

        def work() -> Nudge | None:
            q = Query()
            doc = self._nudges.get(q.id == nudge_id)
            if doc is None or doc["state"] != "scheduled":
                return None
            changes = {"state": "sending", "attempts": doc.get("attempts", 0) + 1}
            self._nudges.update(changes, q.id == nudge_id)
            return _nudge({**doc, **changes})

        return await self._run(work)

    async def update_nudge(self, nudge_id: str, **changes: Any) -> None:
        doc = {k: _utc(v) if isinstance(v, datetime) else v for k, v in changes.items()}
        await self._run(lambda: self._nudges.update(doc, Query().id == nudge_id))

    async def cancel_nudges(
        self, user_id: str, subject: str | None = None, kinds: set[str] | None = None
    ) -> int:
        """Cancel this person's scheduled nudges (about `subject`, of `kinds`, or all)."""

        def work() -> int:
            q = Query()
            test = (q.user_id == user_id) & (q.state == "scheduled")
            if subject is not None:
                test &= q.subject == subject
            if kinds is not None:
                test &= q.kind.one_of(sorted(kinds))
            return len(self._nudges.update({"state": "cancelled"}, test))

        return await self._run(work)

    # People: what a person chose about devpath itself (reminders stopped, say).

    async def person(self, user_id: str) -> dict[str, Any]:
        doc = await self._run(lambda: self._people.get(Query().user_id == user_id))
        return dict(doc) if doc else {"user_id": user_id}

    async def set_person(self, user_id: str, **changes: Any) -> None:
        await self._run(
            lambda: self._people.upsert({"user_id": user_id, **changes}, Query().user_id == user_id)
        )


def _utc(moment: datetime) -> str:
    """Times are stored in UTC, so that comparing the text compares the moments."""
    return moment.astimezone(UTC).isoformat()


def _nudge_doc(nudge: Nudge) -> dict[str, Any]:
    doc = vars(nudge).copy()
    for key in ("due_at", "created_at", "sent_at", "answered_at"):
        doc[key] = _utc(doc[key]) if doc[key] else None
    doc["answer"], doc["message"] = dict(nudge.answer), dict(nudge.message)
    return doc


def _nudge(doc: dict[str, Any]) -> Nudge:
    doc = dict(doc)
    for key in ("due_at", "created_at", "sent_at", "answered_at"):
        doc[key] = datetime.fromisoformat(doc[key]) if doc.get(key) else None
    return Nudge(**doc)


def _mentor_doc(mentor: Mentor) -> dict[str, Any]:
    doc = vars(mentor).copy()
    doc["fields"], doc["topics"] = list(mentor.fields), list(mentor.topics)
    return doc


def _mentor(doc: dict[str, Any]) -> Mentor:
    return Mentor(**{**doc, "fields": tuple(doc["fields"]), "topics": tuple(doc["topics"])})


def _audit_doc(by: str, what: str, now: datetime) -> dict[str, str]:
    return {"by": by, "what": what, "at": now.isoformat()}


def _intro_doc(intro: Intro) -> dict[str, Any]:
    doc = vars(intro).copy()
    for key in ("requested_at", "expires_at", "answered_at"):
        doc[key] = doc[key].isoformat() if doc[key] else None
    doc["shares"] = list(intro.shares)
    doc["mentor_message"] = dict(intro.mentor_message)
    return doc


def _intro(doc: dict[str, Any]) -> Intro:
    doc = dict(doc)
    for key in ("requested_at", "expires_at", "answered_at"):
        doc[key] = datetime.fromisoformat(doc[key]) if doc.get(key) else None
    doc["shares"] = tuple(doc.get("shares", ()))
    return Intro(**doc)


def _answers_doc(answers: Answers) -> dict[str, list[str]]:
    return {question: list(values) for question, values in answers.items()}


def _answers(doc: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    return {question: tuple(values) for question, values in doc.items()}


def _draft(doc: dict[str, Any]) -> Draft:
    return Draft(
        user_id=doc["user_id"],
        answers=_answers(doc["answers"]),
        step=doc["step"],
        channel_id=doc.get("channel_id"),
        updated_at=datetime.fromisoformat(doc["updated_at"]),
    )


def _response(doc: dict[str, Any]) -> Response:
    rec = doc["recommendation"]
    return Response(
        user_id=doc["user_id"],
        answers=_answers(doc["answers"]),
        recommendation=Recommendation(
            path=rec["path"],
            confidence=rec["confidence"],
            coaching=rec["coaching"],
            mentoring=rec["mentoring"],
            confidence_label=rec["confidence_label"],
            reasons=tuple(Reason(**reason) for reason in rec["reasons"]),
        ),
        content_version=doc["content_version"],
        created_at=datetime.fromisoformat(doc["created_at"]),
        id=str(doc.doc_id) if hasattr(doc, "doc_id") else "",
    )
