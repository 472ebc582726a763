"""Copying a whole database from one store to another (TinyDB to PostgreSQL, or back).

Both stores `dump()` to, and `restore()` from, one canonical format: for each kind of record,
a list of documents shaped as the TinyDB store keeps them (times as UTC ISO strings;
responses carry their id in an "id" field), in the order that store would list them. The
copy is then checked: the counts per kind, and a seeded random sample of documents per kind,
read back from the target.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from bot.store.tinydb_store import StoreError

KINDS = (
    "drafts",
    "responses",
    "mentors",
    "intros",
    "audit",
    "open_requests",
    "gaps",
    "nudges",
    "people",
)
SAMPLE = 20  # documents per kind compared after a copy
SEED = 2026
MAX_ID = 2**63 - 1  # a PostgreSQL bigint

Tables = dict[str, list[dict[str, Any]]]


class Dumpable(Protocol):
    async def dump(self) -> Tables: ...

    async def restore(self, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> None: ...


def check_tables(tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> Tables:
    """Every kind, in order, as lists of documents (a missing kind: none); unknown kinds are
    refused rather than dropped."""
    unknown = sorted(set(tables) - set(KINDS))
    if unknown:
        raise StoreError(f"cannot restore unknown kinds of record: {', '.join(unknown)}")
    checked: Tables = {}
    for kind in KINDS:
        docs = tables.get(kind) or []
        if not all(isinstance(doc, Mapping) for doc in docs):
            raise StoreError(f"cannot restore {kind}: every document should be an object")
        checked[kind] = [dict(doc) for doc in docs]
    return checked


def not_empty(counts: Mapping[str, int]) -> StoreError:
    held = ", ".join(f"{kind} {n}" for kind, n in counts.items() if n)
    return StoreError(f"the target database is not empty ({held}): restore only into a new one")


def stable_ids(given: Sequence[Any]) -> list[int]:
    """The ids to store responses under: each its own id when that is a positive integer not
    already taken, so what refers to a response (its nudges) still finds it; the others get
    new ones after the largest."""
    wanted: list[int | None] = []
    taken: set[int] = set()
    for value in given:
        number = _positive_int(value)
        if number is None or number in taken:
            wanted.append(None)
        else:
            taken.add(number)
            wanted.append(number)
    following = max(taken, default=0)
    ids = []
    for number in wanted:
        if number is None:
            following += 1
            number = following
        ids.append(number)
    return ids


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    return None


async def copy_database(
    source: Dumpable, target: Dumpable, sample: int = SAMPLE, seed: int = SEED
) -> dict[str, int]:
    """Copy everything from `source` into the empty `target`, then check it: how many
    documents of each kind. A difference found afterwards is a StoreError (one line)."""
    tables = check_tables(await source.dump())
    counts = {kind: len(tables[kind]) for kind in KINDS}
    await target.restore(tables)
    copied = await target.dump()
    for kind in KINDS:
        found = len(copied.get(kind) or [])
        if found != counts[kind]:
            raise StoreError(
                f"the copy differs: {counts[kind]} {kind} in the source, {found} in the target"
            )
    pick = random.Random(seed)
    for kind in KINDS:
        docs, theirs = tables[kind], copied[kind]
        for index in sorted(pick.sample(range(len(docs)), min(sample, len(docs)))):
            if theirs[index] != docs[index]:
                fields = sorted(
                    key
                    for key in set(docs[index]) | set(theirs[index])
                    if docs[index].get(key) != theirs[index].get(key)
                )
                raise StoreError(
                    f"the copy differs: {kind} number {index + 1} is not the same in the target "
                    f"({', '.join(fields)})"
                )
    return counts
