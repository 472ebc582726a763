"""Who fits a person now: the mentors the matching engine ranks for them, their own intros."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.intros import Intro, excluded_mentors
from bot.domain.matching import Match, rank_mentors
from bot.domain.questionnaire import Answers
from bot.screens.blocks import escape

TIMEZONE_LOOKUP_SECONDS = 1.0  # the result must still be acknowledged inside Slack's 3 s


async def matches_for(
    client: AsyncWebClient | None,
    deps: Deps,
    user_id: str,
    answers: Answers,
    count: int | None = None,
    person: dict[str, Any] | None = None,
) -> list[Match]:
    """The mentors who fit this person now. Their timezone comes from `person` (Slack's
    users.info, or what the terminal was told) or, without it, from Slack when it answers
    quickly; failing both, timezone distance simply does not count."""
    if person is None and client is not None:
        try:
            person = await asyncio.wait_for(
                deps.workspace.person(client, user_id, deps.clock()), TIMEZONE_LOOKUP_SECONDS
            )
        except TimeoutError:
            person = None
    timezone = person.get("tz") if person else None
    # Indexed reads: this person's intros and the counts, never every intro there is.
    mine = await deps.store.intros_of(user_id)
    content = deps.content
    pool = await deps.store.mentors()
    declined = await deps.store.declined_by_tombstone(user_id, [m.user_id for m in pool])
    return rank_mentors(
        content.matching.mentee(user_id, answers, timezone),
        pool,
        await deps.store.mentees_now(),
        excluded_mentors(user_id, mine) | declined,
        content.matching,
        content.labels,
        deps.clock(),
        count,
    )


async def next_matches(client: AsyncWebClient | None, deps: Deps, mentee_id: str) -> list[Match]:
    """The matches for the person's latest answers (none before they answered)."""
    latest = await deps.store.latest_response(mentee_id)
    return await matches_for(client, deps, mentee_id, latest.answers) if latest else []


async def my_intros(deps: Deps, user_id: str) -> list[tuple[Intro, str]]:
    """This person's requests as a mentee, newest first, each with its mentor as shown:
    the name from the pool (escaped: a name is text someone typed), else a mention."""
    names = {m.user_id: escape(m.name) for m in await deps.store.mentors()}
    asked = [i for i in await deps.store.intros_of(user_id) if i.mentee_id == user_id]
    asked.sort(key=lambda i: i.requested_at, reverse=True)
    return [(i, names.get(i.mentor_id, f"<@{i.mentor_id}>")) for i in asked]
