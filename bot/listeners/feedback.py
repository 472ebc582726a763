"""360 feedback: `/devpath feedback`, the ask modal, Give feedback and its modal, Share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.feedback import NOTE_MOST, TEXT_MOST
from bot.domain.pool import clean_text
from bot.flows import feedback as flow
from bot.flows.coaching import internal_coach_of
from bot.flows.outbox import deliver
from bot.listeners.common import Reply, clicked, trigger_of
from bot.screens.feedback import (
    ANSWER_CALLBACK,
    ASK_CALLBACK,
    CHANGE,
    GIVE_ACTION,
    GIVERS,
    NOTE,
    SHARE_ACTION,
    START_ACTION,
    STRENGTH,
    answer_view,
    ask_view,
    first_rating_block,
    read_answer,
    read_ask,
    status_message,
)
from bot.screens.intros import notice_view


async def feedback_command(
    client: AsyncWebClient,
    deps: Deps,
    user_id: str,
    trigger_id: str,
    respond: Callable[..., Awaitable[Any]],
) -> None:
    """The open request's status (never who answered), or the modal to ask colleagues."""
    request = await flow.open_request(deps, user_id)
    if request is None:
        await client.views_open(trigger_id=trigger_id, view=ask_view())
        return
    answered, shown = await flow.summary_of(deps, request)
    coach = await internal_coach_of(deps, user_id) is not None
    await respond(
        **status_message(deps.content, request, answered, shown, deps.clock(), coach=coach)
    )


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(START_ACTION)
    async def start(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        reply = Reply(body, respond, client)

        async def show(response_type: str = "ephemeral", **message: Any) -> None:
            await reply(message)  # ephemeral under the message, or by DM from Home

        await feedback_command(client, deps, body["user"]["id"], trigger_of(body), show)

    @app.view_submission(ASK_CALLBACK)
    async def ask(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        givers, note = read_ask(view)
        if len(clean_text(note)) > NOTE_MOST:
            await ack(
                response_action="errors",
                errors={NOTE: f"Please keep it to {NOTE_MOST} characters."},
            )
            return
        asked = await flow.ask_colleagues(deps, client, body["user"]["id"], givers, note)
        if asked.problem is not None:
            await ack(response_action="errors", errors={GIVERS: asked.problem})
            return
        if asked.request is None:
            await ack(
                response_action="update", view=notice_view("360 feedback", asked.refused or "")
            )
            return
        count = len(asked.request.givers)
        await ack(
            response_action="update",
            view=notice_view(
                "Feedback requested",
                f"I asked {count} colleagues for you, by DM. You will see a summary once at "
                f"least {deps.content.feedback.rules.minimum} have answered, never who said "
                "what. `/devpath feedback` shows how it is going.",
            ),
        )
        await deliver(deps, client, asked.effects)

    @app.action(GIVE_ACTION)
    async def give(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        found = await flow.may_answer(deps, body["user"]["id"], clicked(body))
        if isinstance(found, str):
            await Reply(body, respond, client)({"text": found})
            return
        await client.views_open(trigger_id=trigger_of(body), view=answer_view(deps.content, found))

    @app.view_submission(ANSWER_CALLBACK)
    async def send_answer(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        rules = deps.content.feedback.rules
        request_id, ratings, strength, change = read_answer(view, rules)
        strength, change = clean_text(strength), clean_text(change)
        too_long = {
            block: f"Please keep it to {TEXT_MOST} characters."
            for block, text in ((STRENGTH, strength), (CHANGE, change))
            if len(text) > TEXT_MOST
        }
        if too_long:
            await ack(response_action="errors", errors=too_long)
            return
        answered = await flow.answer(
            deps, body["user"]["id"], request_id, ratings, strength, change
        )
        if answered.problem is not None:
            await ack(
                response_action="errors", errors={first_rating_block(rules): answered.problem}
            )
            return
        text = answered.thanks or answered.refused or ""
        await ack(response_action="update", view=notice_view("360 feedback", text))
        await deliver(deps, client, answered.effects)

    @app.action(SHARE_ACTION)
    async def share(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = body["user"]["id"]
        told = await flow.share_summary(
            deps, client, clicked(body), await internal_coach_of(deps, user_id), by=user_id
        )
        await Reply(body, respond, client)({"text": told})
