"""Matches and intros: Request intro, the mentor's Accept or Decline, open requests."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.pool import clean_text
from bot.flows import intros as flow
from bot.flows.matching import next_matches
from bot.flows.outbox import deliver
from bot.flows.slack import send_dm
from bot.listeners.common import Reply, clicked, pressed_in, trigger_of
from bot.screens.blocks import when
from bot.screens.intros import (
    ACCEPT_ACTION,
    CLAIM_ACTION,
    DECLINE_ACTION,
    NOTE_MOST,
    OPEN_REQUEST_ACTION,
    REQUEST_ACTION,
    REQUEST_CALLBACK,
    read_request,
    refused_view,
    request_sent_view,
    request_view,
)


def register(app: AsyncApp, deps: Deps) -> None:
    async def show(client: AsyncWebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
        """On top of the modal the button is in, or as a new modal from a message or Home."""
        where = body.get("view") or {}
        if where.get("type") == "modal":
            await client.views_push(trigger_id=trigger_of(body), view=view)
        else:
            await client.views_open(trigger_id=trigger_of(body), view=view)

    @app.action(REQUEST_ACTION)
    async def ask_for_intro(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        mentee_id, mentor_id = body["user"]["id"], clicked(body)
        mentor, why = await flow.may_ask(deps, mentee_id, mentor_id)
        if why or mentor is None:
            await show(client, body, refused_view(why or ""))
            return
        matches = await next_matches(client, deps, mentee_id)
        reason = next((m.reason for m in matches if m.mentor.user_id == mentor_id), "")
        await show(client, body, request_view(mentor, reason))

    @app.view_submission(REQUEST_CALLBACK)
    async def send_request(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        mentor_id, shares, note = read_request(view)
        note = clean_text(note)
        if len(note) > NOTE_MOST:
            await ack(
                response_action="errors",
                errors={"note": f"Please keep it to {NOTE_MOST} characters."},
            )
            return
        asked = await flow.request_intro(deps, body["user"]["id"], mentor_id or "", note, shares)
        if asked.intro is None or asked.mentor is None:
            await ack(response_action="update", view=refused_view(asked.refused or ""))
            return
        lapses = when(asked.intro.expires_at, deps.clock())
        await ack(response_action="update", view=request_sent_view(asked.mentor.name, lapses))
        await deliver(deps, client, asked.effects)

    async def answer(
        body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient, accept: bool
    ) -> None:
        pressed = pressed_in(body)
        answered = await flow.answer_intro(deps, body["user"]["id"], clicked(body), accept, pressed)
        if answered.refused is not None:
            await Reply(body, respond, client)({"text": answered.refused})
            return
        await deliver(deps, client, answered.effects)

    @app.action(ACCEPT_ACTION)
    async def accept_intro(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await answer(body, respond, client, accept=True)

    @app.action(DECLINE_ACTION)
    async def decline_intro(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await answer(body, respond, client, accept=False)

    @app.action(OPEN_REQUEST_ACTION)
    async def post_open_request(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        mentee_id = body["user"]["id"]
        told, effects = await flow.post_open_request(deps, mentee_id)
        if told:
            await send_dm(client, mentee_id, {"text": told})
        await deliver(deps, client, effects)

    @app.action(CLAIM_ACTION)
    async def claim_open_request(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        refused, effects = await flow.claim_open_request(deps, body["user"]["id"], clicked(body))
        if refused:
            await Reply(body, respond, client)({"text": refused})
            return
        await deliver(deps, client, effects)
