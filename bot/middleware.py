"""What every request goes through: once-only events, and a kind word when something fails
on our side. (The log line per request is written where requests arrive: bot/server.py.)"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.deps import Deps
from bot.flows.slack import send_dm

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


def register_middleware(app: AsyncApp, deps: Deps) -> None:
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
