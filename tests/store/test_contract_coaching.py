"""The coaching path's records, on both stores: a request, the program's decision within its
budget, an engagement within the coach's capacity, each compare-and-set; and what only a
shared server makes possible, two instances deciding at once."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from bot.domain.coaching import Budget
from bot.domain.nudges import Nudge
from bot.domain.outbox import Effect, Followups
from bot.store import Store
from bot.store.base import FORMER_COACH
from tests.store.test_contract import T0, coaching_request, engagement, two_instances


async def test_one_pending_request_per_person(any_store: Store) -> None:
    told = Effect("E1", "coaching_request_admins", "U1", {"request_id": "Q1"}, T0)
    assert await any_store.add_coaching_request(
        coaching_request("Q1", note="<!channel> please"), then=Followups(effects=(told,))
    )
    assert not await any_store.add_coaching_request(
        coaching_request("Q2"), then=Followups(effects=(replace_id(told, "E2"),))
    )
    assert [e.id for e in await any_store.unfinished_effects()] == ["E1"]
    assert await any_store.add_coaching_request(coaching_request("Q3", user="U2"))
    got = await any_store.get_coaching_request("Q1")
    assert got == coaching_request("Q1", note="<!channel> please")
    assert [r.id for r in await any_store.coaching_requests()] == ["Q1", "Q3"]
    assert [r.id for r in await any_store.coaching_requests("pending")] == ["Q1", "Q3"]
    assert [r.id for r in await any_store.coaching_requests_of("U2")] == ["Q3"]
    # Decided, the person may ask again.
    await any_store.decide_coaching_request("Q1", "pending", "declined", "UADMIN", T0, "no")
    assert await any_store.add_coaching_request(coaching_request("Q2"))


def replace_id(effect: Effect, new_id: str) -> Effect:
    return Effect(new_id, effect.kind, effect.user_id, effect.data, effect.created_at)


async def test_a_decision_is_compare_and_set(any_store: Store) -> None:
    await any_store.add_coaching_request(coaching_request("Q1"))
    later = T0 + timedelta(hours=1)
    moved = await any_store.decide_coaching_request(
        "Q1", "pending", "declined", "UADMIN", later, reason="No budget left"
    )
    assert moved is not None and moved.state == "declined"
    assert (moved.decided_by, moved.decided_at, moved.reason) == ("UADMIN", later, "No budget left")
    assert await any_store.get_coaching_request("Q1") == moved
    again = await any_store.decide_coaching_request("Q1", "pending", "approved", "UADMIN", later)
    assert again is None
    assert await any_store.decide_coaching_request("Q9", "pending", "approved", "U", T0) is None
    await any_store.mark_coaching_request("Q1", admin_messages=({"channel": "D1", "ts": "1.1"},))
    marked = await any_store.get_coaching_request("Q1")
    assert marked is not None and marked.admin_messages == ({"channel": "D1", "ts": "1.1"},)


async def test_approvals_stay_within_the_budget_per_quarter(any_store: Store) -> None:
    budget = Budget(per_quarter=2)
    for n in range(4):
        await any_store.add_coaching_request(coaching_request(f"Q{n}", user=f"U{n}"))
    # Approved last quarter: counts no more.
    last_quarter = T0 - timedelta(days=60)
    await any_store.decide_coaching_request(
        "Q0", "pending", "approved", "A", last_quarter, budget=budget
    )
    assert await any_store.budget_used(budget, T0) == 0
    for n in (1, 2):
        assert await any_store.decide_coaching_request(
            f"Q{n}", "pending", "approved", "A", T0, budget=budget
        )
    assert await any_store.budget_used(budget, T0) == 2
    assert (
        await any_store.decide_coaching_request("Q3", "pending", "approved", "A", T0, budget=budget)
        is None
    )
    over = await any_store.decide_coaching_request(
        "Q3", "pending", "approved", "A", T0, over_budget=True
    )
    assert over is not None and over.over_budget
    assert await any_store.budget_used(budget, T0) == 3


async def test_a_seat_frees_when_its_engagement_ends(any_store: Store) -> None:
    budget = Budget(seats=1)
    for n in (1, 2):
        await any_store.add_coaching_request(coaching_request(f"Q{n}", user=f"U{n}"))
    assert await any_store.decide_coaching_request(
        "Q1", "pending", "approved", "A", T0, budget=budget
    )
    assert (
        await any_store.decide_coaching_request("Q2", "pending", "approved", "A", T0, budget=budget)
        is None
    )
    await any_store.add_engagement(engagement("G1", "Q1", user="U1", state="active"), capacity=None)
    await any_store.move_engagement("G1", frozenset({"active"}), "ended", {"ended_at": T0})
    assert await any_store.budget_used(budget, T0) == 0
    assert await any_store.decide_coaching_request(
        "Q2", "pending", "approved", "A", T0, budget=budget
    )


async def test_an_engagement_needs_an_approved_request_and_a_free_place(any_store: Store) -> None:
    await any_store.add_coaching_request(coaching_request("Q1"))
    assert not await any_store.add_engagement(engagement("G0"), capacity=1)  # still pending
    await any_store.decide_coaching_request("Q1", "pending", "approved", "A", T0)
    offer = Nudge("N1", "C1", "coaching_offer", T0, T0, subject="G1")
    assert await any_store.add_engagement(engagement("G1"), 1, then=Followups(nudges=(offer,)))
    assert [n.id for n in await any_store.nudges_of("C1")] == ["N1"]
    assert not await any_store.add_engagement(engagement("G2"), capacity=5)  # one per request
    # Another person cannot take the coach's only place.
    await any_store.add_coaching_request(coaching_request("Q2", user="U2"))
    await any_store.decide_coaching_request("Q2", "pending", "approved", "A", T0)
    assert not await any_store.add_engagement(engagement("G3", "Q2", user="U2"), capacity=1)
    assert await any_store.coach_places_taken() == {"C1": 1}
    # Declined, the place is free, and the request may go to the next coach.
    declined = await any_store.move_engagement("G1", frozenset({"offered"}), "declined")
    assert declined is not None and declined.state == "declined"
    assert await any_store.move_engagement("G1", frozenset({"offered"}), "active") is None
    assert await any_store.add_engagement(engagement("G3", "Q2", user="U2"), capacity=1)
    assert await any_store.add_engagement(engagement("G4", coach="C2"), capacity=1)
    assert await any_store.coach_places_taken() == {"C1": 1, "C2": 1}


async def test_an_engagement_moves_with_its_changes(any_store: Store) -> None:
    await any_store.add_coaching_request(coaching_request("Q1"))
    await any_store.decide_coaching_request("Q1", "pending", "approved", "A", T0)
    await any_store.add_engagement(engagement("G1"), capacity=None)
    assert await any_store.active_engagement("U1") is None
    end = T0 + timedelta(weeks=13)
    started = await any_store.move_engagement(
        "G1",
        frozenset({"offered"}),
        "active",
        {"started_at": T0, "planned_end": end, "expires_at": None},
    )
    assert started is not None and (started.started_at, started.planned_end) == (T0, end)
    assert await any_store.get_engagement("G1") == started
    assert await any_store.active_engagement("U1") == started
    assert await any_store.active_engagement("C1") is None  # the coach is not coached
    await any_store.mark_engagement("G1", channel_id="DU1C1", coach_message={"ts": "1.2"})
    scored = await any_store.move_engagement(
        "G1", frozenset({"active"}), "active", {"progress": {"0": 4}}
    )
    assert scored is not None and scored.progress == {"0": 4} and scored.channel_id == "DU1C1"
    assert [e.id for e in await any_store.engagements_of("C1")] == ["G1"]
    assert [e.id for e in await any_store.engagements("active")] == ["G1"]
    assert await any_store.engagements("ended") == []
    # A withdrawal cannot pull an approved request from under its engagement.
    assert await any_store.decide_coaching_request("Q1", "approved", "withdrawn", "U1", T0) is None


async def test_export_and_forget_coaching(any_store: Store) -> None:
    await any_store.add_coaching_request(coaching_request("Q1", note="private"))
    await any_store.decide_coaching_request("Q1", "pending", "approved", "A", T0)
    await any_store.add_engagement(engagement("G1", coach="U2"), capacity=None)
    await any_store.add_nudges(
        [
            Nudge("N1", "U1", "coaching_goals", T0, T0, subject="G1"),
            Nudge("N2", "U2", "coaching_offer", T0, T0, subject="G1"),
        ]
    )
    mine = await any_store.export("U1")
    json.dumps(mine)
    assert [r["note"] for r in mine["coaching_requests"]] == ["private"]
    assert [e["id"] for e in mine["engagements"]] == ["G1"]
    assert [e["id"] for e in (await any_store.export("U2"))["engagements"]] == ["G1"]

    # The coach forgotten: the coachee's engagement stays, without them.
    gone = await any_store.forget("U2", None)
    assert gone["engagements"] == 0 and gone["reminders"] == 1
    kept = await any_store.get_engagement("G1")
    assert kept is not None and kept.coach_id == FORMER_COACH and kept.channel_id is None
    # The coachee forgotten: their requests and engagements go, and the nudges about them.
    gone = await any_store.forget("U1", None)
    assert (gone["coaching requests"], gone["engagements"], gone["reminders"]) == (1, 1, 1)
    assert await any_store.coaching_requests() == [] and await any_store.engagements() == []


async def test_two_instances_keep_the_budget_and_the_coachs_place(pg_url: str) -> None:
    one, two = await two_instances(pg_url)
    try:
        budget = Budget(per_quarter=3)
        for n in range(10):
            await one.add_coaching_request(coaching_request(f"Q{n}", user=f"U{n}"))
        approved = await asyncio.gather(
            *(
                (one, two)[n % 2].decide_coaching_request(
                    f"Q{n}", "pending", "approved", "A", T0, budget=budget
                )
                for n in range(10)
            )
        )
        assert sum(a is not None for a in approved) == 3
        chosen = [a.id for a in approved if a is not None]
        added = await asyncio.gather(
            *(
                (one, two)[n % 2].add_engagement(
                    engagement(f"G{n}", request_id, user=f"U{request_id[1:]}"), capacity=2
                )
                for n, request_id in enumerate(chosen)
            )
        )
        assert sum(added) == 2
        assert await two.coach_places_taken() == {"C1": 2}
    finally:
        await asyncio.gather(one.aclose(), two.aclose())
