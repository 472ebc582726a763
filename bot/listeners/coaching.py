"""The coaching path's buttons and modals: parse, call a flow, ack, deliver what follows."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows import coaching as flow
from bot.flows.outbox import deliver
from bot.flows.slack import is_admin
from bot.listeners.common import Reply, clicked, trigger_of
from bot.screens.blocks import element_state
from bot.screens.coaching import (
    APPROVE_ACTION,
    DECLINE_ACTION,
    DECLINE_CALLBACK,
    OVER_BUDGET_CALLBACK,
    REASON_MOST,
    REQUEST_ACTION,
    REQUEST_CALLBACK,
    WHAT_NEXT,
    WITHDRAW_ACTION,
    decline_view,
    notice_view,
    over_budget_view,
    read_request,
    read_request_id,
    request_view,
    withdrawn_message,
)


def register(app: AsyncApp, deps: Deps) -> None:
    async def show(client: AsyncWebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
        """On top of the modal the button is in, or as a new modal from a message or Home."""
        where = body.get("view") or {}
        if where.get("type") == "modal":
            await client.views_push(trigger_id=trigger_of(body), view=view)
        else:
            await client.views_open(trigger_id=trigger_of(body), view=view)

    # The request.

    @app.action(REQUEST_ACTION)
    async def open_request(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user_id = body["user"]["id"]
        why = await flow.may_request(deps, user_id)
        if why is not None:
            await show(client, body, notice_view("Request coaching", why))
            return
        latest = await deps.store.latest_response(user_id)
        hints = deps.content.coaching.hints_for(latest.answers if latest else {})
        await show(client, body, request_view(deps.content.coaching, hints))

    @app.view_submission(REQUEST_CALLBACK)
    async def send_request(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        goals, timeframe, manager, note = read_request(view)
        errors = flow.check_request(deps, goals, timeframe, manager, note)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        done = await flow.request_coaching(
            deps, body["user"]["id"], goals, timeframe, manager, note
        )
        if done.request is None:
            await ack(
                response_action="update", view=notice_view("Request coaching", done.refused or "")
            )
            return
        text = f"Your request is in. {WHAT_NEXT} You can withdraw it from the DM I sent you."
        await ack(response_action="update", view=notice_view("Request sent", text))
        await deliver(deps, client, done.effects)

    @app.action(WITHDRAW_ACTION)
    async def withdraw(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        done = await flow.withdraw(deps, body["user"]["id"], clicked(body))
        reply = Reply(body, respond, client)
        if done.request is None:
            await reply({"text": done.refused or ""})
            return
        await reply(withdrawn_message(), replace=True)
        await deliver(deps, client, done.effects)

    # The program decides.

    @app.action(APPROVE_ACTION)
    async def approve(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        request_id = clicked(body)
        done = await flow.decide(client, deps, body["user"]["id"], request_id, approve=True)
        if done.over_budget is not None and done.request is not None:
            view = over_budget_view(request_id, done.request.user_id, done.over_budget)
            await show(client, body, view)
            return
        if done.refused is not None:
            await Reply(body, respond, client)({"text": done.refused})
            return
        await deliver(deps, client, done.effects)

    @app.view_submission(OVER_BUDGET_CALLBACK)
    async def approve_over_budget(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        request_id = read_request_id(view)
        done = await flow.decide(
            client, deps, body["user"]["id"], request_id, approve=True, confirmed=True
        )
        if done.refused is not None:
            await ack(response_action="update", view=notice_view("Not approved", done.refused))
            return
        await ack()
        await deliver(deps, client, done.effects)

    @app.action(DECLINE_ACTION)
    async def ask_why(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        if not await is_admin(client, deps, body["user"]["id"]):
            await Reply(body, respond, client)({"text": flow.NOT_ADMIN})
            return
        await show(client, body, decline_view(clicked(body)))

    @app.view_submission(DECLINE_CALLBACK)
    async def decline(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        typed = element_state(view, "reason", "reason").get("value")
        reason = typed.strip() if isinstance(typed, str) else ""
        if not reason or len(reason) > REASON_MOST:
            problem = (
                "Please say why, in a sentence they will read."
                if not reason
                else (f"Please keep it to {REASON_MOST} characters.")
            )
            await ack(response_action="errors", errors={"reason": problem})
            return
        done = await flow.decide(
            client, deps, body["user"]["id"], read_request_id(view), approve=False, reason=reason
        )
        if done.refused is not None:
            await ack(response_action="update", view=notice_view("Not declined", done.refused))
            return
        await ack()
        await deliver(deps, client, done.effects)
