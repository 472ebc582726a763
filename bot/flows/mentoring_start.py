"""A mentoring relationship's start: the mentor's question before accepting, the kickoff's
meeting times, and the agreement the mentee writes and both confirm.

Each click is a compare-and-set on the intro (bot/store/base.py `update_intro`) that carries
what must follow it (bot/domain/outbox.py), so a double click acts once and a crash after
the ack loses nothing; the makers of those effects are here too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.deps import Deps
from bot.domain.intros import Intro
from bot.domain.meetings import meeting_times
from bot.domain.mentoring import (
    Agreement,
    agreement_of,
    expiry_once_answered,
    goal_problems,
    lapses,
    reset_if_flagged,
    waiting_on_mentee,
)
from bot.domain.nudges import plan_after_intro_requested
from bot.domain.outbox import Cancel, Effect, Followups, new_effect
from bot.domain.pool import clean_text
from bot.flows.outbox import Delivery, makes, request_message
from bot.flows.slack import TRY_AGAIN, post_to_group, send_dm, update_message
from bot.screens.blocks import when
from bot.screens.intros import kickoff_message
from bot.screens.mentoring import (
    MEET_EVERY,
    RUNS_FOR,
    agreement_message,
    answer_for_mentor,
    goal_errors,
    question_answered_message,
    question_message,
    replaced_message,
    start_blocks,
)

PENDING, ACCEPTED = frozenset({"pending"}), frozenset({"accepted"})
NOT_YOUR_REQUEST = "This request is not one I can find for you."
NOT_YOUR_QUESTION = "This question is not one I can find for you."
NOT_YOUR_MENTORING = "This mentoring is not one I can find for you."
NOT_UNDER_WAY = "This mentoring is not under way any more."
STATES = {
    "accepted": "accepted",
    "declined": "declined",
    "expired": "lapsed",
    "ended": "over",
}
ANSWER_REQUEST = frozenset({"answer_request"})


@dataclass(frozen=True)
class Done:
    """The intro as changed, or what to tell the person instead (`refused`)."""

    intro: Intro | None = None
    refused: str | None = None
    effects: tuple[Effect, ...] = ()


# The mentor's question, before accepting.


async def may_ask_question(deps: Deps, mentor_id: str, intro_id: str) -> tuple[Intro | None, str]:
    """The request, if this mentor may ask its mentee a question now; else why not ("")."""
    intro = await deps.store.get_intro(intro_id) if intro_id else None
    if intro is None or intro.mentor_id != mentor_id:
        return None, NOT_YOUR_REQUEST
    if intro.state != "pending":
        return None, f"You already answered this request ({STATES.get(intro.state, intro.state)})."
    if intro.question.get("text"):
        return None, "You already asked them a question; a request takes one."
    if lapses(intro, deps.clock()):
        return None, "This request has just lapsed."
    return intro, ""


async def ask_question(deps: Deps, mentor_id: str, intro_id: str, text: str) -> Done:
    """Store the question on the pending request, once: the mentee gets it by DM, the
    mentor's request shows it, and their reminder is off while they wait for the answer."""
    intro, why = await may_ask_question(deps, mentor_id, intro_id)
    if intro is None:
        return Done(refused=why)
    now = deps.clock()
    then = Followups(
        cancel=(Cancel(mentor_id, subject=intro.id, kinds=ANSWER_REQUEST),),
        effects=(
            new_effect("question_asked", mentor_id, now, intro_id=intro.id),
            new_effect("request_refresh", mentor_id, now, intro_id=intro.id),
        ),
    )
    question = {"text": clean_text(text), "asked_at": now.isoformat()}
    changed = await deps.store.update_intro(
        intro.id, PENDING, {"question": question}, then=then, expect={"question": {}}
    )
    if changed is None:
        _, why = await may_ask_question(deps, mentor_id, intro_id)
        return Done(refused=why or TRY_AGAIN)
    return Done(changed, None, then.effects)


async def may_answer(deps: Deps, mentee_id: str, intro_id: str) -> tuple[Intro | None, str]:
    """The request, if this mentee may answer its mentor's question now; else why not."""
    intro = await deps.store.get_intro(intro_id) if intro_id else None
    if intro is None or intro.mentee_id != mentee_id or not intro.question.get("text"):
        return None, NOT_YOUR_QUESTION
    if intro.question.get("answer"):
        return None, "You already answered this question: they have your answer."
    if intro.state != "pending":
        state = STATES.get(intro.state, intro.state)
        return None, f"Your request was answered meanwhile ({state}): no answer is needed now."
    return intro, ""


