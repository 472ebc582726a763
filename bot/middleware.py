"""What every request goes through: only the installed workspace and its own people, once-only
events, and a kind word when something fails on our side. (The log line per request is
written where requests arrive: bot/server.py.)"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.deps import Deps
from bot.flows.slack import send_dm
from bot.screens.access import FOREIGN_TEXT, notice_home, notice_modal
from bot.workspace import refusal

log = logging.getLogger("devpath.requests")
SORRY = (
    "Something went wrong on devpath's side. Nothing you entered is lost: "
    "please try again in a minute."
)


def describe(body: dict[str, Any]) -> tuple[str, str]:
    """The request's kind and name, with nothing a person typed: no answers, no notes."""
    kind = str(body.get("type") or ("command" if "command" in body else "unknown"))
    if kind == "command":
        first = (str(body.get("text") or "").split() or [""])[0][:20]
        return kind, f"{body.get('command')} {first}".strip()
    if kind == "block_actions":
        return "action", ",".join(str(a.get("action_id")) for a in body.get("actions") or [])
    if kind in ("view_submission", "view_closed"):
        return kind, str((body.get("view") or {}).get("callback_id"))
    if kind == "event_callback":
        return "event", str((body.get("event") or {}).get("type"))
    return kind, ""


def _user(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    return str(body.get("user_id") or (body.get("event") or {}).get("user") or "")


def _team_said(body: dict[str, Any]) -> str | None:
    """The team the request gives for the person acting (interactivity says it)."""
    user = body.get("user")
    if not isinstance(user, dict) or not user.get("team_id"):
        return None
    return str(user["team_id"])


def register_middleware(app: AsyncApp, deps: Deps) -> None:
    started: set[asyncio.Task[None]] = set()

    def after_ack(work: Coroutine[Any, Any, None]) -> None:
        """Run `work` once Slack has its answer, counted as work under way."""
        counted = deps.inflight.begin()
        task = asyncio.create_task(work)
        started.add(task)

        def finished(done: asyncio.Task[None]) -> None:
            started.discard(done)
            counted.done()

        task.add_done_callback(finished)

    @app.use
    async def only_our_workspace(
        body: dict[str, Any], client: AsyncWebClient, next: Callable[[], Awaitable[Any]]
    ) -> Any:
        """A request from another team, organisation or app runs nothing and writes nothing,
        even when it is signed with our secret (one app's secret, several installs)."""
        identity = await deps.workspace.identity(client)
        foreign = deps.workspace.foreign(identity, body)
        if foreign is None:
            return await next()
        kind, name = describe(body)
        log.warning("refused a request from elsewhere kind=%s name=%s %s", kind, name, foreign)
        if kind == "command":
            return BoltResponse(
                status=200, body={"response_type": "ephemeral", "text": FOREIGN_TEXT}
            )
        return BoltResponse(status=200, body="")

    @app.use
    async def once_per_event(body: dict[str, Any], next: Callable[[], Awaitable[Any]]) -> Any:
        """Slack retries an event it thinks we missed; its side effects must not repeat."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not event_id:
            return await next()
        if not await deps.store.first_time(str(event_id)):
            # The store remembers, so several instances on one database agree.
            log.info("request kind=event name=retry-of-%s status=200 skipped=yes", event_id)
            return BoltResponse(status=200, body="")
        return await next()

    @app.use
    async def only_our_people(
        body: dict[str, Any], client: AsyncWebClient, next: Callable[[], Awaitable[Any]]
    ) -> Any:
        """Guests (unless access.yml allows them) and people from another organisation get a
        kind word before anything shows them a mentor, a coach or a form."""
        user_id = _user(body)
        if not user_id:
            return await next()
        identity = await deps.workspace.identity(client)
        if user_id == identity.bot_user_id:
            return await next()
        person = await deps.workspace.person(client, user_id, deps.clock())
        why = refusal(identity, person, deps.content.access.guests_allowed, _team_said(body))
        if why is None:
            return await next()
        text = deps.content.access.texts[why]
        kind, name = describe(body)
        log.info("turned away kind=%s name=%s user=%s as=%s", kind, name, user_id, why)
        if kind == "command":
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
        if kind == "view_submission":
            return BoltResponse(
                status=200, body={"response_action": "update", "view": notice_modal(text)}
            )
        if kind == "block_suggestion":
            return BoltResponse(status=200, body={"options": []})
        if kind == "action":
            after_ack(_tell(client, body, user_id, text))
        elif kind == "event" and name == "app_home_opened":
            after_ack(_publish_notice(client, user_id, text))
        return BoltResponse(status=200, body="")

    @app.error
    async def tell_the_person(error: Exception, body: dict[str, Any]) -> None:
        kind, name = describe(body)
        log.error("request failed kind=%s name=%s: %s", kind, name or "-", repr(error)[:300])
        url = body.get("response_url")
        user = _user(body)
        try:
            if url:
                await AsyncWebhookClient(url).send(
                    text=SORRY, response_type="ephemeral", replace_original=False
                )
            elif user and kind != "event":
                await send_dm(app.client, user, {"text": SORRY})
        except Exception:
            log.warning("could not tell %s about the failure", user or "the person")


async def _tell(client: AsyncWebClient, body: dict[str, Any], user_id: str, text: str) -> None:
    """Where they clicked, if Slack gave a reply address; otherwise by DM."""
    url = body.get("response_url")
    try:
        if url:
            await AsyncWebhookClient(url).send(
                text=text, response_type="ephemeral", replace_original=False
            )
        else:
            await send_dm(client, user_id, {"text": text})
    except Exception:
        log.warning("could not tell %s why devpath turned them away", user_id)


async def _publish_notice(client: AsyncWebClient, user_id: str, text: str) -> None:
    try:
        await client.views_publish(user_id=user_id, view=notice_home(text))
    except SlackApiError as error:
        log.warning("could not publish the notice for %s: %s", user_id, error.response.get("error"))


def log_request(body: dict[str, Any], status: int, seconds: float) -> None:
    """One line per request: kind, name, user, outcome, time. Nothing a person typed."""
    kind, name = describe(body)
    log.info(
        "request kind=%s name=%s user=%s status=%s ms=%.1f",
        kind,
        name or "-",
        _user(body) or "-",
        status,
        seconds * 1000,
    )


def log_refused(why: str, status: int, seconds: float) -> None:
    """The line for a request refused before its body was read: why in one word, no body."""
    log.info("request kind=refused why=%s status=%s ms=%.1f", why, status, seconds * 1000)
