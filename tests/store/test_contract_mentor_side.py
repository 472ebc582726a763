"""A mentor's own side in the store, on both backends: joining adds an entry once, with what
follows it, however many times the same nomination arrives at once."""

from __future__ import annotations

import asyncio

from bot.domain.outbox import Followups
from bot.store import Store
from tests.store.test_contract import T0, effect, mentor


async def test_a_nomination_sent_at_once_many_times_is_added_once(any_store: Store) -> None:
    nominee = mentor("U3", "Ada", status="nominated", nominated_at=T0)
    told = Followups(effects=(effect("E1", "U3", "nomination_admins"),))
    added = await asyncio.gather(
        *(
            any_store.add_mentor(nominee, "U3", "Ada nominated themselves", T0, told)
            for _ in range(3)
        )
    )
    assert sorted(added) == [False, False, True]
    assert await any_store.nominations() == [nominee]
    assert [e.id for e in await any_store.unfinished_effects()] == ["E1"]
    assert (await any_store.audit_log(5))[0]["what"] == "Ada nominated themselves"
    assert len(await any_store.audit_log(5)) == 1


async def test_someone_with_an_entry_is_not_added_again(any_store: Store) -> None:
    await any_store.save_mentors([mentor("U2", "Grace", capacity=3)], "UA", "added Grace", T0)
    again = mentor("U2", "Grace", capacity=1, status="nominated", nominated_at=T0)
    assert not await any_store.add_mentor(again, "U2", "nominated", T0)
    kept = await any_store.get_mentor("U2")
    assert kept is not None and kept.status == "pool" and kept.capacity == 3
