"""Work that falls due with time rather than with a click: intro and coach-offer lapses,
mentors back from time away, 360 feedback's reminder and close, and DM nudges.

One loop in the bot process calls `run_due()`; tests call it directly with their own clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows import (
    mentoring_start,  # noqa: F401  (registers the makers of its effects)
    outbox,
)
from bot.flows.coaching import lapse_offers
from bot.flows.feedback import run_due_feedback
from bot.flows.intros import lapse_intros
from bot.flows.mentoring_end import run_due_mentoring
from bot.flows.mentors import mentors_back
from bot.flows.outbox import deliver
from bot.flows.rounds import match_due
from bot.nudger import STUCK_AFTER, Nudger, Pacer, Round
from bot.store.base import LATER

log = logging.getLogger(__name__)
EVERY_SECONDS = 30
ANY_CLAIM = datetime.max.replace(tzinfo=UTC)
QUIET_SCAN_EVERY = timedelta(hours=1)


class Background:
    def __init__(self, deps: Deps, client: AsyncWebClient, pacer: Pacer | None = None) -> None:
        self.deps = deps
        self.client = client
        self.nudger = Nudger(deps, client, pacer)
        self._next_quiet_scan = datetime.min.replace(tzinfo=UTC)

    async def run_due(self) -> Round:
        later = LATER.set(True)  # nobody waits on a round: requests go first
        try:
            await self.recover()
            await self.lapse_intros()
            await deliver(self.deps, self.client, await mentors_back(self.deps))
            await self.feedback_due()
            await self.mentoring_due()
            await deliver(self.deps, self.client, await match_due(self.deps))
            return await self.nudger.run_due()
        finally:
            LATER.reset(later)

    async def lapse_intros(self) -> None:
        """Intro requests and coaching offers left unanswered past their time lapse."""
        await deliver(self.deps, self.client, await lapse_intros(self.deps))
        await deliver(self.deps, self.client, await lapse_offers(self.deps))

    async def feedback_due(self) -> None:
        """360 feedback's one reminder and its close, each once (compare-and-set)."""
        await deliver(self.deps, self.client, await run_due_feedback(self.deps, self.client))

    async def mentoring_due(self) -> None:
        """Mentoring past its agreed end closes; pairs that went quiet are flagged, once.
        Silence is measured in weeks of check-ins, so it is looked for once an hour, not in
        every round: it reads every pair's check-ins."""
        now = self.deps.clock()
        quiet = now >= self._next_quiet_scan
        if quiet:
            self._next_quiet_scan = now + QUIET_SCAN_EVERY
        await deliver(self.deps, self.client, await run_due_mentoring(self.deps, quiet))

    async def recover(self, at_start: bool = False) -> None:
        """Deliver what a crash or a fault left in the outbox, and settle nudges left mid-send.
        At start, on a database only this process may open, nothing can still be under way."""
        if at_start and self.deps.store.exclusive:
            stale_before = ANY_CLAIM  # whoever claimed it was this process, before its crash
        else:
            stale_before = self.deps.clock() - STUCK_AFTER
        if at_start:
            await self.nudger.recover(stale_before)
        await outbox.recover(self.deps, self.client, stale_before)

    async def loop(self, every: float = EVERY_SECONDS, stop: asyncio.Event | None = None) -> None:
        """A round now and every `every` seconds, until `stop` is set. Each round counts as
        work under way, so shutdown lets it finish (or stops it after the grace)."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                async with self.deps.inflight.tracking():
                    await self.run_due()
            except Exception:
                # One bad round must not stop the nudges for good; the next round retries.
                log.exception("background round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
