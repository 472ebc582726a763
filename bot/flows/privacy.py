"""A person's data is theirs: everything devpath keeps about them, to take away."""

from __future__ import annotations

import json
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.slack import send_dm
from bot.screens.privacy import export_file_note, export_messages

log = logging.getLogger(__name__)


async def send_export(client: AsyncWebClient, deps: Deps, user_id: str) -> bool:
    """A JSON file in the person's DM; as messages where files cannot be sent."""
    data = {"user_id": user_id, **await deps.store.export(user_id)}
    content = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    try:
        opened = await client.conversations_open(users=user_id)
        await client.files_upload_v2(
            channel=opened["channel"]["id"],
            content=content,
            filename="devpath-my-data.json",
            title="devpath: my data",
            initial_comment=export_file_note(),
        )
        return True
    except SlackApiError as error:
        log.info(
            "export as a file refused (%s); sending it as messages", error.response.get("error")
        )
    sent = [await send_dm(client, user_id, message) for message in export_messages(data)]
    return all(sent)
