"""What the mentor pool and the coach roster share: a list in a modal, paged, with Add and,
on each entry, Edit / Pause or Resume / Remove. Every click is checked for admin rights on
the server; anyone else is told by DM why nothing happened."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.listeners.common import admin_or_refuse, clicked, trigger_of, view_meta

T = TypeVar("T")
View = dict[str, Any]


@dataclass(frozen=True)
class AdminList(Generic[T]):
    refusal: str  # what a non-admin is told
    list_callback: str  # the list modal's callback_id
    menu_action: str  # each entry's overflow menu: "edit:<key>", "pause:<key>", ...
    page_action: str  # <page_action>_previous, <page_action>_next
    add_action: str
    screen: Callable[[int], Awaitable[View]]  # the list at a page
    get: Callable[[str], Awaitable[T | None]]
    # (entry or None to add, the list view to refresh after, its page) -> the editor
    editor: Callable[[T | None, str | None, int], View]
    confirm_removal: Callable[[T, str | None, int], View]
    # (entry, active, admin): pause or resume it, recorded as the admin's change
    set_active: Callable[[T, bool, str], Awaitable[None]]

    async def refresh(self, client: AsyncWebClient, root: Any, page: Any = 1) -> None:
        """Show the list view `root` (if there is one) again at `page`, as it is now."""
        if isinstance(root, str) and root:
            page = page if isinstance(page, int) else 1
            await client.views_update(view_id=root, view=await self.screen(page))


def register_list(app: AsyncApp, deps: Deps, listing: AdminList[Any]) -> None:
    async def admin_of(client: AsyncWebClient, body: dict[str, Any]) -> str | None:
        return await admin_or_refuse(client, deps, body, listing.refusal)

    @app.action(listing.menu_action)
    async def menu(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        admin = await admin_of(client, body)
        if admin is None:
            return
        view = body.get("view") or {}
        verb, _, key = clicked(body).partition(":")
        entry = await listing.get(key)
        page = view_meta(view).get("page", 1)
        if entry is None:
            await listing.refresh(client, view.get("id"), page)
        elif verb == "edit":
            editor = listing.editor(entry, view.get("id"), page)
            await client.views_push(trigger_id=trigger_of(body), view=editor)
        elif verb == "remove":
            confirm = listing.confirm_removal(entry, view.get("id"), page)
            await client.views_push(trigger_id=trigger_of(body), view=confirm)
        elif verb in ("pause", "resume"):
            await listing.set_active(entry, verb == "resume", admin)
            await listing.refresh(client, view.get("id"), page)

    async def turn_page(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        if await admin_of(client, body) is None:
            return
        value = clicked(body)
        page = int(value) if value.isascii() and value.isdigit() else 1
        await listing.refresh(client, (body.get("view") or {}).get("id"), page)

    app.action(f"{listing.page_action}_previous")(turn_page)
    app.action(f"{listing.page_action}_next")(turn_page)

    @app.action(listing.add_action)
    async def add(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """Over the list (to refresh it after), in place of another modal, or a new one."""
        await ack()
        if await admin_of(client, body) is None:
            return
        view = body.get("view") or {}
        if view.get("type") == "modal" and view.get("callback_id") == listing.list_callback:
            editor = listing.editor(None, view.get("id"), view_meta(view).get("page", 1))
            await client.views_push(trigger_id=trigger_of(body), view=editor)
        elif view.get("type") == "modal":
            await client.views_update(view_id=view.get("id"), view=listing.editor(None, None, 1))
        else:
            await client.views_open(trigger_id=trigger_of(body), view=listing.editor(None, None, 1))
