"""The coachee's path: request coaching, the program decides, the person chooses a coach, the
coach answers, the engagement runs and closes.

Each step stores its change with what must follow it (bot/domain/outbox.py) in one write,
compare-and-set, and hands back the effects for the caller to deliver after its ack. The
admin check of a decision is made here, on the server, for every request.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.coaching import (
    HOLDS_A_PLACE,
    OPEN_REQUEST,
    Coach,
    CoachingRequest,
    Engagement,
    may_act_on,
    may_extend,
    planned_end,
    why_not_request,
)
from bot.domain.matching import CoachingSeeker, rank_coaches
from bot.domain.nudges import plan_engagement, plan_offer_reminder
from bot.domain.outbox import Cancel, Effect, Followups, new_effect
from bot.domain.pool import clean_text
from bot.flows.nudges import record
from bot.flows.outbox import Delivery, deliver, makes
from bot.flows.slack import (
    GONE,
    is_admin,
    post_or_refusal,
    post_to_group,
    send_dm,
    update_message,
)
from bot.screens.blocks import escape, when
from bot.screens.coaching import (
    GOAL_FIELDS,
    GOAL_MOST,
    NOTE_MOST,
    admin_request_message,
    approved_message,
    arrange_message,
    arranged_copy,
    booking_message,
    coach_accepted_message,
    coach_declined_message,
    decided_admin_copy,
    declined_message,
    ended_message,
    extended_message,
    history_line,
    kickoff_message,
    no_coach_message,
    offer_answered,
    offer_message,
    requested_message,
)
from bot.store.base import FORMER_COACH

log = logging.getLogger(__name__)
NOT_ADMIN = "Only program admins can decide coaching requests."
NOT_ADMIN_UNDER_WAY = "Only program admins can see the coaching engagements under way."
NOT_FOUND = "This coaching request is not one I can find."


@dataclass(frozen=True)
class Done:
    """What a step did (`request`), or why not (`refused`, in the clicker's words)."""

    request: CoachingRequest | None = None
    refused: str | None = None
    effects: tuple[Effect, ...] = ()
    over_budget: str | None = None  # the budget, when an approval needs a confirmation


async def may_request(deps: Deps, user_id: str) -> str | None:
    """None when this person may ask for coaching now, else why not, in their words."""
    store = deps.store
    latest = await store.latest_response(user_id)
    return why_not_request(
        latest.recommendation.path if latest else None,
        await store.coaching_requests_of(user_id),
        await store.engagements_of(user_id),
    )


def check_request(
    deps: Deps, goals: list[str], timeframe: str, manager: str, note: str, languages: list[str]
) -> dict[str, str]:
    """What is wrong with a request's fields, by the modal's block id ({} when nothing)."""
    rules = deps.content.coaching
    errors: dict[str, str] = {}
    if len(goals) < 2:
        errors["goal_2"] = "Please give at least 2 goals you can measure."
    for block_id, goal in zip(GOAL_FIELDS, goals, strict=False):
        if len(goal) > GOAL_MOST:
            errors[block_id] = f"Please keep each goal to {GOAL_MOST} characters."
    if rules.timeframe(timeframe) is None:
        errors["timeframe"] = "Please choose a timeframe."
    if manager not in dict(rules.manager_knows):
        errors["manager"] = "Please choose one."
    if len(note) > NOTE_MOST:
        errors["note"] = f"Please keep it to {NOTE_MOST} characters."
    known = {c.value for c in deps.content.coaches.languages}
    if unknown := [v for v in languages if v not in known]:
        errors["languages"] = f"'{unknown[0][:40]}' is not one of the languages."
    return errors


async def request_coaching(
    deps: Deps,
    user_id: str,
    goals: list[str],
    timeframe: str,
    manager: str,
    note: str,
    languages: Sequence[str] = (),
) -> Done:
    """Store the request with the person's copy (what next, Withdraw) and the admins' DMs."""
    why = await may_request(deps, user_id)
    if why is not None:
        return Done(refused=why)
    now = deps.clock()
    latest = await deps.store.latest_response(user_id)
    request = CoachingRequest(
        id=uuid.uuid4().hex,
        user_id=user_id,
        goals=tuple(clean_text(g) for g in goals),
        timeframe=timeframe,
        manager_knows=manager,
        created_at=now,
        note=clean_text(note),
        response_id=latest.id if latest else "",
        languages=tuple(dict.fromkeys(languages)),
    )
    then = Followups(
        effects=(
            new_effect("coaching_requested", user_id, now, request_id=request.id),
            new_effect("coaching_request_admins", user_id, now, request_id=request.id),
        )
    )
    if not await deps.store.add_coaching_request(request, then=then):
        return Done(refused=OPEN_REQUEST)
    return Done(request, None, then.effects)


async def withdraw(deps: Deps, user_id: str, request_id: str) -> Done:
    """The person takes back their request: waiting, or approved with no coach chosen yet."""
    store, now = deps.store, deps.clock()
    request = await store.get_coaching_request(request_id)
    if request is None or request.user_id != user_id:
        return Done(refused=NOT_FOUND)
    theirs = await store.engagements_of(user_id)
    if any(e.request_id == request_id and e.state == "ended" for e in theirs):
        return Done(refused="This coaching is closed already: there is nothing to withdraw.")
    then = Followups(
        effects=(new_effect("coaching_admin_copies", user_id, now, request_id=request_id),)
    )
    for state in ("pending", "approved"):
        moved = await store.decide_coaching_request(
            request_id, state, "withdrawn", user_id, now, then=then
        )
        if moved is not None:
            return Done(moved, None, then.effects)
    current = await store.get_coaching_request(request_id)
    if current is not None and current.state == "approved":
        return Done(refused="Your coaching is under way with your coach; end it from there.")
    state = current.state if current else "gone"
    return Done(refused=f"This request cannot be withdrawn any more ({state}).")


async def budget_line(deps: Deps) -> str:
    budget = deps.content.coaching.budget
    return budget.describe(await deps.store.budget_used(budget, deps.clock()))


async def decide(
    client: AsyncWebClient,
    deps: Deps,
    admin_id: str,
    request_id: str,
    approve: bool,
    reason: str = "",
    confirmed: bool = False,
) -> Done:
    """An admin approves (within the budget, or beyond it once `confirmed`) or declines with
    a reason, once: a second click, or a second admin, changes nothing."""
    if not await is_admin(client, deps, admin_id):
        return Done(refused=NOT_ADMIN)
    store, now = deps.store, deps.clock()
    request = await store.get_coaching_request(request_id)
    if request is None:
        return Done(refused=NOT_FOUND)
    user_id = request.user_id
    copies = new_effect("coaching_admin_copies", user_id, now, request_id=request_id)
    if approve:
        then = Followups(
            effects=(copies, new_effect("coaching_approved", user_id, now, request_id=request_id))
        )
        budget = None if confirmed else deps.content.coaching.budget
        moved = await store.decide_coaching_request(
            request_id,
            "pending",
            "approved",
            admin_id,
            now,
            budget=budget,
            over_budget=confirmed,
            then=then,
        )
    else:
        then = Followups(
            effects=(copies, new_effect("coaching_declined", user_id, now, request_id=request_id))
        )
        moved = await store.decide_coaching_request(
            request_id, "pending", "declined", admin_id, now, reason=clean_text(reason), then=then
        )
    if moved is not None:
        return Done(moved, None, then.effects)
    current = await store.get_coaching_request(request_id)
    if approve and current is not None and current.state == "pending":
        return Done(current, over_budget=await budget_line(deps))
    state = current.state if current else "gone"
    return Done(refused=f"This request was already decided ({state}).")


@dataclass(frozen=True)
class Overview:
    """A person's coaching, for Home and status: whether they may ask, their requests, their
    engagements as the coachee with each coach's name, and offers waiting for them as a coach."""

    can_request: bool
    requests: list[CoachingRequest]
    engagements: list[tuple[Engagement, str]]
    offers: list[Engagement]


async def overview(deps: Deps, user_id: str) -> Overview:
    store = deps.store
    theirs = await store.engagements_of(user_id)
    mine = [e for e in theirs if e.user_id == user_id]
    return Overview(
        can_request=await may_request(deps, user_id) is None,
        requests=await store.coaching_requests_of(user_id),
        engagements=[(e, await coach_name(deps, e.coach_id)) for e in mine],
        offers=[e for e in theirs if e.coach_id == user_id and e.state == "offered"],
    )


async def pending_for_admins(deps: Deps) -> tuple[list[CoachingRequest], str]:
    """Requests waiting for a decision, oldest first, and the budget as it stands."""
    return await deps.store.coaching_requests("pending"), await budget_line(deps)


async def under_way_for_admins(deps: Deps) -> list[tuple[Engagement, str]]:
    """Engagements under way, oldest first, each with its coach's name: what an admin may
    end early or extend."""
    names = {c.id: c.name for c in await deps.store.coaches()}  # one read, not one a row
    return [(e, names.get(e.coach_id, e.coach_id)) for e in await deps.store.engagements("active")]


# What follows each step, made after the ack (bot/flows/outbox.py).


@makes("coaching_requested")
async def _requested(d: Delivery, effect: Effect) -> None:
    request = await d.deps.store.get_coaching_request(effect.data["request_id"])
    if request is not None:
        await send_dm(
            d.client, request.user_id, requested_message(request, d.deps.content.coaching)
        )


@makes("coaching_request_admins")
async def _request_admins(d: Delivery, effect: Effect) -> None:
    """Each configured admin gets the request; where each copy landed is kept, so it can be
    updated once decided."""
    deps = d.deps
    request = await deps.store.get_coaching_request(effect.data["request_id"])
    if request is None or request.state != "pending":
        return
    responses = await deps.store.responses(request.user_id)
    given = next((r for r in responses if r.id == request.response_id), None)
    reasons = (
        [r.text for r in given.recommendation.reasons if r.side == "coaching"] if given else []
    )
    history = [
        history_line(r)
        for r in await deps.store.coaching_requests_of(request.user_id)
        if r.id != request.id
    ]
    message = admin_request_message(
        request,
        deps.content.coaching,
        reasons,
        history,
        await budget_line(deps),
        deps.content.coaches.labels,
    )
    landed = []
    for admin in sorted(deps.settings.admins):
        place = await send_dm(d.client, admin, message)
        if place is not None:
            landed.append(place)
    await deps.store.mark_coaching_request(request.id, admin_messages=tuple(landed))


@makes("coaching_admin_copies")
async def _admin_copies(d: Delivery, effect: Effect) -> None:
    request = await d.deps.store.get_coaching_request(effect.data["request_id"])
    if request is None:
        return
    for place in request.admin_messages:
        await update_message(d.client, dict(place), decided_admin_copy(request))


@makes("coaching_declined")
async def _declined(d: Delivery, effect: Effect) -> None:
    request = await d.deps.store.get_coaching_request(effect.data["request_id"])
    if request is not None:
        message = declined_message(d.deps.content.coaching, request.reason)
        await send_dm(d.client, request.user_id, message)


@makes("coaching_approved")
async def _approved(d: Delivery, effect: Effect) -> None:
    request = await d.deps.store.get_coaching_request(effect.data["request_id"])
    if request is not None and request.state == "approved":
        choices = await coach_choices(d.client, d.deps, request)
        await send_dm(d.client, request.user_id, approved_message(request.id, choices))
        if not choices:
            await _no_coach_fits(d, request)


async def _no_coach_fits(d: Delivery, request: CoachingRequest) -> None:
    """Nobody on the roster fits with a free place: the admins hear of it, to add one."""
    message = no_coach_message(request)
    for admin in sorted(d.deps.settings.admins):
        await send_dm(d.client, admin, message)


# Coaches (the roster, bot/domain/coaching.py's Coach).


async def internal_coach_of(deps: Deps, user_id: str) -> str | None:
    """The Slack user ID of this person's coach in an engagement under way, when the coach
    is internal (an external coach has no Slack account here to share anything with)."""
    engagement = await deps.store.active_engagement(user_id)
    if engagement is None:
        return None
    coach = await deps.store.get_coach(engagement.coach_id)
    return coach.id if coach is not None and coach.kind == "internal" else None


async def coach_name(deps: Deps, coach_id: str) -> str:
    coach = await deps.store.get_coach(coach_id)
    return coach.name if coach is not None else coach_id


async def coach_choices(
    client: AsyncWebClient, deps: Deps, request: CoachingRequest
) -> list[tuple[Coach, str]]:
    """The coaches who fit the request best, each with a reason: never one who already
    declined or let an offer of this request lapse, nor one without a free place."""
    store = deps.store
    latest = await store.latest_response(request.user_id)
    person = await deps.workspace.person(client, request.user_id, deps.clock()) or {}
    seeker = CoachingSeeker(
        user_id=request.user_id,
        topics=tuple(latest.answers.get("topics", ())) if latest else (),
        goals=request.goals,
        languages=request.languages,
        timezone=person.get("tz"),
    )
    tried = {
        e.coach_id
        for e in await store.engagements_of(request.user_id)
        if e.request_id == request.id
    }
    rules = deps.content.coaches
    ranked = rank_coaches(
        seeker,
        await store.coaches(),
        await store.coach_places_taken(),
        tried,
        rules,
        rules.labels,
        deps.clock(),
    )
    return [(m.coach, m.reason) for m in ranked]


# The person chooses; an internal coach answers, an external one is arranged.


@dataclass(frozen=True)
class Chosen:
    engagement: Engagement | None = None
    coach: Coach | None = None
    refused: str | None = None
    effects: tuple[Effect, ...] = ()


async def choose_coach(deps: Deps, user_id: str, request_id: str, coach_id: str) -> Chosen:
    """The person picks a coach for their approved request: an internal coach is asked (the
    offer lapses unanswered, with a reminder first), an external one is arranged by the
    program. The coach's place is taken in the same write, so two people cannot both take
    a last place."""
    store, now, rules = deps.store, deps.clock(), deps.content.coaching
    request = await store.get_coaching_request(request_id)
    if request is None or request.user_id != user_id:
        return Chosen(refused=NOT_FOUND)
    if request.state != "approved":
        return Chosen(refused="This request is not approved (any more).")
    coach = await store.get_coach(coach_id)
    if coach is None or not coach.active:
        return Chosen(refused="That coach is not taking people on any more; choose another.")
    tried = [e for e in await store.engagements_of(user_id) if e.request_id == request_id]
    if any(e.coach_id == coach_id and e.state in ("declined", "lapsed") for e in tried):
        return Chosen(refused=f"{escape(coach.name)} could not take this on; choose another coach.")
    internal = coach.kind == "internal"
    engagement = Engagement(
        id=uuid.uuid4().hex,
        request_id=request_id,
        user_id=user_id,
        coach_id=coach_id,
        goals=request.goals,
        state="offered" if internal else "arranging",
        created_at=now,
        expires_at=now + rules.offer_expires_after if internal else None,
    )
    if internal:
        assert engagement.expires_at is not None
        then = Followups(
            nudges=(
                plan_offer_reminder(
                    coach_id, engagement.id, engagement.expires_at, rules.remind_before_lapse, now
                ),
            ),
            effects=(new_effect("coach_offer", user_id, now, engagement_id=engagement.id),),
        )
    else:
        then = Followups(
            effects=(
                new_effect("coach_booking", user_id, now, engagement_id=engagement.id),
                new_effect("coaching_arrange", user_id, now, engagement_id=engagement.id),
            )
        )
    if not await store.add_engagement(engagement, coach.capacity, then=then):
        theirs = [e for e in await store.engagements_of(user_id) if e.request_id == request_id]
        if any(e.state in HOLDS_A_PLACE | {"ended"} for e in theirs):
            return Chosen(refused="You have chosen your coach already: it is in your DMs.")
        return Chosen(
            refused=f"{escape(coach.name)} has no free place right now. Choose another coach."
        )
    return Chosen(engagement, coach, None, then.effects)


@dataclass(frozen=True)
class Answered:
    engagement: Engagement | None = None
    refused: str | None = None
    effects: tuple[Effect, ...] = ()


async def answer_offer(
    client: AsyncWebClient,
    deps: Deps,
    user_id: str,
    engagement_id: str,
    accept: bool,
    pressed: dict[str, str],
) -> Answered:
    """The internal coach accepts or declines, once; for an external coach an admin marks
    the contract arranged (Accept on their DM). Accepting starts the engagement: its
    planned end from the timeframe, its checkpoints planned, the kickoff sent."""
    store, now = deps.store, deps.clock()
    engagement = await store.get_engagement(engagement_id)
    if engagement is None:
        return Answered(refused="This coaching offer is not one I can find.")
    arranging = engagement.state == "arranging"
    if arranging:
        if not accept or not await is_admin(client, deps, user_id):
            return Answered(refused=NOT_ADMIN)
    elif engagement.coach_id != user_id:
        return Answered(refused="This coaching offer is not one I can find for you.")
    coachee = engagement.user_id
    copies = new_effect("coach_copies", coachee, now, engagement_id=engagement_id, **pressed)
    cancel = (Cancel(engagement.coach_id, subject=engagement_id),)
    if accept:
        request = await store.get_coaching_request(engagement.request_id)
        rules = deps.content.coaching
        timeframe = rules.timeframe(request.timeframe) if request else None
        started = replace(
            engagement,
            state="active",
            started_at=now,
            planned_end=planned_end(now, timeframe, rules.timeframes[0].duration),
            expires_at=None,
        )
        then = Followups(
            cancel=cancel,
            nudges=tuple(plan_engagement(started, now, deps.content.nudges.cadence)),
            effects=(
                copies,
                new_effect("coaching_kickoff", coachee, now, engagement_id=engagement_id),
            ),
        )
        changes = {
            "started_at": started.started_at,
            "planned_end": started.planned_end,
            "expires_at": None,
        }
        moved = await store.move_engagement(
            engagement_id, frozenset({"offered", "arranging"}), "active", changes, then
        )
    else:
        then = Followups(
            cancel=cancel,
            effects=(
                copies,
                new_effect(
                    "coach_declined", coachee, now, engagement_id=engagement_id, why="declined"
                ),
            ),
        )
        moved = await store.move_engagement(
            engagement_id, frozenset({"offered"}), "declined", {"ended_at": now}, then
        )
    if moved is not None:
        return Answered(moved, None, then.effects)
    current = await store.get_engagement(engagement_id)
    state = current.state if current else "gone"
    return Answered(refused=f"This offer was already answered ({state}).")


async def lapse_offers(deps: Deps) -> list[Effect]:
    """Offers a coach left unanswered past their time lapse: the coach's copy says so, the
    person hears of it with the next coaches. The effects still to deliver."""
    store, now = deps.store, deps.clock()
    effects: list[Effect] = []
    for engagement in await store.engagements("offered"):
        if engagement.expires_at is None or now < engagement.expires_at:
            continue
        then = Followups(
            cancel=(Cancel(engagement.coach_id, subject=engagement.id),),
            effects=(
                new_effect("coach_copies", engagement.user_id, now, engagement_id=engagement.id),
                new_effect(
                    "coach_declined",
                    engagement.user_id,
                    now,
                    engagement_id=engagement.id,
                    why="lapsed",
                ),
            ),
        )
        moved = await store.move_engagement(
            engagement.id, frozenset({"offered"}), "lapsed", {"ended_at": now}, then
        )
        if moved is not None:
            effects += then.effects
    return effects


# The engagement: ended early, extended once, the mid-point and the end review.


async def _may_act(
    client: AsyncWebClient, deps: Deps, user_id: str, engagement_id: str
) -> tuple[Engagement | None, str | None]:
    engagement = await deps.store.get_engagement(engagement_id)
    if engagement is None:
        return None, "This coaching engagement is not one I can find."
    admin = user_id != engagement.user_id and await is_admin(client, deps, user_id)
    if not may_act_on(engagement, user_id, admin):
        return None, "Only the coachee or a program admin can change this engagement."
    return engagement, None


async def end_early(
    client: AsyncWebClient, deps: Deps, user_id: str, engagement_id: str, reason: str
) -> Answered:
    """The person or an admin ends it before its planned end, with a reason: the coach's
    place frees, the checkpoints still to come are cancelled, the others are told."""
    engagement, why = await _may_act(client, deps, user_id, engagement_id)
    if engagement is None:
        return Answered(refused=why)
    now = deps.clock()
    then = Followups(
        cancel=(Cancel(engagement.user_id, subject=engagement_id),),
        effects=(
            new_effect(
                "coaching_ended", engagement.user_id, now, engagement_id=engagement_id, by=user_id
            ),
        ),
    )
    changes = {"ended_at": now, "end_reason": clean_text(reason)}
    moved = await deps.store.move_engagement(
        engagement_id, frozenset({"active", "arranging"}), "ended", changes, then
    )
    if moved is None:
        return Answered(refused="This engagement is not under way any more.")
    return Answered(moved, None, then.effects)


async def extend(client: AsyncWebClient, deps: Deps, user_id: str, engagement_id: str) -> Answered:
    """Once: the planned end moves by the content's `extend_by`, and the end review with it."""
    engagement, why = await _may_act(client, deps, user_id, engagement_id)
    if engagement is None:
        return Answered(refused=why)
    why = may_extend(engagement)
    if why is not None:
        return Answered(refused=why)
    now, cadence = deps.clock(), deps.content.nudges.cadence
    end = (engagement.planned_end or now) + deps.content.coaching.extend_by
    longer = replace(engagement, planned_end=end, extended=True)
    then = Followups(
        cancel=(Cancel(engagement.user_id, engagement_id, frozenset({"coaching_review"})),),
        nudges=tuple(plan_engagement(longer, now, cadence, kinds={"coaching_review"})),
        effects=(
            new_effect("coaching_extended", engagement.user_id, now, engagement_id=engagement_id),
        ),
    )
    # Compare-and-set on `extended` too: the same state before and after, so two clicks at
    # once extend it once.
    moved = await deps.store.move_engagement(
        engagement_id,
        frozenset({"active"}),
        "active",
        {"planned_end": end, "extended": True},
        then,
        expect={"extended": False},
    )
    if moved is None:
        current = await deps.store.get_engagement(engagement_id)
        return Answered(refused=(may_extend(current) if current else None) or "Not found.")
    return Answered(moved, None, then.effects)


async def checkpoint_of(
    deps: Deps, user_id: str, nudge_id: str
) -> tuple[Engagement | None, str, str]:
    """The engagement a mid-point or end review nudge is about, if it is this person's and
    under way; with the nudge's id, or why not."""
    nudge = await deps.store.get_nudge(nudge_id)
    engagement = await deps.store.get_engagement(nudge.subject) if nudge else None
    if nudge is None or engagement is None or engagement.user_id != user_id:
        return None, "", "That reminder is no longer active."
    if engagement.state != "active":
        return None, "", "This engagement is closed already."
    return engagement, nudge.id, ""


async def goal_count(deps: Deps, engagement_id: str) -> int:
    engagement = await deps.store.get_engagement(engagement_id)
    return len(engagement.goals) if engagement else 0


async def record_progress(
    deps: Deps, user_id: str, engagement_id: str, nudge_id: str, scores: dict[str, int]
) -> bool:
    """The mid-point: each goal's progress, 1 to 5, on the engagement; the nudge answered."""
    engagement = await deps.store.get_engagement(engagement_id)
    if engagement is None or engagement.user_id != user_id:
        return False
    moved = await deps.store.move_engagement(
        engagement_id, frozenset({"active"}), "active", {"progress": scores}
    )
    await _answer_checkpoint(deps, user_id, nudge_id, {"progress": str(len(scores))})
    return moved is not None


async def close_with_review(
    deps: Deps,
    user_id: str,
    engagement_id: str,
    nudge_id: str,
    outcome: dict[str, int],
    would_recommend: bool,
) -> Answered:
    """The end review: each goal's outcome and whether they would recommend the coach; the
    engagement closes and the coach's place frees, once."""
    engagement = await deps.store.get_engagement(engagement_id)
    if engagement is None or engagement.user_id != user_id:
        return Answered(refused="This coaching engagement is not one I can find for you.")
    now = deps.clock()
    then = Followups(
        cancel=(Cancel(user_id, subject=engagement_id),),
        effects=(
            new_effect("coaching_ended", user_id, now, engagement_id=engagement_id, by=user_id),
        ),
    )
    changes = {"outcome": outcome, "would_recommend": would_recommend, "ended_at": now}
    moved = await deps.store.move_engagement(
        engagement_id, frozenset({"active"}), "ended", changes, then
    )
    await _answer_checkpoint(deps, user_id, nudge_id, {"review": "done"})
    if moved is None:
        return Answered(refused="This engagement is closed already.")
    return Answered(moved, None, then.effects)


async def _answer_checkpoint(
    deps: Deps, user_id: str, nudge_id: str, answer: dict[str, str]
) -> None:
    nudge = await deps.store.get_nudge(nudge_id) if nudge_id else None
    if nudge is not None and nudge.user_id == user_id:
        await record(deps, nudge, answer, adds_to_answer=True)


@makes("coach_offer")
async def _coach_offer(d: Delivery, effect: Effect) -> None:
    """The offer in the internal coach's DM; if it cannot reach them, it lapses at once."""
    deps = d.deps
    engagement = await deps.store.get_engagement(effect.data["engagement_id"])
    if engagement is None or engagement.state != "offered" or engagement.expires_at is None:
        return
    now = deps.clock()
    message = offer_message(engagement, deps.content.coaching, when(engagement.expires_at, now))
    landed = await post_or_refusal(d.client, [engagement.coach_id], message)
    if not isinstance(landed, str):
        await deps.store.mark_engagement(engagement.id, coach_message=landed)
        return
    if landed not in GONE:
        # Refused for another reason (ours, not theirs): given up; the offer lapses in its
        # time, and nobody is told the coach is gone.
        log.warning("engagement %s: the offer was refused (%s); given up", engagement.id, landed)
        return
    told = new_effect(
        "coach_declined", engagement.user_id, now, engagement_id=engagement.id, why="lapsed"
    )
    then = Followups(cancel=(Cancel(engagement.coach_id, subject=engagement.id),), effects=(told,))
    if await deps.store.move_engagement(
        engagement.id, frozenset({"offered"}), "lapsed", {"ended_at": now}, then
    ):
        await deliver(deps, d.client, [told])


@makes("coach_copies")
async def _coach_copies(d: Delivery, effect: Effect) -> None:
    """The coach's offer (and a reminder they clicked, or the admin's arrange DM) shows the
    outcome in place of its buttons."""
    engagement = await d.deps.store.get_engagement(effect.data["engagement_id"])
    if engagement is None:
        return
    places = [engagement.coach_message] if engagement.coach_message.get("ts") else []
    pressed = {"channel": effect.data.get("channel", ""), "ts": effect.data.get("ts", "")}
    if pressed["ts"] and pressed not in places:
        places.append(pressed)
    coach = await d.deps.store.get_coach(engagement.coach_id)
    internal = coach is None or coach.kind == "internal"
    message = (
        offer_answered(engagement, engagement.state) if internal else arranged_copy(engagement)
    )
    for place in places:
        await update_message(d.client, dict(place), message)


@makes("coach_declined")
async def _coach_declined(d: Delivery, effect: Effect) -> None:
    """The person hears the coach said no (or did not answer), with the next coaches."""
    deps = d.deps
    engagement = await deps.store.get_engagement(effect.data["engagement_id"])
    if engagement is None:
        return
    request = await deps.store.get_coaching_request(engagement.request_id)
    if request is None:
        return
    if request.state != "approved":
        return  # withdrawn meanwhile: nothing to choose
    choices = await coach_choices(d.client, deps, request)
    name = await coach_name(deps, engagement.coach_id)
    message = coach_declined_message(name, effect.data["why"], request.id, choices)
    await send_dm(d.client, engagement.user_id, message)
    if not choices:
        await _no_coach_fits(d, request)


@makes("coaching_kickoff")
async def _kickoff(d: Delivery, effect: Effect) -> None:
    """An internal coach: the group DM of the two, with the kickoff. An external one: the
    kickoff comes to the person."""
    deps = d.deps
    engagement = await deps.store.get_engagement(effect.data["engagement_id"])
    if engagement is None or engagement.state != "active":
        return
    coach = await deps.store.get_coach(engagement.coach_id)
    internal = coach is None or coach.kind == "internal"
    name = coach.name if coach else engagement.coach_id
    message = kickoff_message(engagement, deps.content.coaching, name, internal)
    if not internal:
        await send_dm(d.client, engagement.user_id, message)
        return
    landed = await post_to_group(d.client, [engagement.user_id, engagement.coach_id], message)
    if landed is not None:
        await deps.store.mark_engagement(engagement.id, channel_id=landed["channel"])
    await send_dm(d.client, engagement.user_id, coach_accepted_message(name))


@makes("coach_booking")
async def _booking(d: Delivery, effect: Effect) -> None:
    engagement = await d.deps.store.get_engagement(effect.data["engagement_id"])
    coach = await d.deps.store.get_coach(engagement.coach_id) if engagement else None
    if engagement is not None and coach is not None:
        await send_dm(d.client, engagement.user_id, booking_message(coach))


@makes("coaching_arrange")
async def _arrange(d: Delivery, effect: Effect) -> None:
    deps = d.deps
    engagement = await deps.store.get_engagement(effect.data["engagement_id"])
    coach = await deps.store.get_coach(engagement.coach_id) if engagement else None
    if engagement is None or coach is None or engagement.state != "arranging":
        return
    for admin in sorted(deps.settings.admins):
        await send_dm(d.client, admin, arrange_message(engagement, coach))


async def _tell_both(d: Delivery, engagement: Engagement, message: dict[str, Any]) -> None:
    """The coachee and, when internal and still known, the coach: in their group DM."""
    people = [engagement.user_id]
    if engagement.channel_id and engagement.coach_id != FORMER_COACH:
        people.append(engagement.coach_id)
    await post_to_group(d.client, people, message)


@makes("coaching_ended")
async def _ended(d: Delivery, effect: Effect) -> None:
    engagement = await d.deps.store.get_engagement(effect.data["engagement_id"])
    if engagement is not None:
        message = ended_message(engagement, effect.data.get("by") == engagement.user_id)
        await _tell_both(d, engagement, message)


@makes("coaching_extended")
async def _extended(d: Delivery, effect: Effect) -> None:
    engagement = await d.deps.store.get_engagement(effect.data["engagement_id"])
    if engagement is not None:
        await _tell_both(d, engagement, extended_message(engagement))
