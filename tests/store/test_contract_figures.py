"""What the figures count, on both stores: each tally equals bot/domain/stats.py's function of
the same name over every record, as read back one by one, and follows every change."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta

import asyncpg

from bot.content import Content
from bot.domain.mentoring import Agreement
from bot.domain.rounds import waiting_for_a_mentor
from bot.domain.stats import (
    CoachingTallies,
    IntroTallies,
    Mean,
    NudgeTallies,
    coaching_tallies,
    intro_tallies,
    nudge_tallies,
)
from bot.store import Store
from bot.store.postgres_store import MIGRATIONS, SCHEMA_VERSION, PostgresStore
from bot.store.shapes import coaching_request_doc, engagement_doc
from tests.answers import COACHING, MENTORING
from tests.store.test_contract import (
    T0,
    coaching_request,
    engagement,
    feedback_answer,
    feedback_request,
    intro,
    nudge,
    response,
    schema_versions,
)

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
AGREED = Agreement(("Lead", "Speak up"), "2w", "12w", T0, "U1", ("U1", "M1"), T0, T0).doc()
ANSWERED = {"state": "answered", "sent_at": T0, "answered_at": T0}
PROPOSED = Agreement(("Lead",), "2w", "12w", T0, "U5", ("U5",)).doc()


async def program(store: Store, content: Content) -> None:
    """A little of everything the figures count, put in the usual way."""
    for user, raw, at in (
        ("U1", COACHING, T0),
        ("U2", COACHING, T0),
        ("U1", MENTORING, T0 + HOUR),  # U1's newest
        ("U3", MENTORING, T0),
        ("U4", MENTORING, T0),
        ("U4", COACHING, T0),  # a tie with U4's first: the one given last counts
        ("U5", MENTORING, T0),
    ):
        await store.add_response(response(content, raw, at, user))
    closeouts = {"U2": {"goals": "4", "recommend": "yes"}, "M1": {"goals": "2"}}
    for given in (
        intro("I1", "U1", "M1", state="accepted", answered_at=T0 + 2 * HOUR, agreement=AGREED),
        intro(
            "I2",
            "U2",
            "M1",
            state="ended",
            answered_at=T0 + 10 * HOUR,
            ended_at=T0 + 30 * DAY,
            closeouts=closeouts,
            at_risk={"signal": "two low check-in scores in a row"},
        ),
        intro("I3", "U3", "M2", state="declined", answered_at=T0 + HOUR, source="round"),
        intro("I4", "U4", "M2", state="pending"),
        intro(
            "I5",
            "U5",
            "M2",
            state="accepted",
            answered_at=T0,
            source="open_request",
            agreement=PROPOSED,
        ),
        intro("I6", "U6", "M3", state="expired", answered_at=T0 + 7 * DAY),
        intro(
            "I7",
            "U7",
            "M3",
            state="ended",
            answered_at=T0 + 3 * HOUR,
            ended_at=T0 + 91 * DAY,
            source="round",
            closeouts={"U7": {"goals": "5", "recommend": "no", "note": "Thanks"}, "M3": {}},
        ),
    ):
        assert await store.add_intro(given)
    await store.add_nudges(
        [
            nudge("N1", **ANSWERED, answer={"score": "4", "goal_0": "3"}),
            nudge("N2", **ANSWERED, answer={"score": "2", "goal_1": "5"}),
            nudge("N3", **ANSWERED, answer={"score": "n/a", "note": "slow"}),
            nudge("N4", state="sent", sent_at=T0),
            nudge("N5", state="sending", sent_at=T0),
            nudge("N6"),
            # Answered with no sent time on record: answered, yet not counted as sent.
            nudge(
                "N7",
                kind="coaching_midpoint",
                state="answered",
                answered_at=T0,
                answer={"goal_0": "1"},
            ),
            nudge("N8", kind="reach_out", state="snoozed", sent_at=T0, answered_at=T0),
        ]
    )
    for request_id, user, state in (
        ("Q1", "U1", "approved"),
        ("Q2", "U2", "approved"),
        ("Q3", "U3", "declined"),
        ("Q4", "U4", "pending"),
        ("Q5", "U5", "withdrawn"),
        ("Q6", "U6", "approved"),
    ):
        given = coaching_request(request_id, user, state=state)
        made = replace(given, created_at=T0 - DAY * int(request_id[1]))
        assert await store.add_coaching_request(made)
    for given in (
        engagement("E1", "Q1", "U1", state="active", started_at=T0, progress={"0": 4, "1": 2}),
        engagement(
            "E2",
            "Q2",
            "U2",
            state="ended",
            started_at=T0,
            progress={"0": 3},
            outcome={"0": 5, "1": 4},
            would_recommend=True,
        ),
        engagement("E3", "Q6", "U6", state="declined", would_recommend=False),
    ):
        assert await store.add_engagement(given, capacity=None)
    for request_id, user, givers in (("F1", "U1", 3), ("F2", "U2", 1), ("F3", "U3", 0)):
        assert await store.add_feedback_request(feedback_request(request_id, user))
        for giver in ("U2", "U3", "U4")[:givers]:
            assert await store.add_feedback_answer(feedback_answer(request_id, giver), 3)


async def records_tallied(store: Store) -> tuple[IntroTallies, NudgeTallies, CoachingTallies]:
    """The domain's tallies over every record, as the store reads them back one by one."""
    return (
        intro_tallies(vars(i) for i in await store.intros()),
        nudge_tallies(vars(n) for n in await store.nudges()),
        coaching_tallies(
            (vars(r) for r in await store.coaching_requests()),
            (vars(e) for e in await store.engagements()),
        ),
    )