async def answer_question(
    deps: Deps, mentee_id: str, intro_id: str, text: str, place: dict[str, str]
) -> Done:
    """Store the answer, once: the request's lapse moves on by how long the question waited,
    the mentor's reminder is planned again, their request shows the answer and they get a
    heads-up. `place` is the mentee's question DM, updated to show what they answered.
    Bookkeeping written meanwhile (where the question's DM landed) is read again, not a
    refusal."""
    for _ in range(3):
        done = await _answer_once(deps, mentee_id, intro_id, text, place)
        if done.refused != TRY_AGAIN:
            return done
    return done


async def _answer_once(
    deps: Deps, mentee_id: str, intro_id: str, text: str, place: dict[str, str]
) -> Done:
    intro, why = await may_answer(deps, mentee_id, intro_id)
    if intro is None:
        return Done(refused=why)
    now = deps.clock()
    question = {**intro.question, "answer": clean_text(text), "answered_at": now.isoformat()}
    answered = replace(intro, question=question, expires_at=expiry_once_answered(intro, now))
    effects = [
        new_effect("request_refresh", mentee_id, now, intro_id=intro.id),
        new_effect("question_answered", mentee_id, now, intro_id=intro.id),
    ]
    if place:
        effects.append(new_effect("answer_copy", mentee_id, now, intro_id=intro.id, **place))
    then = Followups(
        cancel=(Cancel(intro.mentor_id, subject=intro.id, kinds=ANSWER_REQUEST),),
        nudges=tuple(plan_after_intro_requested(answered, now, deps.content.nudges.cadence)),
        effects=tuple(effects),
    )
    changed = await deps.store.update_intro(
        intro.id,
        PENDING,
        {"question": question, "expires_at": answered.expires_at},
        then=then,
        expect={"question": intro.question},
    )
    if changed is None:
        _, why = await may_answer(deps, mentee_id, intro_id)
        return Done(refused=why or TRY_AGAIN)
    return Done(changed, None, then.effects)


# The agreement: the mentee writes it, both confirm.


async def may_write_agreement(deps: Deps, user_id: str, intro_id: str) -> tuple[Intro | None, str]:
    """The relationship, if this person may write its agreement now (its mentee); else why
    not, kindly to a mentor."""
    intro = await deps.store.get_intro(intro_id) if intro_id else None
    if intro is None or user_id not in (intro.mentee_id, intro.mentor_id):
        return None, NOT_YOUR_MENTORING
    if intro.state != "accepted":
        return None, NOT_UNDER_WAY
    if user_id != intro.mentee_id:
        return None, (
            f"<@{intro.mentee_id}> writes the goals: they are theirs to set. Once they propose "
            "the agreement, you confirm it in your group DM (or talk it over first)."
        )
    return intro, ""


def agreement_errors(
    deps: Deps, goals: list[str], meet_every: str, runs_for: str
) -> dict[str, str]:
    """Inline errors for the agreement modal, by block; {} when it will do."""
    rules = deps.content.mentoring
    errors = goal_errors(goal_problems([clean_text(g) for g in goals]))
    if meet_every not in {c.value for c in rules.meet_every}:
        errors[MEET_EVERY] = "Please pick one of the choices."
    if runs_for not in {c.value for c in rules.runs_for}:
        errors[RUNS_FOR] = "Please pick one of the choices."
    return errors


async def propose_agreement(
    deps: Deps, mentee_id: str, intro_id: str, goals: list[str], meet_every: str, runs_for: str
) -> Done:
    """Store the mentee's agreement (a new one asks both to confirm again) and post it in
    the pair's group DM; compare-and-set against the agreement as it was read."""
    intro, why = await may_write_agreement(deps, mentee_id, intro_id)
    if intro is None:
        return Done(refused=why)
    now = deps.clock()
    agreement = Agreement(
        goals=tuple(g for g in (clean_text(g) for g in goals) if g),
        meet_every=meet_every,
        runs_for=runs_for,
        proposed_at=now,
        proposed_by=mentee_id,
    )
    previous = agreement_of(intro)
    replaced = (
        {"old_channel": previous.message["channel"], "old_ts": previous.message["ts"]}
        if previous is not None and previous.message.get("ts")
        else {}
    )
    posted = new_effect(
        "agreement_post",
        mentee_id,
        now,
        intro_id=intro.id,
        proposed_at=now.isoformat(),
        **replaced,
    )
    then = Followups(effects=(posted,))
    changed = await deps.store.update_intro(
        intro.id,
        ACCEPTED,
        {"agreement": agreement.doc()},
        then=then,
        expect={"agreement": intro.agreement},
    )
    if changed is None:
        _, why = await may_write_agreement(deps, mentee_id, intro_id)
        return Done(refused=why or TRY_AGAIN)
    return Done(changed, None, then.effects)


