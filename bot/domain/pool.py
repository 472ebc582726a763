"""What makes a mentor entry valid, whoever types it: an admin's modal or a CSV row."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection

BIO_MOST = 500
NAME_MOST = 80
CAPACITY_LOW, CAPACITY_HIGH = 1, 10
_SPACES = "\n\r\t"


def clean_text(text: str) -> str:
    """One line of text, as a bio or a name is shown: newlines and tabs become spaces, other
    control characters (a paste can carry them) go. The modal and the CSV agree on it, so an
    export always imports back unchanged."""
    spaced = text.replace("\r\n", " ")
    kept = (ch for ch in spaced if ch in _SPACES or unicodedata.category(ch) != "Cc")
    return "".join(" " if ch in _SPACES else ch for ch in kept).strip()


def capacity_problem(raw: str | int) -> str | None:
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or not CAPACITY_LOW <= int(text) <= CAPACITY_HIGH:
        return f"should be a whole number from {CAPACITY_LOW} to {CAPACITY_HIGH}, not '{text}'"
    return None


def choices_problem(
    picked: Collection[str], known: Collection[str], one: str, many: str
) -> str | None:
    """None when at least one is picked and each is known: "pick at least one area"."""
    if not picked:
        return f"pick at least one {one}"
    if unknown := [p for p in picked if p not in known]:
        return f"'{unknown[0]}' is not one of the {many}"
    return None


def mentor_problems(
    *,
    fields: Collection[str],
    topics: Collection[str],
    seniority: str | None,
    capacity: str | int,
    bio: str,
    known_fields: Collection[str],
    known_topics: Collection[str],
    known_seniority: Collection[str],
) -> dict[str, str]:
    """Problems by part of the entry (fields, topics, seniority, capacity, bio)."""
    problems: dict[str, str] = {}
    if problem := choices_problem(fields, known_fields, "field", "fields"):
        problems["fields"] = problem
    if problem := choices_problem(topics, known_topics, "topic", "topics"):
        problems["topics"] = problem
    if seniority not in known_seniority:
        problems["seniority"] = (
            "pick their experience" if not seniority else f"'{seniority}' is not a level"
        )
    if problem := capacity_problem(capacity):
        problems["capacity"] = problem
    if len(clean_text(bio)) > BIO_MOST:
        problems["bio"] = f"is {len(clean_text(bio))} characters; at most {BIO_MOST}"
    return problems
