"""/devpath forget and /devpath export: a person's data is theirs to erase or take away."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.slack import send_dm
from bot.listeners.common import Reply, clicked
from bot.screens.privacy import (
    FORGET_ACTION,
    KEEP_ACTION,
    forgotten_message,
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
        mentor = await deps.store.get_mentor(user_id)
        gone = await deps.store.forget(user_id, mentor.name if mentor else None)
        await reply(forgotten_message(gone), replace=True)
        if mentor is not None:
            left = f"A mentor, {mentor.name}, left the pool and asked devpath to erase their data."
            note = {"text": left}
            for admin in sorted(deps.settings.admins):
                await send_dm(client, admin, note)

    @app.action(KEEP_ACTION)
    async def keep(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await Reply(body, respond, client)({"text": "Nothing was erased."}, replace=True)
