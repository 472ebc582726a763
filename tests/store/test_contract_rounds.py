"""Matching rounds' store calls, on both backends: one round per name, joins and mentors'
places that none of many at once loses, compare-and-set changes with what follows them, a
person's export and erasure, and a dump and a restore. Then, for PostgreSQL, the schema's
step from version 5."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pytest

from bot.domain.outbox import Followups
from bot.domain.rounds import Pair
from bot.store import Store, StoreError
from bot.store.postgres_store import MIGRATIONS, PostgresStore
from tests.store.test_contract import T0, cohort, effect, intro, schema_versions

PROPOSED = (Pair("U1", "U2", 0.9, "You both lead teams"), Pair("U3", "U2", 0.7, "Same field"))


async def test_a_round_is_added_once_per_name(any_store: Store) -> None:
    told = Followups(effects=(effect("E1", "UADMIN", "round_opened"),))
    assert await any_store.add_round(cohort("W1", "Spring cohort"), told)
    # The same name in another case, with spaces around: a double submission, refused whole.
    again = Followups(effects=(effect("E2", "UADMIN", "round_opened"),))
    assert not await any_store.add_round(cohort("W2", "  SPRING Cohort "), again)
    assert not await any_store.add_round(cohort("W1", "Another name"))  # nor the same id
    assert [e.id for e in await any_store.unfinished_effects()] == ["E1"]
    assert await any_store.get_round("W1") == cohort("W1", "Spring cohort")
    assert await any_store.get_round("W2") is None
    assert await any_store.round_named(" spring COHORT") == cohort("W1", "Spring cohort")
    assert await any_store.round_named("Autumn cohort") is None
    assert [r.id for r in await any_store.rounds()] == ["W1"]


async def test_two_rounds_of_one_name_at_once_make_one(any_store: Store) -> None:
    added = await asyncio.gather(
        *(any_store.add_round(cohort(f"W{n}", "Spring cohort" + " " * n)) for n in range(5))
    )
    assert sum(added) == 1
    assert len(await any_store.rounds()) == 1


async def test_rounds_are_read_by_state_in_the_order_made(any_store: Store) -> None:
    for n, state in enumerate(("open", "published", "open", "cancelled", "open"), start=1):
        assert await any_store.add_round(cohort(f"W{n}", f"Cohort {n}", state=state))
    assert [r.id for r in await any_store.rounds()] == ["W1", "W2", "W3", "W4", "W5"]
    assert [r.id for r in await any_store.rounds("open")] == ["W1", "W3", "W5"]
    assert [r.id for r in await any_store.rounds("published")] == ["W2"]
    assert await any_store.rounds("matched") == []
    # A round that moves on is found in its new state, still in the order made.
    await any_store.update_round("W1", frozenset({"open"}), {"state": "matched"})
    assert [r.id for r in await any_store.rounds("open")] == ["W3", "W5"]
    assert [r.id for r in await any_store.rounds("matched")] == ["W1"]


async def test_a_person_joins_an_open_round_once(any_store: Store) -> None:
    await any_store.add_round(cohort("W1"))
    joined = await any_store.join_round("W1", "U1")
    assert joined is not None and joined.joined == ("U1",)
    assert await any_store.join_round("W1", "U1") is None  # a second click
    assert (await any_store.join_round("W1", "U3")).joined == ("U1", "U3")  # type: ignore[union-attr]
    assert (await any_store.get_round("W1")).joined == ("U1", "U3")  # type: ignore[union-attr]
    assert await any_store.join_round("W9", "U1") is None
    await any_store.update_round("W1", frozenset({"open"}), {"state": "matched"})
    assert await any_store.join_round("W1", "U4") is None  # closed to joins
    assert (await any_store.get_round("W1")).joined == ("U1", "U3")  # type: ignore[union-attr]


async def test_joins_at_once_are_all_kept(any_store: Store) -> None:
    await any_store.add_round(cohort("W1"))
    people = [f"U{n}" for n in range(20)]
    joined = await asyncio.gather(*(any_store.join_round("W1", p) for p in people))
    assert all(r is not None for r in joined)
    found = (await any_store.get_round("W1")).joined  # type: ignore[union-attr]
    assert sorted(found) == sorted(people) and len(found) == len(set(found))
    # Each answer is the round as that join left it: it ends with the person who joined.
    assert all(r.joined[-1] == p for r, p in zip(joined, people, strict=True))  # type: ignore[union-attr]
    # The same people again, at once: nobody twice.
    again = await asyncio.gather(*(any_store.join_round("W1", p) for p in people))
    assert again == [None] * 20
    assert (await any_store.get_round("W1")).joined == found  # type: ignore[union-attr]


async def test_a_mentor_sets_their_places_while_the_round_is_open(any_store: Store) -> None:
    await any_store.add_round(cohort("W1"))
    assert (await any_store.set_round_places("W1", "U2", 2)).places == {"U2": 2}  # type: ignore[union-attr]
    assert (await any_store.set_round_places("W1", "U2", 3)).places == {"U2": 3}  # type: ignore[union-attr]
    changed = await any_store.set_round_places("W1", "U2", 0)  # none: kept, as an answer
    assert changed is not None and changed.places == {"U2": 0}
    assert (await any_store.get_round("W1")).places == {"U2": 0}  # type: ignore[union-attr]
    assert await any_store.set_round_places("W9", "U2", 1) is None
    await any_store.update_round("W1", frozenset({"open"}), {"state": "cancelled"})
    assert await any_store.set_round_places("W1", "U2", 1) is None
    assert (await any_store.get_round("W1")).places == {"U2": 0}  # type: ignore[union-attr]


async def test_mentors_confirming_at_once_all_count(any_store: Store) -> None:
    await any_store.add_round(cohort("W1"))
    mentors = {f"U{n}": n % 4 for n in range(12)}
    await asyncio.gather(
        *(any_store.set_round_places("W1", m, n) for m, n in mentors.items()),
        *(any_store.join_round("W1", f"M{n}") for n in range(8)),
    )
    found = await any_store.get_round("W1")
    assert found is not None and found.places == mentors
    assert sorted(found.joined) == sorted(f"M{n}" for n in range(8))


async def test_a_round_changes_once_with_what_follows(any_store: Store) -> None:
    await any_store.add_round(cohort("W1", joined=("U1", "U3"), places={"U2": 2}))
    matched = await asyncio.gather(
        *(
            any_store.update_round(
                "W1",
                frozenset({"open"}),
                {"state": "matched", "proposal": PROPOSED, "matched_at": T0},
            )
            for _ in range(3)
        )
    )
    assert sum(m is not None for m in matched) == 1
    stored = await any_store.get_round("W1")
    assert stored is not None and stored.state == "matched" and stored.proposal == PROPOSED
    assert stored.total == 1.6
    # `expect`: an admin's swap made on an old preview changes nothing.
    stale = Followups(effects=(effect("E0", "UADMIN", "round_preview"),))
    assert (
        await any_store.update_round(
            "W1", frozenset({"matched"}), {"kept": (("U1", "U2"),)}, stale, expect={"proposal": ()}
        )
        is None
    )
    # Publishing writes the intros and their DMs with the round, once.
    intros = (
        intro("I1", "U1", "U2", source="round"),
        intro("I2", "U3", "U2", source="round"),
    )
    told = (effect("E1", "U2", "intro_request"), effect("E2", "U2", "intro_request"))
    published = await any_store.update_round(
        "W1",
        frozenset({"matched"}),
        {"state": "published", "published_at": T0 + timedelta(days=1)},
        Followups(intros=intros, effects=told),
        expect={"proposal": PROPOSED},
    )
    assert published is not None and published.state == "published"
    assert await any_store.get_round("W1") == published
    assert [i.id for i in await any_store.intros()] == ["I1", "I2"]
    assert [e.id for e in await any_store.unfinished_effects()] == ["E1", "E2"]
    # Publishing again (a second click, another instance): nothing written, nothing follows.
    twice = Followups(intros=(intro("I3", "U5", "U6"),), effects=(effect("E3", "U6"),))
    assert (
        await any_store.update_round(
            "W1", frozenset({"matched"}), {"state": "published"}, twice, expect={}
        )
        is None
    )
    assert [i.id for i in await any_store.intros()] == ["I1", "I2"]
    assert [e.id for e in await any_store.unfinished_effects()] == ["E1", "E2"]
    assert await any_store.update_round("W9", frozenset({"open"}), {"state": "matched"}) is None


async def test_a_round_is_not_renamed_to_another_rounds_name(any_store: Store) -> None:
    await any_store.add_round(cohort("W1", "Spring cohort"))
    await any_store.add_round(cohort("W2", "Autumn cohort"))
    open_ = frozenset({"open"})
    assert await any_store.update_round("W2", open_, {"name": " spring COHORT"}) is None
    assert (await any_store.get_round("W2")).name == "Autumn cohort"  # type: ignore[union-attr]
    renamed = await any_store.update_round("W2", open_, {"name": "Winter cohort"})
    assert renamed is not None and await any_store.round_named("winter cohort") == renamed
    assert await any_store.round_named("Autumn cohort") is None
    assert await any_store.add_round(cohort("W3", "Autumn cohort"))  # the old name is free


async def test_an_export_shows_each_round_in_their_own_terms(any_store: Store) -> None:
    await any_store.add_round(
        cohort(
            "W1",
            "Spring cohort",
            state="matched",
            joined=("U1", "U3", "U4"),
            places={"U2": 2, "U5": 1},
            proposal=PROPOSED,
            unmatched={"U4": "no mentor in their field"},
        )
    )
    await any_store.add_round(cohort("W2", "Autumn cohort", joined=("U3",)))
    mentee = (await any_store.export("U1"))["rounds"]
    assert mentee == [
        {
            "name": "Spring cohort",
            "state": "matched",
            "joined": True,
            "places": None,
            "pair": PROPOSED[0].doc(),
        }
    ]
    mentor = (await any_store.export("U5"))["rounds"]
    assert mentor == [
        {"name": "Spring cohort", "state": "matched", "joined": False, "places": 1, "pair": None}
    ]
    paired = (await any_store.export("U2"))["rounds"]
    assert [(r["places"], r["pair"]["mentor_id"]) for r in paired] == [(2, "U2")]
    assert [r["name"] for r in (await any_store.export("U3"))["rounds"]] == [
        "Spring cohort",
        "Autumn cohort",
    ]
    unpaired = (await any_store.export("U4"))["rounds"]
    assert unpaired[0]["joined"] and unpaired[0]["pair"] is None
    assert "U1" not in str(unpaired) and "U5" not in str(unpaired)
    assert (await any_store.export("U9"))["rounds"] == []


async def test_forgetting_takes_them_out_of_every_round(any_store: Store) -> None:
    await any_store.add_round(
        cohort(
            "W1",
            state="matched",
            joined=("U1", "U3"),
            places={"U2": 2},
            proposal=PROPOSED,
            kept=(("U1", "U2"),),
            unmatched={"U1": "later"},
        )
    )
    await any_store.add_round(cohort("W2", "Autumn cohort", joined=("U3",), places={"U5": 1}))
    gone = await any_store.forget("U1", None)
    assert gone["rounds"] == 1
    found = await any_store.get_round("W1")
    assert found is not None
    assert found.joined == ("U3",) and found.proposal == PROPOSED[1:]
    assert found.kept == () and found.unmatched == {} and found.places == {"U2": 2}
    assert (await any_store.export("U1"))["rounds"] == []
    # A mentor: their places and their pairs go, the mentees stay in the round.
    assert (await any_store.forget("U2", None))["rounds"] == 1
    found = await any_store.get_round("W1")
    assert found is not None and found.places == {} and found.proposal == ()
    assert found.joined == ("U3",)
    assert (await any_store.get_round("W2")).joined == ("U3",)  # type: ignore[union-attr]
    # The admin who made the rounds: their ID goes from both.
    assert (await any_store.forget("UADMIN", None))["rounds"] == 2
    assert {r.created_by for r in await any_store.rounds()} == {"a former admin"}
    assert "UADMIN" not in str(await any_store.dump())
    assert (await any_store.forget("U9", None))["rounds"] == 0


async def test_rounds_survive_a_dump_and_a_restore(any_store: Store, other_store: Store) -> None:
    await any_store.add_round(
        cohort(
            "W1",
            "Spring cohort",
            audience="opt_in",
            replaces_first_come=True,
            state="published",
            joined=("U1", "U3"),
            places={"U2": 2, "U5": 0},
            proposal=PROPOSED,
            unmatched={"U4": "no mentor in their field"},
            first_come_total=1.2,
            kept=(("U1", "U2"),),
            removed=(("U3", "U5"),),
            matched_at=T0 + timedelta(days=7),
            published_at=T0 + timedelta(days=8),
            messages={"announcement": {"channel": "C1", "ts": "1.1"}},
        )
    )
    await any_store.add_round(cohort("W2", "Autumn cohort"))
    await any_store.add_round(cohort("W3", "A winter cohort", state="cancelled"))
    dumped = await any_store.dump()
    assert dumped["rounds"] == [r.doc() for r in await any_store.rounds()]
    assert [d["id"] for d in dumped["rounds"]] == ["W1", "W2", "W3"]
    await other_store.restore(dumped)
    assert await other_store.dump() == dumped
    assert await other_store.rounds() == await any_store.rounds()
    assert await other_store.round_named("autumn COHORT") == await any_store.get_round("W2")
    assert [r.id for r in await other_store.rounds("open")] == ["W2"]
    assert not await other_store.add_round(cohort("W4", "spring cohort"))
    assert await other_store.join_round("W2", "U1") is not None


async def test_a_malformed_round_is_not_restored(any_store: Store) -> None:
    good = cohort("W1").doc()
    with pytest.raises(StoreError, match="cannot restore rounds: document 2 is not one"):
        await any_store.restore({"rounds": [good, {**good, "id": "W2", "created_at": 5}]})
    with pytest.raises(StoreError, match="cannot restore rounds: document 1 is not one"):
        await any_store.restore({"rounds": [{"id": "W1", "name": "Spring"}]})
    assert await any_store.rounds() == []


async def test_a_version_5_database_gains_the_rounds(pg_url: str) -> None:
    conn = await asyncpg.connect(pg_url)
    try:
        for version in range(5):
            await conn.execute(MIGRATIONS[version])
        await conn.execute("INSERT INTO schema_meta (version) VALUES (5)")
        await conn.execute(
            "INSERT INTO mentors (user_id, name, fields, topics, seniority, capacity) "
            "VALUES ('U2', 'Grace', '{engineering}', '{leadership}', 'senior', 2)"
        )
    finally:
        await conn.close()
    store = await PostgresStore.connect(pg_url)
    try:
        assert await schema_versions(pg_url) == [7]
        assert [m.name for m in await store.mentors()] == ["Grace"]
        assert await store.rounds() == []
        assert await store.add_round(cohort("W1"))
        assert await store.get_round("W1") == cohort("W1")
        assert (await store.dump())["rounds"] == [cohort("W1").doc()]
    finally:
        await store.aclose()
