"""PostgreSQL's pools: work no request waits on (after an ack, a background round) uses a few
of the connections at most, so a request still waiting for its ack always finds one; and each
instance keeps the mentor pool until any instance changes it."""

from __future__ import annotations

import asyncio
import contextvars
from datetime import UTC, datetime

from bot.store.base import LATER
from bot.store.postgres_store import LATER_CONNECTIONS, PostgresStore
from tests.store.conftest import fresh_database
from tests.store.test_contract import mentor


async def test_later_work_leaves_connections_for_requests():
    async with fresh_database() as url:
        store = await PostgresStore.connect(url, max_size=LATER_CONNECTIONS + 2)
        try:
            release, full = asyncio.Event(), asyncio.Event()
            inside = 0

            async def later_work() -> None:
                nonlocal inside
                LATER.set(True)  # this task's own context: as after a listener's ack
                async with store._pool.acquire() as conn:
                    inside += 1
                    if inside == LATER_CONNECTIONS:
                        full.set()
                    await conn.fetchval("SELECT 1")
                    await release.wait()
                    inside -= 1

            later = [
                asyncio.create_task(later_work(), context=contextvars.copy_context())
                for _ in range(LATER_CONNECTIONS + 3)
            ]
            await asyncio.wait_for(full.wait(), 10)  # the first ones hold their connections
            await asyncio.sleep(0)
            assert store._pool._later.locked()  # the others wait for a turn
            assert inside == LATER_CONNECTIONS

            # A request's own reads are not held back, however much later work waits.
            assert await store.get_draft("U1") is None
            assert await store.mentors() == []

            release.set()
            await asyncio.gather(*later)
            assert inside == 0
        finally:
            await store.aclose()


async def test_nested_reads_in_later_work_take_one_turn():
    async with fresh_database() as url:
        store = await PostgresStore.connect(url, max_size=LATER_CONNECTIONS + 2)
        try:

            async def later_work() -> int:
                LATER.set(True)
                async with store._pool.acquire() as conn:
                    # A second read inside a turn taken already: no second turn, no deadlock.
                    return await conn.fetchval("SELECT 1") + await store._pool.fetchval("SELECT 1")

            done = await asyncio.gather(
                *(
                    asyncio.create_task(later_work(), context=contextvars.copy_context())
                    for _ in range(LATER_CONNECTIONS * 2)
                )
            )
            assert done == [2] * (LATER_CONNECTIONS * 2)
        finally:
            await store.aclose()


async def test_each_instance_keeps_the_pool_until_any_instance_changes_it():
    now = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    async with fresh_database() as url:
        one, two = await PostgresStore.connect(url), await PostgresStore.connect(url)
        try:
            await one.save_mentors([mentor("U2", "Grace")], "UADMIN", "added", now)
            assert [m.name for m in await two.mentors()] == ["Grace"]
            kept = two._pool_cache
            assert [m.name for m in await two.mentors()] == ["Grace"]
            assert two._pool_cache is kept  # nothing changed: not read again

            # Every way the pool changes, made by the other instance, shows at once.
            await one.save_mentors([mentor("U3", "Alan")], "UADMIN", "added", now)
            assert [m.name for m in await two.mentors()] == ["Alan", "Grace"]
            await one.update_mentor("U3", {"capacity": 5})
            assert {m.user_id: m.capacity for m in await two.mentors()}["U3"] == 5
            await one.remove_mentor("U2", "UADMIN", "removed", now)
            assert [m.name for m in await two.mentors()] == ["Alan"]
        finally:
            await one.aclose()
            await two.aclose()
