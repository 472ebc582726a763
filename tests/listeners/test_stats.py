"""/devpath stats on both stores: the store counts, and the admin sees the very message that
every record, read one by one, makes."""

from __future__ import annotations

import pytest

from bot.domain.feedback import feedback_figures
from bot.domain.rounds import Pair
from bot.domain.stats import coaching_stats, mentoring_stats, program_stats, round_stats
from bot.screens.stats import stats_message
from tests.listeners.test_pool import ADMIN
from tests.store.test_contract import T0, cohort, mentor
from tests.store.test_contract_figures import program


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_the_figures_are_those_of_every_record(user, slack, bot, people, content):
    store = bot.store
    await program(store, content)
    pool = [mentor("M1", "Ann"), mentor("M2", "Bob", 1, nominated_at=T0), mentor("M3", "Cy")]
    await store.save_mentors(pool, ADMIN, "added three mentors", T0)
    await store.update_mentor("M3", {"active": False})
    nominee = mentor("M4", "Dee", status="nominated", nominated_at=T0)
    assert await store.add_mentor(nominee, "M4", "nominated themselves", T0)
    pairs = (Pair("U1", "M1", 80.0, ""), Pair("U3", "M2", 61.5, ""))
    published = cohort("R1", state="published", joined=("U1", "U3"), proposal=pairs)
    assert await store.add_round(published)
    await store.update_round("R1", frozenset({"published"}), {"intro_ids": ("I1", "I3", "gone")})
    assert await store.add_round(cohort("R2", "Autumn cohort", joined=("U5",)))

    await user.as_user(ADMIN).command("stats")
    shown = (await slack.wait_for("response_url"))[-1]

    # What the listener made before the store counted: the figures of every record.
    intros, nudges, mentors = await store.intros(), await store.nudges(), await store.mentors()
    answered = await store.feedback_answer_counts()
    budget = content.coaching.budget
    expected = stats_message(
        program_stats(
            await store.all_latest_responses(),
            intros,
            mentors,
            nudges,
            feedback_figures(await store.feedback_requests(), answered),
        ),
        coaching_stats(await store.coaching_requests(), await store.engagements()),
        budget.describe(await store.budget_used(budget, bot.clock())),
        mentoring_stats(intros, mentors, await store.nominations(), nudges),
        round_stats(await store.rounds(), {i.id: i.state for i in intros}),
    )
    assert (shown["text"], shown["blocks"]) == (expected["text"], expected["blocks"])
    said = str(shown["blocks"])
    assert "5 people took the questionnaire" in shown["text"]
    assert "6 requested · 4 accepted · 1 declined · 1 lapsed · 1 waiting" in said
    assert "median time to accept: 3 h" in said and "2 used, 1 free" in said  # M3 is paused
    assert "4 of 6 answered" in said and "3 / 5 over 2 check-ins" in said
    assert "Nominations: 1 waiting · 1 approved" in said and "Agreements confirmed: 1" in said
    assert "Spring cohort (published): 2 joined · 3 matched · 0 unmatched · 1 accepted" in said
    assert "Requests: 1 waiting · 3 approved · 1 declined · 1 withdrawn" in said
    assert "3 requests · 4 answers · 1 reached 3 answers" in said
