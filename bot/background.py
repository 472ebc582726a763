"""Work that falls due with time rather than with a click: intro reminders and lapses.

One loop in the bot process calls `run_due()`; tests call it directly with their own clock.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.listeners.common import send_dm
from bot.listeners.intros import matches_for, update_mentor_copies
from bot.screens.blocks import when
from bot.screens.intros import answered_message, declined_for_mentee, reminder_message

log = logging.getLogger(__name__)
EVERY_SECONDS = 30


class Background:
    def __init__(self, deps: Deps, client: AsyncWebClient) -> None:
        self.deps = deps
        self.client = client

    async def run_due(self) -> None:
        deps = self.deps
        now = deps.clock()
        remind_before = deps.content.matching.intro_remind_before
        for intro in await deps.store.intros():
            if intro.state != "pending":
                continue
            if now >= intro.expires_at:
                lapsed = await deps.store.move_intro(intro.id, "pending", "expired", now)
                if lapsed is None:
                    continue  # answered meanwhile
                await update_mentor_copies(
                    self.client, {}, lapsed, answered_message(lapsed, "expired")
                )
                mentor = await deps.store.get_mentor(lapsed.mentor_id)
                latest = await deps.store.latest_response(lapsed.mentee_id)
                matches = (
                    await matches_for(self.client, deps, lapsed.mentee_id, latest.answers)
                    if latest
                    else []
                )
                name = mentor.name if mentor else "Your mentor"
                await send_dm(
                    self.client, lapsed.mentee_id, declined_for_mentee(name, matches, "expired")
                )
            elif not intro.reminded and now >= intro.expires_at - remind_before:
                # Marked before sending: a crash in between costs a reminder, never doubles one.
                await deps.store.mark_intro(intro.id, reminded=True)
                await send_dm(
                    self.client,
                    intro.mentor_id,
                    reminder_message(intro, when(intro.expires_at, now)),
                )

    async def loop(self, every: float = EVERY_SECONDS) -> None:
        while True:
            try:
                await self.run_due()
            except Exception:
                # One bad round must not stop reminders for good; the next round retries.
                log.exception("background round failed")
            await asyncio.sleep(every)
