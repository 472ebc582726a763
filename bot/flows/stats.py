"""/devpath stats: the program's figures, gathered from the store for an admin."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.domain.feedback import feedback_figures
from bot.domain.stats import coaching_stats, mentoring_stats, program_stats, round_stats
from bot.flows.coaching import budget_line
from bot.screens.stats import stats_message


async def stats_screen(deps: Deps) -> dict[str, Any]:
    """The figures as the admin sees them (an ephemeral message)."""
    store = deps.store
    intros, pool, nudges = await store.intros(), await store.mentors(), await store.nudges()
    stats = program_stats(
        await store.all_latest_responses(),
        intros,
        pool,
        nudges,
        feedback_figures(await store.feedback_requests(), await store.feedback_answer_counts()),
    )
    mentoring = mentoring_stats(intros, pool, await store.nominations(), nudges)
    coaching = coaching_stats(await store.coaching_requests(), await store.engagements())
    rounds = round_stats(await store.rounds(), intros)
    budget = await budget_line(deps)
    return stats_message(stats, coaching, budget, mentoring, rounds)
