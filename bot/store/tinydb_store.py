"""Store: devpath's records in TinyDB, one async method per thing the bot asks for.

Every TinyDB call runs on one worker thread, so file I/O never blocks the event loop and
TinyDB, which is not thread-safe, only ever sees one caller at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from tinydb import Query, TinyDB

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

    async def add_response(self, response: Response) -> None:
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
        await self._run(lambda: self._responses.insert(doc))

    async def responses(self, user_id: str) -> list[Response]:
        docs = await self._run(lambda: self._responses.search(Query().user_id == user_id))
        return sorted((_response(d) for d in docs), key=lambda r: r.created_at)

    async def latest_response(self, user_id: str) -> Response | None:
        history = await self.responses(user_id)
        return history[-1] if history else None


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
    )