async def confirm_agreement(deps: Deps, user_id: str, intro_id: str, proposal: str | None) -> Done:
    """This person confirms the agreement (the one proposed at `proposal`, when the click
    says which); once both have, it runs from now. Compare-and-set: a double click confirms
    once, and two people confirming at once both count."""
    for _ in range(3):
        intro = await deps.store.get_intro(intro_id) if intro_id else None
        if intro is None or user_id not in (intro.mentee_id, intro.mentor_id):
            return Done(refused=NOT_YOUR_MENTORING)
        if intro.state != "accepted":
            return Done(refused=NOT_UNDER_WAY)
        agreement = agreement_of(intro)
        if agreement is None:
            return Done(refused="There is no agreement to confirm yet.")
        if proposal is not None and not _same_moment(proposal, agreement.proposed_at):
            return Done(
                refused="That agreement was replaced by a newer one: please confirm the "
                "latest one in your group DM."
            )
        if user_id in agreement.confirmed_by:
            agreed = " You have both agreed." if agreement.confirmed(intro) else ""
            return Done(refused=f"You already confirmed this agreement.{agreed}")
        now = deps.clock()
        confirmed = agreement.confirm(user_id, intro, now)
        then = Followups(effects=(new_effect("agreement_update", user_id, now, intro_id=intro.id),))
        changed = await deps.store.update_intro(
            intro.id,
            ACCEPTED,
            reset_if_flagged(intro, confirmed, now),
            then=then,
            expect={"agreement": intro.agreement, "at_risk": intro.at_risk},
        )
        if changed is not None:
            return Done(changed, None, then.effects)
    return Done(refused=TRY_AGAIN)


def _same_moment(text: str, moment: datetime) -> bool:
    try:
        return datetime.fromisoformat(text) == moment
    except ValueError:
        return False


async def relationships(deps: Deps, user_id: str) -> list[tuple[Intro, Agreement | None]]:
    """This person's mentoring under way, as mentee or mentor, newest first, with each
    one's agreement (None until the mentee proposes one)."""
    under_way = [i for i in await deps.store.intros_of(user_id) if i.state == "accepted"]
    under_way.sort(key=lambda i: i.answered_at or i.requested_at, reverse=True)
    return [(i, agreement_of(i)) for i in under_way]


# What follows: the makers of these effects (bot/flows/outbox.py delivers them).


@makes("question_asked")
async def _question_asked(d: Delivery, effect: Effect) -> None:
    intro = await d.deps.store.get_intro(effect.data["intro_id"])
    if intro is None or not waiting_on_mentee(intro):
        return
    landed = await send_dm(d.client, intro.mentee_id, question_message(intro))
    if landed is not None and landed.get("ts"):
        # Where the question is, so it is withdrawn if the mentor erases their data.
        where = {"dm_channel": landed["channel"], "dm_ts": landed["ts"]}
        await d.deps.store.update_intro(
            intro.id,
            frozenset({intro.state}),
            {"question": {**intro.question, **where}},
            expect={"question": intro.question},
        )


@makes("request_refresh")
async def _request_refresh(d: Delivery, effect: Effect) -> None:
    """The mentor's request, drawn again where it is (now with the question or answer);
    only while it is pending, so an outcome already shown there stays."""
    deps = d.deps
    intro = await deps.store.get_intro(effect.data["intro_id"])
    if intro is None or intro.state != "pending" or not intro.mentor_message.get("ts"):
        return
    await update_message(d.client, dict(intro.mentor_message), await request_message(deps, intro))


