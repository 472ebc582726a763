"""360 feedback: a person asks colleagues, each answers once, anonymously; one reminder, then
the request closes. Each step stores its change with the DMs that follow it (bot/domain/
outbox.py) in one write and hands back the effects for the caller to deliver after its ack.

What the person sees comes only from `summary()` of the answers the request shows
(bot/domain/feedback.py): nothing before enough colleagues answered, more only in groups of
that many, never who said what. Every surface (the DMs, the status, a coach's copy) uses it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.feedback import (
    FeedbackAnswer,
    FeedbackRequest,
    FeedbackSummary,
    givers_problem,
    new_request,
    ratings_problem,
    summary,
    waiting_for,
)
from bot.domain.nudges import next_delivery
from bot.domain.outbox import Effect, Followups, new_effect, waiting_until
from bot.domain.pool import clean_text
from bot.flows.coaching import internal_coach_of
from bot.flows.outbox import Delivery, deliver, makes
from bot.flows.slack import send_dm
from bot.screens.feedback import (
    giver_message,
    shared_message,
    summary_message,
    too_few_message,
)

log = logging.getLogger(__name__)
ALREADY_OPEN = (
    "You already have a 360 feedback request open: `/devpath feedback` shows how it is going."
)
NOT_FOUND = "I cannot find that 360 feedback request: it may have been erased."
NOT_ASKED = "That 360 feedback request was sent to someone else, so it is not yours to answer."
ANSWERED = "You already answered this 360 feedback request: once is enough. Thank you!"
CLOSED = "This 360 feedback request has closed, so it takes no more answers. Thank you anyway!"


async def open_request(deps: Deps, user_id: str) -> FeedbackRequest | None:
    return next(
        (r for r in await deps.store.feedback_requests_of(user_id) if r.state == "open"), None
    )


async def summary_of(deps: Deps, request: FeedbackRequest) -> tuple[int, FeedbackSummary | None]:
    """How many answered, and the summary the person may see (None while none is shown)."""
    answers = await deps.store.feedback_answers(request.id)
    return len(answers), summary(request, answers, deps.content.feedback.rules.behaviours)


@dataclass(frozen=True)
class Asked:
    """The request sent (`request`), or why not: `problem` belongs on the colleagues field,
    `refused` replaces the modal."""

    request: FeedbackRequest | None = None
    problem: str | None = None
    refused: str | None = None
    effects: tuple[Effect, ...] = ()


async def ask_colleagues(
    deps: Deps, client: AsyncWebClient, user_id: str, givers: list[str], note: str
) -> Asked:
    """Check the colleagues with Slack (no apps, nobody gone), then store the request with a
    DM to each of them."""
    problem = givers_problem(user_id, givers)  # a hostile payload's thousand IDs stop here
    if problem is None:
        found = await asyncio.gather(
            *(deps.workspace.person(client, g, deps.clock()) for g in givers)
        )
        problem = givers_problem(user_id, givers, dict(zip(givers, found, strict=True)))
    if problem is not None:
        return Asked(problem=problem)
    now = deps.clock()
    request = new_request(user_id, givers, clean_text(note), now, deps.content.feedback.rules)
    then = Followups(
        effects=tuple(
            new_effect("feedback_ask", user_id, now, request_id=request.id, giver_id=giver)
            for giver in givers
        )
    )
    if not await deps.store.add_feedback_request(request, then):
        return Asked(refused=ALREADY_OPEN)
    return Asked(request, effects=then.effects)


async def may_answer(deps: Deps, giver_id: str, request_id: str) -> FeedbackRequest | str:
    """The request this colleague may answer now, or why not, kindly."""
    request = await deps.store.get_feedback_request(request_id)
    if request is None:
        return NOT_FOUND
    if giver_id not in request.givers:
        return NOT_ASKED
    if any(a.giver_id == giver_id for a in await deps.store.feedback_answers(request_id)):
        return ANSWERED
    if request.state != "open":
        return CLOSED
    return request


@dataclass(frozen=True)
class Answered:
    """The answer kept (`thanks` to show), or why not: `problem` belongs on the ratings,
    `refused` replaces the modal."""

    thanks: str | None = None
    problem: str | None = None
    refused: str | None = None
    effects: tuple[Effect, ...] = ()


async def answer(
    deps: Deps,
    giver_id: str,
    request_id: str,
    ratings: dict[str, int],
    strength: str,
    change: str,
) -> Answered:
    """Keep the answer once (compare-and-set); the person hears only when what they are
    shown grows, so neither a DM's content nor its timing points at one colleague."""
    problem = ratings_problem(ratings, deps.content.feedback.rules)
    if problem is not None:
        return Answered(problem=problem)
    found = await may_answer(deps, giver_id, request_id)
    if isinstance(found, str):
        return Answered(refused=found)
    now = deps.clock()
    kept = FeedbackAnswer(request_id, giver_id, dict(ratings), strength, change, now)
    # Written with the answer only when it makes the shown summary grow (the store decides).
    then = Followups(
        effects=(new_effect("feedback_summary", found.user_id, now, request_id=request_id),)
    )
    minimum = deps.content.feedback.rules.minimum
    kept_as = await deps.store.add_feedback_answer(kept, minimum, then)
    if kept_as is None:
        again = await may_answer(deps, giver_id, request_id)
        return Answered(refused=again if isinstance(again, str) else ANSWERED)
    thanks = deps.content.feedback.texts["thanks"].replace("{person}", f"<@{found.user_id}>")
    return Answered(thanks=thanks, effects=then.effects if kept_as == "shown" else ())


