"""A mentoring relationship's middle and end: goals rated in check-ins, a pair at risk
flagged once, We're done, End early and the agreed end, and each person's close-out.

Each change is compare-and-set on the intro with what must follow it (bot/domain/outbox.py)
in the same write: a double click or a double submit acts once, and a crash after the write
still sends the DMs. The makers of those DMs are at the foot of this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.deps import Deps
from bot.domain.intros import Intro
from bot.domain.mentoring import at_risk_since, flagged_at_risk
from bot.domain.mentoring_end import (
    AGREED_END,
    DONE,
    agreed_end_passed,
    at_risk_signal,
    closeout_record,
    goal_ratings,
    goals_of,
    how_ended,
    other_of,
    signal_words,
    why_not_close_out,
    why_not_end,
)
from bot.domain.nudges import Nudge
from bot.domain.outbox import Cancel, Effect, Followups, new_effect
from bot.domain.pool import clean_text
from bot.flows import nudges as nudges_flow
from bot.flows.matching import next_matches
from bot.flows.outbox import Delivery, makes
from bot.flows.slack import TRY_AGAIN, send_dm
from bot.screens.mentoring_end import (
    at_risk_admin_message,
    ended_message,
    next_match_message,
    note_message,
    reset_offer_message,
    thanks_message,
)

ACCEPTED = frozenset({"accepted"})
ENDED = frozenset({"ended"})
ABOUT_THE_PAIR = frozenset({"check_in", "did_you_meet"})
RATED_ALREADY = "You already rated your goals for this check-in. Thank you!"
NO_GOALS = "This mentoring has no agreed goals to rate (or it has ended)."


@dataclass(frozen=True)
class Done:
    """The intro as changed, or why not (`refused`, in the clicker's words)."""

    intro: Intro | None = None
    refused: str | None = None
    effects: tuple[Effect, ...] = ()


async def intro_for(deps: Deps, user_id: str, intro_id: str) -> tuple[Intro | None, str | None]:
    """The intro this person may end now, or why not (a stranger, or it ended already)."""
    intro = await deps.store.get_intro(intro_id) if intro_id else None
    why = why_not_end(intro, user_id)
    return (intro, None) if why is None else (None, why)


async def intro_to_close_out(
    deps: Deps, user_id: str, intro_id: str
) -> tuple[Intro | None, str | None]:
    """The ended intro this person may close out, or why not (already done, say)."""
    intro = await deps.store.get_intro(intro_id) if intro_id else None
    why = why_not_close_out(intro, user_id)
    return (intro, None) if why is None else (None, why)


def _closing(intro: Intro, deps: Deps, next_match: bool) -> Followups:
    """What an end brings: the pair's check-ins stop, each gets a close-out, and (after an
    early end) the mentee hears of their next matches."""
    now, pair = deps.clock(), (intro.mentee_id, intro.mentor_id)
    effects = [new_effect("mentoring_ended", person, now, intro_id=intro.id) for person in pair]
    if next_match:
        effects.append(new_effect("mentoring_next_match", intro.mentee_id, now, intro_id=intro.id))
    return Followups(
        cancel=tuple(Cancel(person, intro.id, ABOUT_THE_PAIR) for person in pair),
        effects=tuple(effects),
    )


async def end_mentoring(deps: Deps, user_id: str, intro_id: str, reason: str | None) -> Done:
    """We're done (`reason` None) or End early (with the reason), by one of the two, once:
    accepted -> ended frees the mentor's place in the same write."""
    intro, why = await intro_for(deps, user_id, intro_id)
    if intro is None:
        return Done(refused=why)
    early = reason is not None
    if early and not clean_text(reason or ""):
        return Done(refused="Ending early needs a reason, in a few words.")
    changes = {
        "state": "ended",
        "ended_at": deps.clock(),
        "ended_by": user_id,
        "end_reason": clean_text(reason or "") if early else DONE,
    }
    then = _closing(intro, deps, next_match=early)
    moved = await deps.store.update_intro(intro.id, ACCEPTED, changes, then)
    if moved is None:
        return Done(refused=why_not_end(await deps.store.get_intro(intro.id), user_id) or TRY_AGAIN)
    return Done(moved, None, then.effects)


async def end_at_agreed_ends(deps: Deps) -> list[Effect]:
    """Relationships whose agreed end has passed close by themselves, each once."""
    now = deps.clock()
    effects: list[Effect] = []
    for intro in await deps.store.intros_in("accepted"):
        if not agreed_end_passed(intro, now):
            continue
        changes = {"state": "ended", "ended_at": now, "ended_by": "", "end_reason": AGREED_END}
        then = _closing(intro, deps, next_match=False)
        if await deps.store.update_intro(intro.id, ACCEPTED, changes, then):
            effects += then.effects
    return effects


async def close_out(
    deps: Deps, user_id: str, intro_id: str, goals: str, recommend: str, note: str
) -> Done:
    """This person's close-out, stored once (only while they have none): they are thanked,
    and their note, if any, goes to the other person."""
    for _ in range(3):  # the other person's close-out may land between our read and write
        intro, why = await intro_to_close_out(deps, user_id, intro_id)
        if intro is None:
            return Done(refused=why)
        now, note = deps.clock(), clean_text(note)
        effects = [new_effect("mentoring_thanks", user_id, now, intro_id=intro.id)]
        if note:
            effects.append(new_effect("mentoring_closeout_note", user_id, now, intro_id=intro.id))
        then = Followups(effects=tuple(effects))
        closeouts = {**intro.closeouts, user_id: closeout_record(goals, recommend, note, now)}
        moved = await deps.store.update_intro(
            intro.id, ENDED, {"closeouts": closeouts}, then, expect={"closeouts": intro.closeouts}
        )
        if moved is not None:
            return Done(moved, None, then.effects)
    return Done(refused=TRY_AGAIN)


# The middle: goals in check-ins, and a pair at risk.


async def goals_for_check_in(deps: Deps, nudge: Nudge) -> tuple[str, ...]:
    """The goals a check-in asks about: its relationship's agreement's, while it goes on."""
    intro = await deps.store.get_intro(nudge.subject) if nudge.subject else None
    return goals_of(intro) if intro is not None and intro.state == "accepted" else ()


async def rate_goals(deps: Deps, nudge: Nudge, typed: dict[str, str]) -> str | None:
    """Each goal's progress, 1 to 5, on the check-in's answer, once; None when stored, else
    why not."""
    goals = await goals_for_check_in(deps, nudge)
    if nudge.kind != "check_in" or not goals:
        return NO_GOALS
    if any(key.startswith("goal_") for key in nudge.answer):
        return RATED_ALREADY
    ratings = goal_ratings(typed, len(goals))
    if ratings is None:
        return "Please rate each goal from 1 to 5."
    current: Nudge | None = nudge
    for _ in range(3):  # a score or a note may land between our read and our write
        if current is None or current.user_id != nudge.user_id:
            break
        if any(key.startswith("goal_") for key in current.answer):
            return RATED_ALREADY  # rated at the same moment from another click
        if await nudges_flow.record(deps, current, ratings, adds_to_answer=True, once=True):
            return None
        current = await deps.store.get_nudge(nudge.id)
    return nudges_flow.NO_LONGER_ACTIVE


async def record_score(deps: Deps, nudge: Nudge, points: str) -> tuple[bool, list[Effect]]:
    """A check-in score, stored; then whether the pair now looks at risk. Whether it was
    stored, and what to deliver."""
    stored = await nudges_flow.record(deps, nudge, {"score": points}, adds_to_answer=True)
    intro = await deps.store.get_intro(nudge.subject) if stored and nudge.subject else None
    return stored, (await flag_if_at_risk(deps, intro) if intro is not None else [])


async def flag_if_at_risk(deps: Deps, intro: Intro) -> list[Effect]:
    """Flag the pair once per episode (only while `at_risk` is empty): the admins hear who
    and why, each of the two is offered a reset or an end."""
    if intro.state != "accepted" or flagged_at_risk(intro):
        return []
    store, now = deps.store, deps.clock()
    pair = (intro.mentee_id, intro.mentor_id)
    check_ins = [
        n
        for person in pair
        for n in await store.nudges_of(person)
        if n.kind == "check_in" and n.subject == intro.id
    ]
    since = at_risk_since(intro)
    if since is not None:  # a reset: what came before it is behind them
        check_ins = [n for n in check_ins if n.created_at >= since]
    every = deps.content.nudges.cadence.check_in_every
    signal = at_risk_signal(check_ins, pair, deps.content.mentoring, now, every)
    if signal is None:
        return []
    effects = [new_effect("mentoring_at_risk", intro.mentee_id, now, intro_id=intro.id)]
    effects += [new_effect("mentoring_reset_offer", p, now, intro_id=intro.id) for p in pair]
    then = Followups(effects=tuple(effects))
    flagged = {"signal": signal, "at": now.isoformat()}
    moved = await store.update_intro(
        intro.id, ACCEPTED, {"at_risk": flagged}, then, expect={"at_risk": intro.at_risk}
    )
    return list(then.effects) if moved is not None else []


async def run_due_mentoring(deps: Deps, quiet_pairs: bool = True) -> list[Effect]:
    """The background round's part: agreed ends, then (with `quiet_pairs`) pairs gone quiet.
    What to deliver."""
    effects = await end_at_agreed_ends(deps)
    if quiet_pairs:
        for intro in await deps.store.intros_in("accepted"):
            if not flagged_at_risk(intro):
                effects += await flag_if_at_risk(deps, intro)
    return effects


# What follows, made after the ack (bot/flows/outbox.py).


@makes("mentoring_at_risk")
async def _at_risk(d: Delivery, effect: Effect) -> None:
    intro = await d.deps.store.get_intro(effect.data["intro_id"])
    if intro is None or not intro.at_risk:
        return
    words = signal_words(intro.at_risk.get("signal", ""), d.deps.content.mentoring)
    for admin in sorted(d.deps.settings.admins):
        await send_dm(d.client, admin, at_risk_admin_message(intro, words))


@makes("mentoring_reset_offer")
async def _reset_offer(d: Delivery, effect: Effect) -> None:
    intro = await d.deps.store.get_intro(effect.data["intro_id"])
    if intro is not None and intro.state == "accepted":
        await send_dm(d.client, effect.user_id, reset_offer_message(intro, effect.user_id))


@makes("mentoring_ended")
async def _ended(d: Delivery, effect: Effect) -> None:
    intro = await d.deps.store.get_intro(effect.data["intro_id"])
    if intro is not None and intro.state == "ended":
        await send_dm(
            d.client, effect.user_id, ended_message(intro, effect.user_id, how_ended(intro))
        )


@makes("mentoring_next_match")
async def _next_match(d: Delivery, effect: Effect) -> None:
    intro = await d.deps.store.get_intro(effect.data["intro_id"])
    if intro is None:
        return
    matches = await next_matches(d.client, d.deps, effect.user_id)
    others = [m for m in matches if m.mentor.user_id != intro.mentor_id]
    await send_dm(d.client, effect.user_id, next_match_message(others))


@makes("mentoring_thanks")
async def _thanks(d: Delivery, effect: Effect) -> None:
    intro = await d.deps.store.get_intro(effect.data["intro_id"])
    if intro is not None:
        await send_dm(d.client, effect.user_id, thanks_message(intro, effect.user_id))


@makes("mentoring_closeout_note")
async def _closeout_note(d: Delivery, effect: Effect) -> None:
    intro = await d.deps.store.get_intro(effect.data["intro_id"])
    note = intro.closeouts.get(effect.user_id, {}).get("note", "") if intro else ""
    if intro is not None and note:
        other = other_of(intro, effect.user_id)
        await send_dm(d.client, other, note_message(effect.user_id, note))
