"""Answering nudges, and turning them off or on: each answer is stored, once."""

from __future__ import annotations

from datetime import timedelta

from bot.deps import Deps
from bot.domain.nudges import Nudge, new_nudge
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


async def again(deps: Deps, nudge: Nudge, kind: str, after: timedelta) -> None:
    """The same person, about the same thing, `after` from now."""
    now = deps.clock()
    await deps.store.add_nudges([new_nudge(nudge.user_id, kind, now + after, now, nudge.subject)])


async def snooze(deps: Deps, nudge: Nudge) -> None:
    await again(deps, nudge, nudge.kind, deps.content.nudges.cadence.snooze)
    await deps.store.update_nudge(nudge.id, state="snoozed", answered_at=deps.clock())


async def record(deps: Deps, nudge: Nudge, answer: dict[str, str]) -> None:
    """Store the answer; answering a check-in brings check-ins back after they stopped for
    being ignored."""
    store = deps.store
    await store.update_nudge(
        nudge.id, state="answered", answered_at=deps.clock(), answer={**nudge.answer, **answer}
    )
    if nudge.kind != "check_in":
        return
    theirs = await store.nudges_of(nudge.user_id)
    if not any(
        n.kind == "check_in" and n.subject == nudge.subject and n.state == "scheduled"
        for n in theirs
    ):
        await again(deps, nudge, "check_in", deps.content.nudges.cadence.check_in_every)


async def not_met_yet(deps: Deps, nudge: Nudge) -> None:
    await again(deps, nudge, "did_you_meet", deps.content.nudges.cadence.did_you_meet_after)
    await record(deps, nudge, {"met": "no"})


async def answered_by(deps: Deps, user_id: str, nudge_id: str) -> Nudge | None:
    """The nudge a note or goals modal answers, if it is this person's."""
    nudge = await deps.store.get_nudge(nudge_id)
    return nudge if nudge is not None and nudge.user_id == user_id else None


async def save_note(deps: Deps, nudge: Nudge, note: str) -> None:
    await deps.store.update_nudge(
        nudge.id,
        state="answered",
        answered_at=deps.clock(),
        answer={**nudge.answer, "note": clean_text(note)},
    )


async def save_goals(deps: Deps, nudge: Nudge, typed: str) -> int:
    """The person's coaching goals, one a line; how many."""
    # Goals keep their lines (one goal each); only stray control characters go.
    lines = [clean_text(line) for line in typed.splitlines() if clean_text(line)]
    await deps.store.set_person(nudge.user_id, goals="\n".join(lines))
    await deps.store.update_nudge(
        nudge.id, state="answered", answered_at=deps.clock(), answer={"goals": str(len(lines))}
    )
    return len(lines)
