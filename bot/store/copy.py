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

from bot.store.base import KINDS, StoreError, Tables
from bot.store.shapes import check_tables

SAMPLE = 20  # documents per kind compared after a copy
SEED = 2026


class Dumpable(Protocol):
    async def dump(self) -> Tables: ...

    async def restore(self, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> None: ...


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
