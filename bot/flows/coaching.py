"""The coachee's path: request coaching, the program decides, the person chooses a coach, the
coach answers, the engagement runs and closes.

Each step stores its change with what must follow it (bot/domain/outbox.py) in one write,
compare-and-set, and hands back the effects for the caller to deliver after its ack. The
admin check of a decision is made here, on the server, for every request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.coaching import (
    OPEN_REQUEST,
    Coach,
    CoachingRequest,
    Engagement,
    why_not_request,
)
from bot.domain.outbox import Effect, Followups, new_effect
from bot.domain.pool import clean_text
from bot.flows.outbox import Delivery, makes
from bot.flows.slack import is_admin, send_dm, update_message
from bot.screens.coaching import (
    admin_request_message,
    approved_message,
    decided_admin_copy,
    declined_message,
    history_line,
    requested_message,
)

NOT_ADMIN = "Only program admins can decide coaching requests."
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
    deps: Deps, goals: list[str], timeframe: str, manager: str, note: str
) -> dict[str, str]:
    """What is wrong with a request's fields, by the modal's block id ({} when nothing)."""
    rules = deps.content.coaching
    errors: dict[str, str] = {}
    if len(goals) < 2:
        errors["goal_2"] = "Please give at least 2 goals you can measure."
    if rules.timeframe(timeframe) is None:
        errors["timeframe"] = "Please choose a timeframe."
    if manager not in dict(rules.manager_knows):
        errors["manager"] = "Please choose one."
    if len(note) > 500:
        errors["note"] = "Please keep it to 500 characters."
    return errors


async def request_coaching(
    deps: Deps, user_id: str, goals: list[str], timeframe: str, manager: str, note: str
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
    """A person's coaching, for Home and status: whether they may ask, their requests, and
    their engagements as the coachee with each coach's name."""

    can_request: bool
    requests: list[CoachingRequest]
    engagements: list[tuple[Engagement, str]]


async def overview(deps: Deps, user_id: str) -> Overview:
    store = deps.store
    mine = [e for e in await store.engagements_of(user_id) if e.user_id == user_id]
    return Overview(
        can_request=await may_request(deps, user_id) is None,
        requests=await store.coaching_requests_of(user_id),
        engagements=[(e, await coach_name(deps, e.coach_id)) for e in mine],
    )


async def pending_for_admins(deps: Deps) -> tuple[list[CoachingRequest], str]:
    """Requests waiting for a decision, oldest first, and the budget as it stands."""
    return await deps.store.coaching_requests("pending"), await budget_line(deps)


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
        request, deps.content.coaching, reasons, history, await budget_line(deps)
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


# Coaches (the roster).


async def coach_name(deps: Deps, coach_id: str) -> str:
    return coach_id


async def coach_choices(
    client: AsyncWebClient, deps: Deps, request: CoachingRequest
) -> list[tuple[Coach, str]]:
    """Up to the content's number of coaches who fit the request, each with a reason."""
    return []