async def run_due_feedback(deps: Deps, client: AsyncWebClient) -> list[Effect]:
    """Requests whose time came: one reminder to those who have not answered, each waiting
    for the start of that colleague's working hours in their own timezone (as nudges do),
    then the close with the final summary. Each is compare-and-set, so a second round or
    instance does nothing; the effects still to deliver."""
    store, now = deps.store, deps.clock()
    effects: list[Effect] = []
    for request in await store.due_feedback(now):
        if request.closes_at <= now:
            then = Followups(
                effects=(
                    new_effect("feedback_closed", request.user_id, now, request_id=request.id),
                )
            )
            if await store.close_feedback(request.id, then):
                effects += then.effects
            continue
        waiting = waiting_for(request, await store.feedback_answers(request.id))
        people = await asyncio.gather(
            *(deps.workspace.person(client, g, deps.clock()) for g in waiting)
        )
        hours = deps.content.nudges.hours
        # Each reminder is its colleague's (user_id), so the person's export never lists who
        # has not answered yet.
        then = Followups(
            effects=tuple(
                waiting_until(
                    new_effect(
                        "feedback_remind", giver, now, request_id=request.id, giver_id=giver
                    ),
                    next_delivery(now, person.get("tz") if person else None, hours),
                )
                for giver, person in zip(waiting, people, strict=True)
            )
        )
        if await store.remind_feedback(request.id, then):
            effects += then.effects
    return effects


async def share_summary(
    deps: Deps, client: AsyncWebClient, request_id: str, with_user_id: str | None, by: str
) -> str:
    """The person shares their summary with their coach (`with_user_id`, an internal coach's
    Slack ID; None when they have none); what to tell them."""
    request = await deps.store.get_feedback_request(request_id)
    if request is None or request.user_id != by:
        return "Only the person the feedback is about can share it."
    if with_user_id is None:
        return "You have no coach in devpath to share it with yet."
    if with_user_id in request.shared_with:
        return f"You already shared it with <@{with_user_id}>."
    _, shown = await summary_of(deps, request)
    if shown is None:
        return "There is nothing to share until enough colleagues have answered."
    now = deps.clock()
    told = new_effect("feedback_shared", by, now, request_id=request_id, with_user_id=with_user_id)
    if await deps.store.share_feedback(request_id, by, with_user_id, Followups(effects=(told,))):
        await deliver(deps, client, [told])
        return f"Shared with <@{with_user_id}>: they see the same summary, never who said what."
    return f"You already shared it with <@{with_user_id}>."


# The DMs, made by the outbox (bot/flows/outbox.py) once each, after a crash too.


@makes("feedback_ask")
async def _ask(d: Delivery, effect: Effect) -> None:
    await _to_giver(d, effect, reminder=False)


@makes("feedback_remind")
async def _remind(d: Delivery, effect: Effect) -> None:
    await _to_giver(d, effect, reminder=True)


async def _to_giver(d: Delivery, effect: Effect, reminder: bool) -> None:
    """Only while it still makes sense: the request open, the colleague asked, not answered."""
    found = await may_answer(d.deps, effect.data["giver_id"], effect.data["request_id"])
    if isinstance(found, str):
        return
    message = giver_message(d.deps.content, found, d.deps.clock(), reminder)
    await send_dm(d.client, effect.data["giver_id"], message)


@makes("feedback_summary")
async def _summary(d: Delivery, effect: Effect) -> None:
    """After an answer that made the shown summary grow (the close sends the last one)."""
    request = await d.deps.store.get_feedback_request(effect.data["request_id"])
    if request is None or request.state != "open":
        return
    _, shown = await summary_of(d.deps, request)
    if shown is not None:
        coach = await internal_coach_of(d.deps, request.user_id) is not None
        message = summary_message(d.deps.content, shown, request, d.deps.clock(), coach=coach)
        await send_dm(d.client, request.user_id, message)


@makes("feedback_closed")
async def _closed(d: Delivery, effect: Effect) -> None:
    """The final summary (the last one shown: answers after it, fewer than the minimum,
    stay out) to the person and whoever they shared it with; or, with too few answers, a
    note that nothing can be shown without exposing someone."""
    request = await d.deps.store.get_feedback_request(effect.data["request_id"])
    if request is None:
        return
    answered, shown = await summary_of(d.deps, request)
    if shown is None:
        minimum = d.deps.content.feedback.rules.minimum
        await send_dm(d.client, request.user_id, too_few_message(request, answered, minimum))
        return
    content, now = d.deps.content, d.deps.clock()
    has_coach = await internal_coach_of(d.deps, request.user_id) is not None
    message = summary_message(
        content, shown, request, now, final=True, answered=answered, coach=has_coach
    )
    await send_dm(d.client, request.user_id, message)
    for coach in request.shared_with:
        await send_dm(d.client, coach, shared_message(content, request, shown))


@makes("feedback_shared")
async def _shared(d: Delivery, effect: Effect) -> None:
    request = await d.deps.store.get_feedback_request(effect.data["request_id"])
    if request is None or effect.data["with_user_id"] not in request.shared_with:
        return
    _, shown = await summary_of(d.deps, request)
    if shown is not None:
        message = shared_message(d.deps.content, request, shown)
        await send_dm(d.client, effect.data["with_user_id"], message)
