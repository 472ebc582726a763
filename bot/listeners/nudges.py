"""Answers to nudges: Snooze a week, Stop these reminders, did we meet, check-in scores and
notes, coaching goals. Each answer is stored, and the nudge's DM shows it in place of buttons."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.nudges import Nudge
from bot.flows import mentoring_end
from bot.flows import nudges as flow
from bot.flows.outbox import deliver
from bot.flows.slack import update_message
from bot.listeners.common import Reply, clicked, trigger_of
from bot.screens.blocks import element_state
from bot.screens.mentoring_end import check_in_buttons
from bot.screens.nudges import (
    GOALS_ACTION,
    GOALS_CALLBACK,
    GOALS_MOST,
    MET_ACTION,
    NOT_YET_ACTION,
    NOTE_ACTION,
    NOTE_CALLBACK,
    NOTE_MOST,
    SCORE_ACTION,
    SNOOZE_ACTION,
    STOP_ACTION,
    STOPPED,
    answered_nudge,
    goals_view,
    note_view,
)


def register(app: AsyncApp, deps: Deps) -> None:

    async def show(nudge: Nudge, stored: bool, shown: str, reply: Reply) -> None:
        """The answer in place of the buttons, or, if another click got there first, so."""
        if not stored:
            await reply({"text": flow.ALREADY_ANSWERED})
            return
        note = nudge.id if nudge.kind == "check_in" else None
        more: tuple[dict[str, Any], ...] = ()
        if note:
            goals = await mentoring_end.goals_for_check_in(deps, nudge)
            more = tuple(check_in_buttons(nudge.id, nudge.subject, bool(goals)))
        await reply(answered_nudge(shown, note_for=note, more=more), replace=True)

    Handler = Callable[[Nudge, dict[str, Any], Reply, AsyncWebClient], Awaitable[None]]

    def on_click(*action_ids: str, answered_ok: bool = False) -> Callable[[Handler], Handler]:
        """Register a nudge button: ack, then the handler gets the clicker's own open nudge
        (anyone else, or a second click, is answered here and goes no further)."""

        def register_handler(handle: Handler) -> Handler:
            async def listener(
                ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
            ) -> None:
                await ack()
                reply = Reply(body, respond, client)
                nudge_id = clicked(body).split(":")[0]
                nudge, why = await flow.open_nudge(deps, body["user"]["id"], nudge_id, answered_ok)
                if nudge is None:
                    await reply({"text": why})
                    return
                await handle(nudge, body, reply, client)

            for action_id in action_ids:
                app.action(action_id)(listener)
            return handle

        return register_handler

    @on_click(SNOOZE_ACTION)
    async def snooze(nudge: Nudge, body: dict[str, Any], reply: Reply, _: AsyncWebClient) -> None:
        if not await flow.snooze(deps, nudge):
            await reply({"text": flow.ALREADY_ANSWERED})
            return
        await reply(answered_nudge("Snoozed: I will remind you again in a week."), replace=True)

    @on_click(STOP_ACTION)
    async def stop(nudge: Nudge, body: dict[str, Any], reply: Reply, _: AsyncWebClient) -> None:
        await flow.stop_nudges(deps, nudge.user_id)
        await reply(answered_nudge(STOPPED), replace=True)

    @on_click(MET_ACTION)
    async def met(nudge: Nudge, body: dict[str, Any], reply: Reply, _: AsyncWebClient) -> None:
        stored = await flow.record(deps, nudge, {"met": "yes"})
        await show(nudge, stored, "Great that you met! I will check in now and then.", reply)

    @on_click(NOT_YET_ACTION)
    async def not_yet(nudge: Nudge, body: dict[str, Any], reply: Reply, _: AsyncWebClient) -> None:
        stored = await flow.not_met_yet(deps, nudge)
        await show(nudge, stored, "Not yet: fine. I will ask again in a week.", reply)

    @on_click(*(f"{SCORE_ACTION}_{n}" for n in range(1, 6)), answered_ok=True)
    async def score(
        nudge: Nudge, body: dict[str, Any], reply: Reply, client: AsyncWebClient
    ) -> None:
        points = clicked(body).rpartition(":")[2]
        if points in {"1", "2", "3", "4", "5"}:
            stored, effects = await mentoring_end.record_score(deps, nudge, points)
            await show(nudge, stored, f"Thanks: you said {points} out of 5.", reply)
            await deliver(deps, client, effects)

    @on_click(NOTE_ACTION, answered_ok=True)
    async def open_note(
        nudge: Nudge, body: dict[str, Any], reply: Reply, client: AsyncWebClient
    ) -> None:
        note = note_view(nudge.id, "Check-in note", "How is it going?")
        await client.views_open(trigger_id=trigger_of(body), view=note)

    @on_click(GOALS_ACTION, answered_ok=True)
    async def open_goals(
        nudge: Nudge, body: dict[str, Any], reply: Reply, client: AsyncWebClient
    ) -> None:
        goals = await flow.current_goals(deps, nudge)
        await client.views_open(trigger_id=trigger_of(body), view=goals_view(nudge.id, goals))

    async def submitted(
        view: dict[str, Any], user_id: str, block: str, most: int
    ) -> tuple[Nudge | None, str, str | None]:
        try:
            nudge_id = str(json.loads(view.get("private_metadata") or "{}").get("nudge"))
        except (ValueError, AttributeError):
            nudge_id = ""
        nudge = await flow.answered_by(deps, user_id, nudge_id)
        typed = element_state(view, block, block).get("value")
        text = typed if isinstance(typed, str) else ""
        problem = f"Please keep it to {most} characters." if len(text) > most else None
        if nudge is None:
            problem = flow.NOT_YOURS
        return nudge, text.strip(), problem

    @app.view_submission(NOTE_CALLBACK)
    async def save_note(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        nudge, note, problem = await submitted(view, body["user"]["id"], "note", NOTE_MOST)
        if problem or nudge is None:
            await ack(response_action="errors", errors={"note": problem or "Please try again."})
            return
        await flow.save_note(deps, nudge, note)
        await ack()

    @app.view_submission(GOALS_CALLBACK)
    async def save_goals(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        nudge, goals, problem = await submitted(view, body["user"]["id"], "goals", GOALS_MOST)
        if problem or nudge is None:
            await ack(response_action="errors", errors={"goals": problem or "Please try again."})
            return
        count = await flow.save_goals(deps, nudge, goals)
        await ack()
        if nudge.message.get("ts"):
            shown = f"Goals saved ({count}). Your reviews will ask how they are going."
            await update_message(client, dict(nudge.message), answered_nudge(shown))
