"""Answers to nudges: Snooze a week, Stop these reminders, did we meet, check-in scores and
notes, coaching goals. Each answer is stored, and the nudge's DM shows it in place of buttons."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.nudges import Nudge, new_nudge
from bot.domain.pool import clean_text
from bot.listeners.common import Reply, clicked, trigger_of
from bot.screens.blocks import element_state
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
    answered_nudge,
    goals_view,
    note_view,
)

log = logging.getLogger(__name__)
STOPPED = (
    "Done: no more reminders from devpath. Type `/devpath nudges on` whenever you want them back."
)
MET = "Great that you met! I will check in now and then."
STARTED = "Reminders are back on. You can snooze or stop any of them from the reminder itself."


async def stop_nudges(deps: Deps, user_id: str) -> None:
    await deps.store.set_person(user_id, stopped=True)
    await deps.store.cancel_nudges(user_id)


async def start_nudges(deps: Deps, user_id: str) -> None:
    """Back on: mentoring check-ins resume for the intros that are still going."""
    await deps.store.set_person(user_id, stopped=False)
    now, cadence = deps.clock(), deps.content.nudges.cadence
    going = [i for i in await deps.store.intros_of(user_id) if i.state == "accepted"]
    scheduled = {n.subject for n in await deps.store.nudges_of(user_id) if n.state == "scheduled"}
    await deps.store.add_nudges(
        [
            new_nudge(user_id, "check_in", now + cadence.check_in_every, now, i.id)
            for i in going
            if i.id not in scheduled
        ]
    )


def register(app: AsyncApp, deps: Deps) -> None:
    store = deps.store

    async def mine(body: dict[str, Any], reply: Reply, answered_ok: bool = False) -> Nudge | None:
        """The nudge this button belongs to, if it is the clicker's own and still open (a
        double click, or an old copy of the DM, changes nothing twice)."""
        value = clicked(body)
        nudge = await store.get_nudge(value.split(":")[0])
        if nudge is None or nudge.user_id != body["user"]["id"]:
            text = "That reminder is no longer active."
        elif nudge.state == "sent" or (answered_ok and nudge.state == "answered"):
            return nudge
        else:
            text = "You already answered this reminder."
        await reply({"text": text})
        return None

    async def record(nudge: Nudge, answer: dict[str, str], shown: str, reply: Reply) -> None:
        await store.update_nudge(
            nudge.id, state="answered", answered_at=deps.clock(), answer={**nudge.answer, **answer}
        )
        note = nudge.id if nudge.kind == "check_in" else None
        await reply(answered_nudge(shown, note_for=note), replace=True)
        if nudge.kind == "check_in":
            await keep_checking_in(nudge)

    async def keep_checking_in(nudge: Nudge) -> None:
        """Answering brings check-ins back after they stopped for being ignored."""
        theirs = await store.nudges_of(nudge.user_id)
        if any(
            n.kind == "check_in" and n.subject == nudge.subject and n.state == "scheduled"
            for n in theirs
        ):
            return
        await again(nudge, "check_in", deps.content.nudges.cadence.check_in_every)

    async def again(nudge: Nudge, kind: str, after: timedelta) -> None:
        """The same person, about the same thing, `after` from now."""
        now = deps.clock()
        await store.add_nudges([new_nudge(nudge.user_id, kind, now + after, now, nudge.subject)])

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
                if nudge := await mine(body, reply, answered_ok):
                    await handle(nudge, body, reply, client)

            for action_id in action_ids:
                app.action(action_id)(listener)
            return handle

        return register_handler

    @on_click(SNOOZE_ACTION)
    async def snooze(nudge: Nudge, body: dict[str, Any], reply: Reply, _: AsyncWebClient) -> None:
        await again(nudge, nudge.kind, deps.content.nudges.cadence.snooze)
        await store.update_nudge(nudge.id, state="snoozed", answered_at=deps.clock())
        await reply(answered_nudge("Snoozed: I will remind you again in a week."), replace=True)

    @on_click(STOP_ACTION)
    async def stop(nudge: Nudge, body: dict[str, Any], reply: Reply, _: AsyncWebClient) -> None:
        await stop_nudges(deps, nudge.user_id)
        await reply(answered_nudge(STOPPED), replace=True)

    @on_click(MET_ACTION)
    async def met(nudge: Nudge, body: dict[str, Any], reply: Reply, _: AsyncWebClient) -> None:
        await record(
            nudge, {"met": "yes"}, "Great that you met! I will check in now and then.", reply
        )

    @on_click(NOT_YET_ACTION)
    async def not_yet(nudge: Nudge, body: dict[str, Any], reply: Reply, _: AsyncWebClient) -> None:
        await again(nudge, "did_you_meet", deps.content.nudges.cadence.did_you_meet_after)
        await record(nudge, {"met": "no"}, "Not yet: fine. I will ask again in a week.", reply)

    @on_click(*(f"{SCORE_ACTION}_{n}" for n in range(1, 6)), answered_ok=True)
    async def score(nudge: Nudge, body: dict[str, Any], reply: Reply, _: AsyncWebClient) -> None:
        points = clicked(body).rpartition(":")[2]
        if points in {"1", "2", "3", "4", "5"}:
            await record(nudge, {"score": points}, f"Thanks: you said {points} out of 5.", reply)

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
        goals = str((await store.person(nudge.user_id)).get("goals", ""))
        await client.views_open(trigger_id=trigger_of(body), view=goals_view(nudge.id, goals))

    async def submitted(
        view: dict[str, Any], user_id: str, block: str, most: int
    ) -> tuple[Nudge | None, str, str | None]:
        try:
            nudge_id = str(json.loads(view.get("private_metadata") or "{}").get("nudge"))
        except (ValueError, AttributeError):
            nudge_id = ""
        nudge = await store.get_nudge(nudge_id)
        typed = element_state(view, block, block).get("value")
        text = typed if isinstance(typed, str) else ""
        problem = f"Please keep it to {most} characters." if len(text) > most else None
        if nudge is None or nudge.user_id != user_id:
            problem = "This reminder is no longer yours to answer."
        return nudge, text.strip(), problem

    @app.view_submission(NOTE_CALLBACK)
    async def save_note(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        nudge, note, problem = await submitted(view, body["user"]["id"], "note", NOTE_MOST)
        if problem or nudge is None:
            await ack(response_action="errors", errors={"note": problem or "Please try again."})
            return
        await store.update_nudge(
            nudge.id,
            state="answered",
            answered_at=deps.clock(),
            answer={**nudge.answer, "note": clean_text(note)},
        )
        await ack()

    @app.view_submission(GOALS_CALLBACK)
    async def save_goals(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        nudge, goals, problem = await submitted(view, body["user"]["id"], "goals", GOALS_MOST)
        if problem or nudge is None:
            await ack(response_action="errors", errors={"goals": problem or "Please try again."})
            return
        # Goals keep their lines (one goal each); only stray control characters go.
        lines = [clean_text(line) for line in goals.splitlines() if clean_text(line)]
        await store.set_person(nudge.user_id, goals="\n".join(lines))
        await store.update_nudge(
            nudge.id, state="answered", answered_at=deps.clock(), answer={"goals": str(len(lines))}
        )
        await ack()
        if nudge.message.get("ts"):
            try:
                await client.chat_update(
                    channel=nudge.message["channel"],
                    ts=nudge.message["ts"],
                    **answered_nudge(
                        f"Goals saved ({len(lines)}). Your reviews will ask how they are going."
                    ),
                )
            except SlackApiError as error:
                log.warning("could not update the goals nudge: %s", error.response.get("error"))
