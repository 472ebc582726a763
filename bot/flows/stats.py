"""/devpath stats: the program's figures, gathered from the store for an admin.

The store counts (bot/domain/stats.py says what, and what each figure takes from the
counts); only the mentor pool, the nominations and the rounds are read as records: an
admin makes each of them, so there are hundreds at most."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.domain.feedback import answered_figures
from bot.domain.stats import coaching_figures, mentoring_figures, program_figures, round_stats
from bot.flows.coaching import budget_line
from bot.screens.stats import stats_message


async def stats_screen(deps: Deps) -> dict[str, Any]:
    """The figures as the admin sees them (an ephemeral message)."""
    store = deps.store
    pool = await store.mentors()
    intros, nudges = await store.intro_tallies(), await store.nudge_tallies()
    stats = program_figures(
        await store.latest_paths(),
        intros,
        nudges,
        pool,
        await store.mentees_now(),
        answered_figures(await store.feedback_tallies()),
    )
    mentoring = mentoring_figures(intros, nudges, pool, len(await store.nominations()))
    coaching = coaching_figures(await store.coaching_tallies())
    rounds = await store.rounds()
    states = await store.intro_states([i for found in rounds for i in found.intro_ids])
    budget = await budget_line(deps)
    return stats_message(stats, coaching, budget, mentoring, round_stats(rounds, states))
