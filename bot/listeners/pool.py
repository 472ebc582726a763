"""The mentor pool, for program admins: add, edit, pause, resume, remove, page through (the
menu, the pages and Add are bot/listeners/admin_lists.py, shared with the coach roster).

Every handler checks admin rights on the server: a screen an admin once saw, or a request
someone crafted, changes nothing for anybody else.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.matching import Mentor
from bot.domain.pool import clean_text
from bot.flows.mentors import entry_problems
from bot.flows.pool import CHANGE_POOL, pool_screen, save_pool
from bot.flows.slack import display_name, is_admin, person_problem
from bot.listeners.admin_lists import AdminList, register_list
from bot.listeners.common import admin_or_refuse, trigger_of, view_meta
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


def _refused_view() -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain("Mentor pool"),
        "close": plain("Close"),
        "blocks": [section(refusal_text(CHANGE_POOL))],
    }


def register(app: AsyncApp, deps: Deps) -> None:
    content = deps.content

    async def set_active(mentor: Mentor, active: bool, admin: str) -> None:
        what = f"{'resumed' if active else 'paused'} {mentor.name}"
        await deps.store.save_mentors([replace(mentor, active=active)], admin, what, deps.clock())

    listing: AdminList[Mentor] = AdminList(
        refusal=refusal_text(CHANGE_POOL),
        list_callback=POOL_CALLBACK,
        menu_action=MENU_ACTION,
        page_action=PAGE_ACTION,
        add_action=ADD_ACTION,
        screen=lambda page: pool_screen(deps, page),
        get=deps.store.get_mentor,
        editor=lambda mentor, root, page: edit_view(content, mentor, root=root, page=page),
        confirm_removal=remove_view,
        set_active=set_active,
    )
    register_list(app, deps, listing)
    refresh = listing.refresh

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
        person = (
            await deps.workspace.person(client, entry["user"], deps.clock())
            if entry["user"]
            else None
        )
        if not entry["user"]:
            errors["mentor"] = "Choose the person who will mentor."
        elif problem := person_problem(person, "mentors"):
            errors["mentor"] = problem
        errors.update(entry_problems(deps, entry))
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
        await save_pool(deps.store, [mentor], admin, f"{verb} {mentor.name}", deps.clock())
        meta = view_meta(view)
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
        meta = view_meta(view)
        mentor = await deps.store.get_mentor(str(meta.get("user")))
        await ack()
        if mentor is not None:
            await deps.store.remove_mentor(
                mentor.user_id, admin, f"removed {mentor.name}", deps.clock()
            )
        await refresh(client, meta.get("root"), meta.get("page"))

    @app.action(POOL_OPEN_ACTION)
    async def open_pool(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        if await admin_or_refuse(client, deps, body, listing.refusal) is None:
            return
        await client.views_open(trigger_id=trigger_of(body), view=await pool_screen(deps))
