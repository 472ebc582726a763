"""One contract for both stores: the same calls, the same answers, on TinyDB and PostgreSQL.

Then, for PostgreSQL alone, what only a shared server makes possible: two instances (two
pools) racing for the same nudge, mentor place or open request, and the schema's versions.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from unittest.mock import ANY
from uuid import uuid4

import asyncpg
import pytest

from bot.content import Content
from bot.domain.coaching import Coach, CoachingRequest, Engagement
from bot.domain.feedback import FeedbackAnswer, FeedbackRequest
from bot.domain.intros import Intro, Tombstone
from bot.domain.matching import Mentor
from bot.domain.nudges import Nudge
from bot.domain.outbox import Cancel, Effect, Followups, due
from bot.domain.recommendation import recommend
from bot.domain.records import Draft, Response
from bot.domain.rounds import Round
from bot.store import Store, StoreError
from bot.store.copy import copy_database
from bot.store.postgres_store import MIGRATIONS, SCHEMA_VERSION, PostgresStore
from bot.store.tinydb_store import TinyDBStore
from tests.answers import COACHING, MENTORING
from tests.store.conftest import no_server

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))


def response(content: Content, raw: dict, at: datetime, user: str = "U1") -> Response:
    answers = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in raw.items()}
    rec = recommend(content.questionnaire, answers, content.thresholds)
    return Response(user, answers, rec, content.version, at)


def draft(step: int = 1, at: datetime = T0, user: str = "U1") -> Draft:
    answers = {"career_stage": ("manager",), "topics": ("leadership", "networking")}
    return Draft(user, answers, step, "D123", at)


def mentor(user_id: str, name: str, capacity: int = 2, **more) -> Mentor:
    return Mentor(
        user_id, name, "Europe/Paris", ("engineering",), ("leadership",), "senior", capacity, **more
    )


def coach(coach_id: str, name: str, **more) -> Coach:
    base = Coach(coach_id, "internal", name, "Europe/Paris", ("leadership",), ("en",), 3)
    return replace(base, **more)


def external(coach_id: str, name: str, **more) -> Coach:
    found = coach(coach_id, name, kind="external", organisation="Park & Co")
    return replace(found, email="zoe@park.example", booking_url="https://park.example", **more)


def intro(intro_id: str, mentee: str = "U1", mentor_id: str = "U2", **more) -> Intro:
    fields = {"state": "pending", "requested_at": T0, "expires_at": T0 + timedelta(days=7)}
    return Intro(intro_id, mentee, mentor_id, **{**fields, **more})


def cohort(round_id: str, name: str = "Spring cohort", **more) -> Round:
    """A matching round, open, made by UADMIN at T0 and closing a week later."""
    return Round(round_id, name, "UADMIN", T0, T0 + timedelta(days=7), **more)


def coaching_request(request_id: str, user: str = "U1", **more) -> CoachingRequest:
    return CoachingRequest(
        request_id, user, ("Lead the reorg", "Delegate more"), "3m", "yes", T0, **more
    )


def engagement(
    engagement_id: str, request_id: str = "Q1", user: str = "U1", coach: str = "C1", **more
) -> Engagement:
    fields = {"state": "offered", "created_at": T0, "expires_at": T0 + timedelta(days=7)}
    return Engagement(
        engagement_id, request_id, user, coach, ("Lead the reorg",), **{**fields, **more}
    )


def nudge(nudge_id: str, user: str = "U1", due: datetime = T0, **more) -> Nudge:
    fields = {"kind": "check_in", "due_at": due, "created_at": T0 - timedelta(days=1)}
    return Nudge(nudge_id, user, **{**fields, **more})


def nudge_doc(given: Nudge) -> dict:
    """A nudge as a dump holds it: times as UTC ISO text."""
    doc = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in vars(given).items()}
    return {**doc, "answer": dict(given.answer), "message": dict(given.message)}


def feedback_request(request_id: str, user: str = "U1", **more) -> FeedbackRequest:
    fields = {
        "givers": ("U2", "U3", "U4"),
        "created_at": T0,
        "closes_at": T0 + timedelta(days=14),
        "remind_at": T0 + timedelta(days=3),
    }
    return FeedbackRequest(request_id, user, **{**fields, **more})


def feedback_answer(request_id: str, giver: str, **more) -> FeedbackAnswer:
    fields = {
        "ratings": {"listens": 4},
        "strength": "Clear",
        "change": "",
        "answered_at": T0 + timedelta(hours=1),
    }
    return FeedbackAnswer(request_id, giver, **{**fields, **more})


def request(request_id: str, mentee: str = "U1") -> dict:
    return {
        "id": request_id,
        "mentee_id": mentee,
        "channel": "CMATCH",
        "ts": "1700000000.000100",
        "created_at": T0.isoformat(),
        "claimed_by": None,
    }


# Drafts and responses.


async def test_drafts_upsert_and_delete(any_store: Store) -> None:
    assert await any_store.get_draft("U1") is None
    await any_store.save_draft(draft(step=1))
    later = draft(step=2, at=T0 + timedelta(minutes=5))
    await any_store.save_draft(later)
    assert await any_store.get_draft("U1") == later
    other = replace(draft(user="U2"), channel_id=None)
    await any_store.save_draft(other)
    await any_store.delete_draft("U1")
    await any_store.delete_draft("U9")  # nothing to delete: no error
    assert await any_store.get_draft("U1") is None
    assert await any_store.get_draft("U2") == other


async def test_times_come_back_aware_in_utc(any_store: Store) -> None:
    await any_store.save_draft(draft(at=datetime(2026, 11, 2, 10, 30, 0, 123456, tzinfo=PARIS)))
    got = await any_store.get_draft("U1")
    assert got is not None
    assert got.updated_at == T0.replace(microsecond=123456)
    assert got.updated_at.tzinfo == UTC and got.updated_at.utcoffset() == timedelta(0)


async def test_response_history_ids_and_latest(any_store: Store, content: Content) -> None:
    assert await any_store.latest_response("U1") is None
    assert await any_store.responses("U1") == []
    assert await any_store.all_latest_responses() == []

    newer = response(content, MENTORING, T0 + timedelta(days=30))
    older = response(content, COACHING, T0)
    newer = replace(newer, id=await any_store.add_response(newer))
    older = replace(older, id=await any_store.add_response(older))
    theirs = response(content, COACHING, T0, user="U2")
    theirs = replace(theirs, id=await any_store.add_response(theirs))

    assert all(isinstance(r.id, str) and r.id for r in (newer, older, theirs))
    assert len({newer.id, older.id, theirs.id}) == 3
    assert await any_store.responses("U1") == [older, newer]
    assert await any_store.latest_response("U1") == newer
    assert await any_store.all_latest_responses() == [newer, theirs]

    # Two at the same moment: the one given last is the latest.
    tie = response(content, COACHING, T0 + timedelta(days=30))
    tie = replace(tie, id=await any_store.add_response(tie))
    assert await any_store.responses("U1") == [older, newer, tie]
    assert await any_store.latest_response("U1") == tie
    assert await any_store.all_latest_responses() == [tie, theirs]


async def test_response_for_view_finds_a_second_submission(
    any_store: Store, content: Content
) -> None:
    given = response(content, MENTORING, T0)
    given = replace(given, id=await any_store.add_response(given, view_id="V1"))
    await any_store.add_response(response(content, COACHING, T0, user="U2"), view_id="V2")
    await any_store.add_response(response(content, COACHING, T0))

    assert await any_store.response_for_view("U1", "V1") == given
    assert await any_store.response_for_view("U1", "V2") is None  # someone else's modal
    assert await any_store.response_for_view("U1", None) is None
    assert await any_store.response_for_view("U1", "") is None


# Mentors and the record of admin changes.


async def test_mentors_save_update_remove_and_audit(any_store: Store) -> None:
    bob, alice = mentor("U3", "bob"), mentor("U2", "Alice", bio="Hi", active=False)
    await any_store.save_mentors([bob, alice], "UADMIN", "added bob, Alice", T0)
    assert await any_store.mentors() == [alice, bob]  # by name, whatever the case
    assert await any_store.get_mentor("U2") == alice
    assert await any_store.get_mentor("U9") is None

    bob2 = replace(bob, capacity=5, topics=("networking", "leadership"), timezone=None)
    await any_store.save_mentors([bob2], "UADMIN", "bob's capacity", T0 + timedelta(hours=1))
    assert await any_store.get_mentor("U3") == bob2
    await any_store.save_mentors([], "UADMIN2", "imported nobody", T0 + timedelta(hours=2))

    assert await any_store.remove_mentor("U2", "UADMIN", "removed Alice", T0 + timedelta(hours=3))
    assert not await any_store.remove_mentor("U2", "UADMIN", "again", T0 + timedelta(hours=4))
    assert await any_store.mentors() == [bob2]

    log = await any_store.audit_log()
    assert [e["what"] for e in log] == [
        "removed Alice",
        "imported nobody",
        "bob's capacity",
        "added bob, Alice",
    ]
    assert log[0] == {
        "by": "UADMIN",
        "what": "removed Alice",
        "at": (T0 + timedelta(hours=3)).isoformat(),
    }
    assert [e["what"] for e in await any_store.audit_log(limit=2)] == [
        "removed Alice",
        "imported nobody",
    ]


# Coaches.


async def test_coaches_save_update_remove_and_audit(any_store: Store) -> None:
    zoe = external("x-ab12cd", "zoe Park", areas=("leadership", "executive_presence"))
    carla = coach("U5", "Carla Diaz", credentials="ICF PCC", bio="Hi", active=False)
    await any_store.save_coaches([zoe, carla], "UADMIN", "added coaches", T0)
    assert await any_store.coaches() == [carla, zoe]  # by name, whatever the case
    assert await any_store.get_coach("x-ab12cd") == zoe
    assert await any_store.get_coach("U9") is None

    zoe2 = replace(zoe, capacity=5, languages=("de", "en"), timezone=None, booking_url="")
    await any_store.save_coaches([zoe2], "UADMIN", "edited coach zoe Park", T0 + timedelta(hours=1))
    assert await any_store.get_coach("x-ab12cd") == zoe2

    assert await any_store.remove_coach("U5", "UADMIN", "removed coach Carla", T0)
    assert not await any_store.remove_coach("U5", "UADMIN", "again", T0)
    assert await any_store.coaches() == [zoe2]
    assert await any_store.mentors() == []
    assert [e["what"] for e in await any_store.audit_log()] == [
        "removed coach Carla",
        "edited coach zoe Park",
        "added coaches",
    ]


async def test_a_coach_is_exported_and_forgotten_with_the_person(any_store: Store) -> None:
    carla, zoe = coach("U5", "Carla Diaz"), external("x-ab12cd", "Zoe Park")
    await any_store.save_coaches([carla, zoe], "UADMIN", "added coach Carla Diaz", T0)
    assert (await any_store.export("U5"))["as_coach"] == [
        {**vars(carla), "areas": ["leadership"], "languages": ["en"]}
    ]
    gone = await any_store.forget("U5", None)
    assert gone["coach entry"] == 1
    assert await any_store.coaches() == [zoe]
    assert [e["what"] for e in await any_store.audit_log()] == ["added coach a former coach"]
    assert (await any_store.forget("x-ab12cd", None))["coach entry"] == 1  # an id, not a person


# Intros.


async def test_add_intro_refuses_a_second_open_one_for_the_pair(any_store: Store) -> None:
    first = intro("I1", note="Hello", shares=("answers", "result"))
    assert await any_store.add_intro(first)
    assert not await any_store.add_intro(intro("I2"))  # pending for the pair already
    assert await any_store.get_intro("I2") is None
    assert await any_store.add_intro(intro("I3", mentor_id="U3", source="open_request"))
    assert await any_store.get_intro("I1") == first

    await any_store.move_intro("I1", "pending", "accepted", T0)
    assert not await any_store.add_intro(intro("I4"))  # accepted: still refused
    await any_store.move_intro("I1", "accepted", "ended", T0)
    assert await any_store.add_intro(intro("I5"))  # ended: the pair may start again

    assert [i.id for i in await any_store.intros()] == ["I1", "I3", "I5"]
    assert [i.id for i in await any_store.intros_of("U1")] == ["I1", "I3", "I5"]
    assert [i.id for i in await any_store.intros_of("U3")] == ["I3"]
    assert await any_store.intros_of("U9") == []


async def test_move_intro_only_from_the_expected_state(any_store: Store) -> None:
    await any_store.add_intro(intro("I1"))
    later = T0 + timedelta(hours=2)
    moved = await any_store.move_intro("I1", "pending", "declined", later)
    assert moved == replace(intro("I1"), state="declined", answered_at=later)
    assert await any_store.move_intro("I1", "pending", "accepted", later) is None  # second click
    assert await any_store.get_intro("I1") == moved
    assert await any_store.move_intro("nope", "pending", "accepted", later) is None


async def test_accept_with_capacity_never_overfills(any_store: Store) -> None:
    for n in (1, 2, 3):
        await any_store.add_intro(intro(f"I{n}", mentee=f"M{n}", mentor_id="U2"))
    assert await any_store.move_intro("I1", "pending", "accepted", T0, capacity=2)
    assert await any_store.move_intro("I2", "pending", "accepted", T0, capacity=2)
    assert await any_store.move_intro("I3", "pending", "accepted", T0, capacity=2) is None
    assert (await any_store.get_intro("I3")).state == "pending"  # type: ignore[union-attr]
    # Declining counts nothing; without a capacity nothing is counted.
    assert await any_store.move_intro("I3", "pending", "accepted", T0) is not None


async def test_mark_intro_records_the_mentor_message(any_store: Store) -> None:
    await any_store.add_intro(intro("I1"))
    await any_store.mark_intro("I1", mentor_message={"channel": "DU2", "ts": "1.2"})
    await any_store.mark_intro("nope", mentor_message={"channel": "DU2", "ts": "1.2"})
    got = await any_store.get_intro("I1")
    assert got == replace(intro("I1"), mentor_message={"channel": "DU2", "ts": "1.2"})


# Open requests and gaps.


async def test_open_request_is_claimed_once(any_store: Store) -> None:
    await any_store.add_open_request(request("R1"))
    await any_store.add_open_request(request("R2", mentee="U5"))
    assert await any_store.get_open_request("R1") == request("R1")
    assert await any_store.get_open_request("nope") is None
    assert await any_store.open_requests_of("U1") == [request("R1")]

    claimed = await any_store.claim_open_request("R1", "U2", T0.astimezone(PARIS))
    assert claimed == {**request("R1"), "claimed_by": "U2", "claimed_at": T0.isoformat()}
    assert await any_store.claim_open_request("R1", "U3", T0) is None
    assert await any_store.claim_open_request("nope", "U3", T0) is None
    assert await any_store.get_open_request("R1") == claimed
    assert await any_store.open_requests_of("U1") == [claimed]


async def test_gaps_alert_once_per_quiet_window(any_store: Store) -> None:
    quiet = timedelta(days=1)
    assert await any_store.record_gap("engineering", ["leadership"], T0, quiet)
    assert not await any_store.record_gap("engineering", [], T0 + timedelta(hours=23), quiet)
    assert await any_store.record_gap("design", ["craft"], T0, quiet)
    # The quiet window runs from the last alert, not from the last gap.
    assert await any_store.record_gap("engineering", [], T0 + timedelta(hours=25), quiet)
    assert await any_store.record_gap(None, [], T0, quiet)
    assert not await any_store.record_gap(None, [], T0, quiet)
    assert await any_store.gap_counts() == {"engineering": 3, "design": 1}


# Nudges.


async def test_nudges_add_due_claim_and_update(any_store: Store) -> None:
    late = nudge("N3", due=T0 + timedelta(days=1))
    first = nudge("N1", subject="I1", message={"channel": "D1"}, answer={"met": "yes"})
    second = nudge("N2", user="U2", due=T0 - timedelta(hours=1), kind="reach_out")
    await any_store.add_nudges([late, first, second])
    await any_store.add_nudges([])

    assert await any_store.get_nudge("N1") == first
    assert await any_store.get_nudge("nope") is None
    assert [n.id for n in await any_store.nudges()] == ["N3", "N1", "N2"]
    assert await any_store.nudges_of("U1") == [late, first]
    assert await any_store.due_nudges(T0) == [second, first]  # due exactly now counts

    claimed = await any_store.claim_nudge("N1")
    assert claimed == replace(first, state="sending", attempts=1)
    assert await any_store.claim_nudge("N1") is None
    assert await any_store.claim_nudge("nope") is None
    assert await any_store.due_nudges(T0) == [second]

    sent_at = T0.astimezone(PARIS) + timedelta(minutes=1)
    message = {"channel": "D1", "ts": "9.9"}
    await any_store.update_nudge("N1", state="sent", sent_at=sent_at, message=message)
    await any_store.update_nudge("nope", state="sent")
    got = await any_store.get_nudge("N1")
    assert got == replace(claimed, state="sent", sent_at=sent_at, message=message)
    assert got is not None and got.sent_at is not None and got.sent_at.tzinfo == UTC

    await any_store.update_nudge("N1", state="scheduled", due_at=T0 + timedelta(hours=1))
    claimed_again = await any_store.claim_nudge("N1")
    assert claimed_again is not None and claimed_again.attempts == 2


async def test_cancel_nudges_by_subject_and_kind(any_store: Store) -> None:
    await any_store.add_nudges(
        [
            nudge("A", subject="I1", kind="answer_request"),
            nudge("B", subject="I1", kind="check_in"),
            nudge("C", subject="R1", kind="reach_out"),
            nudge("D", subject="R1", kind="gentle_reminder", state="sent"),
            nudge("E", user="U2", subject="I1", kind="check_in"),
        ]
    )
    assert await any_store.cancel_nudges("U1", subject="I1", kinds={"check_in"}) == 1
    assert await any_store.cancel_nudges("U1", kinds={"reach_out", "gentle_reminder"}) == 1
    assert await any_store.cancel_nudges("U1", kinds=set()) == 0
    assert await any_store.cancel_nudges("U1", subject="I1") == 1
    assert await any_store.cancel_nudges("U1") == 0
    states = {n.id: n.state for n in await any_store.nudges()}
    assert states == {
        "A": "cancelled",
        "B": "cancelled",
        "C": "cancelled",
        "D": "sent",
        "E": "scheduled",
    }
    assert await any_store.cancel_nudges("U2") == 1


# People.


async def test_person_settings_merge(any_store: Store) -> None:
    assert await any_store.person("U1") == {"user_id": "U1"}
    await any_store.set_person("U1", stopped=True)
    await any_store.set_person("U1", goals="ship it")
    assert await any_store.person("U1") == {"user_id": "U1", "stopped": True, "goals": "ship it"}
    await any_store.set_person("U1", stopped=False)
    assert await any_store.person("U1") == {"user_id": "U1", "stopped": False, "goals": "ship it"}
    assert await any_store.person("U2") == {"user_id": "U2"}


# A person's own data.


async def story(store: Store, content: Content) -> dict[str, str]:
    """Mia (U1) answers and asks Grace (U2) for an intro; Grace is a mentor an admin added;
    Ada (U3) has data of her own, which must survive Mia's and Grace's erasure."""
    await store.save_draft(draft())
    rid = await store.add_response(response(content, MENTORING, T0), view_id="V1")
    await store.add_response(response(content, COACHING, T0, user="U3"))
    await store.save_mentors([mentor("U2", "Grace Hopper")], "UADMIN", "added Grace Hopper", T0)
    await store.save_mentors([mentor("U4", "Alan")], "U1", "added Alan", T0)  # Mia is an admin
    await store.add_intro(intro("I1", note="Mia's private worries"))
    kickoff = Effect("E1", "kickoff", "U1", {"mentor_id": "U2"}, T0)
    await store.move_intro("I1", "pending", "accepted", T0, then=Followups(effects=(kickoff,)))
    theirs = Effect("E2", "mentee_accepted", "U3", {"mentor_id": "U4"}, T0)
    await store.add_intro(
        intro("I2", mentee="U3", mentor_id="U2"), then=Followups(effects=(theirs,))
    )
    await store.add_open_request(request("R1"))
    await store.add_open_request(request("R2", mentee="U3"))
    await store.claim_open_request("R2", "U1", T0)  # (Mia as a mentor, for the test's sake)
    await store.add_nudges(
        [
            nudge("N1", subject=rid, kind="reach_out"),
            nudge("N2", user="U2", subject="I1"),  # Grace's, about Mia's intro
            nudge("N3", user="U2", subject="I1", state="sent"),
            nudge("N4", user="U2", subject="I2", kind="answer_request"),
            nudge("N5", user="U3", subject="I2"),
        ]
    )
    await store.set_person("U1", stopped=True)
    await store.set_person("U3", stopped=False)
    return {"response": rid}


async def test_export_holds_everything_about_the_person(any_store: Store, content: Content) -> None:
    await story(any_store, content)
    data = await any_store.export("U1")
    json.dumps(data)  # as it is sent: plain JSON

    assert {kind: len(docs) for kind, docs in data.items()} == {
        "drafts": 1,
        "questionnaires": 1,
        "as_mentor": 0,
        "as_coach": 0,
        "intros": 1,
        "open_requests": 2,
        "reminders": 1,
        "messages_to_send": 1,
        "settings": 1,
        "changes_made_as_admin": 1,
        "feedback_requests": 0,
        "feedback_given": 0,
        "coaching_requests": 0,
        "engagements": 0,
        "rounds": 0,
    }
    assert data["drafts"][0] == {
        "user_id": "U1",
        "answers": {"career_stage": ["manager"], "topics": ["leadership", "networking"]},
        "step": 1,
        "channel_id": "D123",
        "updated_at": T0.isoformat(),
    }
    questionnaire = data["questionnaires"][0]
    assert questionnaire["user_id"] == "U1" and questionnaire["view_id"] == "V1"
    assert questionnaire["created_at"] == T0.isoformat()
    assert questionnaire["answers"]["topics"] == list(MENTORING["topics"])
    assert questionnaire["recommendation"]["path"] == "mentoring"
    assert data["intros"][0]["note"] == "Mia's private worries"
    assert data["intros"][0]["state"] == "accepted"
    assert data["intros"][0]["requested_at"] == T0.isoformat()
    assert [r["id"] for r in data["open_requests"]] == ["R1", "R2"]
    assert data["reminders"][0]["id"] == "N1"
    assert data["reminders"][0]["due_at"] == T0.isoformat()
    assert data["settings"] == [{"user_id": "U1", "stopped": True}]
    assert data["changes_made_as_admin"] == [
        {"by": "U1", "what": "added Alan", "at": T0.isoformat()}
    ]

    grace = await any_store.export("U2")
    assert grace["as_mentor"] == [
        {
            "user_id": "U2",
            "name": "Grace Hopper",
            "timezone": "Europe/Paris",
            "fields": ["engineering"],
            "topics": ["leadership"],
            "seniority": "senior",
            "capacity": 2,
            "bio": "",
            "active": True,
            "status": "pool",
            "away_until": None,
            "nominated_at": None,
        }
    ]
    assert [i["id"] for i in grace["intros"]] == ["I1", "I2"]
    assert [n["id"] for n in grace["reminders"]] == ["N2", "N3", "N4"]
    assert (await any_store.export("U9")) == {kind: [] for kind in data}


async def test_forget_erases_every_trace(any_store: Store, content: Content) -> None:
    await story(any_store, content)
    gone = await any_store.forget("U1", None)
    assert gone == {
        "drafts": 1,
        "questionnaires": 1,
        "mentor entry": 0,
        "coach entry": 0,
        "intros": 1,
        "open requests": 2,
        "reminders": 2,  # hers, and Grace's still to come about their intro
        "settings": 1,
        "messages to send": 1,
        "feedback requests": 0,
        "feedback answers": 0,
        "coaching requests": 0,
        "engagements": 0,
        "rounds": 0,
    }
    assert await any_store.export("U1") == {kind: [] for kind in await any_store.export("U9")}
    assert await any_store.get_draft("U1") is None
    assert await any_store.latest_response("U1") is None
    assert await any_store.intros_of("U1") == []
    assert await any_store.person("U1") == {"user_id": "U1"}
    # Grace's sent nudge about the intro is hers; Ada's data is untouched.
    assert [n.id for n in await any_store.nudges()] == ["N3", "N4", "N5"]
    assert [i.id for i in await any_store.intros()] == ["I2"]
    assert await any_store.open_requests_of("U3") == []  # R2 was claimed by Mia: it went
    assert len(await any_store.responses("U3")) == 1
    assert await any_store.person("U3") == {"user_id": "U3", "stopped": False}
    assert [e["by"] for e in await any_store.audit_log()] == ["a former admin", "UADMIN"]
    assert "U1" not in json.dumps(await any_store.audit_log())

    # A mentor's name goes from the record of admin changes too.
    gone = await any_store.forget("U2", "Grace Hopper")
    assert gone["mentor entry"] == 1 and gone["intros"] == 1 and gone["reminders"] == 3
    assert await any_store.get_mentor("U2") is None
    log = await any_store.audit_log()
    assert "Grace Hopper" not in json.dumps(log)
    assert log[-1] == {"by": "UADMIN", "what": "added a former mentor", "at": T0.isoformat()}
    assert [n.id for n in await any_store.nudges()] == []  # N5 was about Grace's intro I2


async def test_forget_leaves_a_tombstone_of_each_intro_on_either_side(any_store: Store) -> None:
    assert await any_store.pair_tombstones("U1", "U2") == []  # no key made yet: nothing kept
    await any_store.add_intro(intro("I1", "U1", "U2", mentor_message={"channel": "DU2", "ts": "1"}))
    await any_store.move_intro("I1", "pending", "declined", T0 + timedelta(hours=1))
    await any_store.add_intro(intro("I2", "U3", "U1", requested_at=T0 + timedelta(days=1)))
    await any_store.add_intro(intro("I3", "U3", "U4"))
    await any_store.add_open_request({"id": "R1", "mentee_id": "U1", "channel": "C", "ts": "2"})
    await any_store.set_person("U1", shared=[{"channel": "C1", "ts": "3"}])
    await any_store.add_coaching_request(coaching_request("Q1"))
    await any_store.mark_coaching_request("Q1", admin_messages=({"channel": "DA", "ts": "4"},))
    await any_store.decide_coaching_request("Q1", "pending", "approved", "UADMIN", T0)
    await any_store.add_engagement(engagement("G1", coach="U5"), capacity=2)
    await any_store.mark_engagement("G1", coach_message={"channel": "DU5", "ts": "5"})
    await any_store.forget("U1", None, T0 + timedelta(days=2))
    assert await any_store.intros_of("U1") == []
    # What quoted them is rewritten later, from effects that carry only where it is.
    effects = await any_store.unfinished_effects()
    assert [(e.kind, e.user_id, dict(e.data)) for e in effects] == [
        ("withdrawn", "", {"channel": "DU2", "ts": "1"}),
        ("withdrawn", "", {"channel": "C", "ts": "2"}),
        ("withdrawn", "", {"channel": "C1", "ts": "3"}),  # a result they shared
        ("withdrawn", "", {"channel": "DA", "ts": "4"}),  # the admins' copy of their request
        ("withdrawn", "", {"channel": "DU5", "ts": "5"}),  # the coach's offer, with goals
    ]
    assert await any_store.pair_tombstones("U1", "U2") == [
        Tombstone(ANY, True, T0)  # type: ignore[arg-type]
    ]
    assert await any_store.pair_tombstones("U2", "U1") == []  # the pair is ordered
    assert await any_store.pair_tombstones("U3", "U1") == [
        Tombstone(ANY, False, T0 + timedelta(days=1))  # type: ignore[arg-type]
    ]
    assert await any_store.pair_tombstones("U3", "U4") == []  # not erased: no tombstone
    assert await any_store.declined_by_tombstone("U1", ["U2", "U4", "U9"]) == {"U2"}
    assert await any_store.declined_by_tombstone("U3", ["U1"]) == set()  # asked, not declined
    dumped = await any_store.dump()
    assert "U1" not in json.dumps(dumped["tombstones"]) and len(dumped["secrets"]) == 1
    # The other side erasing too keeps the decline, with the same key.
    await any_store.forget("U2", None)
    assert [t.declined for t in await any_store.pair_tombstones("U1", "U2")] == [True]
    assert len((await any_store.dump())["secrets"]) == 1


async def test_forget_rewrites_the_audit_by_id_and_names_as_whole_words(any_store: Store) -> None:
    await any_store.save_mentors([mentor("U2", "Alan Turing")], "UADMIN", "added Alan Turing", T0)
    await any_store.save_mentors([mentor("U5", "Al")], "UADMIN", "added Al", T0)
    await any_store.save_mentors([mentor("U5", "Al B")], "UADMIN", "edited Al B", T0)
    await any_store.remove_mentor("U5", "UADMIN", "removed Al B", T0)  # renamed, then removed
    two = [mentor("U5", "Al"), mentor("U6", "Bo")]
    await any_store.save_mentors(two, "UADMIN", "added Al, Bo", T0)
    await any_store.forget("U5", "Al")
    assert [e["what"] for e in await any_store.audit_log()][::-1] == [
        "added Alan Turing",  # not "a former mentoran Turing"
        "added a former mentor",
        "edited a former mentor",
        "removed a former mentor",
        "added a former mentor, Bo",
    ]
    assert "mentor:U5" not in json.dumps(await any_store.dump())


async def test_forget_scrubs_older_audit_entries_by_whole_word(any_store: Store) -> None:
    # Entries from before their subjects were kept: nothing but the text to go by.
    entries = [
        {"by": "UADMIN", "what": what, "at": T0.isoformat()}
        for what in ("added Alan Turing", "added Al", "paused Al (away)")
    ]
    await any_store.restore({"audit": entries})
    await any_store.forget("U5", "Al")
    assert [e["what"] for e in await any_store.audit_log()][::-1] == [
        "added Alan Turing",
        "added a former mentor",
        "paused a former mentor (away)",
    ]


# The whole database: dump, restore and copy, from either backend to either.


async def fill(store: Store, content: Content) -> dict[str, str]:
    """A record of every kind, some changed after they were made, and a gap in the
    response ids (a person erased), which a copy must keep."""
    await store.add_response(response(content, COACHING, T0, user="U7"))
    await store.add_intro(intro("I7", "U7", "U8"))
    await store.move_intro("I7", "pending", "declined", T0)
    await store.forget("U7", None)
    ids = await story(store, content)
    await store.add_response(response(content, MENTORING, T0 + timedelta(days=3)), view_id="V2")
    await store.save_draft(draft(user="U0", at=datetime(2026, 11, 2, 10, 0, 0, 5, tzinfo=PARIS)))
    await store.record_gap("engineering", ["leadership"], T0, timedelta(days=1))
    await store.record_gap(None, [], T0 + timedelta(hours=1), timedelta(days=1))
    await store.update_nudge("N3", sent_at=T0, message={"channel": "D2", "ts": "1.1"})
    await store.mark_intro("I1", mentor_message={"channel": "DU2", "ts": "1.2"})
    await store.save_coaches(
        [external("x-ab12cd", "Zoe Park", bio="Coach & <b>"), coach("U5", "Carla", timezone=None)],
        "UADMIN",
        "added coaches",
        T0,
    )
    await store.add_feedback_request(feedback_request("F1", note="Be frank"))
    for giver in ("U2", "U3", "U4"):  # three: the summary shows, so `shown` goes round too
        await store.add_feedback_answer(feedback_answer("F1", giver), 3)
    await store.remind_feedback("F1")
    await store.add_coaching_request(coaching_request("Q1"))
    await store.decide_coaching_request("Q1", "pending", "approved", "UADMIN", T0)
    await store.mark_coaching_request("Q1", admin_messages=({"channel": "DA", "ts": "1.3"},))
    await store.add_engagement(engagement("G1", progress={"0": 4}), capacity=2)
    await store.add_round(cohort("W1", "Spring cohort", joined=("U1",), places={"U2": 2}))
    return ids


COUNTS = {
    "drafts": 2,
    "responses": 3,
    "mentors": 2,
    "intros": 2,
    "audit": 3,
    "open_requests": 2,
    "gaps": 2,
    "nudges": 5,
    "people": 2,
    "effects": 2,
    "coaches": 2,
    "feedback_requests": 1,
    "feedback_answers": 3,
    "coaching_requests": 1,
    "engagements": 1,
    "rounds": 1,
    "tombstones": 1,
    "secrets": 1,
}


async def test_dump_restore_round_trip(
    any_store: Store, other_store: Store, content: Content
) -> None:
    ids = await fill(any_store, content)
    dumped = await any_store.dump()
    assert json.loads(json.dumps(dumped)) == dumped  # plain JSON
    assert {kind: len(docs) for kind, docs in dumped.items()} == COUNTS

    first = dumped["responses"][0]
    assert first["id"] == ids["response"] != "1"  # response 1 was erased
    assert first["view_id"] == "V1" and first["created_at"] == T0.isoformat()
    assert dumped["drafts"][0]["user_id"] == "U0"  # by person
    assert dumped["drafts"][0]["updated_at"] == "2026-11-02T09:00:00.000005+00:00"
    assert dumped["open_requests"][0] == request("R1")
    assert dumped["gaps"][1] == {
        "field": None,
        "topics": [],
        "at": (T0 + timedelta(hours=1)).isoformat(),
        "alerted": True,
    }
    assert dumped["audit"][0] == {
        "by": "UADMIN",
        "what": "added Grace Hopper",
        "at": T0.isoformat(),
        "about": ["mentor:U2"],
    }
    assert dumped["tombstones"] == [
        {"pair": dumped["tombstones"][0]["pair"], "declined": True, "at": T0.isoformat()}
    ]
    assert "U7" not in json.dumps(dumped["tombstones"])
    assert dumped["people"] == [
        {"user_id": "U1", "stopped": True},
        {"user_id": "U3", "stopped": False},
    ]

    assert dumped["feedback_requests"][0]["shown"] == 3
    await other_store.restore(dumped)
    assert await other_store.dump() == dumped

    # The copy works as the original does: same answers, ids kept, ids given after them.
    for ask in (
        lambda s: s.responses("U1"),
        lambda s: s.all_latest_responses(),
        lambda s: s.intros(),
        lambda s: s.nudges(),
        lambda s: s.mentors(),
        lambda s: s.coaches(),
        lambda s: s.audit_log(),
        lambda s: s.gap_counts(),
        lambda s: s.open_requests_of("U3"),
        lambda s: s.person("U1"),
        lambda s: s.get_draft("U0"),
        lambda s: s.response_for_view("U1", "V2"),
        lambda s: s.feedback_requests_of("U1"),
        lambda s: s.feedback_answers("F1"),
        lambda s: s.coaching_requests(),
        lambda s: s.engagements(),
        lambda s: s.rounds(),
        lambda s: s.pair_tombstones("U7", "U8"),  # the copy has the database's key too
    ):
        assert await ask(other_store) == await ask(any_store)
    assert (await other_store.get_nudge("N1")).subject == ids["response"]  # type: ignore[union-attr]
    new_id = await other_store.add_response(response(content, COACHING, T0, user="U9"))
    assert int(new_id) > max(int(r["id"]) for r in dumped["responses"])
    assert not await other_store.add_intro(intro("I9"))  # Mia and Grace: accepted already


async def test_restore_refuses_a_database_that_is_not_empty(any_store: Store) -> None:
    await any_store.save_draft(draft())
    with pytest.raises(StoreError, match=r"^the target database is not empty \(drafts 1\)"):
        await any_store.restore({"mentors": [vars(mentor("U2", "Grace")) | {"fields": []}]})
    assert (await any_store.dump())["mentors"] == []


async def test_restore_refuses_what_is_not_a_dump(any_store: Store) -> None:
    with pytest.raises(StoreError, match="unknown kinds of record: mentees"):
        await any_store.restore({"mentees": []})
    with pytest.raises(StoreError, match="cannot restore nudges: document 2 is not one"):
        await any_store.restore({"drafts": [], "nudges": [nudge_doc(nudge("N1")), {"id": "N2"}]})
    assert await any_store.dump() == {kind: [] for kind in COUNTS}


async def test_copy_database_counts_and_checks(
    any_store: Store, other_store: Store, content: Content
) -> None:
    await fill(any_store, content)
    assert await copy_database(any_store, other_store) == COUNTS
    assert await other_store.dump() == await any_store.dump()


async def test_copy_database_finds_a_difference(
    any_store: Store, other_store: Store, content: Content
) -> None:
    class Altered:
        """A target that reads one mentor back wrong."""

        def __init__(self, store: Store) -> None:
            self.store = store

        async def restore(self, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
            await self.store.restore(tables)

        async def dump(self) -> dict:
            tables = await self.store.dump()
            tables["mentors"][1]["capacity"] = 9
            return tables

    await fill(any_store, content)
    with pytest.raises(StoreError) as caught:
        await copy_database(any_store, Altered(other_store))
    assert str(caught.value) == (
        "the copy differs: mentors number 2 is not the same in the target (capacity)"
    )


# Events seen: Slack's retries handled once.


async def test_first_time_an_event_is_seen(any_store: Store) -> None:
    assert await any_store.first_time("Ev1")
    assert not await any_store.first_time("Ev1")
    assert await any_store.first_time("Ev2")
    assert not await any_store.first_time("Ev1")
    assert not await any_store.first_time("Ev2")


async def test_tinydb_remembers_a_bounded_number_of_events(tmp_path) -> None:
    store = TinyDBStore.open(tmp_path / "devpath.json")
    try:
        for n in range(10_001):
            assert await store.first_time(f"Ev{n}")
        assert not await store.first_time("Ev10000")
        assert await store.first_time("Ev0")  # the oldest went to make room
    finally:
        await store.aclose()


def test_a_missing_server_fails_when_postgres_is_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEVPATH_REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="DEVPATH_REQUIRE_POSTGRES=1"):
        no_server("PostgreSQL not reachable")
    monkeypatch.delenv("DEVPATH_REQUIRE_POSTGRES")
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL not reachable"):
        no_server("PostgreSQL not reachable")


# PostgreSQL only: several instances on one database.


async def two_instances(url: str) -> tuple[PostgresStore, PostgresStore]:
    return await asyncio.gather(
        PostgresStore.connect(url, max_size=10), PostgresStore.connect(url, max_size=10)
    )


async def test_two_instances_send_a_nudge_once(pg_url: str) -> None:
    one, two = await two_instances(pg_url)
    try:
        await one.add_nudges([nudge("N1")])
        claims = await asyncio.gather(
            *(store.claim_nudge("N1") for _ in range(10) for store in (one, two))
        )
        won = [c for c in claims if c is not None]
        assert len(claims) == 20 and len(won) == 1
        assert won[0].state == "sending" and won[0].attempts == 1
        assert await two.get_nudge("N1") == won[0]
    finally:
        await asyncio.gather(one.aclose(), two.aclose())


async def test_two_instances_never_overfill_a_mentor(pg_url: str) -> None:
    one, two = await two_instances(pg_url)
    try:
        for round_ in range(10):
            mentor_id = f"U{round_}"
            await one.add_intro(intro(f"A{round_}", mentee="M1", mentor_id=mentor_id))
            await one.add_intro(intro(f"B{round_}", mentee="M2", mentor_id=mentor_id))
            moved = await asyncio.gather(
                one.move_intro(f"A{round_}", "pending", "accepted", T0, capacity=1),
                two.move_intro(f"B{round_}", "pending", "accepted", T0, capacity=1),
            )
            assert sum(m is not None for m in moved) == 1
            states = sorted(i.state for i in await two.intros_of(mentor_id))
            assert states == ["accepted", "pending"]
    finally:
        await asyncio.gather(one.aclose(), two.aclose())


async def test_two_instances_claim_an_open_request_once(pg_url: str) -> None:
    one, two = await two_instances(pg_url)
    try:
        await one.add_open_request(request("R1"))
        claims = await asyncio.gather(
            *(store.claim_open_request("R1", f"U{n}", T0) for n in range(5) for store in (one, two))
        )
        won = [c for c in claims if c is not None]
        assert len(won) == 1
        assert await one.get_open_request("R1") == won[0]
    finally:
        await asyncio.gather(one.aclose(), two.aclose())


async def test_two_instances_add_one_intro_for_a_pair(pg_url: str) -> None:
    one, two = await two_instances(pg_url)
    try:
        added = await asyncio.gather(
            *(
                store.add_intro(intro(f"I{n}{side}"))
                for n in range(5)
                for side, store in (("a", one), ("b", two))
            )
        )
        assert sum(added) == 1
        assert len(await one.intros()) == 1
    finally:
        await asyncio.gather(one.aclose(), two.aclose())


async def test_two_instances_see_an_event_first_once(pg_url: str) -> None:
    one, two = await two_instances(pg_url)
    try:
        firsts = await asyncio.gather(
            *(store.first_time("Ev1") for _ in range(5) for store in (one, two))
        )
        assert sum(firsts) == 1
        # A day on, the ids seen go (at the next insert's clear-out), so the table stays small.
        conn = await asyncpg.connect(pg_url)
        try:
            await conn.execute("UPDATE seen_events SET seen_at = now() - interval '25 hours'")
            one._next_sweep = 0.0
            assert await one.first_time("Ev2")
            assert await conn.fetchval("SELECT array_agg(event_id) FROM seen_events") == ["Ev2"]
        finally:
            await conn.close()
        assert not await two.first_time("Ev2")
    finally:
        await asyncio.gather(one.aclose(), two.aclose())


async def test_a_version_1_database_is_migrated(pg_url: str) -> None:
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute(MIGRATIONS[0])
        await conn.execute("INSERT INTO schema_meta (version) VALUES (1)")
        await conn.execute("INSERT INTO people (user_id, settings) VALUES ('U1', '{}')")
    finally:
        await conn.close()
    store = await PostgresStore.connect(pg_url)
    try:
        assert await schema_versions(pg_url) == [SCHEMA_VERSION] == [7]
        assert await store.first_time("Ev1")
        assert not await store.first_time("Ev1")
        assert await store.person("U1") == {"user_id": "U1"}
    finally:
        await store.aclose()


async def test_a_version_3_database_gains_the_coach_roster(pg_url: str) -> None:
    conn = await asyncpg.connect(pg_url)
    try:
        for version in range(3):
            await conn.execute(MIGRATIONS[version])
        await conn.execute("INSERT INTO schema_meta (version) VALUES (3)")
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
        await store.save_coaches([coach("U5", "Carla")], "UADMIN", "added coach Carla", T0)
        assert await store.coaches() == [coach("U5", "Carla")]
    finally:
        await store.aclose()


async def schema_versions(url: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        return [r["version"] for r in await conn.fetch("SELECT version FROM schema_meta")]
    finally:
        await conn.close()


async def test_connecting_to_a_migrated_database_changes_nothing(pg_url: str) -> None:
    first = await PostgresStore.connect(pg_url)
    await first.save_draft(draft())
    await first.aclose()
    assert await schema_versions(pg_url) == [SCHEMA_VERSION]

    again = await PostgresStore.connect(pg_url)
    try:
        assert await schema_versions(pg_url) == [SCHEMA_VERSION]
        assert await again.get_draft("U1") == draft()
    finally:
        await again.aclose()


async def test_a_newer_schema_is_refused_in_one_line(pg_url: str) -> None:
    store = await PostgresStore.connect(pg_url)
    await store.aclose()
    conn = await asyncpg.connect(pg_url)
    await conn.execute("UPDATE schema_meta SET version = $1", SCHEMA_VERSION + 1)
    await conn.close()

    with pytest.raises(StoreError) as caught:
        await PostgresStore.connect(pg_url)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("DATABASE_URL: ")
    assert f"schema {SCHEMA_VERSION + 1}" in message and "upgrade devpath" in message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://devpath:s3cret-pw@127.0.0.1:1/devpath",  # nothing listens on port 1
        "mysql://devpath:s3cret-pw@127.0.0.1/devpath",
        "postgresql://devpath:s3cret-pw@127.0.0.1:notaport/devpath",
    ],
)
async def test_an_unreachable_database_gives_one_line_without_the_password(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        await PostgresStore.connect(url)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("DATABASE_URL: ")
    assert "s3cret-pw" not in message
    assert "devpath@127.0.0.1" in message


async def test_pending_intros_are_read_alone(any_store) -> None:
    now = datetime(2026, 11, 24, 10, tzinfo=UTC)
    for number, state in enumerate(["pending", "accepted", "pending", "declined"]):
        intro = Intro(f"i{number}", f"UE{number}", "UM", "pending", now, now + timedelta(days=7))
        await any_store.add_intro(intro)
        if state != "pending":
            await any_store.move_intro(intro.id, "pending", state, now)
    assert [i.id for i in await any_store.pending_intros()] == ["i0", "i2"]
    assert await any_store.mentees_now() == {"UM": 1}


# The outbox: what follows an action is written with it, and each effect is claimed once.


def effect(effect_id: str, user: str = "U1", kind: str = "result_dm", **data: str) -> Effect:
    return Effect(effect_id, kind, user, data, T0)


async def test_a_response_and_what_follows_it_are_one_write(
    any_store: Store, content: Content
) -> None:
    await any_store.add_nudges([nudge("OLD", kind="reach_out"), nudge("KEEP", kind="check_in")])
    await any_store.save_draft(draft())
    then = Followups(
        cancel=(Cancel("U1", kinds=frozenset({"reach_out"})),),
        drafts_ended=("U1",),
        nudges=(nudge("NEW", kind="gentle_reminder"),),
        effects=(effect("E1"), effect("E2", kind="share", channel="C1")),
    )
    rid = await any_store.add_response(response(content, MENTORING, T0), then=then)
    states = {n.id: (n.state, n.subject) for n in await any_store.nudges_of("U1")}
    assert states == {
        "OLD": ("cancelled", ""),
        "KEEP": ("scheduled", ""),
        "NEW": ("scheduled", rid),  # about the response just written
    }
    pending = await any_store.unfinished_effects()
    assert [(e.id, e.state, e.data.get("response_id")) for e in pending] == [
        ("E1", "pending", rid),
        ("E2", "pending", rid),
    ]
    assert pending[1].data["channel"] == "C1"
    assert await any_store.get_draft("U1") is None  # the questionnaire is complete


async def test_what_follows_a_refused_action_is_not_written(any_store: Store) -> None:
    await any_store.add_intro(intro("I1"))
    then = Followups(nudges=(nudge("N1"),), effects=(effect("E1"),))
    assert not await any_store.add_intro(intro("I2"), then=then)  # the pair has one open
    await any_store.move_intro("I1", "pending", "declined", T0)
    assert await any_store.move_intro("I1", "pending", "accepted", T0, then=then) is None
    await any_store.add_open_request(request("R1"))
    await any_store.claim_open_request("R1", "U2", T0)
    assert await any_store.claim_open_request("R1", "U5", T0, then=then) is None
    assert await any_store.unfinished_effects() == []
    assert await any_store.nudges() == []


async def test_a_claimed_open_request_brings_its_intro(any_store: Store) -> None:
    await any_store.add_open_request(request("R1"))
    taken = intro("I9", state="accepted", source="open_request")
    then = Followups(intros=(taken,), effects=(effect("E1", kind="kickoff", mentor_id="U2"),))
    assert await any_store.claim_open_request("R1", "U2", T0, then=then) is not None
    assert [(i.id, i.state) for i in await any_store.intros_of("U1")] == [("I9", "accepted")]
    assert [e.id for e in await any_store.unfinished_effects()] == ["E1"]

    # A pair never has two open intros: a claim that would make a second one is refused.
    await any_store.add_open_request(request("R2"))
    again = Followups(intros=(intro("I10", state="accepted", source="open_request"),))
    assert await any_store.claim_open_request("R2", "U2", T0, then=again) is None
    assert (await any_store.get_open_request("R2") or {}).get("claimed_by") is None
    assert [i.id for i in await any_store.intros_of("U1")] == ["I9"]


async def test_an_effect_is_claimed_once_then_finished(any_store: Store, content: Content) -> None:
    then = Followups(effects=(effect("E1"),))
    await any_store.add_response(response(content, MENTORING, T0), then=then)
    later = T0 + timedelta(minutes=1)
    claimed = await any_store.claim_effect("E1", later)
    assert claimed is not None and claimed.state == "running" and claimed.attempts == 1
    assert claimed.claimed_at == later
    assert await any_store.claim_effect("E1", later) is None  # someone has it
    # Its deliverer died: claimed before `stale_before`, it can be claimed again.
    assert await any_store.claim_effect("E1", later, stale_before=later) is None
    again = await any_store.claim_effect("E1", later, stale_before=later + timedelta(seconds=1))
    assert again is not None and again.attempts == 2
    await any_store.finish_effect("E1")
    assert await any_store.unfinished_effects() == []
    assert await any_store.claim_effect("E1", later) is None
    assert await any_store.claim_effect("nope", later) is None


async def test_an_effect_met_by_a_passing_fault_is_released_to_wait(any_store: Store) -> None:
    await any_store.add_intro(intro("I1"), then=Followups(effects=(effect("E1"),)))
    claimed = await any_store.claim_effect("E1", T0)
    assert claimed is not None
    later = T0 + timedelta(minutes=2)
    await any_store.release_effect("E1", later)
    (left,) = await any_store.unfinished_effects()
    assert left.state == "pending" and left.attempts == 1 and left.claimed_at is None
    assert not due(left, T0 + timedelta(minutes=1)) and due(left, later)
    again = await any_store.claim_effect("E1", later)
    assert again is not None and again.attempts == 2
    await any_store.finish_effect("E1")
    await any_store.release_effect("E1", later)  # gone: nothing comes back
    assert await any_store.unfinished_effects() == []


async def test_simultaneous_claims_of_an_effect_have_one_winner(any_store: Store) -> None:
    await any_store.add_intro(intro("I1"), then=Followups(effects=(effect("E1"),)))
    claims = await asyncio.gather(*(any_store.claim_effect("E1", T0) for _ in range(12)))
    assert sum(c is not None for c in claims) == 1


async def test_one_modal_sent_twice_at_once_is_one_response(
    any_store: Store, content: Content
) -> None:
    def then() -> Followups:
        return Followups(effects=(effect(f"E{uuid4().hex}"),), nudges=(nudge(uuid4().hex),))

    ids = await asyncio.gather(
        *(
            any_store.add_response(response(content, MENTORING, T0), view_id="V1", then=then())
            for _ in range(6)
        )
    )
    assert len(set(ids)) == 1
    assert len(await any_store.responses("U1")) == 1
    assert len(await any_store.unfinished_effects()) == 1
    assert len(await any_store.nudges()) == 1


async def test_a_nudge_is_answered_once_with_what_follows(any_store: Store) -> None:
    await any_store.add_nudges([nudge("N1", state="sent")])
    changes = {"state": "snoozed", "answered_at": T0}

    def then() -> Followups:
        return Followups(nudges=(nudge(uuid4().hex),))

    moved = await asyncio.gather(
        *(any_store.answer_nudge("N1", frozenset({"sent"}), changes, then()) for _ in range(6))
    )
    assert sum(m is not None for m in moved) == 1
    winner = next(m for m in moved if m is not None)
    assert winner.state == "snoozed" and winner.answered_at == T0
    assert len(await any_store.nudges()) == 2  # N1, and the one reminder its answer planned
    assert await any_store.answer_nudge("nope", frozenset({"sent"}), changes) is None
    again = await any_store.answer_nudge("N1", frozenset({"snoozed"}), {"answer": {"note": "fine"}})
    assert again is not None and again.answer == {"note": "fine"}


async def test_an_open_request_added_twice_is_kept_once(any_store: Store) -> None:
    await any_store.add_open_request(request("R1"))
    await any_store.add_open_request(request("R1"))
    assert [r["id"] for r in await any_store.open_requests_of("U1")] == ["R1"]


# A questionnaire completed under content 2026.11, as both backends stored it then: one pool
# of evidence as shares and a percentage, "high"/"medium"/"low", "new to the company" as a
# career stage, and questions (goals, timeframe) no longer asked.
EARLIER_RECOMMENDATION = {
    "path": "mentoring",
    "confidence": 0.96,
    "confidence_label": "high",
    "coaching": 0.04,
    "mentoring": 1.0,
    "reasons": [
        {
            "axis": "Your situation",
            "question_id": "career_stage",
            "answer": "New to the company (first six months)",
            "side": "mentoring",
            "weight": 3,
            "text": "You are new here, and a mentor is the quickest way in.",
        }
    ],
}
EARLIER_ANSWERS = {
    "career_stage": ["new_hire"],
    "field": ["engineering"],
    "goals": ["long_term"],
    "timeframe": ["open_ended"],
    "topics": ["networking"],
}


async def test_a_result_stored_under_earlier_content_still_loads_and_counts(
    any_store: Store, other_store: Store, content: Content
) -> None:
    await any_store.add_response(response(content, MENTORING, T0, user="U9"))
    dumped = await any_store.dump()
    earlier = {
        **dumped["responses"][0],
        "id": 1,
        "user_id": "U1",
        "answers": EARLIER_ANSWERS,
        "recommendation": EARLIER_RECOMMENDATION,
        "content_version": "2026.11+0d029f46",
    }
    dumped["responses"] = [earlier]
    fresh = other_store
    await fresh.restore(dumped)

    latest = await fresh.latest_response("U1")
    assert latest is not None
    rec = latest.recommendation
    assert (rec.path, rec.confidence_label) == ("mentoring", "clear")
    assert rec.reasons[0].answer == "New to the company (first six months)"
    assert rec.reasons[0].kind == "need"
    assert rec.coaching_need is None and rec.also == ()
    # Read in today's terms: "new to the company" is its own question now.
    assert latest.answers["new_here"] == ("new",)
    assert "career_stage" not in latest.answers
    assert latest.answers["goals"] == ("long_term",)  # what the person said, kept
    assert [r.recommendation.path for r in await fresh.all_latest_responses()] == ["mentoring"]


# Issue 13: an open request is reserved before it is posted; a claim counts the places.


async def test_an_open_request_is_reserved_once_then_placed(any_store: Store) -> None:
    post = Followups(effects=(effect("E1"),))
    reserved = await asyncio.gather(
        *(any_store.reserve_open_request({**request(f"R{n}"), "ts": None}, post) for n in range(6))
    )
    assert sum(reserved) == 1
    (kept,) = await any_store.open_requests_of("U1")
    assert kept["ts"] is None and len(await any_store.unfinished_effects()) == 1
    await any_store.place_open_request(kept["id"], "1700000000.000200")
    assert (await any_store.get_open_request(kept["id"]) or {})["ts"] == "1700000000.000200"
    # Slack refused the post: the reservation goes, so the mentee may try again.
    await any_store.place_open_request(kept["id"], None)
    assert await any_store.open_requests_of("U1") == []
    assert await any_store.reserve_open_request(request("R9"))


async def test_a_claim_needs_a_free_place_counted_with_it(any_store: Store) -> None:
    for n, mentee in enumerate(("U1", "U5", "U6")):
        await any_store.add_open_request(request(f"R{n}", mentee=mentee))
    claims = await asyncio.gather(
        *(
            any_store.claim_open_request(
                f"R{n}",
                "U2",
                T0,
                Followups(intros=(intro(f"I{n}", mentee, state="accepted"),)),
                capacity=2,
            )
            for n, mentee in enumerate(("U1", "U5", "U6"))
        )
    )
    assert sum(c is not None for c in claims) == 2
    assert (await any_store.mentees_now()) == {"U2": 2}
