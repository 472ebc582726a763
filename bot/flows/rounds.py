"""Matching rounds: an admin starts one, people join, mentors confirm their places, devpath
proposes the optimal assignment at closing (or on Match now), the admin adjusts and
publishes, and only then do the intro requests go out.

Every change is compare-and-set on the round (bot/store/base.py `update_round`), with what
must follow it in the same write: a double click, a second admin or a second instance acts
once. The makers of the round's DMs are at the foot of this module.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.deps import Deps
from bot.domain.assignment import (
    Assignment,
    candidates,
    explained,
    first_come,
    lacking,
    optimal,
)
from bot.domain.intros import Intro, why_not_request
from bot.domain.matching import Mentee, Mentor
from bot.domain.nudges import plan_after_intro_requested
from bot.domain.outbox import Effect, Followups, new_effect
from bot.domain.pool import clean_text
from bot.domain.rounds import (
    NAME_MOST,
    Audience,
    Pair,
    Round,
    excluded_in_rounds,
    waiting_for_a_mentor,
)
from bot.flows.outbox import Delivery, deliver, makes
from bot.flows.slack import TRY_AGAIN, send_dm, update_message
from bot.screens.rounds import (
    admin_round_message,
    invite_message,
    places_message,
    unmatched_message,
)

OPEN = frozenset({"open"})
MATCHED = frozenset({"matched"})
OPEN_OR_MATCHED = frozenset({"open", "matched"})
NOT_FOUND = "That round is not one I can find."


@dataclass(frozen=True)
class Done:
    """The round as changed, or why not (`refused`, in the clicker's words)."""

    round: Round | None = None
    refused: str | None = None
    effects: tuple[Effect, ...] = ()


def start_problems(name: str, closes_at: datetime | None, now: datetime) -> dict[str, str]:
    """What is wrong with a new round as typed, by block id."""
    problems = {}
    if not clean_text(name):
        problems["name"] = "Give the round a name people will recognise, like “Spring cohort”."
    elif len(clean_text(name)) > NAME_MOST:
        problems["name"] = f"Please keep the name to {NAME_MOST} characters."
    if closes_at is None:
        problems["closes"] = "Pick the day the round closes."
    elif closes_at <= now:
        problems["closes"] = "Pick a day after today."
    return problems


async def waiting_people(deps: Deps) -> list[str]:
    """Everyone who waits for a mentor now, in the order they first took the questionnaire."""
    return await deps.store.waiting_for_a_mentor()


async def free_places(deps: Deps) -> dict[str, int]:
    """Each mentor's places for a round unless they confirm others: what they have free."""
    taken = await deps.store.mentees_now()
    return {
        m.user_id: max(0, m.capacity - taken.get(m.user_id, 0))
        for m in await deps.store.mentors()
        if m.taking
    }


async def start_round(
    deps: Deps,
    admin_id: str,
    name: str,
    closes_at: datetime,
    audience: Audience,
    replaces_first_come: bool,
) -> Done:
    """Open the round; the admin gets the round's card with Match now. One round per name.
    Who waits for a mentor is read after the ack (`round_invites`, stored with the round):
    they are asked to join (or, for `everyone`, are in it and told so), and the mentors with
    free places are asked to confirm them."""
    now = deps.clock()
    started = Round(
        id=uuid.uuid4().hex,
        name=clean_text(name),
        created_by=admin_id,
        created_at=now,
        closes_at=closes_at,
        audience=audience,
        replaces_first_come=replaces_first_come,
    )
    then = Followups(
        effects=(
            new_effect("round_admin", admin_id, now, round_id=started.id),
            new_effect("round_invites", admin_id, now, round_id=started.id),
        )
    )
    if not await deps.store.add_round(started, then):
        return Done(refused=f"There is a round called “{started.name}” already: pick another name.")
    return Done(started, None, then.effects)


async def invite(deps: Deps, round_id: str) -> list[Effect]:
    """Everyone waiting for a mentor now is asked to join the round (or is in it), and every
    mentor with free places is asked for them; once per round (compare-and-set on its
    "invited" mark). The DMs to deliver."""
    for _ in range(3):  # a card's place or a join written meanwhile: read it again
        found = await deps.store.get_round(round_id)
        if found is None or found.state != "open" or "invited" in found.messages:
            return []
        now = deps.clock()
        waiting = await waiting_people(deps)
        effects = [new_effect("round_invite", p, now, round_id=found.id) for p in waiting]
        effects += [
            new_effect("round_places", mentor, now, round_id=found.id)
            for mentor, free in (await free_places(deps)).items()
            if free > 0
        ]
        effects.append(new_effect("round_admin", found.created_by, now, round_id=found.id))
        invited = {**found.messages, "invited": {"at": now.isoformat()}}
        changes: dict[str, Any] = {"messages": invited}
        if found.audience == "everyone":
            changes["joined"] = tuple(dict.fromkeys((*found.joined, *waiting)))
        then = Followups(effects=tuple(effects))
        expect = {"messages": found.messages, "joined": found.joined}
        if await deps.store.update_round(found.id, OPEN, changes, then, expect) is not None:
            return list(then.effects)
    return []


async def join(deps: Deps, user_id: str, round_id: str) -> Done:
    """This person joins an open round, once; they hear on its closing date."""
    found = await deps.store.get_round(round_id)
    if found is None:
        return Done(refused=NOT_FOUND)
    if found.state != "open":
        return Done(refused=f"The {found.name} round has closed: it is not taking anyone now.")
    if user_id in found.joined:
        return Done(found)
    latest = await deps.store.latest_response(user_id)
    intros = await deps.store.intros_of(user_id)
    if latest is None or not waiting_for_a_mentor(latest.recommendation.path, user_id, intros):
        return Done(
            refused="Rounds are for people waiting for a mentor: take `/devpath` first, or "
            "finish the request you have out."
        )
    joined = await deps.store.join_round(round_id, user_id)
    return Done(joined) if joined is not None else Done(refused=TRY_AGAIN)


async def confirm_places(deps: Deps, mentor_id: str, round_id: str, places: int) -> Done:
    """A mentor gives the round this many places (0: none this time), while it is open."""
    mentor = await deps.store.get_mentor(mentor_id)
    if mentor is None or mentor.status != "pool":
        return Done(refused="Only mentors in the pool give places in a round.")
    found = await deps.store.get_round(round_id)
    if found is None:
        return Done(refused=NOT_FOUND)
    if found.state != "open":
        return Done(refused=f"The {found.name} round has closed: thank you all the same.")
    changed = await deps.store.set_round_places(round_id, mentor_id, max(0, min(places, 10)))
    return Done(changed) if changed is not None else Done(refused=TRY_AGAIN)


# The proposal.


@dataclass(frozen=True)
class Proposal:
    pairs: tuple[Pair, ...]
    unmatched: dict[str, str]
    first_come_total: float


async def _mentees(
    deps: Deps, found: Round, people: Iterable[str], places: Mapping[str, int]
) -> tuple[list[Mentee], dict[str, set[str]]]:
    """These people of the round who still wait for a mentor, as matching sees them, and
    the mentors each must not get (past pairs, declines, the admin's removed pairs)."""
    store, content = deps.store, deps.content
    mentees: list[Mentee] = []
    excluded: dict[str, set[str]] = {}
    for user_id in people:
        latest = await store.latest_response(user_id)
        intros = await store.intros_of(user_id)
        if latest is None or not waiting_for_a_mentor(latest.recommendation.path, user_id, intros):
            continue  # matched or asked meanwhile: not the round's to assign any more
        timezone = (await store.person(user_id)).get("timezone")
        mentees.append(content.matching.mentee(user_id, latest.answers, timezone))
        declined = await store.declined_by_tombstone(user_id, list(places))
        excluded[user_id] = excluded_in_rounds(user_id, intros) | declined
    for mentee, mentor in found.removed:
        excluded.setdefault(mentee, set()).add(mentor)
    return mentees, excluded


async def swap_options(deps: Deps, found: Round, mentee_id: str) -> list[Pair]:
    """The mentors who fit this mentee in the round, best first, with their reasons: what a
    swap may choose from (worked out for one person: it must open within Slack's 3 s)."""
    places = {**(await free_places(deps)), **found.places}
    mentees, excluded = await _mentees(deps, found, [mentee_id], places)
    content, now = deps.content, deps.clock()
    mentors = await deps.store.mentors()
    fitting = candidates(mentees, mentors, places, excluded, content.matching, content.labels, now)
    fitting.sort(key=lambda p: (-p.score, p.mentor_id))
    by_id = {m.user_id: m for m in mentees}
    pool = {m.user_id: m for m in mentors}
    return explained(fitting, by_id, pool, places, content.matching, content.labels, now)


async def propose(deps: Deps, found: Round) -> Proposal:
    """The optimal assignment of this round as things are now: who joined and still waits,
    the mentors taking mentees with the places they gave (or have free), the same scores and
    exclusions as the interactive matching, the admin's kept and removed pairs."""
    store, content = deps.store, deps.content
    places = {**(await free_places(deps)), **found.places}
    mentees, excluded = await _mentees(deps, found, found.joined, places)
    mentors: list[Mentor] = await store.mentors()
    labels, now = content.labels, deps.clock()

    def solve() -> tuple[list[Pair], Assignment, float]:
        fitting = candidates(mentees, mentors, places, excluded, content.matching, labels, now)
        ids = [m.user_id for m in mentees]
        best = optimal(ids, places, fitting, found.kept)
        return fitting, best, first_come(ids, places, fitting).total

    # A cohort of a thousand is a second of arithmetic: off the event loop, so requests
    # arriving meanwhile are answered.
    fitting, best, baseline = await asyncio.to_thread(solve)
    fitted = {pair.mentee_id for pair in fitting}
    unmatched = {
        m.user_id: lacking(m, m.user_id in fitted, labels)
        for m in mentees
        if m.user_id in best.unmatched
    }
    by_id = {m.user_id: m for m in mentees}
    pool = {m.user_id: m for m in mentors}
    shown = explained(best.pairs, by_id, pool, places, content.matching, labels, now)
    return Proposal(tuple(shown), unmatched, baseline)


async def match_round(deps: Deps, round_id: str) -> Done:
    """Match now (an admin) or at closing: the proposal is stored and the admin who started
    the round gets the preview. Nobody else hears anything yet. Someone joining while it is
    worked out makes it start again, with them."""
    for _ in range(3):
        found = await deps.store.get_round(round_id)
        if found is None:
            return Done(refused=NOT_FOUND)
        if found.state != "open":
            return Done(refused=f"The {found.name} round is matched already: see its preview.")
        proposal = await propose(deps, found)
        now = deps.clock()
        told = new_effect("round_admin", found.created_by, now, round_id=found.id)
        changes: dict[str, Any] = {
            "state": "matched",
            "proposal": proposal.pairs,
            "unmatched": proposal.unmatched,
            "first_come_total": proposal.first_come_total,
            "matched_at": now,
        }
        then = Followups(effects=(told,))
        moved = await deps.store.update_round(
            found.id, OPEN, changes, then, expect={"joined": found.joined}
        )
        if moved is not None:
            return Done(moved, None, then.effects)
    return Done(refused=TRY_AGAIN)


async def match_due(deps: Deps) -> list[Effect]:
    """Rounds whose closing date has come are matched, each once. What to deliver."""
    effects: list[Effect] = []
    for found in await deps.store.rounds("open"):
        if found.closes_at <= deps.clock():
            done = await match_round(deps, found.id)
            effects += done.effects
    return effects


async def adjust(
    deps: Deps,
    round_id: str,
    kept: tuple[tuple[str, str], ...],
    removed: tuple[tuple[str, str], ...],
) -> Done:
    """The admin's swap or removal: the pairs they set stay, the rest is assigned again."""
    found = await deps.store.get_round(round_id)
    if found is None:
        return Done(refused=NOT_FOUND)
    if found.state != "matched":
        return Done(refused=f"The {found.name} round is {found.state}: nothing to adjust.")
    proposal = await propose(deps, replace(found, kept=kept, removed=removed))
    changes: dict[str, Any] = {
        "kept": kept,
        "removed": removed,
        "proposal": proposal.pairs,
        "unmatched": proposal.unmatched,
    }
    expect = {"kept": found.kept, "removed": found.removed}
    card = new_effect("round_admin", found.created_by, deps.clock(), round_id=found.id)
    then = Followups(effects=(card,))
    moved = await deps.store.update_round(found.id, MATCHED, changes, then, expect=expect)
    return Done(moved, None, then.effects) if moved is not None else Done(refused=TRY_AGAIN)


async def why_not_swap(deps: Deps, found: Round, mentee_id: str, mentor_id: str) -> str | None:
    """Why this mentee may not be given this mentor in the round (None: they may): quick, so
    the swap modal hears it before its ack."""
    if mentor_id not in {p.mentor_id for p in await swap_options(deps, found, mentee_id)}:
        return "Pick one of those who fit."
    others = [k for k in found.kept if k[0] != mentee_id]
    places = {**(await free_places(deps)), **found.places}
    if sum(1 for _, mentor in others if mentor == mentor_id) >= places.get(mentor_id, 0):
        return (
            "Every place that mentor gives this round is already set by your swaps: "
            "swap or remove one of those first."
        )
    return None


async def swap(deps: Deps, round_id: str, mentee_id: str, mentor_id: str) -> Done:
    """This mentee gets this mentor (one of those who fit them), kept as the admin set it;
    the rest is assigned again (after the ack: a cohort's assignment takes a while)."""
    found = await deps.store.get_round(round_id)
    if found is None:
        return Done(refused=NOT_FOUND)
    if why := await why_not_swap(deps, found, mentee_id, mentor_id):
        return Done(refused=why)
    others = [k for k in found.kept if k[0] != mentee_id]
    kept = (*others, (mentee_id, mentor_id))
    removed = tuple(r for r in found.removed if r != (mentee_id, mentor_id))
    return await adjust(deps, round_id, kept, removed)


async def remove(deps: Deps, round_id: str, mentee_id: str, mentor_id: str) -> Done:
    """This pair is never proposed again in the round; the rest is assigned again (the
    mentee may get another mentor, or none)."""
    found = await deps.store.get_round(round_id)
    if found is None:
        return Done(refused=NOT_FOUND)
    kept = tuple(k for k in found.kept if k != (mentee_id, mentor_id))
    removed = (*found.removed, (mentee_id, mentor_id))
    return await adjust(deps, round_id, kept, tuple(dict.fromkeys(removed)))


async def publish(deps: Deps, round_id: str) -> Done:
    """The intro requests go out, as for first-come (the mentor answers Accept or Decline; a
    decline offers the mentee their next match), with the mentees nobody fitted told kindly;
    once. A pair with an intro between them meanwhile is left out, and a mentee whose mentor
    stopped taking mentees since (left, paused, away) is told as the unmatched are."""
    store, now = deps.store, deps.clock()
    found = await store.get_round(round_id)
    if found is None:
        return Done(refused=NOT_FOUND)
    if found.state != "matched":
        return Done(refused=f"The {found.name} round is {found.state}: nothing to publish.")
    expires = now + deps.content.matching.intro_expires_after
    intros: list[Intro] = []
    left_out: list[str] = []
    for pair in found.proposal:
        mentor = await store.get_mentor(pair.mentor_id)
        asked = await store.intros_of(pair.mentee_id)
        if mentor is None or not mentor.taking:
            left_out.append(pair.mentee_id)  # left, paused or away since: told as unmatched
            continue
        if why_not_request(pair.mentee_id, pair.mentor_id, asked):
            continue  # an intro between them meanwhile: they have it already
        intros.append(
            Intro(
                uuid.uuid4().hex,
                pair.mentee_id,
                pair.mentor_id,
                "pending",
                now,
                expires,
                source="round",
            )
        )
    cadence = deps.content.nudges.cadence
    effects = [new_effect("intro_request", i.mentee_id, now, intro_id=i.id) for i in intros]
    effects += [
        new_effect("round_unmatched", mentee, now, round_id=found.id)
        for mentee in [*found.unmatched, *left_out]
    ]
    effects.append(new_effect("round_admin", found.created_by, now, round_id=found.id))
    then = Followups(
        intros=tuple(intros),
        nudges=tuple(n for i in intros for n in plan_after_intro_requested(i, now, cadence)),
        effects=tuple(effects),
    )
    changes = {"state": "published", "published_at": now, "intro_ids": tuple(i.id for i in intros)}
    moved = await store.update_round(
        found.id, MATCHED, changes, then, expect={"proposal": found.proposal}
    )
    if moved is None:
        return Done(refused="This round was published or changed a moment ago.")
    return Done(moved, None, then.effects)


async def in_a_replacing_round(deps: Deps, mentee_id: str) -> Round | None:
    """The open round this mentee joined that replaces first-come intros, if any."""
    return next(
        (
            r
            for r in await deps.store.rounds("open")
            if r.replaces_first_come and mentee_id in r.joined
        ),
        None,
    )


# What follows, made after the ack (bot/flows/outbox.py).


@makes("round_invite")
async def _invite(d: Delivery, effect: Effect) -> None:
    found = await d.deps.store.get_round(effect.data["round_id"])
    if found is not None and found.state == "open":
        await send_dm(d.client, effect.user_id, invite_message(found, effect.user_id))


@makes("round_invites")
async def _invites(d: Delivery, effect: Effect) -> None:
    await deliver(d.deps, d.client, await invite(d.deps, effect.data["round_id"]))


@makes("round_places")
async def _places(d: Delivery, effect: Effect) -> None:
    found = await d.deps.store.get_round(effect.data["round_id"])
    mentor = await d.deps.store.get_mentor(effect.user_id)
    if found is None or found.state != "open" or mentor is None:
        return
    free = (await free_places(d.deps)).get(mentor.user_id, 0)
    await send_dm(d.client, effect.user_id, places_message(found, mentor, free))


@makes("round_admin")
async def _admin(d: Delivery, effect: Effect) -> None:
    """The round's card in the admin's DM: posted once, then updated in place."""
    deps = d.deps
    found = await deps.store.get_round(effect.data["round_id"])
    if found is None:
        return
    message = admin_round_message(found)
    where = found.messages.get("admin")
    if where and where.get("ts"):
        await update_message(d.client, dict(where), message)
        return
    landed = await send_dm(d.client, effect.user_id, message)
    if landed is not None and landed.get("ts"):
        messages = {**found.messages, "admin": landed}
        await deps.store.update_round(
            found.id,
            frozenset({found.state}),
            {"messages": messages},
            expect={"messages": found.messages},
        )


@makes("round_unmatched")
async def _unmatched(d: Delivery, effect: Effect) -> None:
    found = await d.deps.store.get_round(effect.data["round_id"])
    if found is not None:
        await send_dm(d.client, effect.user_id, unmatched_message(found))
