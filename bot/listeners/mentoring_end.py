"""A mentoring relationship's middle and end: Rate our goals in a check-in, We're done, End
early, Close out. Only the pair's two people may act; a stale or double click is told so."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.mentoring_end import REASON_MOST, closeout_problems, goals_of
from bot.flows import mentoring_end as flow
from bot.flows import nudges as nudges_flow
from bot.flows.outbox import deliver
from bot.listeners.common import Reply, clicked, trigger_of
from bot.screens.intros import DONE_ACTION, END_EARLY_ACTION
from bot.screens.mentoring_end import (
    CLOSEOUT_ACTION,
    CLOSEOUT_CALLBACK,
    END_CALLBACK,
    RATE_GOALS_ACTION,
    RATE_GOALS_CALLBACK,
    closed_out_view,
    closeout_view,
    end_view,
    ended_view,
    goal_ratings_view,
    notice_view,
    read_closeout,
    read_early,
    read_goal_ratings,
    read_meta,
    read_value,
)

RATED = "Saved: your goal ratings are with this check-in. Thank you!"


def register(app: AsyncApp, deps: Deps) -> None:
    async def ask_to_end(
        body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient, early: bool
    ) -> None:
        """The confirmation (We're done) or the reason (End early), for the pair only."""
        user_id = body["user"]["id"]
        intro, why = await flow.intro_for(deps, user_id, clicked(body))
        if intro is None:
            await Reply(body, respond, client)({"text": why or flow.TRY_AGAIN})
            return
        await client.views_open(trigger_id=trigger_of(body), view=end_view(intro, user_id, early))

    @app.action(DONE_ACTION)
    async def were_done(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await ask_to_end(body, respond, client, early=False)

    @app.action(END_EARLY_ACTION)
    async def end_early(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await ask_to_end(body, respond, client, early=True)

    @app.view_submission(END_CALLBACK)
    async def end(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        early = read_early(view)
        reason = read_value(view, "reason") if early else None
        if early and (not reason or len(reason) > REASON_MOST):
            message = f"Please give a reason, at most {REASON_MOST} characters."
            await ack(response_action="errors", errors={"reason": message})
            return
        ended = await flow.end_mentoring(deps, body["user"]["id"], read_meta(view, "intro"), reason)
        if ended.refused is not None:
            await ack(response_action="update", view=notice_view("Not ended", ended.refused))
            return
        await ack(response_action="update", view=ended_view(early))
        await deliver(deps, client, ended.effects)

    @app.action(CLOSEOUT_ACTION)
    async def open_closeout(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = body["user"]["id"]
        intro, why = await flow.intro_to_close_out(deps, user_id, clicked(body))
        if intro is None:
            await Reply(body, respond, client)({"text": why or flow.TRY_AGAIN})
            return
        view = closeout_view(intro, user_id, goals_of(intro))
        await client.views_open(trigger_id=trigger_of(body), view=view)

    @app.view_submission(CLOSEOUT_CALLBACK)
    async def close_out(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        goals, recommend, note = read_closeout(view)
        problems = closeout_problems(goals, recommend, note)
        if problems:
            await ack(response_action="errors", errors=problems)
            return
        user_id, intro_id = body["user"]["id"], read_meta(view, "intro")
        done = await flow.close_out(deps, user_id, intro_id, goals, recommend, note)
        if done.refused is not None:
            await ack(response_action="update", view=notice_view("Close out", done.refused))
            return
        await ack(response_action="update", view=closed_out_view())
        await deliver(deps, client, done.effects)

    @app.action(RATE_GOALS_ACTION)
    async def open_ratings(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        reply = Reply(body, respond, client)
        nudge, why = await nudges_flow.open_nudge(deps, body["user"]["id"], clicked(body), True)
        if nudge is None:
            await reply({"text": why})
            return
        goals = await flow.goals_for_check_in(deps, nudge)
        if not goals or any(key.startswith("goal_") for key in nudge.answer):
            await reply({"text": flow.RATED_ALREADY if goals else flow.NO_GOALS})
            return
        await client.views_open(
            trigger_id=trigger_of(body), view=goal_ratings_view(nudge.id, goals)
        )

    @app.view_submission(RATE_GOALS_CALLBACK)
    async def save_ratings(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user_id = body["user"]["id"]
        nudge = await nudges_flow.answered_by(deps, user_id, read_meta(view, "nudge"))
        if nudge is None:
            await ack(response_action="update", view=notice_view("Rate our goals", flow.NO_GOALS))
            return
        goals = await flow.goals_for_check_in(deps, nudge)
        typed = read_goal_ratings(view, len(goals))
        missing = {k: "Please pick from 1 to 5." for k, v in typed.items() if not v}
        if missing:
            await ack(response_action="errors", errors=missing)
            return
        refused = await flow.rate_goals(deps, nudge, typed)
        if refused is not None:
            await ack(response_action="update", view=notice_view("Rate our goals", refused))
            return
        await ack(response_action="update", view=notice_view("Rate our goals", RATED))
