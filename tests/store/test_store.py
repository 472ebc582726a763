"""The store: drafts, the history of responses, and a database file that is never half-written."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.content import Content
from bot.domain.recommendation import recommend
from bot.domain.records import Draft, Response
from bot.store import StoreError
from bot.store.journal import JournalStorage, read_database
from bot.store.tinydb_store import TinyDBStore
from tests.answers import COACHING, MENTORING

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def as_answers(raw: dict) -> dict[str, tuple[str, ...]]:
    return {k: (v,) if isinstance(v, str) else tuple(v) for k, v in raw.items()}


def response(content: Content, raw: dict, at: datetime, user: str = "U1") -> Response:
    answers = as_answers(raw)
    rec = recommend(content.questionnaire, answers, content.thresholds)
    return Response(user, answers, rec, content.version, at)


def draft(step: int = 1, at: datetime = T0, user: str = "U1") -> Draft:
    answers = {"career_stage": ("manager",), "topics": ("leadership", "networking")}
    return Draft(user, answers, step, "D123", at)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "devpath.json"


@pytest.fixture
def store(db_path: Path) -> Iterator[TinyDBStore]:
    opened = TinyDBStore.open(db_path)
    yield opened
    opened.close()


def on_disk(path: Path) -> dict:
    """What a fresh start would read: the snapshot with the journal replayed over it."""
    return read_database(path)[0]


async def test_draft_save_get_upsert_delete(store: TinyDBStore) -> None:
    assert await store.get_draft("U1") is None

    first = draft(step=1)
    await store.save_draft(first)
    assert await store.get_draft("U1") == first

    later = draft(step=2, at=T0 + timedelta(minutes=5))
    await store.save_draft(later)
    assert await store.get_draft("U1") == later

    other = draft(user="U2")
    await store.save_draft(other)
    await store.delete_draft("U1")
    assert await store.get_draft("U1") is None
    assert await store.get_draft("U2") == other


async def test_every_response_is_kept_and_latest_is_the_newest(
    store: TinyDBStore, content: Content
) -> None:
    assert await store.latest_response("U1") is None
    assert await store.responses("U1") == []

    newer = response(content, MENTORING, T0 + timedelta(days=30))
    older = response(content, COACHING, T0)
    # Stored newest first: the history is still in time order.
    newer = replace(newer, id=await store.add_response(newer))
    older = replace(older, id=await store.add_response(older))
    await store.add_response(response(content, COACHING, T0, user="U2"))

    assert older.id != newer.id
    assert await store.responses("U1") == [older, newer]
    latest = await store.latest_response("U1")
    assert latest == newer
    assert latest is not None and latest.recommendation.path == "mentoring"


async def test_data_survives_close_and_reopen(db_path: Path, content: Content) -> None:
    saved_draft = draft(step=3)
    saved_response = response(content, COACHING, T0)
    first = TinyDBStore.open(db_path)
    await first.save_draft(saved_draft)
    saved_response = replace(saved_response, id=await first.add_response(saved_response))
    first.close()

    second = TinyDBStore.open(db_path)
    try:
        assert await second.get_draft("U1") == saved_draft
        assert await second.responses("U1") == [saved_response]
    finally:
        second.close()


async def test_file_is_valid_json_after_each_write(
    store: TinyDBStore, db_path: Path, content: Content
) -> None:
    await store.save_draft(draft())
    assert len(on_disk(db_path)["drafts"]) == 1

    await store.add_response(response(content, COACHING, T0))
    assert len(on_disk(db_path)["responses"]) == 1

    await store.add_response(response(content, MENTORING, T0 + timedelta(days=1)))
    assert len(on_disk(db_path)["responses"]) == 2

    await store.delete_draft("U1")
    data = on_disk(db_path)
    assert data["drafts"] == {}
    assert len(data["responses"]) == 2
    # No temporary file is left behind next to the database.
    names = sorted(p.name for p in db_path.parent.iterdir())
    assert names == ["devpath.json", "devpath.json.journal", "devpath.json.lock"]


def test_leftover_temp_file_is_removed_at_open(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    leftover = db_path.parent / ".devpath.json.abc123.tmp"
    leftover.write_text('{"half": ', encoding="utf-8")
    unrelated = db_path.parent / "notes.tmp"
    unrelated.write_text("keep me", encoding="utf-8")

    TinyDBStore.open(db_path).close()

    assert not leftover.exists()
    assert unrelated.exists()


def test_corrupt_database_gives_one_line_naming_path_and_line(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_text('{\n  "drafts": {},\n  "responses": {oops}\n}\n', encoding="utf-8")

    with pytest.raises(StoreError) as caught:
        TinyDBStore.open(db_path)

    message = str(caught.value)
    assert "\n" not in message
    assert str(db_path) in message
    assert "line 3" in message


async def test_writes_happen_off_the_event_loop(
    store: TinyDBStore, content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    commit = JournalStorage.commit

    def recording_commit(self: JournalStorage, table: str, changed: dict) -> None:
        threads.append(threading.current_thread())
        commit(self, table, changed)

    monkeypatch.setattr(JournalStorage, "commit", recording_commit)

    await store.save_draft(draft())
    await store.add_response(response(content, COACHING, T0))
    await store.delete_draft("U1")

    assert threads, "every call above writes the file"
    assert threading.main_thread() not in threads
    assert threading.current_thread() not in threads


def test_unwritable_new_database_gives_one_line(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: JournalStorage) -> None:
        raise PermissionError(13, "Permission denied", str(db_path.parent))

    monkeypatch.setattr(JournalStorage, "compact", refuse)

    with pytest.raises(StoreError) as caught:
        TinyDBStore.open(db_path)

    message = str(caught.value)
    assert "\n" not in message
    assert str(db_path) in message
    assert "Permission denied" in message
