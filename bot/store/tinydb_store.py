"""TinyDBStore: devpath's records in TinyDB, for one process on one machine.

It implements the Store interface (bot/store/base.py), whose docstrings state what each
method guarantees; this module says how TinyDB keeps those promises.

Every TinyDB call runs on one worker thread, so file I/O never blocks the event loop and
TinyDB, which is not thread-safe, only ever sees one caller at a time. The storage beneath
(bot/store/journal.py, docs/storage.md) makes each write one small append; the calls that
arrive together run as a group whose appends are made durable by one fdatasync before any
of them is answered (group commit), so a rush of writes does not queue behind one disk
flush each.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from tinydb.table import Document

from bot.domain.coaching import HOLDS_A_PLACE, Budget, Coach, CoachingRequest, Engagement
from bot.domain.feedback import FeedbackAnswer, FeedbackRequest, shown_after
from bot.domain.intros import Intro, Tombstone, pair_mark, tombstones_of
from bot.domain.matching import Mentor
from bot.domain.nudges import Nudge
from bot.domain.outbox import NOT_BEFORE, NOTHING, Effect, Followups
from bot.domain.records import Draft, Response
from bot.domain.rounds import HAS_A_MENTOR, WAITING_PATHS, Round
from bot.domain.stats import (
    CoachingTallies,
    IntroTallies,
    NudgeTallies,
    coaching_tallies,
    intro_tallies,
    nudge_tallies,
)
from bot.store.base import FORMER_COACH, AnswerKept, OpenRequest, StoreError, Tables
from bot.store.journal import (
    COMPACT_FLOOR,
    DatabaseLocked,
    JournaledTable,
    JournaledTinyDB,
    JournalStorage,
)
from bot.store.migrations import migrate
from bot.store.shapes import (
    TOMBSTONE_SECRET,
    answers_doc,
    answers_from,
    audit_about,
    check_tables,
    coaching_request_doc,
    coaching_request_from,
    engagement_doc,
    engagement_from,
    feedback_answer_doc,
    feedback_answer_from,
    feedback_request_doc,
    feedback_request_from,
    given_doc,
    intro_export,
    new_secret,
    not_empty,
    recommendation_doc,
    recommendation_from,
    round_export,
    round_forgotten,
    round_key,
    scrubbed_audit,
    stable_ids,
    tombstone_doc,
    tombstone_from,
    withdrawals,
)

T = TypeVar("T")
log = logging.getLogger("devpath.store")


GROUP_MOST = 64  # calls run together before one sync: bounds the wait of the first


class StoreThread:
    """The one thread that runs every TinyDB call, in the order they were asked.

    It takes every call waiting (up to GROUP_MOST) and runs them one after another, inside
    the storage's `deferred()`; then one `sync()` makes all their writes durable, and only
    then are they answered, all at once. A failed sync cuts back every write of the group:
    each call from the group's first write on is answered with that error."""

    def __init__(self, storage: JournalStorage) -> None:
        self._storage = storage
        Call = tuple[Callable[[], Any], asyncio.Future[Any], asyncio.AbstractEventLoop]
        self._calls: queue.SimpleQueue[Call | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="devpath-store", daemon=True)
        self._thread.start()

    def run(self, work: Callable[[], T]) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._calls.put((work, future, loop))
        return future

    def stop(self) -> None:
        """Finish the calls already asked, then end the thread."""
        self._calls.put(None)
        self._thread.join()

    def _serve(self) -> None:
        storage, stopping = self._storage, False
        while not stopping:
            first = self._calls.get()
            if first is None:
                return
            group = [first]
            while len(group) < GROUP_MOST:
                try:
                    call = self._calls.get_nowait()
                except queue.Empty:
                    break
                if call is None:
                    stopping = True
                    break
                group.append(call)
            answers: list[tuple[bool, Any]] = []
            first_write = len(group)
            with storage.deferred():
                for number, (work, _, _) in enumerate(group):
                    try:
                        answers.append((True, work()))
                    except BaseException as error:  # handed to the caller, as an executor does
                        answers.append((False, error))
                    if first_write == len(group) and storage.unsynced:
                        first_write = number
            try:
                storage.sync()
            except BaseException as error:
                answers[first_write:] = [(False, error)] * (len(group) - first_write)
            for loop in {loop for _, _, loop in group}:
                mine = [(f, a) for (_, f, lp), a in zip(group, answers, strict=True) if lp is loop]
                with contextlib.suppress(RuntimeError):  # its loop is closed: nobody waits
                    loop.call_soon_threadsafe(_answer, mine)
            try:
                storage.compact_when_due()
            except Exception:  # a broken compaction loses nothing: the journal holds it all
                log.exception("DEVPATH_DB: compaction failed; it is tried after the next write")


def _answer(calls: list[tuple[asyncio.Future[Any], tuple[bool, Any]]]) -> None:
    for future, (ok, value) in calls:
        if future.done():
            continue  # the caller gave up waiting (cancelled)
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


