"""Sends the nudges that are due: each at most once, in the person's working hours, paced
within Slack's limits, and never about something the person already did.

At most once, also across a crash: a nudge is claimed in the store (scheduled -> sending)
before it is sent and marked sent after. A crash in between leaves it "sending"; at start,
`recover()` counts those as sent rather than risk a second copy (the window is one HTTP call).
Nudges that fell due while the bot was down are simply due: they go out once, in the next
round, however many intervals were missed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.intros import Intro
from bot.domain.mentoring_end import goals_of
from bot.domain.nudges import Facts, Nudge, decide, ignored_in_a_row, next_delivery, plan_follow_up
from bot.domain.records import Response
from bot.flows.matching import matches_for
from bot.screens.blocks import when
from bot.screens.nudges import nudge_message

log = logging.getLogger(__name__)
# Slack answers these when the person cannot get a DM at all: retrying will not help.
GONE = {"user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot"}
PERMANENT = GONE | {"channel_not_found", "not_in_channel", "is_archived", "invalid_auth"}
MAX_ATTEMPTS = 6
STUCK_AFTER = timedelta(minutes=10)  # a claim older than this belongs to a dead instance
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MOST = timedelta(hours=1)


def _error_of(error: SlackApiError) -> str:
    return str(error.response.get("error") or error.response.status_code)


def _taking_turns(due: list[Nudge]) -> list[Nudge]:
    """Everyone's first nudge, then everyone's second...: a person with several waits a
    second between theirs (Slack's pace per channel) without holding up the others."""
    turn: dict[str, int] = {}
    order = []
    for nudge in due:
        turn[nudge.user_id] = turn.get(nudge.user_id, -1) + 1
        order.append((turn[nudge.user_id], nudge.due_at, nudge))
    return [nudge for _, _, nudge in sorted(order, key=lambda item: item[:2])]


class Pacer:
    """Spaces messages: at most `per_minute` in all, and one a second to any one person."""

    def __init__(
        self,
        per_minute: int,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.gap = 60 / per_minute
        self.monotonic = monotonic
        self.sleep = sleep
        self._next = 0.0
        self._per_person: dict[str, float] = {}

    async def wait(self, person: str) -> None:
        now = self.monotonic()
        ready = max(now, self._next, self._per_person.get(person, 0.0))
        if ready > now:
            await self.sleep(ready - now)
        self._next = ready + self.gap
        self._per_person[person] = ready + 1.0


@dataclass
class Round:
    """What one round did, for logs, the operator's CLI and tests."""

    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)


class Nudger:
    def __init__(self, deps: Deps, client: AsyncWebClient, pacer: Pacer | None = None) -> None:
        self.deps = deps
        self.client = client
        self.pacer = pacer or Pacer(deps.content.nudges.per_minute)

    async def recover(self, stale_before: datetime | None = None) -> int:
        """After a crash: nudges left mid-send count as sent (at most once, never twice).
        Only those claimed before `stale_before` (default: a while ago, since on a shared
        database another instance may be sending one right now)."""
        before = stale_before or self.deps.clock() - STUCK_AFTER
        stuck = [
            n
            for n in await self.deps.store.nudges_in("sending")
            if n.sent_at is None or n.sent_at < before
        ]
        for nudge in stuck:
            log.warning("nudge %s was mid-send at a crash; counted as sent", nudge.id)
            await self.deps.store.update_nudge(nudge.id, state="sent", sent_at=self.deps.clock())
        return len(stuck)

    async def run_due(self) -> Round:
        done = Round()
        people: dict[str, dict[str, Any] | None] = {}
        for nudge in _taking_turns(await self.deps.store.due_nudges(self.deps.clock())):
            await self._one(nudge, people, done)
        if any(vars(done).values()):
            log.info(
                "nudges: %d sent, %d skipped, %d deferred, %d cancelled, %d retrying",
                *(len(v) for v in vars(done).values()),
            )
        return done

    async def _one(
        self, nudge: Nudge, people: dict[str, dict[str, Any] | None], done: Round
    ) -> None:
        store, now = self.deps.store, self.deps.clock()
        if nudge.user_id not in people:
            try:
                people[nudge.user_id] = await self._person(nudge.user_id)
            except SlackApiError as error:
                # One person Slack will not tell us about: their nudge waits; the round goes on.
                await self._failed(nudge, _error_of(error), done)
                return
            except (aiohttp.ClientError, TimeoutError) as error:
                await self._failed(nudge, type(error).__name__, done)
                return
        person = people[nudge.user_id]
        if person is None or person.get("deleted") or person.get("is_bot"):
            await store.cancel_nudges(nudge.user_id)
            done.cancelled.append(nudge.id)
            return
        deliver_at = next_delivery(now, person.get("tz"), self.deps.content.nudges.hours)
        if deliver_at > now:
            await store.update_nudge(nudge.id, due_at=deliver_at)
            done.deferred.append(nudge.id)
            return
        facts, intro, latest = await self._facts(nudge)
        offer = (
            await store.get_engagement(nudge.subject) if nudge.kind == "coaching_offer" else None
        )
        decision, why = decide(nudge, facts)
        matches = None
        if decision != "skip" and nudge.kind in ("reach_out", "gentle_reminder"):
            matches = (
                await matches_for(
                    self.client, self.deps, nudge.user_id, latest.answers, person=person
                )
                if latest
                else []
            )
            if nudge.kind == "reach_out" and not matches:
                decision, why = "skip", "no mentor fits any more"
        if decision == "skip":
            await store.update_nudge(nudge.id, state="skipped")
            log.info("nudge %s (%s) skipped: %s", nudge.id, nudge.kind, why)
            done.skipped.append(nudge.id)
            return
        # Paced before the claim: a shutdown that stops a round in this wait leaves the nudge
        # scheduled, not claimed and then counted as sent.
        await self.pacer.wait(nudge.user_id)
        if await store.claim_nudge(nudge.id, now) is None:
            return  # another round got there first
        other = ""
        if intro is not None:
            other = f"<@{intro.mentor_id if intro.mentee_id == nudge.user_id else intro.mentee_id}>"
        lapses = when(intro.expires_at, now) if intro is not None else ""
        if offer is not None:
            other = f"<@{offer.user_id}>"
            lapses = when(offer.expires_at, now) if offer.expires_at else ""
        goals = goals_of(intro) if nudge.kind == "check_in" else ()
        message = nudge_message(
            self.deps.content, nudge, decision == "send_last", other, lapses, matches, goals
        )
        try:
            landed = await self._post(nudge.user_id, message)
        except SlackApiError as error:
            await self._failed(nudge, _error_of(error), done)
            return
        except (aiohttp.ClientError, TimeoutError) as error:
            await self._failed(nudge, type(error).__name__, done)
            return
        await store.update_nudge(
            nudge.id,
            state="sent",
            sent_at=now,
            message=landed,
            last_of_kind=decision == "send_last",
        )
        await store.add_nudges(plan_follow_up(nudge, now, self.deps.content.nudges.cadence))
        done.sent.append(nudge.id)

    async def _post(self, user_id: str, message: dict[str, Any]) -> dict[str, str]:
        opened = await self.client.conversations_open(users=user_id)
        posted = await self.client.chat_postMessage(channel=opened["channel"]["id"], **message)
        return {"channel": str(posted.get("channel")), "ts": str(posted.get("ts"))}

    async def _failed(self, nudge: Nudge, error: str, done: Round) -> None:
        """Slack's client already retried 429s (after Retry-After) and 5xx; what is left here
        is either permanent (cancel) or a fault that outlasted those retries (back off)."""
        store, now = self.deps.store, self.deps.clock()
        attempts = nudge.attempts + 1
        if error in PERMANENT or attempts >= MAX_ATTEMPTS:
            await store.update_nudge(nudge.id, state="cancelled", sent_at=None)
            if error in GONE:
                await store.cancel_nudges(nudge.user_id)
            log.warning("nudge %s cancelled after %s (attempt %d)", nudge.id, error, attempts)
            done.cancelled.append(nudge.id)
            return
        wait = min(BACKOFF_FIRST * 2 ** (attempts - 1), BACKOFF_MOST)
        await store.update_nudge(
            nudge.id, state="scheduled", due_at=now + wait, attempts=attempts, sent_at=None
        )
        log.warning("nudge %s failed (%s); retrying in %s", nudge.id, error, wait)
        done.retrying.append(nudge.id)

    async def _person(self, user_id: str) -> dict[str, Any] | None:
        try:
            answer = await self.client.users_info(user=user_id)
        except SlackApiError as error:
            if error.response.get("error") in GONE:
                return None
            raise
        user = answer.get("user")
        return user if isinstance(user, dict) else None

    async def _facts(self, nudge: Nudge) -> tuple[Facts, Intro | None, Response | None]:
        """What is true now for this nudge, with the intro and latest response it rests on."""
        store = self.deps.store
        person = await store.person(nudge.user_id)
        latest = await store.latest_response(nudge.user_id)
        intros = await store.intros_of(nudge.user_id)
        theirs = await store.nudges_of(nudge.user_id)
        intro = next((i for i in intros if i.id == nudge.subject), None)
        engagement = await store.get_engagement(nudge.subject) if nudge.subject else None
        since = latest.created_at if latest else nudge.created_at
        asked = [i for i in intros if i.mentee_id == nudge.user_id]
        coaching = await store.coaching_requests_of(nudge.user_id)
        facts = Facts(
            stopped=bool(person.get("stopped")),
            intro_state=intro.state if intro else None,
            engagement_state=engagement.state if engagement else None,
            intro_requested_since=any(i.requested_at >= nudge.created_at for i in asked),
            latest_response_id=latest.id if latest else None,
            acted_since=any(i.requested_at >= since for i in asked)
            or any(r.created_at >= since for r in coaching)
            or any(n.answered_at is not None and n.answered_at >= since for n in theirs),
            met=any(
                n.kind == "did_you_meet"
                and n.subject == nudge.subject
                and n.answer.get("met") == "yes"
                for n in theirs
            ),
            ignored_in_a_row=ignored_in_a_row(
                nudge.kind, [n for n in theirs if n.state in ("sent", "answered")]
            ),
        )
        return facts, intro, latest
