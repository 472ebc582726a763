"""The coach roster as program admins see it, and a coach entry checked and saved."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.coaching import Coach, coach_problems, new_external_id
from bot.domain.pool import clean_text
from bot.flows.slack import display_name, person_problem
from bot.screens.coaches import (
    AREAS,
    BIO,
    BOOKING_URL,
    CAPACITY,
    CREDENTIALS,
    EMAIL,
    EXTERNAL,
    LANGUAGES,
    NAME,
    ORGANISATION,
    PAUSED,
    PERSON,
    STATUS,
    TIMEZONE,
    roster_view,
)

CHANGE_ROSTER = "change the coach roster"


async def roster_screen(deps: Deps, page: int = 1) -> dict[str, Any]:
    store = deps.store
    # The whole roster, paged by the screen: admins add each coach, so it stays small.
    coaches, taken = await store.coaches(), await store.coach_places_taken()
    changes = await store.audit_log()
    return roster_view(deps.content, coaches, taken, page, changes, deps.clock())


async def coach_from_entry(
    client: AsyncWebClient, deps: Deps, entry: dict[str, Any], kind: str, known: Coach | None
) -> tuple[Coach | None, dict[str, str]]:
    """The coach the editor describes, or the problems by block (inline errors, in the
    modal's words). An internal coach's name and timezone come from Slack (users.info); an
    external one's id is `known`'s when editing, else a new one."""
    rules = deps.content.coaches
    errors: dict[str, str] = {}
    name, timezone, coach_id = entry[NAME], entry[TIMEZONE], known.id if known else ""
    if kind == EXTERNAL:
        coach_id = coach_id or new_external_id()
        if timezone not in rules.timezones and not (known and timezone == known.timezone):
            timezone = None
    else:
        coach_id = coach_id or (entry[PERSON] or "")
        person = await deps.workspace.person(client, coach_id, deps.clock()) if coach_id else None
        if not coach_id:
            errors[PERSON] = "Choose the person who will coach."
        elif known is None and (problem := person_problem(person, "coaches")):
            errors[PERSON] = problem
        # Editing, when Slack does not answer, keeps what it said before.
        name = display_name(person) if person else (known.name if known else "")
        timezone = person.get("tz") if person else (known.timezone if known else None)
    problems = coach_problems(
        kind=kind,
        name=name,
        timezone=timezone,
        areas=entry[AREAS],
        languages=entry[LANGUAGES],
        capacity=entry[CAPACITY],
        credentials=entry[CREDENTIALS],
        bio=entry[BIO],
        organisation=entry[ORGANISATION],
        email=entry[EMAIL],
        booking_url=entry[BOOKING_URL],
        known_areas={a.value for a in rules.areas},
        known_languages={c.value for c in rules.languages},
    )
    if kind != EXTERNAL and PERSON in errors:
        problems.pop(NAME, None)  # the name is Slack's: the person's problem says it all
    errors.update({part: said[0].upper() + said[1:] + "." for part, said in problems.items()})
    if errors:
        return None, errors
    return (
        Coach(
            id=coach_id,
            kind="external" if kind == EXTERNAL else "internal",
            name=clean_text(name),
            timezone=timezone,
            areas=entry[AREAS],
            languages=entry[LANGUAGES],
            capacity=int(entry[CAPACITY]),
            credentials=clean_text(entry[CREDENTIALS]),
            bio=clean_text(entry[BIO]),
            active=entry[STATUS] != PAUSED,
            organisation=clean_text(entry[ORGANISATION]) if kind == EXTERNAL else "",
            email=entry[EMAIL].strip() if kind == EXTERNAL else "",
            booking_url=entry[BOOKING_URL].strip() if kind == EXTERNAL else "",
        ),
        {},
    )
