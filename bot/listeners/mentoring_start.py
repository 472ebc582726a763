"""A relationship's start: Ask a question (mentor) and Answer (mentee) before a request is
accepted; Write our agreement (mentee) and Confirm (both) once it is."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.mentoring import QUESTION_MOST, agreement_of
from bot.flows import mentoring_start as flow
from bot.flows.outbox import deliver
from bot.listeners.common import Reply, clicked, pressed_in, trigger_of
from bot.screens.intros import AGREEMENT_ACTION, ASK_ACTION, notice_view
from bot.screens.mentoring import (
    AGREEMENT_CALLBACK,
    ANSWER_ACTION,
    ANSWER_CALLBACK,
    CONFIRM_ACTION,
    QUESTION_CALLBACK,
    agreement_view,
    answer_view,
    proposal_of,
    question_view,
    read_agreement,
    read_answer,
    read_question,
)

TOO_LONG = f"Please keep it to {QUESTION_MOST} characters."
EMPTY = "Please write something first."


def _block_of(body: dict[str, Any]) -> str:
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else {}
    block_id = action.get("block_id") if isinstance(action, dict) else None
    return block_id if isinstance(block_id, str) else ""


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(ASK_ACTION)
    async def ask_question(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        intro, why = await flow.may_ask_question(deps, body["user"]["id"], clicked(body))
        if intro is None:
            await Reply(body, respond, client)({"text": why})
            return
        await client.views_open(trigger_id=trigger_of(body), view=question_view(intro))

    @app.view_submission(QUESTION_CALLBACK)
    async def send_question(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        intro_id, text = read_question(view)
        if len(text) > QUESTION_MOST or not text:
            await ack(response_action="errors", errors={"question": TOO_LONG if text else EMPTY})
            return
        done = await flow.ask_question(deps, body["user"]["id"], intro_id, text)
        if done.refused is not None:
            await ack(response_action="update", view=notice_view("Ask a question", done.refused))
            return
        await ack()
        await deliver(deps, client, done.effects)

    @app.action(ANSWER_ACTION)
    async def answer_question(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        intro, why = await flow.may_answer(deps, body["user"]["id"], clicked(body))
        if intro is None:
            await Reply(body, respond, client)({"text": why})
            return
        place = pressed_in(body)
        view = answer_view(intro, place if place["channel"] and place["ts"] else {})
        await client.views_open(trigger_id=trigger_of(body), view=view)

    @app.view_submission(ANSWER_CALLBACK)
    async def send_answer(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        intro_id, text, place = read_answer(view)
        if len(text) > QUESTION_MOST or not text:
            await ack(response_action="errors", errors={"answer": TOO_LONG if text else EMPTY})
            return
        done = await flow.answer_question(deps, body["user"]["id"], intro_id, text, place)
        if done.refused is not None:
            await ack(response_action="update", view=notice_view("Your answer", done.refused))
            return
        await ack()
        await deliver(deps, client, done.effects)

    @app.action(AGREEMENT_ACTION)
    async def write_agreement(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        intro, why = await flow.may_write_agreement(deps, body["user"]["id"], clicked(body))
        if intro is None:
            await Reply(body, respond, client)({"text": why})
            return
        view = agreement_view(intro, deps.content.mentoring, agreement_of(intro))
        await client.views_open(trigger_id=trigger_of(body), view=view)

    @app.view_submission(AGREEMENT_CALLBACK)
    async def propose_agreement(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        intro_id, goals, meet_every, runs_for = read_agreement(view)
        errors = flow.agreement_errors(deps, goals, meet_every, runs_for)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        done = await flow.propose_agreement(
            deps, body["user"]["id"], intro_id, goals, meet_every, runs_for
        )
        if done.refused is not None:
            await ack(response_action="update", view=notice_view("Our agreement", done.refused))
            return
        await ack()
        await deliver(deps, client, done.effects)

    @app.action(CONFIRM_ACTION)
    async def confirm_agreement(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        proposal = proposal_of(_block_of(body))
        done = await flow.confirm_agreement(deps, body["user"]["id"], clicked(body), proposal)
        if done.refused is not None:
            await Reply(body, respond, client)({"text": done.refused})
            return
        await deliver(deps, client, done.effects)