@makes("question_answered")
async def _question_answered(d: Delivery, effect: Effect) -> None:
    intro = await d.deps.store.get_intro(effect.data["intro_id"])
    if intro is not None and intro.state == "pending":
        lapses_at = when(intro.expires_at, d.deps.clock())
        await send_dm(d.client, intro.mentor_id, answer_for_mentor(intro, lapses_at))


@makes("answer_copy")
async def _answer_copy(d: Delivery, effect: Effect) -> None:
    intro = await d.deps.store.get_intro(effect.data["intro_id"])
    if intro is not None and intro.question.get("answer"):
        place = {"channel": effect.data["channel"], "ts": effect.data["ts"]}
        await update_message(d.client, place, question_answered_message(intro))


@makes("kickoff")
async def _kickoff(d: Delivery, effect: Effect) -> None:
    """The pair's group DM: hello, the agenda, meeting times inside both people's working
    hours (their timezones asked of Slack now, after the ack), and the agreement to write."""
    deps = d.deps
    mentee_id, mentor_id = effect.user_id, effect.data["mentor_id"]
    intro_id = effect.data.get("intro_id") or await _pair_intro(deps, mentee_id, mentor_id)
    now = deps.clock()
    zones: list[str | None] = []
    guessed = []
    for user_id in (mentee_id, mentor_id):
        person = await deps.workspace.person(d.client, user_id, now)
        tz = person.get("tz") if person else None
        zones.append(tz if isinstance(tz, str) and tz else None)
        if zones[-1] is None:
            guessed.append(user_id)
    rules = deps.content.mentoring
    times = meeting_times(
        zones, deps.content.nudges.hours, now, rules.meeting_suggestions, rules.meeting_length
    )
    start = start_blocks(intro_id, mentee_id, times, guessed, rules) if intro_id else []
    message = kickoff_message(deps.content, mentee_id, mentor_id, start)
    await post_to_group(d.client, [mentee_id, mentor_id], message)


async def _pair_intro(deps: Deps, mentee_id: str, mentor_id: str) -> str:
    """The pair's relationship, for a kickoff stored before kickoffs named it."""
    return next(
        (
            i.id
            for i in await deps.store.intros_of(mentee_id)
            if i.mentor_id == mentor_id and i.state == "accepted"
        ),
        "",
    )


@makes("agreement_post")
async def _agreement_post(d: Delivery, effect: Effect) -> None:
    """The proposed agreement in the pair's group DM, where it landed kept on it; the one it
    replaces says so. A proposal replaced before it was posted is not posted."""
    deps = d.deps
    intro = await deps.store.get_intro(effect.data["intro_id"])
    agreement = agreement_of(intro) if intro is not None else None
    if intro is None or agreement is None or intro.state != "accepted":
        return
    if not _same_moment(effect.data["proposed_at"], agreement.proposed_at):
        return
    if effect.data.get("old_ts"):
        old = {"channel": effect.data["old_channel"], "ts": effect.data["old_ts"]}
        await update_message(d.client, old, replaced_message())
    if agreement.message.get("ts"):
        return  # posted before a crash: the place is kept, nothing to post again
    rules = deps.content.mentoring
    landed = await post_to_group(
        d.client, [intro.mentee_id, intro.mentor_id], agreement_message(agreement, intro, rules)
    )
    if landed is None:
        return
    for _ in range(5):  # a confirmation may land meanwhile: keep it, add the place
        current = await deps.store.get_intro(intro.id)
        now_agreed = agreement_of(current) if current is not None else None
        if current is None or now_agreed is None or now_agreed.proposed_at != agreement.proposed_at:
            return
        placed = replace(now_agreed, message=landed)
        stored = await deps.store.update_intro(
            intro.id,
            ACCEPTED,
            {"agreement": placed.doc()},
            expect={"agreement": current.agreement},
        )
        if stored is not None:
            if placed.confirmed_by != agreement.confirmed_by:
                await update_message(d.client, landed, agreement_message(placed, stored, rules))
            return


@makes("agreement_update")
async def _agreement_update(d: Delivery, effect: Effect) -> None:
    """The agreement's message in the group DM, as it is now: who confirmed, or Agreed."""
    intro = await d.deps.store.get_intro(effect.data["intro_id"])
    agreement = agreement_of(intro) if intro is not None else None
    if intro is None or agreement is None or not agreement.message.get("ts"):
        return
    message = agreement_message(agreement, intro, d.deps.content.mentoring)
    await update_message(d.client, dict(agreement.message), message)
