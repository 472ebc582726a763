"""Matching rounds in Slack: `/devpath round` and its modal, Join the round, a mentor's
places, Match now, the preview with Swap… and Remove, and Publish. Admin rights are checked
on the server for everything an admin does here."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows import rounds as flow
from bot.flows.outbox import deliver
from bot.flows.slack import is_admin, send_dm
from bot.listeners.common import Reply, clicked, trigger_of, view_meta
from bot.screens.intros import notice_view
from bot.screens.mentors import refusal_text
from bot.screens.rounds import (
    JOIN_ACTION,
    MATCH_ACTION,
    PAGE_ACTION,
    PAIR_ACTION,
    PLACES_ACTION,
    PREVIEW_ACTION,
    PUBLISH_ACTION,
    START_CALLBACK,
    SWAP_CALLBACK,
    joined_message,
    places_confirmed,
    preview_view,
    read_start,
    read_swap,
    start_view,
    swap_view,
)

RUN_ROUNDS = "run matching rounds"


async def round_command(
    client: AsyncWebClient, deps: Deps, user_id: str, trigger_id: str, respond: AsyncRespond
) -> None:
    """`/devpath round`, after the command's ack: the start modal, for admins."""
    if not await is_admin(client, deps, user_id):
        await respond(text=refusal_text(RUN_ROUNDS), response_type="ephemeral")
        return
    await client.views_open(trigger_id=trigger_id, view=start_view())


