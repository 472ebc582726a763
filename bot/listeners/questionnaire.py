"""The questionnaire: each step's submission, Back, Start over, closing half-way, reopening."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.questionnaire import check_step
from bot.domain.records import Draft
from bot.flows.outbox import deliver
from bot.flows.questionnaire import (
    Completed,
    complete,
    keep_draft,
    show_matches,
    submitted_before,
)
from bot.listeners.common import modal_of, open_questionnaire, trigger_of
from bot.screens.blocks import context, plain, section
from bot.screens.questionnaire import (
    BACK_ACTION,
    CALLBACK_ID,
    START_OVER_ACTION,
    question_block_id,
    read_answers,
    read_metadata,
    step_view,
    wants_share,
)
from bot.screens.result import (
    OPEN_QUESTIONNAIRE_ACTION,
    result_view,
)

MISSING_NOTE = "A few earlier answers are missing. Please answer these, then carry on."


def register(app: AsyncApp, deps: Deps) -> None:
    questionnaire = deps.content.questionnaire

    @app.view_submission(CALLBACK_ID)
    async def submit_step(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        meta = read_metadata(view)
        if meta is None or not 1 <= meta[0] <= len(questionnaire.steps):
            await ack(response_action="update", view=stale_view())
            return
        number, channel_id = meta
        answers, errors = check_step(questionnaire, number, read_answers(view))
        if errors:
            await ack(
                response_action="errors",
                errors={question_block_id(q): message for q, message in errors.items()},
            )
            return
        last = number == len(questionnaire.steps)
        # The draft is read before looking for a response from this modal: the same screen
        # sent twice at once either finds the draft whole (and the store keeps one response)
        # or finds it ended, and then the response that ended it.
        draft = await deps.store.get_draft(user_id)
        if last and (done := await submitted_before(deps, user_id, view.get("id"))):
            await ack(response_action="update", view=shown(done))
            if done.finding and view.get("id"):
                await show_matches(client, deps, user_id, done, view["id"])
            return
        merged = {**(draft.answers if draft else {}), **answers}
        if not last or not questionnaire.is_complete(merged):
            following = number + 1 if not last else questionnaire.first_unanswered_step(merged)
            await deps.store.save_draft(Draft(user_id, merged, following, channel_id, deps.clock()))
            note = MISSING_NOTE if last else None
            await ack(
                response_action="update",
                view=step_view(questionnaire, following, merged, channel_id, note=note),
            )
            return
        share_in = channel_id if channel_id and wants_share(view) else None
        done = await complete(deps, user_id, merged, view.get("id"), share_in)
        await ack(response_action="update", view=shown(done))
        await deliver(deps, client, done.effects)

    def shown(done: Completed) -> dict[str, Any]:
        """The result at once; its mentors, when its path has them, a moment later."""
        open_request = deps.settings.match_channel is not None
        return result_view(deps.content, done.recommendation, None, open_request, done.finding)

    @app.action(BACK_ACTION)
    async def back(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        view = modal_of(body)
        if view is None:
            return  # not from the questionnaire's modal: nothing to go back in
        meta = read_metadata(view)
        if meta is None:
            await client.views_update(view_id=view["id"], view=stale_view())
            return
        number, channel_id = meta
        previous = max(1, min(number, len(questionnaire.steps)) - 1)
        # Keep what is on this screen, even half-answered, before leaving it.
        typed = read_answers(view)
        answers = await keep_draft(deps, body["user"]["id"], typed, previous, channel_id)
        await client.views_update(
            view_id=view["id"],
            hash=view.get("hash"),
            view=step_view(questionnaire, previous, answers, channel_id),
        )

    @app.action(START_OVER_ACTION)
    async def start_over(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        view = modal_of(body)
        if view is None:
            return
        meta = read_metadata(view)
        channel_id = meta[1] if meta else None
        await deps.store.delete_draft(body["user"]["id"])
        await client.views_update(
            view_id=view["id"],
            hash=view.get("hash"),
            view=step_view(questionnaire, 1, {}, channel_id),
        )

    @app.action(OPEN_QUESTIONNAIRE_ACTION)
    async def open_from_button(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await open_questionnaire(client, deps, trigger_of(body), body["user"]["id"], None)

    @app.view_closed(CALLBACK_ID)
    async def close_half_way(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        await ack()
        meta = read_metadata(view)
        if meta is None:
            return
        await keep_draft(deps, body["user"]["id"], read_answers(view), meta[0], meta[1])


def stale_view() -> dict[str, Any]:
    text = (
        "This questionnaire is out of date. "
        "Type `/devpath` to open it again: your answers are kept."
    )
    return {
        "type": "modal",
        "title": plain("devpath"),
        "close": plain("Close"),
        "blocks": [section(text), context("Nothing you answered was lost.")],
    }
