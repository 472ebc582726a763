"""A mentor's own side: `/devpath mentor join` and `/devpath mentor`, the admins' Approve and
Decline on a nomination, and a request's I'm full and Away until… buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows import mentors as flow
from bot.flows.outbox import deliver
from bot.flows.slack import is_admin
from bot.listeners.common import Reply, clicked, pressed_in, trigger_of
from bot.screens.intros import AWAY_ACTION, FULL_ACTION, notice_view
from bot.screens.mentor_side import (
    APPROVE_NOMINATION_ACTION,
    AWAY_CALLBACK,
    DECLINE_NOMINATION_ACTION,
    JOIN_CALLBACK,
    NOMINATION_DECLINE_CALLBACK,
    PROFILE_CALLBACK,
    REASON_MOST,
    away_set_view,
    away_view,
    decline_nomination_view,
    nominated_view,
    read_away,
    read_decline,
    read_profile,
    saved_profile_view,
)
from bot.screens.mentors import read_edit

LOOKUP_FAILED = "Slack did not tell me who you are just now. Please try again in a moment."


async def mentor_command(
    client: AsyncWebClient,
    deps: Deps,
    user_id: str,
    subcommand: str,
    trigger_id: str,
    respond: AsyncRespond,
) -> None:
    """`/devpath mentor join` (nominate yourself) or `/devpath mentor` (your profile), after
    the command's ack."""
    if subcommand == "mentor join":
        view, message = await flow.join_screen(deps, user_id)
    else:
        view, message = await flow.profile_screen(deps, user_id)
    if view is None:
        await respond(**(message or {}))
        return
    await client.views_open(trigger_id=trigger_id, view=view)


def register(app: AsyncApp, deps: Deps) -> None:
    async def show(client: AsyncWebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
        """On top of the modal the button is in, or as a new modal from a message or Home."""
        if (body.get("view") or {}).get("type") == "modal":
            await client.views_push(trigger_id=trigger_of(body), view=view)
        else:
            await client.views_open(trigger_id=trigger_of(body), view=view)

    async def person(client: AsyncWebClient, user_id: str) -> dict[str, Any] | None:
        return await deps.workspace.person(client, user_id, deps.clock())

    # Joining, and the admins' decision.

    @app.view_submission(JOIN_CALLBACK)
    async def join(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        entry = read_edit(view)
        if errors := flow.entry_problems(deps, entry):
            await ack(response_action="errors", errors=errors)
            return
        found = await person(client, user_id)
        if found is None:
            await ack(response_action="update", view=notice_view("Mentor pool", LOOKUP_FAILED))
            return
        done = await flow.nominate(deps, user_id, entry, found)
        if done.errors:
            await ack(response_action="errors", errors=done.errors)
        elif done.refused is not None:
            await ack(response_action="update", view=notice_view("Mentor pool", done.refused))
        else:
            waiting = done.mentor is not None and done.mentor.status == "nominated"
            changed = any(e.kind == "nomination_copies" for e in done.effects)
            await ack(response_action="update", view=nominated_view(waiting, changed))
            await deliver(deps, client, done.effects)

    @app.action(APPROVE_NOMINATION_ACTION)
    async def approve(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        done = await flow.decide_nomination(
            client, deps, body["user"]["id"], clicked(body), approve=True
        )
        if done.refused is not None:
            await Reply(body, respond, client)({"text": done.refused})
            return
        await deliver(deps, client, done.effects)

    @app.action(DECLINE_NOMINATION_ACTION)
    async def ask_why(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        reply = Reply(body, respond, client)
        if not await is_admin(client, deps, body["user"]["id"]):
            await reply({"text": flow.NOT_ADMIN})
            return
        nominee, why = await flow.pending_nomination(deps, clicked(body))
        if nominee is None:
            await reply({"text": why or ""})
            return
        await show(client, body, decline_nomination_view(clicked(body), nominee.name))

    @app.view_submission(NOMINATION_DECLINE_CALLBACK)
    async def decline(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        key, reason = read_decline(view)
        if not reason or len(reason) > REASON_MOST:
            problem = (
                "Please say why, in a sentence they will read."
                if not reason
                else f"Please keep it to {REASON_MOST} characters."
            )
            await ack(response_action="errors", errors={"reason": problem})
            return
        done = await flow.decide_nomination(
            client, deps, body["user"]["id"], key, approve=False, reason=reason
        )
        if done.refused is not None:
            await ack(response_action="update", view=notice_view("Not declined", done.refused))
            return
        await ack()
        await deliver(deps, client, done.effects)

    # Their own profile, time away, and a request's I'm full.

    @app.view_submission(PROFILE_CALLBACK)
    async def save_profile(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        entry, raw_day, seen = read_profile(view)
        found = await person(client, user_id)
        done = await flow.save_profile(deps, user_id, entry, raw_day, seen, found)
        if done.errors:
            await ack(response_action="errors", errors=done.errors)
        elif done.refused is not None:
            await ack(response_action="update", view=notice_view("Your profile", done.refused))
        else:
            released = any(e.kind == "mentor_released" for e in done.effects)
            await ack(response_action="update", view=saved_profile_view(done.away_day, released))
            await deliver(deps, client, done.effects)

    @app.action(AWAY_ACTION)
    async def ask_until(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        intro_id = clicked(body)
        why = await flow.may_answer(deps, body["user"]["id"], intro_id)
        if why is not None:
            await Reply(body, respond, client)({"text": why})
            return
        await show(client, body, away_view(intro_id, pressed_in(body)))

    @app.view_submission(AWAY_CALLBACK)
    async def away(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        raw_day, intro_id, pressed = read_away(view)
        found = await person(client, user_id)
        done = await flow.set_away(deps, user_id, raw_day, intro_id, pressed, found)
        if done.errors:
            await ack(response_action="errors", errors=done.errors)
        elif done.refused is not None or done.away_day is None:
            await ack(response_action="update", view=notice_view("Away", done.refused or ""))
        else:
            await ack(response_action="update", view=away_set_view(done.away_day))
            await deliver(deps, client, done.effects)

    @app.action(FULL_ACTION)
    async def full(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        done = await flow.full(deps, body["user"]["id"], clicked(body), pressed_in(body))
        await Reply(body, respond, client)({"text": done.refused or done.told})
        await deliver(deps, client, done.effects)
