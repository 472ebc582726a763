"""The mentoring lifecycle's store calls, on both backends: nominations kept apart from the
pool, compare-and-set changes to a mentor and to an intro, and the new fields carried by a
dump and a restore."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.domain.outbox import Followups
from bot.store import Store
from tests.store.test_contract import T0, effect, intro, mentor


async def test_nominations_are_kept_apart_from_the_pool(any_store: Store) -> None:
    nominee = mentor("U3", "Ada", status="nominated", nominated_at=T0)
    await any_store.save_mentors([mentor("U2", "Grace"), nominee], "U3", "nominated", T0)
    assert [m.user_id for m in await any_store.mentors()] == ["U2"]
    assert await any_store.nominations() == [nominee]
    assert await any_store.get_mentor("U3") == nominee
    approved = await any_store.update_mentor(
        "U3", {"status": "pool"}, expect={"status": "nominated"}, audit=("UA", "approved Ada", T0)
    )
    assert approved is not None and approved.status == "pool" and approved.nominated_at == T0
    assert [m.user_id for m in await any_store.mentors()] == ["U3", "U2"]
    assert await any_store.nominations() == []
    assert (await any_store.audit_log(1))[0]["what"] == "approved Ada"


async def test_a_mentor_changes_only_from_what_was_expected(any_store: Store) -> None:
    await any_store.save_mentors([mentor("U2", "Grace")], "U1", "added", T0)
    away = T0 + timedelta(days=3)
    then = Followups(effects=(effect("E1", "U2", "mentor_away"),))
    moved = await any_store.update_mentor(
        "U2", {"away_until": away}, {"away_until": None}, then=then
    )
    assert moved is not None and moved.away_until == away and not moved.taking
    assert [e.id for e in await any_store.unfinished_effects()] == ["E1"]
    # A second click, an old copy: nothing written, nothing follows.
    again = Followups(effects=(effect("E2", "U2", "mentor_away"),))
    assert (
        await any_store.update_mentor("U2", {"away_until": away}, {"away_until": None}, then=again)
        is None
    )
    assert [e.id for e in await any_store.unfinished_effects()] == ["E1"]
    assert await any_store.update_mentor("U9", {"capacity": 1}) is None
    back = await any_store.update_mentor("U2", {"away_until": None}, {"away_until": away})
    assert back is not None and back.taking
    assert (await any_store.get_mentor("U2")) == back


async def test_a_nomination_is_declined_once(any_store: Store) -> None:
    nominee = mentor("U3", "Ada", status="nominated", nominated_at=T0)
    await any_store.save_mentors([nominee], "U3", "nominated", T0)
    told = Followups(effects=(effect("E1", "U3", "nomination_declined"),))
    results = await asyncio.gather(
        *(
            any_store.remove_mentor("U3", "UA", "declined", T0, {"status": "nominated"}, told)
            for _ in range(3)
        )
    )
    assert sorted(results) == [False, False, True]
    assert await any_store.get_mentor("U3") is None
    assert [e.id for e in await any_store.unfinished_effects()] == ["E1"]
    # A pool member is not removed as if nominated.
    await any_store.save_mentors([mentor("U2", "Grace")], "U1", "added", T0)
    assert not await any_store.remove_mentor("U2", "UA", "declined", T0, {"status": "nominated"})
    assert await any_store.get_mentor("U2") is not None


async def test_an_intro_changes_once_with_everything_it_carries(any_store: Store) -> None:
    await any_store.add_intro(intro("I1", state="accepted", answered_at=T0))
    agreement = {"goals": ["Lead a project", "Speak up"], "meet_every": "2w", "confirmed_by": []}
    moved = await asyncio.gather(
        *(
            any_store.update_intro(
                "I1", frozenset({"accepted"}), {"agreement": agreement}, expect={"agreement": {}}
            )
            for _ in range(3)
        )
    )
    assert sum(m is not None for m in moved) == 1
    ended = await any_store.update_intro(
        "I1",
        frozenset({"accepted"}),
        {
            "state": "ended",
            "ended_at": T0 + timedelta(days=90),
            "ended_by": "U1",
            "end_reason": "done",
            "closeouts": {"U1": {"goals": "4", "recommend": "yes"}},
            "question": {"text": "Why me?", "answer": "Your talk"},
            "at_risk": {"signal": "low scores", "at": T0.isoformat()},
        },
    )
    assert ended is not None
    stored = await any_store.get_intro("I1")
    assert stored == ended
    assert stored.agreement == agreement and stored.ended_at == T0 + timedelta(days=90)
    assert await any_store.mentees_now() == {}  # an ended mentoring frees the place
    assert await any_store.update_intro("I1", frozenset({"accepted"}), {"ended_by": "U2"}) is None


async def test_an_ended_pair_may_start_again_but_never_hold_two_open(any_store: Store) -> None:
    await any_store.add_intro(intro("I1", state="accepted", answered_at=T0))
    await any_store.update_intro("I1", frozenset({"accepted"}), {"state": "ended"})
    assert await any_store.add_intro(intro("I2"))
    # Opening the ended one again while the pair has another open is refused whole.
    assert await any_store.update_intro("I1", frozenset({"ended"}), {"state": "accepted"}) is None
    assert (await any_store.get_intro("I1")).state == "ended"


async def test_the_lifecycle_fields_survive_a_dump_and_a_restore(
    any_store: Store, other_store: Store
) -> None:
    nominee = mentor("U3", "Ada", status="nominated", nominated_at=T0)
    away = mentor("U2", "Grace", away_until=T0 + timedelta(days=2))
    await any_store.save_mentors([nominee, away], "U1", "added", T0)
    await any_store.add_intro(
        intro(
            "I1",
            state="ended",
            agreement={"goals": ["One"], "confirmed_by": ["U1", "U2"]},
            closeouts={"U2": {"goals": "5", "note": "Thanks"}},
            question={"text": "When?", "asked_at": T0.isoformat()},
            ended_at=T0 + timedelta(days=1),
            ended_by="U2",
            end_reason="moved teams",
        )
    )
    await other_store.restore(await any_store.dump())
    assert await other_store.nominations() == [nominee]
    assert await other_store.get_mentor("U2") == away
    assert await other_store.get_intro("I1") == await any_store.get_intro("I1")


async def test_an_export_shows_the_others_close_out_note_only(any_store: Store) -> None:
    closeouts = {
        "U1": {"goals": "4", "recommend": "yes", "note": "Thank you!"},
        "U2": {"goals": "2", "recommend": "no", "note": "Keep going"},
    }
    await any_store.add_intro(intro("I1", state="ended", closeouts=closeouts))
    await any_store.add_intro(intro("I2", "U3", state="ended", closeouts={"U2": {"goals": "3"}}))
    mine = (await any_store.export("U1"))["intros"]
    assert [i["closeouts"] for i in mine] == [{"U1": closeouts["U1"], "U2": {"note": "Keep going"}}]
    theirs = (await any_store.export("U2"))["intros"]
    assert [i["closeouts"] for i in theirs] == [
        {"U1": {"note": "Thank you!"}, "U2": closeouts["U2"]},
        {"U2": {"goals": "3"}},
    ]


async def test_forgetting_either_withdraws_the_agreement_in_their_group_dm(
    any_store: Store,
) -> None:
    where = {"channel": "DU1U2", "ts": "17.5"}
    agreement = {"goals": ["Lead"], "proposed_at": T0.isoformat(), "message": where}
    await any_store.add_intro(intro("I1", state="accepted", agreement=agreement))
    await any_store.forget("U2", "Grace", T0)  # the mentor
    withdrawn = [e for e in await any_store.unfinished_effects() if e.kind == "withdrawn"]
    assert [dict(e.data) for e in withdrawn] == [where]
    assert await any_store.get_intro("I1") is None


async def test_settings_follow_an_action_in_its_write(any_store: Store) -> None:
    await any_store.set_person("U3", stopped=True)
    nominee = mentor("U3", "Ada", status="nominated", nominated_at=T0)
    await any_store.save_mentors([nominee], "U3", "nominated", T0)
    decided = {"outcome": "approved", "by": "UA"}
    then = Followups(settings=(("U3", {"nomination_decided": decided}),))
    assert await any_store.update_mentor(
        "U3", {"status": "pool"}, {"status": "nominated"}, then=then
    )
    assert await any_store.person("U3") == {
        "user_id": "U3",
        "stopped": True,
        "nomination_decided": decided,
    }
    # Refused as a whole: the settings are not written either.
    late = Followups(settings=(("U3", {"nomination_decided": {"by": "UB"}}),))
    assert not await any_store.update_mentor(
        "U3", {"status": "pool"}, {"status": "nominated"}, then=late
    )
    assert (await any_store.person("U3"))["nomination_decided"] == decided


async def test_intros_are_read_by_state(any_store: Store) -> None:
    await any_store.add_intro(intro("I1", state="accepted"))
    await any_store.add_intro(intro("I2", "U3"))
    await any_store.add_intro(intro("I3", "U4", state="accepted"))
    await any_store.add_intro(intro("I4", "U5", state="ended"))
    assert [i.id for i in await any_store.intros_in("accepted")] == ["I1", "I3"]
    assert [i.id for i in await any_store.intros_in("ended")] == ["I4"]
    assert [i.id for i in await any_store.pending_intros()] == ["I2"]


async def test_an_answer_is_added_to_only_as_it_was_read(any_store: Store) -> None:
    from bot.domain.nudges import new_nudge

    check_in = new_nudge("U1", "check_in", T0, T0, "I1")
    await any_store.add_nudges([check_in])
    await any_store.claim_nudge(check_in.id, T0)
    await any_store.update_nudge(check_in.id, state="sent")
    scored = {"state": "answered", "answer": {"score": "2"}}
    assert await any_store.answer_nudge(check_in.id, frozenset({"sent"}), scored)
    answered = frozenset({"answered"})
    both = await asyncio.gather(
        *(
            any_store.answer_nudge(
                check_in.id,
                answered,
                {"answer": {"score": "2", "goal_0": g}},
                answer_was={"score": "2"},
            )
            for g in ("1", "5")
        )
    )
    assert sum(n is not None for n in both) == 1
    stored = await any_store.get_nudge(check_in.id)
    assert stored is not None and stored.answer["goal_0"] in ("1", "5")
    stale = await any_store.answer_nudge(
        check_in.id, answered, {"answer": {"goal_0": "3"}}, answer_was={"score": "2"}
    )
    assert stale is None
