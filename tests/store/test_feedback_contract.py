"""360 feedback in the store, on both backends: one open request per person, one answer per
colleague (compare-and-set, also at the same moment), reminders and closing once, and a
person's data theirs to take away or erase without exposing anyone else."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from datetime import timedelta
from uuid import uuid4

from bot.domain.outbox import Effect, Followups
from bot.store import Store
from bot.store.base import AnswerKept
from tests.store.test_contract import T0, feedback_answer, feedback_request, two_instances


def effect(user: str = "U1", **data: str) -> Effect:
    return Effect(uuid4().hex, "feedback_ask", user, data, T0)


async def test_one_open_request_per_person(any_store: Store) -> None:
    asked = Followups(effects=(effect(giver_id="U2"),))
    assert await any_store.add_feedback_request(feedback_request("F1"), then=asked)
    assert not await any_store.add_feedback_request(
        feedback_request("F2"), then=Followups(effects=(effect(giver_id="U3"),))
    )
    assert [r.id for r in await any_store.feedback_requests_of("U1")] == ["F1"]
    assert len(await any_store.unfinished_effects()) == 1  # the refused one's DMs: not written
    assert await any_store.get_feedback_request("F1") == feedback_request("F1")
    assert await any_store.get_feedback_request("nope") is None
    # Once closed, a new one may start.
    assert await any_store.close_feedback("F1") is not None
    assert await any_store.add_feedback_request(feedback_request("F2"))
    assert [r.id for r in await any_store.feedback_requests()] == ["F1", "F2"]


async def test_two_requests_at_once_make_one(any_store: Store) -> None:
    made = await asyncio.gather(
        *(any_store.add_feedback_request(feedback_request(f"F{n}")) for n in range(6))
    )
    assert sum(made) == 1
    assert len(await any_store.feedback_requests_of("U1")) == 1


async def test_a_colleague_answers_once_and_only_while_open(any_store: Store) -> None:
    await any_store.add_feedback_request(feedback_request("F1"))
    told = Followups(effects=(effect(request_id="F1"),))
    assert await any_store.add_feedback_answer(feedback_answer("F1", "U2"), 3, told) == "kept"
    assert await any_store.add_feedback_answer(feedback_answer("F1", "U2"), 3, told) is None
    assert await any_store.add_feedback_answer(feedback_answer("F1", "U9"), 3) is None  # not asked
    assert await any_store.add_feedback_answer(feedback_answer("nope", "U2"), 3) is None
    assert await any_store.unfinished_effects() == []  # nothing new to show: no DM
    assert await any_store.feedback_answers("F1") == [feedback_answer("F1", "U2")]
    await any_store.close_feedback("F1")
    assert await any_store.add_feedback_answer(feedback_answer("F1", "U3"), 3) is None
    assert await any_store.feedback_answer_counts() == {"F1": 1}


async def test_simultaneous_answers_count_once_and_jump_once(any_store: Store) -> None:
    givers = ("U2", "U3", "U4", "U5", "U6", "U7")
    await any_store.add_feedback_request(feedback_request("F1", givers=givers))

    def then() -> Followups:
        return Followups(effects=(effect(request_id="F1"),))

    def answer(giver: str) -> Awaitable[AnswerKept | None]:
        return any_store.add_feedback_answer(feedback_answer("F1", giver), 3, then())

    kept = await asyncio.gather(*(answer("U2") for _ in range(6)), *map(answer, givers[1:4]))
    assert sorted(map(str, kept)) == ["None"] * 5 + ["kept"] * 3 + ["shown"]
    assert len(await any_store.feedback_answers("F1")) == 4
    shown = await any_store.get_feedback_request("F1")
    assert shown is not None and shown.shown == 3  # one jump, at the third; the fourth waits
    assert len(await any_store.unfinished_effects()) == 1
    assert await answer("U6") == "kept"
    assert await answer("U7") == "shown"  # three since the last: all six show
    assert (await any_store.get_feedback_request("F1")).shown == 6  # type: ignore[union-attr]
    assert len(await any_store.unfinished_effects()) == 2


async def test_due_reminders_and_closings_happen_once(any_store: Store) -> None:
    await any_store.add_feedback_request(feedback_request("F1"))
    assert await any_store.due_feedback(T0 + timedelta(days=2)) == []
    day3 = T0 + timedelta(days=3)
    assert [r.id for r in await any_store.due_feedback(day3)] == ["F1"]
    reminded = await asyncio.gather(*(any_store.remind_feedback("F1") for _ in range(5)))
    assert [r.reminded for r in reminded if r is not None] == [True]
    assert await any_store.due_feedback(day3) == []
    day14 = T0 + timedelta(days=14)
    assert [r.id for r in await any_store.due_feedback(day14)] == ["F1"]
    closed = await asyncio.gather(*(any_store.close_feedback("F1") for _ in range(5)))
    assert [r.state for r in closed if r is not None] == ["closed"]
    assert await any_store.due_feedback(day14 + timedelta(days=30)) == []
    assert await any_store.remind_feedback("F1") is None


async def test_sharing_is_the_persons_and_once_per_coach(any_store: Store) -> None:
    await any_store.add_feedback_request(feedback_request("F1"))
    assert await any_store.share_feedback("F1", "U2", "U7") is None  # not theirs to share
    shared = await any_store.share_feedback("F1", "U1", "U7")
    assert shared is not None and shared.shared_with == ("U7",)
    assert await any_store.share_feedback("F1", "U1", "U7") is None
    assert (await any_store.get_feedback_request("F1")).shared_with == ("U7",)  # type: ignore[union-attr]


async def feedback_story(store: Store) -> None:
    """Mia (U1) asks U2, U3, U4 and U5; U2 and U3 answer. U2 also asked Mia, who answered."""
    await store.add_feedback_request(feedback_request("F1", givers=("U2", "U3", "U4", "U5")))
    await store.add_feedback_answer(feedback_answer("F1", "U2", strength="Kind to U2's team"), 3)
    await store.add_feedback_answer(feedback_answer("F1", "U3", change="Delegate more"), 3)
    await store.add_feedback_request(feedback_request("F2", user="U2", givers=("U1", "U3", "U4")))
    await store.add_feedback_answer(feedback_answer("F2", "U1", strength="Mia's words"), 3)
    await store.share_feedback("F2", "U2", "U1")


async def test_export_shows_counts_to_the_person_and_answers_to_their_giver(
    any_store: Store,
) -> None:
    await feedback_story(any_store)
    mine = await any_store.export("U1")
    json.dumps(mine)
    (asked,) = mine["feedback_requests"]
    assert asked["id"] == "F1" and asked["answered"] == 2
    # Nothing of what anyone answered, nor who: counts only.
    text = json.dumps(mine["feedback_requests"])
    assert "Delegate more" not in text and "Kind to" not in text
    (given,) = mine["feedback_given"]
    assert given["strength"] == "Mia's words" and given["giver_id"] == "U1"
    assert "request_id" not in given and "F2" not in json.dumps(given)
    # U2's export: their request and their answer, never Mia's answer to theirs.
    theirs = await any_store.export("U2")
    assert [r["id"] for r in theirs["feedback_requests"]] == ["F2"]
    assert "Mia's words" not in json.dumps(theirs["feedback_requests"])
    assert [g["strength"] for g in theirs["feedback_given"]] == ["Kind to U2's team"]


async def test_forget_erases_requests_answers_about_and_answers_given(any_store: Store) -> None:
    await feedback_story(any_store)
    gone = await any_store.forget("U1", None)
    assert gone["feedback requests"] == 1
    assert gone["feedback answers"] == 3  # two about her, one she gave
    assert await any_store.feedback_requests_of("U1") == []
    assert await any_store.feedback_answers("F1") == []
    assert await any_store.feedback_answers("F2") == []  # hers to U2 went; U2's request stays
    left = await any_store.get_feedback_request("F2")
    assert left is not None and left.givers == ("U3", "U4") and left.shared_with == ()
    assert "U1" not in json.dumps(await any_store.dump())


async def test_an_erased_answer_leaves_the_shown_ones_without_taking_in_a_later_one(
    any_store: Store,
) -> None:
    await any_store.add_feedback_request(feedback_request("F1", givers=("U2", "U3", "U4", "U5")))
    for giver in ("U2", "U3", "U4", "U5"):
        await any_store.add_feedback_answer(feedback_answer("F1", giver), 3)
    await any_store.forget("U5", None)  # not shown: nothing shown changes
    assert (await any_store.get_feedback_request("F1")).shown == 3  # type: ignore[union-attr]
    await any_store.add_feedback_request(
        feedback_request("F2", user="U9", givers=("U2", "U3", "U4", "U6"))
    )
    for giver in ("U2", "U3", "U4", "U6"):
        await any_store.add_feedback_answer(feedback_answer("F2", giver), 3)
    await any_store.forget("U3", None)  # shown in both: U6's answer must not slip in for it
    shown = [r.shown for r in await any_store.feedback_requests()]
    assert shown == [2, 2]
    assert [a.giver_id for a in await any_store.feedback_answers("F2")] == ["U2", "U4", "U6"]


async def test_two_instances_keep_one_answer_per_colleague(pg_url: str) -> None:
    one, two = await two_instances(pg_url)
    try:
        await one.add_feedback_request(feedback_request("F1"))
        answers = (s.add_feedback_answer(feedback_answer("F1", "U2"), 3) for s in (one, two) * 5)
        kept = await asyncio.gather(*answers, one.close_feedback("F1"))
        assert sum(k == "kept" for k in kept[:-1]) <= 1
        assert len(await two.feedback_answers("F1")) == sum(k == "kept" for k in kept[:-1])
        assert await two.add_feedback_answer(feedback_answer("F1", "U3"), 3) is None  # closed
    finally:
        await asyncio.gather(one.aclose(), two.aclose())