class TinyDBStore:
    def __init__(self, db: JournaledTinyDB) -> None:
        self._db = db
        self._thread = StoreThread(db.storage)

        def table(name: str, *indexed: str) -> JournaledTable:
            found = db.table(name)
            assert isinstance(found, JournaledTable)
            return found.index_on(*indexed)

        # Each lookup the bot makes has its index, so no read or write scans a table.
        self._drafts = table("drafts", "user_id")
        self._responses = table("responses", "user_id")
        self._mentors = table("mentors", "user_id", "status")
        self._intros = table("intros", "id", "mentee_id", "mentor_id", "state")
        self._audit = table("audit")
        self._open_requests = table("open_requests", "id", "mentee_id")
        self._gaps = table("gaps", "field")
        self._nudges = table("nudges", "id", "user_id", "state")
        self._effects = table("effects", "id", "user_id")
        self._people = table("people", "user_id")
        self._coaches = table("coaches", "id")
        self._feedback_requests = table("feedback_requests", "id", "user_id", "state")
        self._feedback_answers = table("feedback_answers", "request_id", "giver_id")
        self._coaching_requests = table("coaching_requests", "id", "user_id", "state")
        self._engagements = table("engagements", "id", "user_id", "coach_id", "request_id", "state")
        self._rounds = table("rounds", "id", "state", "name_key")
        self._tombstones = table("tombstones", "pair")
        self._secrets = table("secrets", "name")
        self._seen_events: dict[str, float] = {}  # event id -> when first seen (monotonic)
        self._pool_cache: tuple[int, list[Mentor] | None] = (-1, None)
        # What the figures count, each kept until the tables it comes from next change.
        self._tallied: dict[str, tuple[tuple[int, ...], Any]] = {}

    @classmethod
    def open(
        cls, path: str | Path, compact_floor: int = COMPACT_FLOOR, create: bool = True
    ) -> TinyDBStore:
        """Open (or, with `create`, make) the database, migrating an older one after a backup
        copy. Without `create`, a missing file is a StoreError and nothing is made."""
        shown = Path(path)
        if not create and not shown.exists():
            raise StoreError(f"DEVPATH_DB: {shown}: no such database file")
        # Loading builds millions of small objects that live as long as the process: keep
        # the garbage collector out of it, then freeze them so later collections skip them
        # (a full collection over them stalled the event loop for a quarter of a second).
        gc.disable()
        try:
            return cls._open(shown, compact_floor)
        finally:
            gc.freeze()
            gc.enable()

    @classmethod
    def _open(cls, shown: Path, compact_floor: int) -> TinyDBStore:
        path = shown
        try:
            db = JournaledTinyDB(path, storage=JournalStorage, compact_floor=compact_floor)
        except DatabaseLocked as held:
            raise StoreError(
                f"DEVPATH_DB: {shown} is in use by {held}; one process per database "
                "(stop the bot first, or point DEVPATH_DB elsewhere)"
            ) from None
        except (OSError, ValueError) as error:
            raise StoreError(f"DEVPATH_DB: cannot open {shown}: {error}") from None
        try:
            migrate(db.storage, shown)
        except (OSError, ValueError) as error:
            db.close()
            raise StoreError(f"DEVPATH_DB: {shown}: {error}") from None
        return cls(db)

    def close(self) -> None:
        self._thread.stop()
        self._db.close()

    async def aclose(self) -> None:
        await asyncio.to_thread(self.close)

    async def _run(self, work: Callable[[], T]) -> T:
        return await self._thread.run(work)

    # Drafts: a half-finished questionnaire, one per person.

    async def get_draft(self, user_id: str) -> Draft | None:
        doc = await self._run(lambda: self._drafts.first("user_id", user_id))
        return _draft(doc) if doc else None

    async def save_draft(self, draft: Draft) -> None:
        doc = {
            "user_id": draft.user_id,
            "answers": answers_doc(draft.answers),
            "step": draft.step,
            "channel_id": draft.channel_id,
            "updated_at": _utc(draft.updated_at),
        }
        await self._run(lambda: _upsert(self._drafts, "user_id", doc))

    async def delete_draft(self, user_id: str) -> None:
        await self._run(lambda: _remove(self._drafts, self._drafts.find("user_id", user_id)))

    # Responses: every completed questionnaire, kept as history.

    @property
    def exclusive(self) -> bool:
        return True  # the file's lock keeps every other process out

    def _follow(self, then: Followups) -> None:
        """Write what follows an action; called inside the action's batch (one journal line)."""
        for cancel in then.cancel:
            self._cancel(cancel.user_id, cancel.subject, cancel.kinds)
        for user_id in then.drafts_ended:
            _remove(self._drafts, self._drafts.find("user_id", user_id))
        if then.intros:
            self._intros.insert_multiple([_intro_doc(i) for i in then.intros])
        if then.nudges:
            self._nudges.insert_multiple([_nudge_doc(n) for n in then.nudges])
        for user_id, changes in then.settings:
            self._set_person(user_id, changes)
        if then.effects:
            self._effects.insert_multiple([_effect_doc(e) for e in then.effects])

    async def add_response(
        self, response: Response, view_id: str | None = None, then: Followups = NOTHING
    ) -> str:
        """Keep a completed questionnaire and what follows it, in one journal line; the same
        modal (`view_id`) sent again writes nothing."""
        rec = response.recommendation
        doc = {
            "user_id": response.user_id,
            "answers": answers_doc(response.answers),
            "recommendation": recommendation_doc(rec),
            "content_version": response.content_version,
            "created_at": _utc(response.created_at),
            "view_id": view_id,
        }

        def work() -> str:
            known = self._for_view(response.user_id, view_id)
            if known is not None:
                return str(known.doc_id)
            with self._db.storage.batch():
                response_id = str(self._responses.insert(doc))
                self._follow(then.about_response(response_id))
            return response_id

        return await self._run(work)

    async def response_for_view(self, user_id: str, view_id: str | None) -> Response | None:
        """The questionnaire this person already submitted from this modal, if any."""
        doc = await self._run(lambda: self._for_view(user_id, view_id))
        return _response(doc) if doc is not None else None

    def _for_view(self, user_id: str, view_id: str | None) -> Document | None:
        if not view_id:
            return None
        docs = self._responses.find("user_id", user_id)
        return next((d for d in docs if d.get("view_id") == view_id), None)

    async def responses(self, user_id: str) -> list[Response]:
        """This person's history, oldest first (ties in the order they were given)."""
        docs = await self._run(lambda: self._responses.find("user_id", user_id))
        return sorted((_response(d) for d in docs), key=lambda r: r.created_at)

    async def latest_response(self, user_id: str) -> Response | None:
        history = await self.responses(user_id)
        return history[-1] if history else None

    async def all_latest_responses(self) -> list[Response]:
        """Each person's newest response, in the order of their first one."""
        return await self._run(
            lambda: [_response(Document(doc, int(key))) for key, doc in self._latest().items()]
        )

    def _latest(self) -> dict[str, Mapping[str, Any]]:
        """Each person's newest response document by its key, in the order of their first
        one; worked out again only once the responses changed."""

        def work() -> dict[str, Mapping[str, Any]]:
            latest: dict[str, tuple[str, Mapping[str, Any]]] = {}
            for key, doc in self._responses._read_table().items():
                known = latest.get(doc["user_id"])
                if known is None or doc["created_at"] >= known[1]["created_at"]:
                    latest[doc["user_id"]] = (key, doc)
            return dict(latest.values())

        found: dict[str, Mapping[str, Any]] = self._tally("latest", work, self._responses)
        return found

    def _tally(self, name: str, work: Callable[[], T], *tables: JournaledTable) -> T:
        """What `work` derives from `tables`, kept until one of them is written to (on the
        store's thread, like every read)."""
        versions = tuple(t.version for t in tables)
        kept = self._tallied.get(name)
        if kept is None or kept[0] != versions:
            kept = (versions, work())
            self._tallied[name] = kept
        found: T = kept[1]
        return found

    async def latest_paths(self) -> dict[str, int]:
        def work() -> dict[str, int]:
            paths = Counter(doc["recommendation"]["path"] for doc in self._latest().values())
            return dict(paths)

        return dict(await self._run(lambda: self._tally("paths", work, self._responses)))

    async def waiting_for_a_mentor(self) -> list[str]:
        def work() -> list[str]:
            taken = {
                doc["mentee_id"]
                for state in HAS_A_MENTOR
                for doc in self._intros.find("state", state)
            }
            return [
                user_id
                for doc in self._latest().values()
                if doc["recommendation"]["path"] in WAITING_PATHS
                and (user_id := doc["user_id"]) not in taken
            ]

        return await self._run(work)

    # Mentors: the pool, one document per mentor, keyed by Slack user ID.

    async def mentors(self) -> list[Mentor]:
        """The pool, by name. Every final submission ranks it, so the Mentor objects are kept
        until the mentors table next changes."""

        def work() -> list[Mentor]:
            version, cached = self._pool_cache
            if version != self._mentors.version or cached is None:
                docs = [d for d in self._mentors.all() if d.get("status", "pool") == "pool"]
                cached = sorted(
                    (_mentor(d) for d in docs), key=lambda m: (m.name.casefold(), m.user_id)
                )
                self._pool_cache = (self._mentors.version, cached)
            return list(cached)

        return await self._run(work)

    async def nominations(self) -> list[Mentor]:
        docs = await self._run(lambda: self._mentors.find("status", "nominated"))
        return sorted((_mentor(d) for d in docs), key=lambda m: (m.nominated_at, m.user_id))

    async def get_mentor(self, user_id: str) -> Mentor | None:
        doc = await self._run(lambda: self._mentors.first("user_id", user_id))
        return _mentor(doc) if doc else None

    async def save_mentors(self, mentors: list[Mentor], by: str, what: str, now: datetime) -> None:
        """Add or replace mentors and record who did it, in one journal line."""

        def work() -> None:
            with self._db.storage.batch():
                for mentor in mentors:
                    _upsert(self._mentors, "user_id", _mentor_doc(mentor))
                about = audit_about("mentor", [m.user_id for m in mentors])
                self._audit.insert(_audit_doc(by, what, now, about))

        await self._run(work)

    async def import_mentors(
        self, mentors: Sequence[Mentor], by: str, what: str, now: datetime
    ) -> None:
        """Into the pool, keeping each mentor's own time away and nomination date, with the
        audit entry: one journal line."""
        latest = {m.user_id: m for m in mentors}

        def work() -> None:
            added = []
            with self._db.storage.batch():
                for mentor in latest.values():
                    found = self._mentors.first("user_id", mentor.user_id)
                    if found is None:
                        added.append(_mentor_doc(replace(mentor, status="pool")))
                        continue
                    own = _mentor(found)
                    kept = replace(
                        mentor,
                        status="pool",
                        away_until=own.away_until,
                        nominated_at=own.nominated_at,
                    )
                    self._mentors.update(_replaced_by(_mentor_doc(kept)), doc_ids=[found.doc_id])
                if added:
                    self._mentors.insert_multiple(added)
                self._audit.insert(_audit_doc(by, what, now, audit_about("mentor", list(latest))))

        await self._run(work)

    async def add_mentor(
        self, mentor: Mentor, by: str, what: str, now: datetime, then: Followups = NOTHING
    ) -> bool:
        def work() -> bool:
            if self._mentors.first("user_id", mentor.user_id) is not None:
                return False
            with self._db.storage.batch():
                self._mentors.insert(_mentor_doc(mentor))
                about = audit_about("mentor", [mentor.user_id])
                self._audit.insert(_audit_doc(by, what, now, about))
                self._follow(then)
            return True

        return await self._run(work)

    async def remove_mentor(
        self,
        user_id: str,
        by: str,
        what: str,
        now: datetime,
        expect: Mapping[str, Any] | None = None,
        then: Followups = NOTHING,
    ) -> bool:
        def work() -> bool:
            found = self._mentors.find("user_id", user_id)
            if not found or not _holds(_mentor(found[0]), expect):
                return False
            with self._db.storage.batch():
                _remove(self._mentors, found)
                self._audit.insert(_audit_doc(by, what, now, audit_about("mentor", [user_id])))
                self._follow(then)
            return True

        return await self._run(work)

    async def update_mentor(
        self,
        user_id: str,
        changes: Mapping[str, Any],
        expect: Mapping[str, Any] | None = None,
        audit: tuple[str, str, datetime] | None = None,
        then: Followups = NOTHING,
    ) -> Mentor | None:
        def work() -> Mentor | None:
            doc = self._mentors.first("user_id", user_id)
            if doc is None or not _holds(_mentor(doc), expect):
                return None
            changed = replace(_mentor(doc), **changes)
            with self._db.storage.batch():
                self._mentors.update(_replaced_by(_mentor_doc(changed)), doc_ids=[doc.doc_id])
                if audit is not None:
                    by, what, at = audit
                    self._audit.insert(_audit_doc(by, what, at, audit_about("mentor", [user_id])))
                self._follow(then)
            return changed

        return await self._run(work)

    async def audit_log(self, limit: int = 10) -> list[dict[str, str]]:
        def work() -> list[dict[str, str]]:
            ids = sorted(self._audit._read_table(), key=int)[-limit:]
            found = [self._audit.get(doc_id=int(i)) for i in reversed(ids)]
            return [{k: d[k] for k in ("by", "what", "at")} for d in found if d is not None]

        return await self._run(work)

    # Coaches: the coaching roster, one document per coach, keyed by coach id.

    async def coaches(self) -> list[Coach]:
        docs = await self._run(self._coaches.all)
        return sorted((_coach(d) for d in docs), key=lambda c: (c.name.casefold(), c.id))

    async def get_coach(self, coach_id: str) -> Coach | None:
        doc = await self._run(lambda: self._coaches.first("id", coach_id))
        return _coach(doc) if doc else None

    async def save_coaches(self, coaches: list[Coach], by: str, what: str, now: datetime) -> None:
        """Add or replace coaches and record who did it, in one journal line."""

        def work() -> None:
            with self._db.storage.batch():
                for coach in coaches:
                    _upsert(self._coaches, "id", _coach_doc(coach))
                about = audit_about("coach", [c.id for c in coaches])
                self._audit.insert(_audit_doc(by, what, now, about))

        await self._run(work)

    async def remove_coach(self, coach_id: str, by: str, what: str, now: datetime) -> bool:
        def work() -> bool:
            found = self._coaches.find("id", coach_id)
            if not found:
                return False
            with self._db.storage.batch():
                _remove(self._coaches, found)
                self._audit.insert(_audit_doc(by, what, now, audit_about("coach", [coach_id])))
            return True

        return await self._run(work)

    # Intros: requests from a mentee to a mentor, and their answers.

    async def add_intro(self, intro: Intro, then: Followups = NOTHING) -> bool:
        """Record a new intro, unless this pair already has one pending or accepted (a double
        submission, or two tabs): then nothing is written and the answer is False."""

        def work() -> bool:
            if self._open_pair(intro):
                return False
            with self._db.storage.batch():
                self._intros.insert(_intro_doc(intro))
                self._follow(then)
            return True

        return await self._run(work)

    def _open_pair(self, intro: Intro) -> bool:
        """Whether this intro's pair already has one pending or accepted."""
        return any(
            doc["mentor_id"] == intro.mentor_id and doc["state"] in OPEN_INTRO
            for doc in self._intros.find("mentee_id", intro.mentee_id)
        )

    async def get_intro(self, intro_id: str) -> Intro | None:
        doc = await self._run(lambda: self._intros.first("id", intro_id))
        return _intro(doc) if doc else None

    async def intros(self) -> list[Intro]:
        return [_intro(d) for d in await self._run(self._intros.all)]

    async def pending_intros(self) -> list[Intro]:
        """Requests still waiting for the mentor's answer, read by index."""
        return await self.intros_in("pending")

    async def intros_in(self, state: str) -> list[Intro]:
        return [_intro(d) for d in await self._run(lambda: self._intros.find("state", state))]

    async def intro_states(self, intro_ids: Sequence[str]) -> dict[str, str]:
        def work() -> dict[str, str]:
            found = (self._intros.first("id", intro_id) for intro_id in intro_ids)
            return {doc["id"]: doc["state"] for doc in found if doc is not None}

        return await self._run(work)

    async def intro_tallies(self) -> IntroTallies:
        def work() -> IntroTallies:
            return intro_tallies(self._intros._read_table().values())

        return await self._run(lambda: self._tally("intros", work, self._intros))

    async def mentees_now(self) -> dict[str, int]:
        """How many mentees each mentor has now (accepted intros), read by index."""

        def work() -> dict[str, int]:
            counts: dict[str, int] = {}
            for doc in self._intros.find("state", "accepted"):
                counts[doc["mentor_id"]] = counts.get(doc["mentor_id"], 0) + 1
            return counts

        return await self._run(work)

    async def intros_of(self, user_id: str) -> list[Intro]:
        """Intros where this person is the mentee or the mentor."""

        def work() -> list[Document]:
            found = {d.doc_id: d for d in self._intros.find("mentee_id", user_id)}
            found.update({d.doc_id: d for d in self._intros.find("mentor_id", user_id)})
            return [found[i] for i in sorted(found)]

        return [_intro(d) for d in await self._run(work)]

    async def move_intro(
        self,
        intro_id: str,
        from_state: str,
        to_state: str,
        now: datetime,
        capacity: int | None = None,
        then: Followups = NOTHING,
    ) -> Intro | None:
        """Move an intro on only if it is still in `from_state`: a second click changes nothing.

        With `capacity`, an accept also checks the mentor still has a free place, in the same
        step, so two accepts at once cannot overfill a mentor.
        """

        def work() -> Intro | None:
            doc = self._intros.first("id", intro_id)
            if doc is None or doc["state"] != from_state:
                return None
            if capacity is not None:
                theirs = self._intros.find("mentor_id", doc["mentor_id"])
                if sum(d["state"] == "accepted" for d in theirs) >= capacity:
                    return None
            changes = {"state": to_state, "answered_at": _utc(now)}
            with self._db.storage.batch():
                self._intros.update(changes, doc_ids=[doc.doc_id])
                self._follow(then)
            return _intro({**doc, **changes})

        return await self._run(work)

    async def update_intro(
        self,
        intro_id: str,
        from_states: frozenset[str],
        changes: Mapping[str, Any],
        then: Followups = NOTHING,
        expect: Mapping[str, Any] | None = None,
    ) -> Intro | None:
        def work() -> Intro | None:
            doc = self._intros.first("id", intro_id)
            if doc is None or doc["state"] not in from_states or not _holds(_intro(doc), expect):
                return None
            changed = replace(_intro(doc), **changes)
            reopens = changed.state in OPEN_INTRO and doc["state"] not in OPEN_INTRO
            if reopens and self._open_pair(changed):
                return None  # the pair has another intro open: it stays the only one
            with self._db.storage.batch():
                self._intros.update(_replaced_by(_intro_doc(changed)), doc_ids=[doc.doc_id])
                self._follow(then)
            return changed

        return await self._run(work)

    async def mark_intro(self, intro_id: str, **changes: Any) -> None:
        """Record bookkeeping on an intro: where the mentor's message is."""
        await self._run(lambda: _update(self._intros, "id", intro_id, changes))

    # Open requests: a mentee's post in the match channel, until a mentor claims it.

    async def add_open_request(self, request: OpenRequest) -> None:
        def work() -> None:
            if self._open_requests.first("id", request["id"]) is None:  # as on PostgreSQL
                self._open_requests.insert(request)

        await self._run(work)

    async def get_open_request(self, request_id: str) -> OpenRequest | None:
        doc = await self._run(lambda: self._open_requests.first("id", request_id))
        return dict(doc) if doc else None

    async def claim_open_request(
        self,
        request_id: str,
        mentor_id: str,
        now: datetime,
        then: Followups = NOTHING,
        capacity: int | None = None,
    ) -> OpenRequest | None:
        """Give the request to this mentor unless someone was quicker, or (with `capacity`)
        the mentor has no free place left."""

        def work() -> OpenRequest | None:
            doc = self._open_requests.first("id", request_id)
            if doc is None or doc.get("claimed_by") or any(map(self._open_pair, then.intros)):
                return None
            if capacity is not None:
                theirs = self._intros.find("mentor_id", mentor_id)
                if sum(d["state"] == "accepted" for d in theirs) >= capacity:
                    return None
            changes = {"claimed_by": mentor_id, "claimed_at": _utc(now)}
            with self._db.storage.batch():
                self._open_requests.update(changes, doc_ids=[doc.doc_id])
                self._follow(then)
            return {**doc, **changes}

        return await self._run(work)

    async def open_requests_of(self, mentee_id: str) -> list[OpenRequest]:
        docs = await self._run(lambda: self._open_requests.find("mentee_id", mentee_id))
        return [dict(d) for d in docs]

    async def reserve_open_request(self, request: OpenRequest, then: Followups = NOTHING) -> bool:
        def work() -> bool:
            theirs = self._open_requests.find("mentee_id", request["mentee_id"])
            if any(not d.get("claimed_by") for d in theirs):
                return False
            with self._db.storage.batch():
                self._open_requests.insert(dict(request))
                self._follow(then)
            return True

        return await self._run(work)

    async def place_open_request(self, request_id: str, ts: str | None) -> None:
        def work() -> None:
            if ts is None:
                _remove(self._open_requests, self._open_requests.find("id", request_id))
            else:
                _update(self._open_requests, "id", request_id, {"ts": ts})

        await self._run(work)

    # Gaps: a mentee nobody in the pool fits, by field, so admins know what to recruit.

    async def record_gap(
        self, field: str | None, topics: list[str], now: datetime, quiet: timedelta
    ) -> bool:
        """Count the gap; True when admins were not told about this field within `quiet`."""

        def work() -> bool:
            since = _utc(now - quiet)
            told = any(d["alerted"] and d["at"] >= since for d in self._gaps.find("field", field))
            self._gaps.insert(
                {"field": field, "topics": topics, "at": _utc(now), "alerted": not told}
            )
            return not told

        return await self._run(work)

    async def gap_counts(self) -> dict[str, int]:
        """Counted where the gaps are, and kept until the next one is recorded."""

        def work() -> dict[str, int]:
            fields = (doc.get("field") for doc in self._gaps._read_table().values())
            return dict(Counter(field for field in fields if field))

        return dict(await self._run(lambda: self._tally("gaps", work, self._gaps)))

    # Nudges: one document per DM nudge, from planned to sent and answered.

    async def add_nudges(self, nudges: list[Nudge]) -> None:
        if nudges:
            await self._run(lambda: self._nudges.insert_multiple([_nudge_doc(n) for n in nudges]))

    async def get_nudge(self, nudge_id: str) -> Nudge | None:
        doc = await self._run(lambda: self._nudges.first("id", nudge_id))
        return _nudge(doc) if doc else None

    async def nudges(self) -> list[Nudge]:
        return [_nudge(d) for d in await self._run(self._nudges.all)]

    async def nudges_of(self, user_id: str) -> list[Nudge]:
        docs = await self._run(lambda: self._nudges.find("user_id", user_id))
        return [_nudge(d) for d in docs]

    async def nudges_in(self, state: str) -> list[Nudge]:
        return await self._run(lambda: [_nudge(d) for d in self._nudges.find("state", state)])

    async def nudge_tallies(self) -> NudgeTallies:
        def work() -> NudgeTallies:
            return nudge_tallies(self._nudges._read_table().values())

        return await self._run(lambda: self._tally("nudges", work, self._nudges))

    async def due_nudges(self, now: datetime) -> list[Nudge]:
        """Scheduled nudges whose time has come, oldest first; made on the store's thread,
        as after a downtime they can be thousands."""
        moment = _utc(now)

        def work() -> list[Nudge]:
            docs = self._nudges.find("state", "scheduled")
            return sorted(
                (_nudge(d) for d in docs if d["due_at"] <= moment), key=lambda n: n.due_at
            )

        return await self._run(work)

    async def claim_nudge(self, nudge_id: str, now: datetime | None = None) -> Nudge | None:
        """Scheduled to sending, only once: the claim is what makes a nudge go out at most once."""

        def work() -> Nudge | None:
            doc = self._nudges.first("id", nudge_id)
            if doc is None or doc["state"] != "scheduled":
                return None
            changes = {"state": "sending", "attempts": doc.get("attempts", 0) + 1}
            if now is not None:
                changes["sent_at"] = _utc(now)  # when it went out, should it never come back
            self._nudges.update(changes, doc_ids=[doc.doc_id])
            return _nudge({**doc, **changes})

        return await self._run(work)

    async def answer_nudge(
        self,
        nudge_id: str,
        from_states: frozenset[str],
        changes: Mapping[str, Any],
        then: Followups = NOTHING,
        answer_was: Mapping[str, str] | None = None,
    ) -> Nudge | None:
        doc_changes = {k: _utc(v) if isinstance(v, datetime) else v for k, v in changes.items()}

        def work() -> Nudge | None:
            doc = self._nudges.first("id", nudge_id)
            if doc is None or doc["state"] not in from_states:
                return None
            if answer_was is not None and dict(doc.get("answer") or {}) != dict(answer_was):
                return None
            with self._db.storage.batch():
                self._nudges.update(doc_changes, doc_ids=[doc.doc_id])
                self._follow(then)
            return _nudge({**doc, **doc_changes})

        return await self._run(work)

    async def update_nudge(self, nudge_id: str, **changes: Any) -> None:
        doc = {k: _utc(v) if isinstance(v, datetime) else v for k, v in changes.items()}
        await self._run(lambda: _update(self._nudges, "id", nudge_id, doc))

    async def cancel_nudges(
        self, user_id: str, subject: str | None = None, kinds: set[str] | None = None
    ) -> int:
        """Cancel this person's scheduled nudges (about `subject`, of `kinds`, or all)."""
        return await self._run(lambda: self._cancel(user_id, subject, kinds))

    def _cancel(
        self, user_id: str, subject: str | None, kinds: set[str] | frozenset[str] | None
    ) -> int:
        ids = [
            d.doc_id
            for d in self._nudges.find("user_id", user_id)
            if d["state"] == "scheduled"
            and (subject is None or d["subject"] == subject)
            and (kinds is None or d["kind"] in kinds)
        ]
        return len(self._nudges.update({"state": "cancelled"}, doc_ids=ids)) if ids else 0

    # The outbox: Slack calls that must follow a stored action.

    async def claim_effect(
        self, effect_id: str, now: datetime, stale_before: datetime | None = None
    ) -> Effect | None:
        def work() -> Effect | None:
            doc = self._effects.first("id", effect_id)
            if doc is None:
                return None
            claimed_at = doc.get("claimed_at")
            stale = (
                stale_before is not None
                and doc["state"] == "running"
                and (claimed_at is None or claimed_at < _utc(stale_before))
            )
            if doc["state"] != "pending" and not stale:
                return None
            changes = {"state": "running", "claimed_at": _utc(now), "attempts": doc["attempts"] + 1}
            self._effects.update(changes, doc_ids=[doc.doc_id])
            return _effect({**doc, **changes})

        return await self._run(work)

    async def finish_effect(self, effect_id: str) -> None:
        await self._run(lambda: _remove(self._effects, self._effects.find("id", effect_id)))

    async def unfinished_effects(self) -> list[Effect]:
        docs = await self._run(self._effects.all)
        return sorted((_effect(d) for d in docs), key=lambda e: e.created_at)

    async def release_effect(self, effect_id: str, not_before: datetime) -> None:
        def work() -> None:
            doc = self._effects.first("id", effect_id)
            if doc is None or doc["state"] != "running":
                return
            data = {**doc["data"], NOT_BEFORE: _utc(not_before)}
            changes = {"state": "pending", "claimed_at": None, "data": data}
            self._effects.update(changes, doc_ids=[doc.doc_id])

        await self._run(work)

    # People: what a person chose about devpath itself (reminders stopped, say).

    async def person(self, user_id: str) -> dict[str, Any]:
        doc = await self._run(lambda: self._people.first("user_id", user_id))
        return dict(doc) if doc else {"user_id": user_id}

    async def set_person(self, user_id: str, **changes: Any) -> None:
        await self._run(lambda: self._set_person(user_id, changes))

    def _set_person(self, user_id: str, changes: Mapping[str, Any]) -> None:
        doc = self._people.first("user_id", user_id)
        _upsert(self._people, "user_id", {**(doc or {}), "user_id": user_id, **changes})

    # A person's own data: all of it, to take away or to erase.

    async def export(self, user_id: str) -> dict[str, Any]:
        """Everything stored about this person, as stored."""

        def work() -> dict[str, Any]:
            mine: dict[str, Sequence[Mapping[str, Any]]] = {
                "drafts": self._drafts.find("user_id", user_id),
                "questionnaires": self._responses.find("user_id", user_id),
                "as_mentor": self._mentors.find("user_id", user_id),
                "as_coach": self._coaches.find("id", user_id),
                "intros": self._intros.find("mentee_id", user_id)
                + self._intros.find("mentor_id", user_id),
                "open_requests": self._open_requests.find("mentee_id", user_id)
                + [d for d in self._open_requests.all() if d.get("claimed_by") == user_id],
                "reminders": self._nudges.find("user_id", user_id),
                "messages_to_send": self._effects_about(user_id),
                "settings": self._people.find("user_id", user_id),
                "changes_made_as_admin": [
                    {k: d[k] for k in ("by", "what", "at")}  # whom it was about: others' IDs
                    for d in self._audit.all()
                    if d.get("by") == user_id
                ],
                "coaching_requests": self._coaching_requests.find("user_id", user_id),
                "engagements": self._engagements_of(user_id),
            }
            found = {kind: [dict(d) for d in docs] for kind, docs in mine.items()}
            found["intros"] = [intro_export(d, user_id) for d in found["intros"]]
            rounds = [_round(d) for d in self._rounds.all()]
            found["rounds"] = [round_export(r, user_id) for r in rounds if r.involves(user_id)]
            return {**found, **self._feedback_export(user_id)}

        return await self._run(work)

    async def forget(
        self, user_id: str, name: str | None, now: datetime | None = None
    ) -> dict[str, int]:
        """Erase every trace of this person, then rewrite the files so that no old journal
        line keeps one. `name` (a mentor's, as the pool showed it) is scrubbed from the record
        of admin changes. How many records went, by kind."""

        def work() -> dict[str, int]:
            gone: dict[str, int] = {}
            intros = self._intros.find("mentee_id", user_id) + self._intros.find(
                "mentor_id", user_id
            )
            engagements = self._engagements.find("user_id", user_id)
            about = {d["id"] for d in intros} | {d["id"] for d in engagements}
            others = [d for d in self._nudges.find("state", "scheduled") if d["subject"] in about]
            requests = self._open_requests.find("mentee_id", user_id) + [
                d for d in self._open_requests.all() if d.get("claimed_by") == user_id
            ]
            as_coach = self._coaches.find("id", user_id)
            coach_name = as_coach[0]["name"] if as_coach else ""
            # Read before they go: where the messages quoting them are.
            settings = self._people.first("user_id", user_id)
            quoted = self._coaching_requests.find("user_id", user_id) + engagements
            shared = (
                [*settings.get("shared", []), *settings.get("nomination_messages", [])]
                if settings
                else []
            )
            if intros:
                secret = self._secret(create=True)
                assert secret is not None
                for tombstone in tombstones_of([_intro(d) for d in intros], secret):
                    self._tombstones.insert(tombstone_doc(tombstone))
            for kind, table, docs in (
                ("drafts", self._drafts, self._drafts.find("user_id", user_id)),
                ("questionnaires", self._responses, self._responses.find("user_id", user_id)),
                ("mentor entry", self._mentors, self._mentors.find("user_id", user_id)),
                ("coach entry", self._coaches, as_coach),
                ("intros", self._intros, intros),
                ("open requests", self._open_requests, requests),
                ("reminders", self._nudges, self._nudges.find("user_id", user_id) + others),
                ("settings", self._people, self._people.find("user_id", user_id)),
                ("messages to send", self._effects, self._effects_about(user_id)),
                (
                    "coaching requests",
                    self._coaching_requests,
                    self._coaching_requests.find("user_id", user_id),
                ),
                ("engagements", self._engagements, engagements),
            ):
                unique = list({d.doc_id: d for d in docs}.values())
                _remove(table, unique)
                gone[kind] = len(unique)
            gone.update(self._feedback_forget(user_id))
            gone["rounds"] = 0
            for doc in self._rounds.all():
                forgotten = round_forgotten(_round(doc), user_id)
                if forgotten is not None:
                    self._rounds.update(_replaced_by(_round_doc(forgotten)), doc_ids=[doc.doc_id])
                    gone["rounds"] += 1
            if now is not None:
                for effect in withdrawals(user_id, intros, requests, now, shared, quoted):
                    self._effects.insert(_effect_doc(effect))
            # As a coach: the engagement is the coachee's record too; only the coach goes.
            coached = [d.doc_id for d in self._engagements.find("coach_id", user_id)]
            if coached:
                self._engagements.update(
                    {"coach_id": FORMER_COACH, "coach_message": {}, "channel_id": None},
                    doc_ids=coached,
                )
            names = {"mentor": name, "coach": coach_name}
            for entry in self._audit.all():
                changed = dict(entry)
                if entry.get("by") == user_id:
                    changed["by"] = "a former admin"
                what, subjects = scrubbed_audit(
                    entry["what"], entry.get("about", []), user_id, names
                )
                changed["what"] = what
                if subjects or "about" in entry:
                    changed["about"] = subjects
                if changed != dict(entry):
                    self._audit.update(_replaced_by(changed), doc_ids=[entry.doc_id])
            self._db.storage.compact()
            return gone

        return await self._run(work)

    def _secret(self, create: bool) -> str | None:
        """The database's key for pair_mark; made (with `create`) the first time it is needed."""
        found = self._secrets.first("name", TOMBSTONE_SECRET)
        if found is not None:
            return str(found["value"])
        if not create:
            return None
        value = new_secret()
        self._secrets.insert({"name": TOMBSTONE_SECRET, "value": value})
        return value

    async def pair_tombstones(self, mentee_id: str, mentor_id: str) -> list[Tombstone]:
        def work() -> list[Tombstone]:
            secret = self._secret(create=False)
            if secret is None:
                return []
            mark = pair_mark(secret, mentee_id, mentor_id)
            return [tombstone_from(d) for d in self._tombstones.find("pair", mark)]

        return await self._run(work)

    async def declined_by_tombstone(self, mentee_id: str, mentor_ids: Sequence[str]) -> set[str]:
        def work() -> set[str]:
            secret = self._secret(create=False)
            if secret is None:
                return set()
            return {
                mentor_id
                for mentor_id in mentor_ids
                if any(
                    d["declined"]
                    for d in self._tombstones.find("pair", pair_mark(secret, mentee_id, mentor_id))
                )
            }

        return await self._run(work)

    def _effects_about(self, user_id: str) -> list[Document]:
        return [
            d
            for d in self._effects.all()
            if d["user_id"] == user_id or user_id in d["data"].values()
        ]

    # The whole database, to copy it to another store (bot/store/copy.py).

    async def dump(self) -> Tables:
        """Every record, by kind, in the canonical format both stores share: documents as
        this store keeps them (every field there, times in UTC), responses with their "id"."""
        from copy import deepcopy

        def work() -> dict[str, list[dict[str, Any]]]:
            def docs(table: JournaledTable) -> list[Document]:
                return sorted(table.all(), key=lambda doc: doc.doc_id)

            def moment(value: str) -> str:
                return _utc(datetime.fromisoformat(value))

            def response(doc: Document) -> dict[str, Any]:
                given = _response(doc)
                rec = given.recommendation
                return {
                    "id": given.id,
                    "user_id": given.user_id,
                    "answers": answers_doc(given.answers),
                    "recommendation": recommendation_doc(rec),
                    "content_version": given.content_version,
                    "created_at": _utc(given.created_at),
                    "view_id": doc.get("view_id"),
                }

            def draft(doc: Document) -> dict[str, Any]:
                given = _draft(doc)
                return {
                    "user_id": given.user_id,
                    "answers": answers_doc(given.answers),
                    "step": given.step,
                    "channel_id": given.channel_id,
                    "updated_at": _utc(given.updated_at),
                }

            def request(doc: Document) -> dict[str, Any]:
                found = deepcopy(dict(doc))
                found.setdefault("claimed_by", None)
                claimed_at = found.pop("claimed_at", None)
                if claimed_at:
                    found["claimed_at"] = moment(claimed_at)
                return found

            def by_user(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
                return sorted(found, key=lambda doc: doc["user_id"])

            return {
                "drafts": by_user([draft(d) for d in docs(self._drafts)]),
                "responses": [response(d) for d in docs(self._responses)],
                "mentors": by_user([_mentor_doc(_mentor(d)) for d in docs(self._mentors)]),
                "intros": [_intro_doc(_intro(d)) for d in docs(self._intros)],
                "audit": [
                    {
                        "by": d["by"],
                        "what": d["what"],
                        "at": moment(d["at"]),
                        "about": list(d.get("about", [])),
                    }
                    for d in docs(self._audit)
                ],
                "open_requests": [request(d) for d in docs(self._open_requests)],
                "gaps": [
                    {
                        "field": d.get("field"),
                        "topics": list(d.get("topics") or []),
                        "at": moment(d["at"]),
                        "alerted": bool(d["alerted"]),
                    }
                    for d in docs(self._gaps)
                ],
                "nudges": [_nudge_doc(_nudge(d)) for d in docs(self._nudges)],
                "people": by_user([deepcopy(dict(d)) for d in docs(self._people)]),
                "effects": [_effect_doc(_effect(d)) for d in docs(self._effects)],
                "coaches": sorted(
                    (_coach_doc(_coach(d)) for d in docs(self._coaches)), key=lambda d: d["id"]
                ),
                "feedback_requests": [
                    feedback_request_doc(feedback_request_from(d))
                    for d in docs(self._feedback_requests)
                ],
                "feedback_answers": [
                    feedback_answer_doc(feedback_answer_from(d))
                    for d in docs(self._feedback_answers)
                ],
                "coaching_requests": [
                    coaching_request_doc(coaching_request_from(d))
                    for d in docs(self._coaching_requests)
                ],
                "engagements": [
                    engagement_doc(engagement_from(d)) for d in docs(self._engagements)
                ],
                "rounds": [_round(d).doc() for d in docs(self._rounds)],
                "tombstones": [tombstone_doc(tombstone_from(d)) for d in docs(self._tombstones)],
                "secrets": [
                    {"name": d["name"], "value": d["value"]}
                    for d in sorted(docs(self._secrets), key=lambda d: d["name"])
                ],
            }

        return await self._run(work)

    async def restore(self, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
        """Write a dump (see `dump`) into this database, which must be empty: one journal
        write per kind, then a fresh snapshot. Responses keep their ids where they can."""
        from copy import deepcopy

        given = deepcopy(check_tables(tables))
        readers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "drafts": _draft,
            "responses": _response,
            "mentors": _mentor,
            "intros": _intro,
            "audit": lambda d: (d["by"], d["what"], datetime.fromisoformat(d["at"])),
            "open_requests": lambda d: (d["id"], d["mentee_id"]),
            "gaps": lambda d: (d["field"], list(d["topics"]), datetime.fromisoformat(d["at"])),
            "nudges": _nudge,
            "people": lambda d: d["user_id"],
            "effects": _effect,
            "coaches": _coach,
            "feedback_requests": feedback_request_from,
            "feedback_answers": feedback_answer_from,
            "coaching_requests": coaching_request_from,
            "engagements": engagement_from,
            "rounds": Round.from_doc,
            "tombstones": tombstone_from,
            "secrets": lambda d: (str(d["name"]), bytes.fromhex(d["value"])),
        }
        for kind, docs in given.items():
            for number, doc in enumerate(docs, start=1):
                if kind == "responses":
                    doc = {key: value for key, value in doc.items() if key != "id"}
                try:
                    readers[kind](doc)
                except (KeyError, TypeError, ValueError, AttributeError) as error:
                    raise StoreError(
                        f"cannot restore {kind}: document {number} is not one ({error!r})"
                    ) from None
        named = {
            "drafts": self._drafts,
            "responses": self._responses,
            "mentors": self._mentors,
            "intros": self._intros,
            "audit": self._audit,
            "open_requests": self._open_requests,
            "gaps": self._gaps,
            "nudges": self._nudges,
            "people": self._people,
            "effects": self._effects,
            "coaches": self._coaches,
            "feedback_requests": self._feedback_requests,
            "feedback_answers": self._feedback_answers,
            "coaching_requests": self._coaching_requests,
            "engagements": self._engagements,
            "rounds": self._rounds,
            "tombstones": self._tombstones,
            "secrets": self._secrets,
        }

        def work() -> None:
            counts = {kind: len(table) for kind, table in named.items()}
            if any(counts.values()):
                raise not_empty(counts)
            for kind, table in named.items():
                docs = given[kind]
                if kind == "responses":
                    ids = stable_ids([doc.pop("id", None) for doc in docs])
                    docs = [Document(doc, doc_id) for doc, doc_id in zip(docs, ids, strict=True)]
                if kind == "rounds":
                    docs = [_round_doc(Round.from_doc(doc)) for doc in docs]
                if docs:
                    table.insert_multiple(docs)
                table._next_id = None  # worked out again from the ids now in the table
            self._db.storage.compact()

        await self._run(work)

    async def first_time(self, event_id: str) -> bool:
        """True the first time this event id is seen, False after: Slack retries an event it
        thinks went unanswered. One process per database, so memory is enough: the last
        10,000 ids, none older than a day."""
        kept, most = 24 * 60 * 60.0, 10_000
        seen = self._seen_events
        now = time.monotonic()
        while seen:
            oldest = next(iter(seen))
            if len(seen) < most and now - seen[oldest] <= kept:
                break
            del seen[oldest]
        if event_id in seen:
            return False
        seen[event_id] = now
        return True

    # 360 feedback: a person's requests to colleagues, and the colleagues' answers.

    async def add_feedback_request(
        self, request: FeedbackRequest, then: Followups = NOTHING
    ) -> bool:
        def work() -> bool:
            mine = self._feedback_requests.find("user_id", request.user_id)
            if any(d["state"] == "open" for d in mine):
                return False
            with self._db.storage.batch():
                self._feedback_requests.insert(feedback_request_doc(request))
                self._follow(then)
            return True

        return await self._run(work)

    # Coaching: requests the program decides, and engagements

    async def add_coaching_request(
        self, request: CoachingRequest, then: Followups = NOTHING
    ) -> bool:
        """Record a new request unless this person has one pending already."""

        def work() -> bool:
            theirs = self._coaching_requests.find("user_id", request.user_id)
            if any(d["state"] == "pending" for d in theirs):
                return False
            with self._db.storage.batch():
                self._coaching_requests.insert(coaching_request_doc(request))
                self._follow(then)
            return True

        return await self._run(work)

    async def get_feedback_request(self, request_id: str) -> FeedbackRequest | None:
        doc = await self._run(lambda: self._feedback_requests.first("id", request_id))
        return feedback_request_from(doc) if doc else None

    async def feedback_requests_of(self, user_id: str) -> list[FeedbackRequest]:
        docs = await self._run(lambda: self._feedback_requests.find("user_id", user_id))
        return [feedback_request_from(d) for d in sorted(docs, key=lambda d: d.doc_id)]

    async def feedback_requests(self) -> list[FeedbackRequest]:
        docs = await self._run(self._feedback_requests.all)
        return [feedback_request_from(d) for d in sorted(docs, key=lambda d: d.doc_id)]

    async def add_feedback_answer(
        self, answer: FeedbackAnswer, minimum: int, then: Followups = NOTHING
    ) -> AnswerKept | None:
        def work() -> AnswerKept | None:
            request = self._feedback_requests.first("id", answer.request_id)
            if request is None or request["state"] != "open":
                return None
            if answer.giver_id not in request["givers"]:
                return None
            given = self._feedback_answers.find("giver_id", answer.giver_id)
            if any(d["request_id"] == answer.request_id for d in given):
                return None
            answered = len(self._feedback_answers.find("request_id", answer.request_id)) + 1
            before = request.get("shown", 0)
            shown = shown_after(before, answered, minimum)
            with self._db.storage.batch():
                self._feedback_answers.insert(feedback_answer_doc(answer))
                if shown == before:
                    return "kept"
                self._feedback_requests.update({"shown": shown}, doc_ids=[request.doc_id])
                self._follow(then)
            return "shown"

        return await self._run(work)

    async def feedback_answers(self, request_id: str) -> list[FeedbackAnswer]:
        docs = await self._run(lambda: self._feedback_answers.find("request_id", request_id))
        return [feedback_answer_from(d) for d in sorted(docs, key=lambda d: d.doc_id)]

    async def feedback_tallies(self) -> dict[int, int]:
        def work() -> dict[int, int]:
            answers = Counter(
                d["request_id"] for d in self._feedback_answers._read_table().values()
            )
            requests = self._feedback_requests._read_table().values()
            return dict(Counter(answers.get(d["id"], 0) for d in requests))

        tables = (self._feedback_requests, self._feedback_answers)
        return dict(await self._run(lambda: self._tally("feedback", work, *tables)))

    async def feedback_answer_counts(self) -> dict[str, int]:
        def work() -> dict[str, int]:
            counts: dict[str, int] = {}
            for doc in self._feedback_answers.all():
                counts[doc["request_id"]] = counts.get(doc["request_id"], 0) + 1
            return counts

        return await self._run(work)

    async def due_feedback(self, now: datetime) -> list[FeedbackRequest]:
        moment = _utc(now)

        def work() -> list[Document]:
            return sorted(
                (
                    d
                    for d in self._feedback_requests.find("state", "open")
                    if d["closes_at"] <= moment or (not d["reminded"] and d["remind_at"] <= moment)
                ),
                key=lambda d: d.doc_id,
            )

        return [feedback_request_from(d) for d in await self._run(work)]

    async def remind_feedback(
        self, request_id: str, then: Followups = NOTHING
    ) -> FeedbackRequest | None:
        return await self._move_feedback(
            request_id,
            lambda d: d["state"] == "open" and not d["reminded"],
            {"reminded": True},
            then,
        )

    async def close_feedback(
        self, request_id: str, then: Followups = NOTHING
    ) -> FeedbackRequest | None:
        return await self._move_feedback(
            request_id, lambda d: d["state"] == "open", {"state": "closed"}, then
        )

    async def share_feedback(
        self, request_id: str, user_id: str, with_user_id: str, then: Followups = NOTHING
    ) -> FeedbackRequest | None:
        def work() -> FeedbackRequest | None:
            doc = self._feedback_requests.first("id", request_id)
            if doc is None or doc["user_id"] != user_id or with_user_id in doc["shared_with"]:
                return None
            changes = {"shared_with": [*doc["shared_with"], with_user_id]}
            with self._db.storage.batch():
                self._feedback_requests.update(changes, doc_ids=[doc.doc_id])
                self._follow(then)
            return feedback_request_from({**doc, **changes})

        return await self._run(work)

    async def _move_feedback(
        self,
        request_id: str,
        allowed: Callable[[Document], bool],
        changes: dict[str, Any],
        then: Followups,
    ) -> FeedbackRequest | None:
        def work() -> FeedbackRequest | None:
            doc = self._feedback_requests.first("id", request_id)
            if doc is None or not allowed(doc):
                return None
            with self._db.storage.batch():
                self._feedback_requests.update(changes, doc_ids=[doc.doc_id])
                self._follow(then)
            return feedback_request_from({**doc, **changes})

        return await self._run(work)

    def _feedback_export(self, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Their requests with how many answered, and the answers they gave (see Store)."""
        counts: dict[str, int] = {}
        for doc in self._feedback_answers.all():
            counts[doc["request_id"]] = counts.get(doc["request_id"], 0) + 1
        asked = sorted(self._feedback_requests.find("user_id", user_id), key=lambda d: d.doc_id)
        given = sorted(self._feedback_answers.find("giver_id", user_id), key=lambda d: d.doc_id)
        return {
            "feedback_requests": [
                {
                    **feedback_request_doc(feedback_request_from(d)),
                    "answered": counts.get(d["id"], 0),
                }
                for d in asked
            ],
            "feedback_given": [given_doc(feedback_answer_from(d)) for d in given],
        }

    def _feedback_forget(self, user_id: str) -> dict[str, int]:
        """Their requests and every answer to them; the answers they gave (a request that
        showed one shows one fewer); their ID among the colleagues asked, or shared with, in
        others' requests."""
        asked = self._feedback_requests.find("user_id", user_id)
        about = [a for d in asked for a in self._feedback_answers.find("request_id", d["id"])]
        given = self._feedback_answers.find("giver_id", user_id)
        for answer in given:
            request = self._feedback_requests.first("id", answer["request_id"])
            if request is None or request["user_id"] == user_id:
                continue
            before = [
                d
                for d in self._feedback_answers.find("request_id", request["id"])
                if d.doc_id < answer.doc_id
            ]
            if len(before) < request.get("shown", 0):
                # What stays shown is what was shown, without theirs: never a later answer.
                changes = {"shown": request["shown"] - 1}
                self._feedback_requests.update(changes, doc_ids=[request.doc_id])
        answers = list({d.doc_id: d for d in about + given}.values())
        _remove(self._feedback_answers, answers)
        _remove(self._feedback_requests, asked)
        for doc in self._feedback_requests.all():
            if user_id in doc["givers"] or user_id in doc["shared_with"]:
                changes = {
                    "givers": [g for g in doc["givers"] if g != user_id],
                    "shared_with": [g for g in doc["shared_with"] if g != user_id],
                }
                self._feedback_requests.update(changes, doc_ids=[doc.doc_id])
        return {"feedback requests": len(asked), "feedback answers": len(answers)}

    async def get_coaching_request(self, request_id: str) -> CoachingRequest | None:
        doc = await self._run(lambda: self._coaching_requests.first("id", request_id))
        return coaching_request_from(doc) if doc else None

    async def coaching_requests(self, state: str | None = None) -> list[CoachingRequest]:
        def work() -> list[Document]:
            if state is None:
                return self._coaching_requests.all()
            return sorted(self._coaching_requests.find("state", state), key=lambda d: d.doc_id)

        return [coaching_request_from(d) for d in await self._run(work)]

    async def coaching_requests_of(self, user_id: str) -> list[CoachingRequest]:
        docs = await self._run(lambda: self._coaching_requests.find("user_id", user_id))
        return [coaching_request_from(d) for d in docs]

    def _budget_used(self, budget: Budget, now: datetime) -> int:
        approved = self._coaching_requests.find("state", "approved")
        since = budget.window_start(now)
        if since is not None:
            moment = _utc(since)
            return sum(1 for d in approved if (d.get("decided_at") or "") >= moment)
        ended = {d["request_id"] for d in self._engagements.find("state", "ended")}
        return sum(1 for d in approved if d["id"] not in ended)

    async def budget_used(self, budget: Budget, now: datetime) -> int:
        return await self._run(lambda: self._budget_used(budget, now))

    async def decide_coaching_request(
        self,
        request_id: str,
        from_state: str,
        to_state: str,
        by: str,
        now: datetime,
        reason: str = "",
        budget: Budget | None = None,
        over_budget: bool = False,
        then: Followups = NOTHING,
    ) -> CoachingRequest | None:
        """Move a request on only if it is still in `from_state`; an approval within the
        budget counts the approvals in the same step (one thread: nothing comes between)."""

        def work() -> CoachingRequest | None:
            doc = self._coaching_requests.first("id", request_id)
            if doc is None or doc["state"] != from_state:
                return None
            limit = budget.limit if budget is not None else None
            if budget is not None and limit is not None and self._budget_used(budget, now) >= limit:
                return None
            if from_state == "approved" and any(
                d["state"] in HOLDS_A_PLACE
                for d in self._engagements.find("request_id", request_id)
            ):
                return None
            changes = {
                "state": to_state,
                "decided_by": by,
                "decided_at": _utc(now),
                "reason": reason,
                "over_budget": over_budget,
            }
            with self._db.storage.batch():
                self._coaching_requests.update(changes, doc_ids=[doc.doc_id])
                self._follow(then)
            return coaching_request_from({**doc, **changes})

        return await self._run(work)

    async def mark_coaching_request(self, request_id: str, **changes: Any) -> None:
        doc = coaching_request_doc(
            replace(_blank_request(), **changes)  # checks the names, converts the values
        )
        known = {k: doc[k] for k in changes}
        await self._run(lambda: _update(self._coaching_requests, "id", request_id, known))

    async def add_engagement(
        self, engagement: Engagement, capacity: int | None, then: Followups = NOTHING
    ) -> bool:
        """Record an engagement if its request is approved and still free of one, and the
        coach has a place: all read and written on the one thread, so nothing comes between."""

        def work() -> bool:
            request = self._coaching_requests.first("id", engagement.request_id)
            if request is None or request["state"] != "approved":
                return False
            siblings = self._engagements.find("request_id", engagement.request_id)
            if any(d["state"] in HOLDS_A_PLACE | {"ended"} for d in siblings):
                return False
            if capacity is not None:
                theirs = self._engagements.find("coach_id", engagement.coach_id)
                if sum(d["state"] in HOLDS_A_PLACE for d in theirs) >= capacity:
                    return False
            with self._db.storage.batch():
                self._engagements.insert(engagement_doc(engagement))
                self._follow(then)
            return True

        return await self._run(work)

    async def move_engagement(
        self,
        engagement_id: str,
        from_states: frozenset[str],
        to_state: str,
        changes: Mapping[str, Any] | None = None,
        then: Followups = NOTHING,
        expect: Mapping[str, Any] | None = None,
    ) -> Engagement | None:
        def work() -> Engagement | None:
            doc = self._engagements.first("id", engagement_id)
            if doc is None or doc["state"] not in from_states:
                return None
            current = engagement_from(doc)
            if any(getattr(current, k) != v for k, v in (expect or {}).items()):
                return None
            moved = engagement_doc(
                replace(engagement_from(doc), **{**(changes or {}), "state": to_state})
            )
            with self._db.storage.batch():
                self._engagements.update(_replaced_by(moved), doc_ids=[doc.doc_id])
                self._follow(then)
            return engagement_from(moved)

        return await self._run(work)

    async def mark_engagement(self, engagement_id: str, **changes: Any) -> None:
        def work() -> None:
            doc = self._engagements.first("id", engagement_id)
            if doc is not None:
                marked = engagement_doc(replace(engagement_from(doc), **changes))
                self._engagements.update(_replaced_by(marked), doc_ids=[doc.doc_id])

        await self._run(work)

    async def get_engagement(self, engagement_id: str) -> Engagement | None:
        doc = await self._run(lambda: self._engagements.first("id", engagement_id))
        return engagement_from(doc) if doc else None

    async def engagements(self, state: str | None = None) -> list[Engagement]:
        def work() -> list[Document]:
            if state is None:
                return self._engagements.all()
            return sorted(self._engagements.find("state", state), key=lambda d: d.doc_id)

        return [engagement_from(d) for d in await self._run(work)]

    def _engagements_of(self, user_id: str) -> list[Document]:
        found = {d.doc_id: d for d in self._engagements.find("user_id", user_id)}
        found.update({d.doc_id: d for d in self._engagements.find("coach_id", user_id)})
        return [found[i] for i in sorted(found)]

    async def engagements_of(self, user_id: str) -> list[Engagement]:
        return [engagement_from(d) for d in await self._run(lambda: self._engagements_of(user_id))]

    async def active_engagement(self, user_id: str) -> Engagement | None:
        docs = await self._run(lambda: self._engagements.find("user_id", user_id))
        return next((engagement_from(d) for d in docs if d["state"] == "active"), None)

    async def coaching_tallies(self) -> CoachingTallies:
        def work() -> CoachingTallies:
            return coaching_tallies(
                self._coaching_requests._read_table().values(),
                self._engagements._read_table().values(),
            )

        tables = (self._coaching_requests, self._engagements)
        return await self._run(lambda: self._tally("coaching", work, *tables))

    async def coach_places_taken(self) -> dict[str, int]:
        def work() -> dict[str, int]:
            counts: dict[str, int] = {}
            for state in sorted(HOLDS_A_PLACE):
                for doc in self._engagements.find("state", state):
                    counts[doc["coach_id"]] = counts.get(doc["coach_id"], 0) + 1
            return counts

        return await self._run(work)

    # Matching rounds: a cohort's mentees assigned at once. A round is stored as Round.doc()
    # with its "name_key" (round_key of the name), indexed so that a name is found unscanned.

    async def add_round(self, new: Round, then: Followups = NOTHING) -> bool:
        """Record a new round unless one of the same name exists (one thread: nothing comes
        between the look and the write)."""

        def work() -> bool:
            if self._rounds.first("name_key", round_key(new.name)) is not None:
                return False
            if self._rounds.first("id", new.id) is not None:
                return False
            with self._db.storage.batch():
                self._rounds.insert(_round_doc(new))
                self._follow(then)
            return True

        return await self._run(work)

    async def get_round(self, round_id: str) -> Round | None:
        doc = await self._run(lambda: self._rounds.first("id", round_id))
        return _round(doc) if doc else None

    async def round_named(self, name: str) -> Round | None:
        doc = await self._run(lambda: self._rounds.first("name_key", round_key(name)))
        return _round(doc) if doc else None

    async def rounds(self, state: str | None = None) -> list[Round]:
        def work() -> list[Document]:
            found = self._rounds.all() if state is None else self._rounds.find("state", state)
            return sorted(found, key=lambda d: d.doc_id)

        return [_round(d) for d in await self._run(work)]

    def _change_round(
        self, round_id: str, change: Callable[[Round], Round | None], then: Followups = NOTHING
    ) -> Round | None:
        """Read the round, let `change` say what it becomes (None: nothing), write it with
        `then` in one journal line; on the one thread, so nothing comes between."""
        doc = self._rounds.first("id", round_id)
        if doc is None:
            return None
        changed = change(_round(doc))
        if changed is None:
            return None
        key = round_key(changed.name)
        if key != doc.get("name_key") and self._rounds.first("name_key", key) is not None:
            return None  # renamed to another round's name: that one stays the only one
        with self._db.storage.batch():
            self._rounds.update(_replaced_by(_round_doc(changed)), doc_ids=[doc.doc_id])
            self._follow(then)
        return changed

    async def join_round(self, round_id: str, user_id: str) -> Round | None:
        return await self._run(lambda: self._change_round(round_id, lambda r: r.joined_by(user_id)))

    async def set_round_places(self, round_id: str, mentor_id: str, places: int) -> Round | None:
        return await self._run(
            lambda: self._change_round(round_id, lambda r: r.with_places(mentor_id, places))
        )

    async def update_round(
        self,
        round_id: str,
        from_states: frozenset[str],
        changes: Mapping[str, Any],
        then: Followups = NOTHING,
        expect: Mapping[str, Any] | None = None,
    ) -> Round | None:
        return await self._run(
            lambda: self._change_round(
                round_id, lambda r: r.changed(from_states, changes, expect), then
            )
        )


def _round_doc(found: Round) -> dict[str, Any]:
    return {**found.doc(), "name_key": round_key(found.name)}


def _round(doc: Mapping[str, Any]) -> Round:
    return Round.from_doc({k: v for k, v in doc.items() if k != "name_key"})


def _blank_request() -> CoachingRequest:
    return CoachingRequest("", "", (), "", "", datetime.fromtimestamp(0, UTC))


def _upsert(table: JournaledTable, key: str, doc: dict[str, Any]) -> None:
    """Replace the document with this key's value, or add it."""
    found = table.first(key, doc[key])
    if found is None:
        table.insert(doc)
    else:
        table.update(_replaced_by(doc), doc_ids=[found.doc_id])


def _replaced_by(doc: Mapping[str, Any]) -> Callable[[MutableMapping[str, Any]], None]:
    """A TinyDB update that makes the stored document this one, keys removed included."""

    def replace(stored: MutableMapping[str, Any]) -> None:
        stored.clear()
        stored.update(doc)

    return replace


def _update(table: JournaledTable, key: str, value: Any, changes: dict[str, Any]) -> None:
    found = table.first(key, value)
    if found is not None:
        table.update(changes, doc_ids=[found.doc_id])


def _remove(table: JournaledTable, docs: list[Document]) -> None:
    if docs:
        table.remove(doc_ids=[d.doc_id for d in docs])


OPEN_INTRO = ("pending", "accepted")


def _holds(record: Any, expect: Mapping[str, Any] | None) -> bool:
    """Whether the record's fields hold these values (a compare-and-set's condition)."""
    return all(getattr(record, key) == value for key, value in (expect or {}).items())


def _utc(moment: datetime) -> str:
    """Times are stored in UTC, so that comparing the text compares the moments."""
    return moment.astimezone(UTC).isoformat()


def _nudge_doc(nudge: Nudge) -> dict[str, Any]:
    doc = vars(nudge).copy()
    for key in ("due_at", "created_at", "sent_at", "answered_at"):
        doc[key] = _utc(doc[key]) if doc[key] else None
    doc["answer"], doc["message"] = dict(nudge.answer), dict(nudge.message)
    return doc


def _effect_doc(effect: Effect) -> dict[str, Any]:
    doc = vars(effect).copy()
    doc["data"] = dict(effect.data)
    doc["created_at"] = _utc(effect.created_at)
    doc["claimed_at"] = _utc(effect.claimed_at) if effect.claimed_at else None
    return doc


def _effect(doc: dict[str, Any]) -> Effect:
    doc = dict(doc)
    for key in ("created_at", "claimed_at"):
        doc[key] = datetime.fromisoformat(doc[key]) if doc.get(key) else None
    doc["data"] = dict(doc["data"])
    return Effect(**doc)


def _nudge(doc: dict[str, Any]) -> Nudge:
    doc = dict(doc)
    for key in ("due_at", "created_at", "sent_at", "answered_at"):
        doc[key] = datetime.fromisoformat(doc[key]) if doc.get(key) else None
    return Nudge(**doc)


_MENTOR_TIMES = ("away_until", "nominated_at")


def _mentor_doc(mentor: Mentor) -> dict[str, Any]:
    doc = vars(mentor).copy()
    doc["fields"], doc["topics"] = list(mentor.fields), list(mentor.topics)
    for key in _MENTOR_TIMES:
        doc[key] = _utc(doc[key]) if doc[key] else None
    return doc


def _mentor(doc: Mapping[str, Any]) -> Mentor:
    times = {k: datetime.fromisoformat(doc[k]) for k in _MENTOR_TIMES if doc.get(k)}
    return Mentor(
        **{**doc, **times, "fields": tuple(doc["fields"]), "topics": tuple(doc["topics"])}
    )


def _coach_doc(coach: Coach) -> dict[str, Any]:
    doc = vars(coach).copy()
    doc["areas"], doc["languages"] = list(coach.areas), list(coach.languages)
    return doc


def _coach(doc: dict[str, Any]) -> Coach:
    return Coach(**{**doc, "areas": tuple(doc["areas"]), "languages": tuple(doc["languages"])})


def _audit_doc(by: str, what: str, now: datetime, about: list[str]) -> dict[str, Any]:
    return {"by": by, "what": what, "at": _utc(now), "about": about}


_INTRO_TIMES = ("requested_at", "expires_at", "answered_at", "ended_at")


def _intro_doc(intro: Intro) -> dict[str, Any]:
    doc = vars(intro).copy()
    for key in _INTRO_TIMES:
        doc[key] = _utc(doc[key]) if doc[key] else None
    doc["shares"] = list(intro.shares)
    for key in ("mentor_message", "question", "agreement", "at_risk"):
        doc[key] = dict(doc[key])
    doc["closeouts"] = {who: dict(said) for who, said in intro.closeouts.items()}
    return doc


def _intro(doc: Mapping[str, Any]) -> Intro:
    doc = dict(doc)
    for key in _INTRO_TIMES:
        doc[key] = datetime.fromisoformat(doc[key]) if doc.get(key) else None
    doc["shares"] = tuple(doc.get("shares", ()))
    return Intro(**doc)


def _draft(doc: dict[str, Any]) -> Draft:
    return Draft(
        user_id=doc["user_id"],
        answers=answers_from(doc["answers"]),
        step=doc["step"],
        channel_id=doc.get("channel_id"),
        updated_at=datetime.fromisoformat(doc["updated_at"]),
    )


def _response(doc: dict[str, Any]) -> Response:
    rec = doc["recommendation"]
    return Response(
        user_id=doc["user_id"],
        answers=answers_from(doc["answers"]),
        recommendation=recommendation_from(rec),
        content_version=doc["content_version"],
        created_at=datetime.fromisoformat(doc["created_at"]),
        id=str(doc.doc_id) if hasattr(doc, "doc_id") else "",
    )
