"""Buttons nobody else claims: old messages, removed features. A friendly word, not silence."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.slack import send_dm

log = logging.getLogger(__name__)
EXPIRED = "That button is no longer active. Type `/devpath` to pick up where you are."


def register(app: AsyncApp, deps: Deps) -> None:

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
