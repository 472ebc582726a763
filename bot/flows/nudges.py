"""Answering nudges, and turning them off or on: each answer is stored, once."""

from __future__ import annotations

from datetime import timedelta

from bot.deps import Deps
from bot.domain.nudges import Nudge, new_nudge
from bot.domain.outbox import NOTHING, Followups
from bot.domain.pool import clean_text

NO_LONGER_ACTIVE = "That reminder is no longer active."
ALREADY_ANSWERED = "You already answered this reminder."
NOT_YOURS = "This reminder is no longer yours to answer."


async def open_nudge(
    deps: Deps, user_id: str, nudge_id: str, answered_ok: bool = False
) -> tuple[Nudge | None, str]:
    """The clicker's own nudge, still open to this answer; else why not, in their words
    (a double click, or an old copy of the DM, changes nothing twice)."""
    nudge = await deps.store.get_nudge(nudge_id)
    if nudge is None or nudge.user_id != user_id:
        return None, NO_LONGER_ACTIVE
    if nudge.state == "sent" or (answered_ok and nudge.state == "answered"):
        return nudge, ""
    return None, ALREADY_ANSWERED


async def stop_nudges(deps: Deps, user_id: str) -> None:
    await deps.store.set_person(user_id, stopped=True)
    await deps.store.cancel_nudges(user_id)


async def start_nudges(deps: Deps, user_id: str) -> None:
    """Back on: mentoring check-ins resume for the intros that are still going."""
    await deps.store.set_person(user_id, stopped=False)
    now, cadence = deps.clock(), deps.content.nudges.cadence
    going = [i for i in await deps.store.intros_of(user_id) if i.state == "accepted"]
    scheduled = {n.subject for n in await deps.store.nudges_of(user_id) if n.state == "scheduled"}
    await deps.store.add_nudges(
        [
            new_nudge(user_id, "check_in", now + cadence.check_in_every, now, i.id)
            for i in going
            if i.id not in scheduled
        ]
    )


OPEN = frozenset({"sent"})
ANSWERED = frozenset({"answered"})


def _again(deps: Deps, nudge: Nudge, kind: str, after: timedelta) -> Nudge:
    """The same person, about the same thing, `after` from now."""
    now = deps.clock()
    return new_nudge(nudge.user_id, kind, now + after, now, nudge.subject)


async def snooze(deps: Deps, nudge: Nudge) -> bool:
    """Snoozed once, however often it is clicked: the same reminder again in a while."""
    later = _again(deps, nudge, nudge.kind, deps.content.nudges.cadence.snooze)
    changes = {"state": "snoozed", "answered_at": deps.clock()}
    moved = await deps.store.answer_nudge(nudge.id, OPEN, changes, Followups(nudges=(later,)))
    return moved is not None


async def record(
    deps: Deps,
    nudge: Nudge,
    answer: dict[str, str],
    again_later: Nudge | None = None,
    adds_to_answer: bool = False,
    once: bool = False,
) -> bool:
    """Store the answer, once: the first answer moves the nudge on (with `again_later`, and,
    for a check-in, the next one when check-ins had stopped for being ignored). With
    `adds_to_answer` (a score, a note), one given after it only adds to it; with `once`,
    only to the answer as this nudge was read (two additions at the same moment: one wins).
    Whether it was stored."""
    store = deps.store
    changes = {
        "state": "answered",
        "answered_at": deps.clock(),
        "answer": {**nudge.answer, **answer},
    }
    follows = [again_later] if again_later else []
    if nudge.kind == "check_in" and not any(
        n.kind == "check_in" and n.subject == nudge.subject and n.state == "scheduled"
        for n in await store.nudges_of(nudge.user_id)
    ):
        follows.append(_again(deps, nudge, "check_in", deps.content.nudges.cadence.check_in_every))
    was = nudge.answer if once else None
    if await store.answer_nudge(nudge.id, OPEN, changes, Followups(nudges=tuple(follows)), was):
        return True
    added = adds_to_answer and await store.answer_nudge(nudge.id, ANSWERED, changes, NOTHING, was)
    return bool(added)


async def not_met_yet(deps: Deps, nudge: Nudge) -> bool:
    later = _again(deps, nudge, "did_you_meet", deps.content.nudges.cadence.did_you_meet_after)
    return await record(deps, nudge, {"met": "no"}, again_later=later)


async def answered_by(deps: Deps, user_id: str, nudge_id: str) -> Nudge | None:
    """The nudge a note or goals modal answers, if it is this person's."""
    nudge = await deps.store.get_nudge(nudge_id)
    return nudge if nudge is not None and nudge.user_id == user_id else None


async def save_note(deps: Deps, nudge: Nudge, note: str) -> None:
    await record(deps, nudge, {"note": clean_text(note)}, adds_to_answer=True)


async def current_goals(deps: Deps, nudge: Nudge) -> str:
    """The goals a goals nudge shows: its engagement's, one a line."""
    engagement = await deps.store.get_engagement(nudge.subject) if nudge.subject else None
    if engagement is not None:
        return "\n".join(engagement.goals)
    return str((await deps.store.person(nudge.user_id)).get("goals", ""))


async def save_goals(deps: Deps, nudge: Nudge, typed: str) -> int:
    """The person's coaching goals, one a line, on the engagement the nudge is about (the
    mid-point and end review ask about these); how many."""
    # Goals keep their lines (one goal each); only stray control characters go.
    lines = [clean_text(line) for line in typed.splitlines() if clean_text(line)]
    engagement = await deps.store.get_engagement(nudge.subject) if nudge.subject else None
    if engagement is not None and lines:
        await deps.store.move_engagement(
            engagement.id, frozenset({"active"}), "active", {"goals": tuple(lines)}
        )
    else:
        await deps.store.set_person(nudge.user_id, goals="\n".join(lines))
    await record(deps, nudge, {"goals": str(len(lines))}, adds_to_answer=True)
    return len(lines)
