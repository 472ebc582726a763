"""The mentor pool, for program admins: add, edit, pause, resume, remove, page through.

Every handler checks admin rights on the server: a screen an admin once saw, or a request
someone crafted, changes nothing for anybody else.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.matching import Mentor
from bot.domain.pool import clean_text, mentor_problems
from bot.flows.pool import CHANGE_POOL, pool_screen
from bot.flows.slack import display_name, is_admin, send_dm, user_info
from bot.listeners.common import clicked, trigger_of
from bot.screens.blocks import plain, section
from bot.screens.home import POOL_OPEN_ACTION
from bot.screens.mentors import (
    ADD_ACTION,
    EDIT_CALLBACK,
    MENU_ACTION,
    PAGE_ACTION,
    POOL_CALLBACK,
    REMOVE_CALLBACK,
    edit_view,
    read_edit,
    refusal_text,
    remove_view,
    saved_view,
)


async def mentees_of(deps: Deps, mentor_id: str) -> int:
    return (await deps.store.mentees_now()).get(mentor_id, 0)


def _meta(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _refused_view() -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain("Mentor pool"),
        "close": plain("Close"),
        "blocks": [section(refusal_text(CHANGE_POOL))],
    }


def register(app: AsyncApp, deps: Deps) -> None:
    content = deps.content

    async def admin_or_refuse(client: AsyncWebClient, body: dict[str, Any]) -> str | None:
        """The clicker, if an admin; otherwise they are told why nothing happened."""
        clicker = str(body["user"]["id"])
        if await is_admin(client, deps, clicker):
            return clicker
        await send_dm(client, clicker, {"text": refusal_text(CHANGE_POOL)})
        return None

    async def refresh(client: AsyncWebClient, root: Any, page: Any = 1) -> None:
        if isinstance(root, str) and root:
            page = page if isinstance(page, int) else 1
            await client.views_update(view_id=root, view=await pool_screen(deps, page))

    @app.view_submission(EDIT_CALLBACK)
    async def save_mentor(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        admin = body["user"]["id"]
        if not await is_admin(client, deps, admin):
            await ack(response_action="errors", errors={"mentor": refusal_text(CHANGE_POOL)})
            return
        entry = read_edit(view)
        errors: dict[str, str] = {}
        person = await user_info(client, entry["user"]) if entry["user"] else None
        if not entry["user"]:
            errors["mentor"] = "Choose the person who will mentor."
        elif person is None:
            errors["mentor"] = (
                "I could not look this person up in Slack. If they are still here, try again."
            )
        elif person.get("is_bot"):
            errors["mentor"] = "That is a bot: mentors are people."
        elif person.get("deleted"):
            errors["mentor"] = "This account is deactivated."
        problems = mentor_problems(
            fields=entry["fields"],
            topics=entry["topics"],
            seniority=entry["seniority"],
            capacity=entry["capacity"],
            bio=entry["bio"],
            known_fields={o.value for o in content.options_of("field")},
            known_topics={o.value for o in content.options_of("topics")},
            known_seniority={s.value for s in content.matching.seniority},
        )
        errors.update(
            {block: problem[0].upper() + problem[1:] + "." for block, problem in problems.items()}
        )
        if errors or person is None:
            await ack(response_action="errors", errors=errors)
            return
        mentor = Mentor(
            user_id=entry["user"],
            name=display_name(person),
            timezone=person.get("tz"),
            fields=entry["fields"],
            topics=entry["topics"],
            seniority=entry["seniority"],
            capacity=int(entry["capacity"]),
            bio=clean_text(entry["bio"]),
            active=entry["active"],
        )
        added = await deps.store.get_mentor(mentor.user_id) is None
        verb = "added" if added else "edited"
        await deps.store.save_mentors([mentor], admin, f"{verb} {mentor.name}", deps.clock())
        meta = _meta(view)
        if meta.get("root"):
            await ack()
            await refresh(client, meta["root"], meta.get("page"))
        else:
            count = await mentees_of(deps, mentor.user_id)
            await ack(response_action="update", view=saved_view(content, mentor, added, count))

    @app.view_submission(REMOVE_CALLBACK)
    async def remove_mentor(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        admin = body["user"]["id"]
        if not await is_admin(client, deps, admin):
            await ack(response_action="update", view=_refused_view())
            return
        meta = _meta(view)
        mentor = await deps.store.get_mentor(str(meta.get("user")))
        await ack()
        if mentor is not None:
            await deps.store.remove_mentor(
                mentor.user_id, admin, f"removed {mentor.name}", deps.clock()
            )
        await refresh(client, meta.get("root"), meta.get("page"))

    @app.action(MENU_ACTION)
    async def mentor_menu(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        admin = await admin_or_refuse(client, body)
        if admin is None:
            return
        view = body.get("view") or {}
        verb, _, user_id = clicked(body).partition(":")
        mentor = await deps.store.get_mentor(user_id)
        page = _meta(view).get("page", 1)
        if mentor is None:
            await refresh(client, view.get("id"), page)
            return
        if verb == "edit":
            editor = edit_view(content, mentor, root=view.get("id"), page=page)
            await client.views_push(trigger_id=trigger_of(body), view=editor)
        elif verb == "remove":
            confirm = remove_view(mentor, root=view.get("id"), page=page)
            await client.views_push(trigger_id=trigger_of(body), view=confirm)
        elif verb in ("pause", "resume"):
            changed = replace(mentor, active=verb == "resume")
            what = f"{'paused' if verb == 'pause' else 'resumed'} {mentor.name}"
            await deps.store.save_mentors([changed], admin, what, deps.clock())
            await refresh(client, view.get("id"), page)

    async def turn_page(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        if await admin_or_refuse(client, body) is None:
            return
        value = clicked(body)
        page = int(value) if value.isascii() and value.isdigit() else 1
        await refresh(client, (body.get("view") or {}).get("id"), page)

    app.action(f"{PAGE_ACTION}_previous")(turn_page)
    app.action(f"{PAGE_ACTION}_next")(turn_page)

    @app.action(POOL_OPEN_ACTION)
    async def open_pool(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        admin = await admin_or_refuse(client, body)
        if admin is None:
            return
        await client.views_open(trigger_id=trigger_of(body), view=await pool_screen(deps))

    @app.action(ADD_ACTION)
    async def add_mentor(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        admin = await admin_or_refuse(client, body)
        if admin is None:
            return
        view = body.get("view") or {}
        if view.get("type") == "modal" and view.get("callback_id") == POOL_CALLBACK:
            editor = edit_view(content, None, root=view.get("id"), page=_meta(view).get("page", 1))
            await client.views_push(trigger_id=trigger_of(body), view=editor)
        elif view.get("type") == "modal":
            await client.views_update(view_id=view.get("id"), view=edit_view(content, None))
        else:
            await client.views_open(trigger_id=trigger_of(body), view=edit_view(content, None))
