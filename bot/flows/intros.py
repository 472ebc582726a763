"""Intros: a mentee asks a mentor, the mentor answers, a request lapses, an open request is
taken. Each stores its change with what must follow it (bot/domain/outbox.py) in one write,
and hands back the effects for the caller to deliver after its ack."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from bot.deps import Deps
from bot.domain.intros import ALREADY_ASKED, Intro, why_mentor_cannot_take, why_not_request
from bot.domain.matching import Mentor
from bot.domain.mentoring import lapses, unanswered
from bot.domain.nudges import plan_after_intro_accepted, plan_after_intro_requested
from bot.domain.outbox import Cancel, Effect, Followups, new_effect
from bot.flows.rounds import in_a_replacing_round
from bot.flows.slack import TRY_AGAIN
from bot.screens.intros import answered_message


@dataclass(frozen=True)
class Asked:
    """A request sent (`intro`), or why not (`refused`, in the mentee's words)."""

    intro: Intro | None = None
    mentor: Mentor | None = None
    refused: str | None = None
    effects: tuple[Effect, ...] = ()


async def why_not_pair(deps: Deps, mentee_id: str, mentor_id: str) -> str | None:
    """Why this mentee may not ask this mentor now, counting what is left of erased intros
    (a decline holds after either erased their data; asks count towards the limit)."""
    rules = deps.content.matching
    return why_not_request(
        mentee_id,
        mentor_id,
        await deps.store.intros_of(mentee_id),
        await deps.store.pair_tombstones(mentee_id, mentor_id),
        deps.clock(),
        (rules.ask_limit, rules.ask_window),
    )


async def may_ask(deps: Deps, mentee_id: str, mentor_id: str) -> tuple[Mentor | None, str | None]:
    """The mentor, and why this mentee may not ask them now (None: they may)."""
    mentor = await deps.store.get_mentor(mentor_id) if mentor_id else None
    why = await why_not_pair(deps, mentee_id, mentor_id)
    if why is None or mentor is None or not mentor.taking:
        why = why_mentor_cannot_take(mentor, await deps.store.mentees_now(), mentee_id) or why
    return mentor, why


async def request_intro(
    deps: Deps, mentee_id: str, mentor_id: str, note: str, shares: tuple[str, ...]
) -> Asked:
    """Store the request with the mentor's DM and their reminder before it lapses."""
    mentor, why = await may_ask(deps, mentee_id, mentor_id)
    if why is not None or mentor is None:
        return Asked(mentor=mentor, refused=why or "")
    waiting = await in_a_replacing_round(deps, mentee_id)
    if waiting is not None:
        return Asked(
            mentor=mentor,
            refused=f"You are in the {waiting.name} round: devpath matches everyone in it at "
            f"once when it closes, {waiting.closes_at:%A %-d %B}, and tells you then.",
        )
    now = deps.clock()
    intro = Intro(
        id=uuid.uuid4().hex,
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        state="pending",
        requested_at=now,
        expires_at=now + deps.content.matching.intro_expires_after,
        note=note,
        shares=shares,
    )
    then = Followups(
        nudges=tuple(plan_after_intro_requested(intro, now, deps.content.nudges.cadence)),
        effects=(new_effect("intro_request", mentee_id, now, intro_id=intro.id),),
    )
    if not await deps.store.add_intro(intro, then=then):
        return Asked(mentor=mentor, refused=ALREADY_ASKED)
    return Asked(intro, mentor, None, then.effects)


@dataclass(frozen=True)
class Answered:
    """The intro as answered, or what to tell the mentor instead (`refused`)."""

    intro: Intro | None = None
    refused: str | None = None
    effects: tuple[Effect, ...] = ()


async def answer_intro(
    deps: Deps, mentor_id: str, intro_id: str, accept: bool, pressed: dict[str, str]
) -> Answered:
    """Accept (if the mentor still has a free place) or decline, once: a second click, or
    the other button after the first, changes nothing. `pressed` is the message clicked."""
    store = deps.store
    intro = await store.get_intro(intro_id)
    if intro is None or intro.mentor_id != mentor_id:
        return Answered(refused="This request is not one I can find for you.")
    now = deps.clock()
    mentor = await store.get_mentor(mentor_id)
    outcome = "accepted" if accept else "declined"
    effects = [
        new_effect("mentor_copies", mentor_id, now, intro_id=intro_id, outcome=outcome, **pressed)
    ]
    if accept:
        effects += [
            new_effect("kickoff", intro.mentee_id, now, mentor_id=mentor_id, intro_id=intro_id),
            new_effect("mentee_accepted", intro.mentee_id, now, mentor_id=mentor_id),
        ]
        accepted = replace(intro, state="accepted", answered_at=now)
        nudges = tuple(plan_after_intro_accepted(accepted, now, deps.content.nudges.cadence))
    else:
        name = mentor.name if mentor else f"<@{mentor_id}>"
        effects.append(
            new_effect("mentee_declined", intro.mentee_id, now, mentor_name=name, why="declined")
        )
        nudges = ()
    then = Followups(
        cancel=(Cancel(mentor_id, subject=intro_id),), nudges=nudges, effects=tuple(effects)
    )
    capacity = mentor.capacity if mentor and accept else None
    moved = await store.move_intro(intro_id, "pending", outcome, now, capacity, then=then)
    if moved is not None:
        return Answered(moved, None, then.effects)
    current = await store.get_intro(intro_id)
    if current is not None and current.state == "pending":
        return Answered(refused=answered_message(intro, "full")["text"])
    state = current.state if current else "gone"
    return Answered(refused=f"You already answered this request ({state}).")


async def lapse_intros(deps: Deps) -> list[Effect]:
    """Requests whose time ran out lapse: the mentor's copy says so, the mentee hears of it
    with their next matches. The effects still to deliver."""
    now, store = deps.clock(), deps.store
    effects: list[Effect] = []
    for intro in await store.pending_intros():
        if not lapses(intro, now):  # not yet, or the mentor waits for the mentee's answer
            continue
        mentor = await store.get_mentor(intro.mentor_id)
        then = Followups(
            cancel=(Cancel(intro.mentor_id, subject=intro.id),),
            effects=(
                new_effect(
                    "mentor_copies", intro.mentor_id, now, intro_id=intro.id, outcome="expired"
                ),
                new_effect(
                    "mentee_declined",
                    intro.mentee_id,
                    now,
                    mentor_name=mentor.name if mentor else "Your mentor",
                    why="unanswered" if unanswered(intro, now) else "expired",
                ),
            ),
        )
        # Only as read: a question asked (or answered) meanwhile stops (or moves) the clock.
        lapsed = await store.update_intro(
            intro.id,
            frozenset({"pending"}),
            {"state": "expired", "answered_at": now},
            then=then,
            expect={"question": intro.question, "expires_at": intro.expires_at},
        )
        if lapsed is not None:
            effects += then.effects
    return effects


async def claim_open_request(
    deps: Deps, mentor_id: str, request_id: str
) -> tuple[str, tuple[Effect, ...]]:
    """A mentor takes a mentee's open request: the first one to click gets it. What to tell
    the mentor ("" when it is theirs), and the effects to deliver."""
    store = deps.store
    mentor = await store.get_mentor(mentor_id)
    request = await store.get_open_request(request_id)
    if request is None:
        return "That request is no longer open.", ()
    if request["mentee_id"] == mentor_id:
        return "That is your own request: a mentor will pick it up.", ()
    why = why_mentor_cannot_take(mentor, await store.mentees_now())
    if why is not None:
        return why, ()
    mentee_id = request["mentee_id"]
    if await why_not_pair(deps, mentee_id, mentor_id):
        return f"You and <@{mentee_id}> already have an intro: it is in your DMs.", ()
    now = deps.clock()
    intro = Intro(
        uuid.uuid4().hex,
        mentee_id,
        mentor_id,
        "accepted",
        now,
        now,
        answered_at=now,
        source="open_request",
    )
    then = Followups(
        intros=(intro,),
        nudges=tuple(plan_after_intro_accepted(intro, now, deps.content.nudges.cadence)),
        effects=(
            new_effect("kickoff", mentee_id, now, mentor_id=mentor_id, intro_id=intro.id),
            new_effect(
                "request_taken",
                mentee_id,
                now,
                mentor_id=mentor_id,
                channel=str(request["channel"]),
                ts=str(request["ts"]),
            ),
            new_effect("mentee_accepted", mentee_id, now, mentor_id=mentor_id),
        ),
    )
    capacity = mentor.capacity if mentor else None
    if await store.claim_open_request(request_id, mentor_id, now, then, capacity) is not None:
        return "", then.effects
    # Refused as a whole (nothing stored, nothing sent): say why, as things are now.
    current = await store.get_open_request(request_id)
    if current is not None and not current.get("claimed_by"):
        if why_not_request(mentee_id, mentor_id, await store.intros_of(mentee_id)):
            return f"You and <@{mentee_id}> already have an intro: it is in your DMs.", ()
        return why_mentor_cannot_take(mentor, await store.mentees_now()) or TRY_AGAIN, ()
    return "Someone was quicker: this request is taken. Thank you for offering!", ()


async def post_open_request(deps: Deps, mentee_id: str) -> tuple[str, tuple[Effect, ...]]:
    """The mentee's request in the match channel, for any mentor to take. Reserved in the
    store first (one not yet claimed per mentee: a double click posts once), posted after
    the ack by the outbox, which records where it landed. What to tell the mentee now
    ("" when the post is on its way), and the effects to deliver."""
    channel = deps.settings.match_channel
    latest = await deps.store.latest_response(mentee_id)
    if channel is None or latest is None:
        return "Open requests are not set up in this workspace yet: ask your program admins.", ()
    now = deps.clock()
    request_id = uuid.uuid4().hex
    record: dict[str, Any] = {
        "id": request_id,
        "mentee_id": mentee_id,
        "channel": channel,
        "ts": None,
        "created_at": now.isoformat(),
        "claimed_by": None,
    }
    then = Followups(
        effects=(new_effect("open_request_post", mentee_id, now, request_id=request_id),)
    )
    if not await deps.store.reserve_open_request(record, then):
        return f"Your open request is already up in <#{channel}>.", ()
    return "", then.effects
