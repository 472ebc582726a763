"""The coach roster, for program admins: add (internal or external), edit, pause, resume,
remove, page through (the menu, the pages and Add are bot/listeners/admin_lists.py, shared
with the mentor pool).

Every handler checks admin rights on the server: a screen an admin once saw, or a request
someone crafted, changes nothing for anybody else.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.coaching import Coach, CoachKind
from bot.flows.roster import CHANGE_ROSTER, coach_from_entry, roster_screen
from bot.flows.slack import is_admin
from bot.listeners.admin_lists import AdminList, register_list
from bot.listeners.common import admin_or_refuse, clicked, modal_of, view_meta
from bot.screens.coaches import (
    ADD_ACTION,
    EDIT_CALLBACK,
    EXTERNAL,
    KIND_ACTION,
    MENU_ACTION,
    PAGE_ACTION,
    REMOVE_CALLBACK,
    ROSTER_CALLBACK,
    edit_view,
    read_edit,
    refused_view,
    remove_view,
    saved_view,
)
from bot.screens.mentors import refusal_text

REFUSAL = refusal_text(CHANGE_ROSTER)


def register(app: AsyncApp, deps: Deps) -> None:
    content = deps.content

    async def set_active(coach: Coach, active: bool, admin: str) -> None:
        what = f"{'resumed' if active else 'paused'} coach {coach.name}"
        await deps.store.save_coaches([replace(coach, active=active)], admin, what, deps.clock())

    listing: AdminList[Coach] = AdminList(
        refusal=REFUSAL,
        list_callback=ROSTER_CALLBACK,
        menu_action=MENU_ACTION,
        page_action=PAGE_ACTION,
        add_action=ADD_ACTION,
        screen=lambda page: roster_screen(deps, page),
        get=deps.store.get_coach,
        editor=lambda coach, root, page: edit_view(content, coach, root=root, page=page),
        confirm_removal=remove_view,
        set_active=set_active,
    )
    register_list(app, deps, listing)
    refresh = listing.refresh

    @app.view_submission(EDIT_CALLBACK)
    async def save_coach(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        admin = body["user"]["id"]
        if not await is_admin(client, deps, admin):
            await ack(response_action="update", view=refused_view(CHANGE_ROSTER))
            return
        meta = view_meta(view)
        known = await deps.store.get_coach(str(meta["id"])) if meta.get("id") else None
        kind = known.kind if known else ("external" if meta.get("kind") == EXTERNAL else "internal")
        entry = read_edit(view)
        coach, errors = await coach_from_entry(client, deps, entry, kind, known)
        if coach is None:
            await ack(response_action="errors", errors=errors)
            return
        added = known is None and await deps.store.get_coach(coach.id) is None
        what = f"{'added' if added else 'edited'} coach {coach.name}"
        await deps.store.save_coaches([coach], admin, what, deps.clock())
        if meta.get("root"):
            await ack()
            await refresh(client, meta["root"], meta.get("page"))
        else:
            await ack(response_action="update", view=saved_view(content, coach, added))

    @app.action(KIND_ACTION)
    async def swap_kind(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """The editor's internal / external choice: the other form, with what was typed."""
        await ack()
        if await admin_or_refuse(client, deps, body, REFUSAL) is None:
            return
        view = modal_of(body)
        if view is None:
            return
        meta = view_meta(view)
        kind: CoachKind = "external" if clicked(body) == EXTERNAL else "internal"
        editor = edit_view(
            content,
            kind=kind,
            typed=read_edit(view),
            root=meta.get("root"),
            page=meta.get("page", 1),
        )
        await client.views_update(view_id=view["id"], hash=view.get("hash"), view=editor)

    @app.view_submission(REMOVE_CALLBACK)
    async def remove_coach(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        admin = body["user"]["id"]
        if not await is_admin(client, deps, admin):
            await ack(response_action="update", view=refused_view(CHANGE_ROSTER))
            return
        meta = view_meta(view)
        coach = await deps.store.get_coach(str(meta.get("id")))
        await ack()
        if coach is not None:
            what = f"removed coach {coach.name}"
            await deps.store.remove_coach(coach.id, admin, what, deps.clock())
        await refresh(client, meta.get("root"), meta.get("page"))
