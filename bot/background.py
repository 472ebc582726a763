"""Work that falls due with time rather than with a click: intro lapses and DM nudges.

One loop in the bot process calls `run_due()`; tests call it directly with their own clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.listeners.common import send_dm
from bot.listeners.intros import matches_for, update_mentor_copies
from bot.nudger import Nudger, Pacer, Round
from bot.screens.intros import answered_message, declined_for_mentee

log = logging.getLogger(__name__)
EVERY_SECONDS = 30


class Background:
    def __init__(self, deps: Deps, client: AsyncWebClient, pacer: Pacer | None = None) -> None:
        self.deps = deps
        self.client = client
        self.nudger = Nudger(deps, client, pacer)

    async def run_due(self) -> Round:
        await self.lapse_intros()
        return await self.nudger.run_due()

    async def lapse_intros(self) -> None:
        deps = self.deps
        now = deps.clock()
        for intro in await deps.store.pending_intros():
            if now < intro.expires_at:
                continue
            lapsed = await deps.store.move_intro(intro.id, "pending", "expired", now)
            if lapsed is None:
                continue  # answered meanwhile
            await deps.store.cancel_nudges(lapsed.mentor_id, subject=lapsed.id)
            await update_mentor_copies(self.client, {}, lapsed, answered_message(lapsed, "expired"))
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

    async def loop(self, every: float = EVERY_SECONDS, stop: asyncio.Event | None = None) -> None:
        """A round now and every `every` seconds, until `stop` is set. Each round counts as
        work under way, so shutdown lets it finish (or stops it after the grace)."""
        stop = stop or asyncio.Event()
        async with self.deps.inflight.tracking():
            await self.nudger.recover()
        while not stop.is_set():
            try:
                async with self.deps.inflight.tracking():
                    await self.run_due()
            except Exception:
                # One bad round must not stop the nudges for good; the next round retries.
                log.exception("background round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
