"""Events: the App Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.screens.home import home_view


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event("app_home_opened")
    async def show_home(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = event["user"]
        latest = await deps.store.latest_response(user_id)
        draft = await deps.store.get_draft(user_id)
        view = home_view(deps.content, latest, draft, deps.clock())
        await client.views_publish(user_id=user_id, view=view)
