"""The Web API calls more than one flow makes: DM a person or a group, ask who someone is."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.workspace import is_full_member

log = logging.getLogger(__name__)
# Slack's answers that mean the person or the conversation cannot be reached at all: only
# these make a flow give up on someone (a request lapses, a nudge plan ends).
GONE = frozenset(
    {
        "user_not_found",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
        "channel_not_found",
        "is_archived",
    }
)
# Slack's answers that say "not now": the call may work in a moment.
BUSY = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable"})
# What a person is told when a click lost a race it need not have lost: nothing changed.
TRY_AGAIN = "That did not go through just now: please try again."


def slack_error(error: SlackApiError) -> str:
    """Slack's error code, or the HTTP status when there is none (a 5xx)."""
    return str(error.response.get("error") or error.response.status_code)


def is_transient(error: SlackApiError) -> bool:
    """A fault that outlasted the client's own retries and may pass: a 5xx, a 429, a busy
    answer. The caller tries again later; nobody is told it failed."""
    status = error.response.status_code
    return status >= 500 or status == 429 or slack_error(error) in BUSY


async def send_dm(
    client: AsyncWebClient, user_id: str, message: dict[str, Any]
) -> dict[str, str] | None:
    """DM the person. Where the message landed ({channel, ts}), or None when Slack refuses
    (they left, or the app cannot reach them)."""
    return await post_to_group(client, [user_id], message)


async def post_to_group(
    client: AsyncWebClient, user_ids: list[str], message: dict[str, Any]
) -> dict[str, str] | None:
    """Open the DM (one person) or group DM (several) and post in it. None when Slack
    refuses; a transient fault (a dropped connection, a 5xx, a 429 after the client's own
    retries) is raised, so what is in the outbox stays there for a later round."""
    landed = await post_or_refusal(client, user_ids, message)
    return None if isinstance(landed, str) else landed


async def post_or_refusal(
    client: AsyncWebClient, user_ids: list[str], message: dict[str, Any]
) -> dict[str, str] | str:
    """As `post_to_group`, with Slack's refusal (its error code) instead of None, for a
    caller that must tell "gone" (GONE) from any other refusal."""
    try:
        opened = await client.conversations_open(users=",".join(user_ids))
        posted = await client.chat_postMessage(channel=opened["channel"]["id"], **message)
    except SlackApiError as error:
        if is_transient(error):
            raise
        log.warning("message to %s failed: %s", user_ids, slack_error(error))
        return slack_error(error)
    return {"channel": str(posted.get("channel")), "ts": str(posted.get("ts"))}


async def update_message(
    client: AsyncWebClient, place: dict[str, str], message: dict[str, Any]
) -> bool:
    """Replace a message the bot sent (its buttons, say, for the outcome); False if refused.
    A transient fault is raised, as in `post_to_group`."""
    try:
        await client.chat_update(channel=place["channel"], ts=place["ts"], **message)
    except SlackApiError as error:
        if is_transient(error):
            raise
        log.warning("could not update a message: %s", slack_error(error))
        return False
    return True


def person_problem(person: dict[str, Any] | None, role: str) -> str | None:
    """Why this Slack user (from `Workspace.person`) cannot be one of the `role` ("mentors"),
    or None."""
    if person is None:
        return "I could not look this person up in Slack. If they are still here, try again."
    if person.get("is_bot"):
        return f"That is a bot: {role} are people."
    if person.get("deleted"):
        return "This account is deactivated."
    return None


def display_name(user: dict[str, Any]) -> str:
    profile = user.get("profile") or {}
    for name in (profile.get("display_name"), profile.get("real_name"), user.get("real_name")):
        if isinstance(name, str) and name.strip():
            return name.strip()
    return str(user.get("name") or user.get("id"))


async def is_admin(client: AsyncWebClient, deps: Deps, user_id: str) -> bool:
    """Checked on the server for every admin request, whatever the screen showed. Only the
    workspace's own full members count: another organisation's admin, met in a shared
    channel, is no admin here, and neither is a guest, even one named in DEVPATH_ADMINS."""
    identity = await deps.workspace.identity(client)
    user = await deps.workspace.person(client, user_id, deps.clock())
    if not is_full_member(identity, user):
        return False
    return user_id in deps.settings.admins or bool(
        user and (user.get("is_admin") or user.get("is_owner"))
    )