async def stores_tallies(store: Store) -> tuple[IntroTallies, NudgeTallies, CoachingTallies]:
    return await store.intro_tallies(), await store.nudge_tallies(), await store.coaching_tallies()


async def test_each_tally_is_the_domains_over_every_record(
    any_store: Store, content: Content
) -> None:
    await program(any_store, content)
    intros, nudges, coaching = await stores_tallies(any_store)
    assert (intros, nudges, coaching) == await records_tallied(any_store)
    # And what they hold, so that both cannot be wrong alike.
    assert intros == IntroTallies(
        by_state={
            ("accepted", "match"): 1,
            ("ended", "match"): 1,
            ("declined", "round"): 1,
            ("pending", "match"): 1,
            ("accepted", "open_request"): 1,
            ("expired", "match"): 1,
            ("ended", "round"): 1,
        },
        to_accept=3 * HOUR,  # of 2, 3 and 10 hours: an open request's, or a decline, no wait
        mentored=(30 * DAY - 10 * HOUR + 91 * DAY - 3 * HOUR) / 2,
        agreements_confirmed=1,
        at_risk=1,
        closeout_goals=Mean(4 + 2 + 5, 3),
        recommend={"yes": 1, "no": 1},
    )
    assert nudges == NudgeTallies(
        by_delivery={(True, True): 4, (True, False): 2, (False, False): 1, (False, True): 1},
        ratings={
            ("check_in", "score"): Mean(6, 2),
            ("check_in", "goal_0"): Mean(3, 1),
            ("check_in", "goal_1"): Mean(5, 1),
            ("coaching_midpoint", "goal_0"): Mean(1, 1),
        },
    )
    assert coaching == CoachingTallies(
        requests={"approved": 3, "declined": 1, "pending": 1, "withdrawn": 1},
        engagements={"active": 1, "ended": 1, "declined": 1},
        to_start=1.5 * DAY,  # Q1 a day before its start, Q2 two days
        progress=Mean(9, 3),
        outcome=Mean(9, 2),
        recommend={True: 1, False: 1},
    )


async def test_latest_paths_and_who_waits_for_a_mentor(any_store: Store, content: Content) -> None:
    await program(any_store, content)
    latest = await any_store.all_latest_responses()
    assert await any_store.latest_paths() == Counter(r.recommendation.path for r in latest)
    assert sum((await any_store.latest_paths()).values()) == 5
    # As a round's invitations read it before: each person's newest, then their intros.
    waiting = [
        r.user_id
        for r in latest
        if waiting_for_a_mentor(
            r.recommendation.path, r.user_id, await any_store.intros_of(r.user_id)
        )
    ]
    assert await any_store.waiting_for_a_mentor() == waiting
    assert "U1" not in waiting and "U4" not in waiting  # an accepted intro; a request out
    assert "U3" in waiting  # declined: still waiting


async def test_figures_of_an_empty_database(any_store: Store) -> None:
    assert await stores_tallies(any_store) == (IntroTallies(), NudgeTallies(), CoachingTallies())
    assert await any_store.latest_paths() == {}
    assert await any_store.feedback_tallies() == {}
    assert await any_store.waiting_for_a_mentor() == []
    assert await any_store.intro_states(["I1"]) == {}
    assert await any_store.nudges_in("sending") == []


