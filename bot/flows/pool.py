"""The mentor pool as program admins see it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.deps import Deps
from bot.domain.matching import Mentor
from bot.screens.mentors import pool_view
from bot.store import Store

CHANGE_POOL = "change the mentor pool"


async def pool_screen(deps: Deps, page: int = 1) -> dict[str, Any]:
    # The whole pool, paged by the screen: admins add each mentor, so it stays in hundreds.
    mentors = await deps.store.mentors()
    counts = await deps.store.mentees_now()
    changes = await deps.store.audit_log()
    return pool_view(deps.content, mentors, counts, page, changes, deps.clock())


async def save_pool(store: Store, mentors: list[Mentor], by: str, what: str, now: datetime) -> None:
    """Entries an admin typed or imported, into the pool: a mentor's own time away, and when
    they nominated themselves, stay as they were (an admin's entry has neither)."""
    kept = []
    for mentor in mentors:
        found = await store.get_mentor(mentor.user_id)
        if found is not None:
            mentor = replace(mentor, away_until=found.away_until, nominated_at=found.nominated_at)
        kept.append(replace(mentor, status="pool"))
    await store.save_mentors(kept, by, what, now)