def register(app: AsyncApp, deps: Deps) -> None:
    async def admin(client: AsyncWebClient, body: dict[str, Any], respond: Any) -> str | None:
        """The clicker if an admin; otherwise they are told, and nothing happens."""
        clicker = str(body["user"]["id"])
        if await is_admin(client, deps, clicker):
            return clicker
        await Reply(body, respond, client)({"text": refusal_text(RUN_ROUNDS)})
        return None

    @app.view_submission(START_CALLBACK)
    async def start(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user_id = body["user"]["id"]
        if not await is_admin(client, deps, user_id):
            await ack(response_action="errors", errors={"name": refusal_text(RUN_ROUNDS)})
            return
        name, closes, audience, replaces = read_start(view)
        closes_at = datetime.combine(closes, time(0), UTC) if closes else None
        problems = flow.start_problems(name, closes_at, deps.clock())
        if problems or closes_at is None:
            await ack(response_action="errors", errors=problems)
            return
        done = await flow.start_round(
            deps,
            user_id,
            name,
            closes_at,
            "everyone" if audience == "everyone" else "opt_in",
            replaces,
        )
        if done.refused is not None:
            await ack(response_action="errors", errors={"name": done.refused})
            return
        await ack(
            response_action="update",
            view=notice_view(
                "Round started",
                "Started. The people waiting for a mentor and the mentors with free places are "
                "being told now; your round's card is in your DMs, with Match now.",
            ),
        )
        await deliver(deps, client, done.effects)

    @app.action(JOIN_ACTION)
    async def join(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        user_id = str(body["user"]["id"])
        timezone = (await deps.workspace.person(client, user_id, deps.clock()) or {}).get("tz")
        done = await flow.join(deps, user_id, clicked(body))
        reply = Reply(body, respond, client)
        if done.round is None:
            await reply({"text": done.refused or ""})
            return
        if timezone:  # the round's matching counts timezones, after the person's ack too
            await deps.store.set_person(user_id, timezone=timezone)
        await reply(joined_message(done.round), replace=True)

    @app.action(re.compile(rf"^{PLACES_ACTION}_\d+$"))
    async def places(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        round_id, _, count = clicked(body).partition(":")
        places = int(count) if count.isdigit() else 0
        done = await flow.confirm_places(deps, str(body["user"]["id"]), round_id, places)
        reply = Reply(body, respond, client)
        if done.round is None:
            await reply({"text": done.refused or ""})
            return
        await reply(places_confirmed(done.round, places), replace=True)

    @app.action(MATCH_ACTION)
    async def match_now(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        if await admin(client, body, respond) is None:
            return
        done = await flow.match_round(deps, clicked(body))
        if done.refused is not None:
            await Reply(body, respond, client)({"text": done.refused})
            return
        await deliver(deps, client, done.effects)

    @app.action(PREVIEW_ACTION)
    async def preview(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        if await admin(client, body, respond) is None:
            return
        found = await deps.store.get_round(clicked(body))
        if found is None:
            await Reply(body, respond, client)({"text": flow.NOT_FOUND})
            return
        await client.views_open(trigger_id=trigger_of(body), view=preview_view(found))

    @app.action(re.compile(rf"^{PAGE_ACTION}_(previous|next)$"))
    async def page(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        if await admin(client, body, respond) is None:
            return
        view = body.get("view") or {}
        found = await deps.store.get_round(str(view_meta(view).get("round", "")))
        if found is not None:
            to = int(clicked(body)) if clicked(body).isdigit() else 1
            await client.views_update(view_id=view["id"], view=preview_view(found, to))

    @app.action(PAIR_ACTION)
    async def pair(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        if await admin(client, body, respond) is None:
            return
        view = body.get("view") or {}
        meta = view_meta(view)
        chosen = ((body.get("actions") or [{}])[0].get("selected_option") or {}).get("value", "")
        verb, _, mentee_id = str(chosen).partition(":")
        found = await deps.store.get_round(str(meta.get("round", "")))
        current = found.pair_of(mentee_id) if found else None
        if found is None or current is None:
            await Reply(body, respond, client)({"text": "That pair is not in the round any more."})
            return
        page = int(meta.get("page", 1) or 1)
        if verb == "swap":
            names = {m.user_id: m.name for m in await deps.store.mentors()}
            options = await flow.swap_options(deps, found, mentee_id)
            others = [p for p in options if p.mentor_id != current.mentor_id]
            if not others:
                await Reply(body, respond, client)(
                    {"text": "Nobody else who fits them has a place in this round."}
                )
                return
            swap = swap_view(found, mentee_id, others, names, page, root=str(view.get("id", "")))
            await client.views_push(trigger_id=trigger_of(body), view=swap)
            return
        done = await flow.remove(deps, found.id, mentee_id, current.mentor_id)
        if done.round is None:
            await Reply(body, respond, client)({"text": done.refused or ""})
            return
        await client.views_update(view_id=view["id"], view=preview_view(done.round, page))
        await deliver(deps, client, done.effects)

    @app.view_submission(SWAP_CALLBACK)
    async def swapped(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if not await is_admin(client, deps, body["user"]["id"]):
            await ack(response_action="errors", errors={"mentor": refusal_text(RUN_ROUNDS)})
            return
        round_id, mentee_id, mentor_id, page, root = read_swap(view)
        found = await deps.store.get_round(round_id)
        why = await flow.why_not_swap(deps, found, mentee_id, mentor_id) if found else None
        if found is None or why is not None:
            await ack(response_action="errors", errors={"mentor": why or flow.NOT_FOUND})
            return
        await ack()
        done = await flow.swap(deps, round_id, mentee_id, mentor_id)
        if done.round is None:  # changed meanwhile: the admin hears why by DM
            await send_dm(client, body["user"]["id"], {"text": done.refused or flow.TRY_AGAIN})
            return
        # Back to the preview beneath, drawn again with the new assignment.
        if root:
            await client.views_update(view_id=root, view=preview_view(done.round, page))
        await deliver(deps, client, done.effects)

    @app.action(PUBLISH_ACTION)
    async def publish(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        if await admin(client, body, respond) is None:
            return
        done = await flow.publish(deps, clicked(body))
        if done.round is None:
            await Reply(body, respond, client)({"text": done.refused or ""})
            return
        view = body.get("view") or {}
        if view.get("id"):
            await client.views_update(view_id=view["id"], view=preview_view(done.round))
        await deliver(deps, client, done.effects)