async def test_360_requests_by_their_answers(any_store: Store, content: Content) -> None:
    await program(any_store, content)
    counts = await any_store.feedback_answer_counts()
    asked = await any_store.feedback_requests()
    assert await any_store.feedback_tallies() == Counter(counts.get(r.id, 0) for r in asked)
    assert await any_store.feedback_tallies() == {3: 1, 1: 1, 0: 1}


async def test_intro_states_and_nudges_by_state_are_read_by_key(
    any_store: Store, content: Content
) -> None:
    await program(any_store, content)
    states = await any_store.intro_states(["I7", "I1", "gone", "I4"])
    assert states == {"I7": "ended", "I1": "accepted", "I4": "pending"}
    assert [n.id for n in await any_store.nudges_in("sending")] == ["N5"]
    assert [n.id for n in await any_store.nudges_in("scheduled")] == ["N6"]


async def test_the_tallies_follow_every_change(any_store: Store, content: Content) -> None:
    await program(any_store, content)
    await stores_tallies(any_store)  # read once: what the TinyDB store keeps
    await any_store.latest_paths()
    moved = await any_store.move_intro("I4", "pending", "accepted", T0 + 4 * HOUR)
    assert moved is not None
    changes = {"state": "answered", "answered_at": T0, "answer": {"score": "5"}}
    assert await any_store.answer_nudge("N4", frozenset({"sent"}), changes) is not None
    await any_store.add_response(response(content, COACHING, T0 + DAY, "U3"))
    await any_store.decide_coaching_request("Q4", "pending", "approved", "UADMIN", T0)
    assert await stores_tallies(any_store) == await records_tallied(any_store)
    intros, nudges, coaching = await stores_tallies(any_store)
    assert intros.by_state[("accepted", "match")] == 2
    assert nudges.ratings[("check_in", "score")] == Mean(11, 3)
    assert coaching.requests["approved"] == 4
    assert (await any_store.latest_paths()).get("coaching") == 3
    assert "U4" not in await any_store.waiting_for_a_mentor()
    await any_store.forget("U2", None)
    assert await stores_tallies(any_store) == await records_tallied(any_store)
    assert await any_store.feedback_tallies() == {2: 1, 0: 1}  # their request, their answer


async def test_an_engagement_whose_request_is_gone_has_no_wait(any_store: Store) -> None:
    kept = replace(coaching_request("Q1", "U1", state="approved"), created_at=T0 - 4 * DAY)
    started = engagement("E1", "Q1", "U1", state="active", started_at=T0)
    orphan = replace(started, id="E2", request_id="Q9", user_id="U9")
    await any_store.restore(
        {
            "coaching_requests": [coaching_request_doc(kept)],
            "engagements": [engagement_doc(started), engagement_doc(orphan)],
        }
    )
    coaching = await any_store.coaching_tallies()
    assert coaching == (await records_tallied(any_store))[2]
    assert coaching.engagements == {"active": 2} and coaching.to_start == 4 * DAY


async def test_a_version_6_database_gains_the_figures_indexes(pg_url: str) -> None:
    conn = await asyncpg.connect(pg_url)
    try:
        for version in range(6):
            await conn.execute(MIGRATIONS[version])
        await conn.execute("INSERT INTO schema_meta (version) VALUES (6)")
        await conn.execute(
            "INSERT INTO responses (user_id, answers, recommendation, content_version, "
            """created_at) VALUES ('U1', '{}', '{"path": "both"}', 'v1', now())"""
        )
    finally:
        await conn.close()
    store = await PostgresStore.connect(pg_url)
    await store.aclose()
    assert await schema_versions(pg_url) == [SCHEMA_VERSION] == [7]
    conn = await asyncpg.connect(pg_url)
    try:
        # A response from before has its path beside it, in the index that finds the newest.
        assert await conn.fetchval("SELECT path FROM responses") == "both"
        names = {r["indexname"] for r in await conn.fetch("SELECT indexname FROM pg_indexes")}
    finally:
        await conn.close()
    indexes = {"responses_latest", "nudges_state", "intros_state", "engagements_state"}
    assert indexes | {"gaps_field"} <= names


async def test_gap_counts_follow_each_gap(any_store: Store) -> None:
    quiet = timedelta(days=1)
    assert await any_store.gap_counts() == {}
    await any_store.record_gap("design", [], T0, quiet)
    assert await any_store.gap_counts() == {"design": 1}
    await any_store.record_gap("design", [], T0, quiet)
    await any_store.record_gap("data", [], T0, quiet)
    assert await any_store.gap_counts() == {"design": 2, "data": 1}
