"""Buttons: the questionnaire's Back and Start over, opening it from Home or a DM, stale ones."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.listeners.common import open_questionnaire, send_dm
from bot.listeners.views import keep_draft, stale_view
from bot.screens.questionnaire import BACK_ACTION, START_OVER_ACTION, read_metadata, step_view
from bot.screens.result import OPEN_QUESTIONNAIRE_ACTION

log = logging.getLogger(__name__)
EXPIRED = "That button is no longer active. Type `/devpath` to pick up where you are."


def register(app: AsyncApp, deps: Deps) -> None:
    questionnaire = deps.content.questionnaire

    @app.action(BACK_ACTION)
    async def back(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        view = body["view"]
        meta = read_metadata(view)
        if meta is None:
            await client.views_update(view_id=view["id"], view=stale_view())
            return
        number, channel_id = meta
        previous = max(1, min(number, len(questionnaire.steps)) - 1)
        # Keep what is on this screen, even half-answered, before leaving it.
        answers = await keep_draft(deps, body["user"]["id"], view, previous, channel_id)
        await client.views_update(
            view_id=view["id"],
            hash=view.get("hash"),
            view=step_view(questionnaire, previous, answers, channel_id),
        )

    @app.action(START_OVER_ACTION)
    async def start_over(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        view = body["view"]
        meta = read_metadata(view)
        channel_id = meta[1] if meta else None
        await deps.store.delete_draft(body["user"]["id"])
        await client.views_update(
            view_id=view["id"],
            hash=view.get("hash"),
            view=step_view(questionnaire, 1, {}, channel_id),
        )

    @app.action(OPEN_QUESTIONNAIRE_ACTION)
    async def open_from_button(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await open_questionnaire(client, deps, body["trigger_id"], body["user"]["id"], None)

    @app.action(re.compile(".*"))
    async def stale_button(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        names = [a.get("action_id") for a in body.get("actions", [])]
        log.info("unknown or stale action %s", names)
        if body.get("response_url"):
            await respond(text=EXPIRED, response_type="ephemeral", replace_original=False)
        else:
            await send_dm(client, body["user"]["id"], {"text": EXPIRED})
