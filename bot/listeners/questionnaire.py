"""The questionnaire: each step's submission, Back, Start over, closing half-way, reopening."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.nudges import RESULT_KINDS, plan_after_recommendation
from bot.domain.questionnaire import check_step, keep_known
from bot.domain.recommendation import recommend
from bot.domain.records import Draft, Response
from bot.listeners.common import modal_of, open_questionnaire, send_dm, trigger_of
from bot.listeners.intros import matches_for, tell_admins_about_gap
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
    result_message,
    result_view,
    share_failed_message,
    share_message,
)

log = logging.getLogger(__name__)
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
        open_request = deps.settings.match_channel is not None
        done = await deps.store.response_for_view(user_id, view.get("id")) if last else None
        if done is not None:
            # The same last screen sent twice (a double click, a retry): show, change nothing.
            rec = done.recommendation
            matches = (
                None
                if rec.path == "coaching"
                else await matches_for(client, deps, user_id, done.answers)
            )
            await ack(
                response_action="update", view=result_view(deps.content, rec, matches, open_request)
            )
            return
        draft = await deps.store.get_draft(user_id)
        merged = {**(draft.answers if draft else {}), **answers}
        now = deps.clock()
        if not last or not questionnaire.is_complete(merged):
            following = number + 1 if not last else questionnaire.first_unanswered_step(merged)
            await deps.store.save_draft(Draft(user_id, merged, following, channel_id, now))
            note = MISSING_NOTE if last else None
            await ack(
                response_action="update",
                view=step_view(questionnaire, following, merged, channel_id, note=note),
            )
            return

        rec = recommend(questionnaire, merged, deps.content.thresholds)
        # On disk before the person is told anything.
        response_id = await deps.store.add_response(
            Response(user_id, merged, rec, deps.content.version, now), view_id=view.get("id")
        )
        await deps.store.delete_draft(user_id)
        matches = None
        if rec.path != "coaching":
            matches = await matches_for(client, deps, user_id, merged)
        await ack(
            response_action="update", view=result_view(deps.content, rec, matches, open_request)
        )

        message = result_message(deps.content, rec, now, matches, open_request)
        await send_dm(client, user_id, message)
        # A retake replaces the nudges about the earlier result.
        await deps.store.cancel_nudges(user_id, kinds=RESULT_KINDS)
        cadence = deps.content.nudges.cadence
        plan = plan_after_recommendation(
            user_id, response_id, rec.path, bool(matches), now, cadence
        )
        await deps.store.add_nudges(plan)
        if matches == []:
            await tell_admins_about_gap(client, deps, merged)
        if channel_id and wants_share(view):
            try:
                await client.chat_postMessage(channel=channel_id, **share_message(user_id, rec))
            except SlackApiError as error:
                log.warning("share in %s failed: %s", channel_id, error.response.get("error"))
                await send_dm(client, user_id, share_failed_message(channel_id))

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
        answers = await keep_draft(deps, body["user"]["id"], view, previous, channel_id)
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
        await keep_draft(deps, body["user"]["id"], view, meta[0], meta[1])


async def keep_draft(
    deps: Deps, user_id: str, view: dict[str, Any], number: int, channel_id: str | None
) -> dict[str, tuple[str, ...]]:
    """Save whatever valid answers the modal holds, so nothing typed is lost."""
    questionnaire = deps.content.questionnaire
    draft = await deps.store.get_draft(user_id)
    merged = {**(draft.answers if draft else {}), **keep_known(questionnaire, read_answers(view))}
    number = min(max(number, 1), len(questionnaire.steps))
    await deps.store.save_draft(Draft(user_id, merged, number, channel_id, deps.clock()))
    return merged


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
