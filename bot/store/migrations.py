"""The database's format version, and the steps that bring an older database up to date.

At open: a new database is stamped with the current version; an older one is copied aside
(`<name>.v<N>.bak`, the whole database as it was) and migrated step by step; a newer one,
written by a later devpath, is refused rather than misread.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.store.journal import JournalStorage, replace_atomically

SCHEMA_VERSION = 6
META = "meta"


def _v1_to_v2(data: dict[str, dict[str, Any]]) -> None:
    """Version 2 moved the mentor's reminder before an intro lapses into the nudges: intros
    lose their `reminded` flag, and the nudges table begins (TinyDB makes it on first use)."""
    for intro in data.get("intros", {}).values():
        intro.pop("reminded", None)
        intro.setdefault("source", "match")


def _v2_to_v3(data: dict[str, dict[str, Any]]) -> None:
    """Version 3 writes an action and what must follow it as one journal line (a batch),
    which version 2 would take for a torn write and drop; the outbox ("effects") begins.
    Nothing to change in the data: the stamp keeps an older devpath from misreading it."""


def _v3_to_v4(data: dict[str, dict[str, Any]]) -> None:
    """Version 4 adds the coaching path's records: the coach roster ("coaches"), requests
    the program decides ("coaching_requests"), engagements ("engagements") and 360 feedback
    ("feedback_requests", "feedback_answers"), and what forgetting keeps: what is left of an
    erased intro ("tombstones", with the database's key in "secrets") and whom each admin
    change is about (an audit entry's "about"; older entries have none); coaching
    checkpoints are about an engagement, not a result. Nothing to change in the data: new
    tables appear on first use, checkpoints planned after a result under version 3 are skipped
    when due (no engagement is under way), and the stamp keeps an older devpath, which would
    not copy or erase the new tables, from opening the file."""


def _v4_to_v5(data: dict[str, dict[str, Any]]) -> None:
    """Version 5 adds the mentoring lifecycle: a mentor's status (in the pool, or nominated
    and waiting for an admin), time away and when they nominated themselves; an intro's
    question, agreement, close-outs, at-risk flag and how it ended. Nothing to change in the
    data: an entry without them is in the pool, and an intro without them has none of them
    yet; the stamp keeps an older devpath, which would misread them, from opening the file."""


def _v5_to_v6(data: dict[str, dict[str, Any]]) -> None:
    """Version 6 adds matching rounds ("rounds"): a cohort's mentees assigned at once, each
    round kept as Round.doc() with its name's key. Nothing to change in the data: the table
    appears on first use, and the stamp keeps an older devpath, which would not copy or
    erase the rounds, from opening the file."""


# MIGRATIONS[n] turns a version-n database into version n + 1, in place.
MIGRATIONS: dict[int, Callable[[dict[str, dict[str, Any]]], None]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
    5: _v5_to_v6,
}


def version_of(data: dict[str, dict[str, Any]]) -> int | None:
    stamps = [doc.get("schema_version") for doc in data.get(META, {}).values()]
    return max((s for s in stamps if isinstance(s, int)), default=None)


def migrate(storage: JournalStorage, shown: Path) -> int:
    """Bring the database to SCHEMA_VERSION; the version it was at."""
    data = storage.read()
    found = version_of(data)
    if found is None:
        if any(data.get(name) for name in data if name != META):
            found = 1  # written before versions were recorded
        else:
            data[META] = {"1": {"schema_version": SCHEMA_VERSION}}
            storage.write(data)
            return SCHEMA_VERSION
    if found > SCHEMA_VERSION:
        raise ValueError(
            f"written by a newer devpath (format {found}; this one reads up to "
            f"{SCHEMA_VERSION}): upgrade devpath instead"
        )
    if found == SCHEMA_VERSION:
        return found
    backup = shown.with_name(f"{shown.name}.v{found}.bak")
    replace_atomically(backup, json.dumps(data, ensure_ascii=False).encode())
    for version in range(found, SCHEMA_VERSION):
        MIGRATIONS[version](data)
    data[META] = {"1": {"schema_version": SCHEMA_VERSION}}
    storage.write(data)
    return found
