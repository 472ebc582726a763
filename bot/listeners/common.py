"""Steps more than one surface takes: opening the questionnaire, sending a DM."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.screens.questionnaire import step_view

log = logging.getLogger(__name__)
RESUMED_NOTE = "Welcome back: your earlier answers are filled in."


async def open_questionnaire(
    client: AsyncWebClient, deps: Deps, trigger_id: str, user_id: str, channel_id: str | None
) -> None:
    """Open the modal where the person left off. The draft read is in memory: well inside 3 s."""
    draft = await deps.store.get_draft(user_id)
    questionnaire = deps.content.questionnaire
    if draft is None:
        view = step_view(questionnaire, 1, {}, channel_id)
    else:
        step = min(draft.step, len(questionnaire.steps))
        view = step_view(questionnaire, step, draft.answers, channel_id, note=RESUMED_NOTE)
    await client.views_open(trigger_id=trigger_id, view=view)


async def send_dm(
    client: AsyncWebClient, user_id: str, message: dict[str, Any]
) -> dict[str, str] | None:
    """DM the person. Where the message landed ({channel, ts}), or None when Slack refuses
    (they left, or the app cannot reach them)."""
    return await post_to_group(client, [user_id], message)


async def post_to_group(
    client: AsyncWebClient, user_ids: list[str], message: dict[str, Any]
) -> dict[str, str] | None:
    """Open the DM (one person) or group DM (several) and post in it."""
    try:
        opened = await client.conversations_open(users=",".join(user_ids))
        posted = await client.chat_postMessage(channel=opened["channel"]["id"], **message)
    except SlackApiError as error:
        log.warning("message to %s failed: %s", user_ids, error.response.get("error"))
        return None
    return {"channel": str(posted.get("channel")), "ts": str(posted.get("ts"))}


async def user_info(client: AsyncWebClient, user_id: str) -> dict[str, Any] | None:
    """The person as Slack knows them, or None when Slack cannot say (left, or an error)."""
    try:
        answer = await client.users_info(user=user_id)
    except SlackApiError as error:
        log.warning("users.info for %s failed: %s", user_id, error.response.get("error"))
        return None
    user = answer.get("user")
    return user if isinstance(user, dict) else None


def display_name(user: dict[str, Any]) -> str:
    profile = user.get("profile") or {}
    for name in (profile.get("display_name"), profile.get("real_name"), user.get("real_name")):
        if isinstance(name, str) and name.strip():
            return name.strip()
    return str(user.get("name") or user.get("id"))


async def is_admin(client: AsyncWebClient, deps: Deps, user_id: str) -> bool:
    """Checked on the server for every admin request, whatever the screen showed."""
    if user_id in deps.settings.admins:
        return True
    user = await user_info(client, user_id)
    return bool(user and not user.get("deleted") and (user.get("is_admin") or user.get("is_owner")))


def clicked(body: dict[str, Any]) -> str:
    """The value of the button (or the option) clicked; "" when the payload has none."""
    actions = body.get("actions")
    action = (
        actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    )
    option = action.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else action.get("value")
    return value if isinstance(value, str) else ""


def modal_of(body: dict[str, Any]) -> dict[str, Any] | None:
    """The modal a button was clicked in, if it was."""
    view = body.get("view")
    return (
        view if isinstance(view, dict) and view.get("type") == "modal" and view.get("id") else None
    )


def trigger_of(body: dict[str, Any]) -> str:
    return str(body.get("trigger_id") or "")


class Reply:
    """Answers whoever clicked: ephemerally under (or in place of) the message they clicked,
    or by DM when the click came from a modal or the Home tab, which have nothing to answer
    under (and no response URL)."""

    def __init__(self, body: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        self.body, self.respond, self.client = body, respond, client

    async def __call__(self, message: dict[str, Any], replace: bool = False) -> None:
        if self.body.get("response_url"):
            await self.respond(response_type="ephemeral", replace_original=replace, **message)
        else:
            await send_dm(self.client, str((self.body.get("user") or {}).get("id")), message)
