"""Steps more than one listener takes: opening the questionnaire, reading a click, checking
an admin, replying."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.slack import is_admin, send_dm
from bot.screens.questionnaire import step_view

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


def clicked(body: dict[str, Any]) -> str:
    """The value of the button (or the option) clicked; "" when the payload has none."""
    actions = body.get("actions")
    action = (
        actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    )
    option = action.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else action.get("value")
    return value if isinstance(value, str) else ""


def pressed_in(body: dict[str, Any]) -> dict[str, str]:
    """Where the message with the clicked button is ({"channel", "ts"}; "" where the payload
    has none), so a flow can update that copy of the message once it is answered."""
    return {
        "channel": str((body.get("channel") or {}).get("id", "")),
        "ts": str((body.get("message") or {}).get("ts", "")),
    }


def modal_of(body: dict[str, Any]) -> dict[str, Any] | None:
    """The modal a button was clicked in, if it was."""
    view = body.get("view")
    return (
        view if isinstance(view, dict) and view.get("type") == "modal" and view.get("id") else None
    )


def trigger_of(body: dict[str, Any]) -> str:
    return str(body.get("trigger_id") or "")


def view_meta(view: dict[str, Any]) -> dict[str, Any]:
    """What the bot put in the modal's private_metadata; {} when it is missing or odd."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


async def admin_or_refuse(
    client: AsyncWebClient, deps: Deps, body: dict[str, Any], refusal: str
) -> str | None:
    """The clicker, if an admin; otherwise they are told by DM why nothing happened."""
    clicker = str(body["user"]["id"])
    if await is_admin(client, deps, clicker):
        return clicker
    await send_dm(client, clicker, {"text": refusal})
    return None


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
