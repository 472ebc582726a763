"""The mentor pool as program admins see it."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.screens.mentors import pool_view

CHANGE_POOL = "change the mentor pool"


async def pool_screen(deps: Deps, page: int = 1) -> dict[str, Any]:
    mentors = await deps.store.mentors()
    counts = await deps.store.mentees_now()
    changes = await deps.store.audit_log()
    return pool_view(deps.content, mentors, counts, page, changes, deps.clock())
