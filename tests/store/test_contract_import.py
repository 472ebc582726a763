"""`import_mentors`, on both backends: a CSV import's write, a few hundred mentors at a time,
each write whole or not at all, what is a mentor's own kept. And `save_mentors` on TinyDB:
several mentors, one journal line."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.matching import Mentor
from bot.store import Store, StoreError
from bot.store.postgres_store import PostgresStore
from bot.store.tinydb_store import TinyDBStore
from tests.full_disk import fill_disk
from tests.store.test_contract import T0, mentor


def many(count: int, start: int = 0) -> list[Mentor]:
    return [mentor(f"U{n:05d}", f"Mentor {n:05d}") for n in range(start, start + count)]


async def test_an_import_adds_replaces_and_keeps_what_is_the_mentors_own(any_store: Store) -> None:
    away = T0 + timedelta(days=5)
    await any_store.save_mentors(
        [
            mentor("U2", "Grace", away_until=away),
            mentor("U3", "Ada", status="nominated", nominated_at=T0),
            mentor("U4", "Alan"),
        ],
        "UA",
        "added",
        T0,
    )
    grace = mentor("U2", "Grace Hopper", capacity=4)
    ada = mentor("U3", "Ada", bio="Maths")
    linus = mentor("U5", "Linus")

    await any_store.import_mentors(
        [grace, ada, mentor("U5", "Linus T"), linus], "cli:ops", "imported 3 mentors", T0
    )

    assert await any_store.mentors() == [
        replace(ada, nominated_at=T0),  # the import approves a nomination
        mentor("U4", "Alan"),  # not in the file: as it was
        replace(grace, away_until=away),  # still away, as she said
        linus,  # of two rows for one mentor, the later
    ]
    assert await any_store.nominations() == []
    assert await any_store.audit_log(limit=1) == [
        {"by": "cli:ops", "what": "imported 3 mentors", "at": T0.isoformat()}
    ]


async def test_an_import_in_parts_lands_every_mentor_once(any_store: Store) -> None:
    pool = many(1_200)
    for number, start in enumerate(range(0, len(pool), 400), start=1):
        await any_store.import_mentors(pool[start : start + 400], "cli:ops", f"part {number}", T0)
    assert await any_store.mentors() == pool
    before = await any_store.dump()

    await any_store.import_mentors(pool[300:700], "cli:ops", "again", T0)

    after = await any_store.dump()
    assert after["mentors"] == before["mentors"]
    assert [e["what"] for e in await any_store.audit_log()] == [
        "again",
        "part 3",
        "part 2",
        "part 1",
    ]


async def test_an_import_of_nobody_is_recorded_and_changes_nobody(any_store: Store) -> None:
    await any_store.save_mentors([mentor("U2", "Grace")], "UA", "added", T0)
    await any_store.import_mentors([], "cli:ops", "imported nobody", T0)
    assert await any_store.mentors() == [mentor("U2", "Grace")]
    assert (await any_store.audit_log(limit=1))[0]["what"] == "imported nobody"


async def test_a_tinydb_import_part_is_one_journal_line(tmp_path: Path) -> None:
    store = TinyDBStore.open(tmp_path / "db.json")
    journal = tmp_path / "db.json.journal"
    try:
        lines = journal.read_bytes().count(b"\n")
        await store.import_mentors(many(500), "cli:ops", "part 1", T0)
        await store.import_mentors([*many(100), *many(400, start=500)], "cli:ops", "part 2", T0)
        assert journal.read_bytes().count(b"\n") == lines + 2
        assert len(await store.mentors()) == 900
    finally:
        await store.aclose()


async def test_a_tinydb_save_of_several_mentors_is_one_journal_line(tmp_path: Path) -> None:
    store = TinyDBStore.open(tmp_path / "db.json")
    journal = tmp_path / "db.json.journal"
    try:
        lines = journal.read_bytes().count(b"\n")
        await store.save_mentors(many(50), "UA", "added 50", T0)
        assert journal.read_bytes().count(b"\n") == lines + 1
    finally:
        await store.aclose()


async def test_a_tinydb_import_part_that_fails_leaves_nothing_of_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TinyDBStore.open(tmp_path / "db.json")
    try:
        await store.import_mentors(many(300), "cli:ops", "part 1", T0)
        disk = fill_disk(monkeypatch)
        disk.full.add("fdatasync")
        with pytest.raises(StoreError, match="the disk is full"):
            await store.import_mentors(many(300, start=300), "cli:ops", "part 2", T0)
        disk.full.clear()
        assert await store.mentors() == many(300)
        assert [e["what"] for e in await store.audit_log()] == ["part 1"]
    finally:
        await store.aclose()
    reopened = TinyDBStore.open(tmp_path / "db.json")
    try:
        assert await reopened.mentors() == many(300)
    finally:
        await reopened.aclose()


async def test_a_postgres_import_part_that_fails_leaves_nothing_of_itself(pg_url: str) -> None:
    store = await PostgresStore.connect(pg_url, max_size=2)
    try:
        await store.import_mentors(many(300), "cli:ops", "part 1", T0)
        broken = many(300, start=300)
        broken[150] = replace(broken[150], bio="a NUL \x00 PostgreSQL text cannot hold")
        with pytest.raises(StoreError, match=r"^DATABASE_URL: cannot write the mentors: "):
            await store.import_mentors(broken, "cli:ops", "part 2", T0)
        assert await store.mentors() == many(300)
        assert [e["what"] for e in await store.audit_log()] == ["part 1"]
    finally:
        await store.aclose()
