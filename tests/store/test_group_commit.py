"""Group commit: calls that reach the TinyDB store's thread together share one fdatasync, and
none is answered before it; a failed sync fails every write of the group and keeps none."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.records import Draft
from bot.store import StoreError
from bot.store import journal as journal_module
from bot.store.journal import read_database
from bot.store.tinydb_store import TinyDBStore
from tests.full_disk import FullDisk

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


class CountingDisk(FullDisk):
    """A FullDisk that also counts fdatasyncs."""

    def __init__(self) -> None:
        super().__init__()
        self.syncs = 0

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        call = super().__getattr__(name)
        if name != "fdatasync":
            return call

        def counted(*args):  # type: ignore[no-untyped-def]
            self.syncs += 1
            return call(*args)

        return counted


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> CountingDisk:
    counting = CountingDisk()
    monkeypatch.setattr(journal_module, "os", counting)  # undone when the test ends
    return counting


async def queued_together(store: TinyDBStore, count: int) -> list[asyncio.Task[None]]:
    """`count` drafts saved at once while the store's thread is busy, so that all of them
    are waiting when it is free again; the tasks, once it is."""
    busy, free = threading.Event(), threading.Event()

    def hold() -> None:
        busy.set()
        free.wait()

    held = asyncio.ensure_future(store._run(hold))
    await asyncio.to_thread(busy.wait)
    writes = [
        asyncio.create_task(store.save_draft(Draft(f"U{n}", {"role": ("ic",)}, 2, None, NOW)))
        for n in range(count)
    ]
    await asyncio.sleep(0)  # each task runs up to its wait for the store: all are queued
    free.set()
    await held
    return writes


async def test_writes_that_arrive_together_share_one_fdatasync(tmp_path: Path, disk):
    store = TinyDBStore.open(tmp_path / "db.json")
    try:
        disk.syncs = 0
        writes = await queued_together(store, 40)
        await asyncio.gather(*writes)
        assert disk.syncs == 1
        assert len(read_database(tmp_path / "db.json")[0]["drafts"]) == 40
        assert (await store.get_draft("U39")) is not None
    finally:
        await store.aclose()


async def test_a_failed_sync_fails_every_write_of_its_group_and_keeps_none(tmp_path: Path, disk):
    path = tmp_path / "db.json"
    store = TinyDBStore.open(path)
    try:
        await store.save_draft(Draft("UKEPT", {"role": ("ic",)}, 1, None, NOW))
        disk.full = {"fdatasync"}
        writes = await queued_together(store, 10)
        outcomes = await asyncio.gather(*writes, return_exceptions=True)
        assert all(isinstance(o, StoreError) for o in outcomes)
        # What is served is what the disk holds: the draft saved before, none of the group.
        assert set(read_database(path)[0]["drafts"]) == {"1"}
        assert [await store.get_draft(f"U{n}") for n in range(10)] == [None] * 10
        assert (await store.get_draft("UKEPT")) is not None

        disk.full = set()  # space returns
        await store.save_draft(Draft("U1", {"role": ("ic",)}, 3, None, NOW))
        assert (await store.get_draft("U1")) is not None
    finally:
        await store.aclose()
    reopened = TinyDBStore.open(path)
    try:
        kept = [await reopened.get_draft(u) for u in ("UKEPT", "U1")]
        assert [d.user_id if d else None for d in kept] == ["UKEPT", "U1"]
        assert await reopened.get_draft("U2") is None
    finally:
        await reopened.aclose()
