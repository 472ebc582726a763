"""The coach roster as CSV: one row per coach, checked row by row, safe to open in a spreadsheet.

The same rules as the mentor pool's CSV (bot/pool_csv.py, whose machinery this shares):
`line N: column: problem` for each bad cell, an exact round trip, cells a spreadsheet would
run as a formula quoted on the way out and unquoted on the way in. Areas and languages are
values (or labels) of conversations/coaches.yml. An internal coach's id is their Slack user
ID; an external coach's is `x-` and a few letters, and an external row with no id gets one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from bot.domain.coaching import Coach, coach_problems, is_external_id, new_external_id
from bot.domain.pool import clean_text
from bot.pool_csv import (
    SEPARATOR,
    USER_ID,
    active_problem,
    header_problem,
    iana_timezone,
    is_active,
    pick_values,
    read_rows,
    write_rows,
)

if TYPE_CHECKING:
    from bot.content import Content

HEADER = (
    "id",
    "kind",
    "name",
    "timezone",
    "areas",
    "languages",
    "capacity",
    "credentials",
    "bio",
    "organisation",
    "email",
    "booking_url",
    "active",
)
HEADER_PROBLEM = header_problem(HEADER)
KINDS = ("internal", "external")


def read_roster(
    text: str,
    content: Content,
    new_id: Callable[[], str] = new_external_id,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Coach], list[str]]:
    """The good coaches in file order, and a problem per bad cell (see `read_pool`)."""
    return read_rows(text, HEADER, _RowChecker(content, new_id).row, "id", progress)


def write_roster(coaches: Iterable[Coach]) -> str:
    """The roster as CSV text, by name then id, every cell safe to open in a spreadsheet."""
    return write_rows(
        HEADER,
        (
            (
                c.id,
                c.kind,
                c.name,
                c.timezone or "",
                SEPARATOR.join(c.areas),
                SEPARATOR.join(c.languages),
                str(c.capacity),
                c.credentials,
                c.bio,
                c.organisation,
                c.email,
                c.booking_url,
                "yes" if c.active else "no",
            )
            for c in sorted(coaches, key=lambda c: (c.name.casefold(), c.id))
        ),
    )


class _RowChecker:
    def __init__(self, content: Content, new_id: Callable[[], str]) -> None:
        rules = content.coaches
        self.areas = {a.value: a.label for a in rules.areas}
        self.languages = {c.value: c.label for c in rules.languages}
        self.new_id = new_id

    def row(self, raw: dict[str, str]) -> tuple[Coach | None, str, list[tuple[str, str]]]:
        """The coach in these cells (None without a usable id), its id and its problems."""
        problems: dict[str, str] = {}
        kind = raw["kind"].strip().lower()
        coach_id = raw["id"].strip()
        if kind not in KINDS:
            problems["kind"] = (
                f"should be internal or external, not '{raw['kind'].strip()}'"
                if kind
                else "is missing; internal (a Slack user) or external"
            )
        elif kind == "internal" and not USER_ID.match(coach_id):
            problems["id"] = (
                f"'{coach_id}' is not a Slack user ID (like U0123ABCD)"
                if coach_id
                else "is missing; an internal coach's is their Slack user ID"
            )
        elif kind == "external" and coach_id and not is_external_id(coach_id):
            problems["id"] = f"'{coach_id}' is not an external coach's id (like x-k3v9qa)"
        elif kind == "external" and not coach_id:
            coach_id = self.new_id()
        timezone = raw["timezone"].strip() or None
        if timezone is not None:
            known = iana_timezone(timezone)
            if known is None:
                problems["timezone"] = f"'{timezone}' is not a timezone name (like Europe/London)"
            timezone = known or timezone
        areas, problem = pick_values(raw["areas"], self.areas)
        if problem:
            problems["areas"] = problem
        languages, problem = pick_values(raw["languages"], self.languages)
        if problem:
            problems["languages"] = problem
        if problem := active_problem(raw["active"]):
            problems["active"] = problem
        checked = coach_problems(
            kind=kind,
            name=raw["name"],
            timezone=timezone,
            areas=areas,
            languages=languages,
            capacity=raw["capacity"],
            credentials=raw["credentials"],
            bio=raw["bio"],
            organisation=raw["organisation"],
            email=raw["email"],
            booking_url=raw["booking_url"],
            known_areas=self.areas,
            known_languages=self.languages,
        )
        for column, problem in checked.items():
            problems.setdefault(column, problem)
        found = [(column, problems[column]) for column in HEADER if column in problems]
        if "kind" in problems or "id" in problems:
            return None, coach_id, found
        coach = Coach(
            id=coach_id,
            kind="internal" if kind == "internal" else "external",
            name=clean_text(raw["name"]),
            timezone=timezone,
            areas=areas,
            languages=languages,
            capacity=int(raw["capacity"].strip()) if "capacity" not in problems else 0,
            credentials=clean_text(raw["credentials"]),
            bio=clean_text(raw["bio"]),
            active=is_active(raw["active"]),
            organisation=clean_text(raw["organisation"]),
            email=raw["email"].strip(),
            booking_url=raw["booking_url"].strip(),
        )
        return coach, coach_id, found
