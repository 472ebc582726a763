"""/devpath forget and /devpath export: a person's data is theirs to erase or take away."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.coaching import HOLDS_A_PLACE
from bot.domain.outbox import WITHDRAWN
from bot.flows.outbox import deliver
from bot.flows.slack import send_dm
from bot.listeners.common import Reply, clicked
from bot.screens.privacy import (
    FORGET_ACTION,
    KEEP_ACTION,
    forgotten_message,
    left_message,
)

NOT_YOURS = "Only the person it is about can erase their data."


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(FORGET_ACTION)
    async def forget(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        reply = Reply(body, respond, client)
        user_id = body["user"]["id"]
        if clicked(body) != user_id:
            await reply({"text": NOT_YOURS})
            return
        store = deps.store
        mentor, coach = await store.get_mentor(user_id), await store.get_coach(user_id)
        coachees = [
            e
            for e in await store.engagements_of(user_id)
            if e.coach_id == user_id and e.state in HOLDS_A_PLACE
        ]
        gone = await store.forget(user_id, mentor.name if mentor else None, deps.clock())
        await reply(forgotten_message(gone), replace=True)
        # The messages that quoted them, stored with the erasure (a crash: the next round).
        withdrawn = [e for e in await store.unfinished_effects() if e.kind == WITHDRAWN]
        await deliver(deps, client, withdrawn)
        if mentor is not None or coach is not None:
            note = left_message(
                mentor.name if mentor else None, coach.name if coach else None, len(coachees)
            )
            for admin in sorted(deps.settings.admins):
                await send_dm(client, admin, note)

    @app.action(KEEP_ACTION)
    async def keep(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await Reply(body, respond, client)({"text": "Nothing was erased."}, replace=True)
