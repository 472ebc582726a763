"""A writer for the crash test: writes forever, printing each write once it is acknowledged.

Run as `python -m tests.store.crash_writer DB START`; the test kills it with SIGKILL.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from bot.domain.records import Draft
from bot.store.tinydb_store import TinyDBStore

NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)


async def write_forever(path: str, start: int) -> None:
    store = TinyDBStore.open(path, compact_floor=64 * 1024)
    n = start
    while True:
        if n % 3 == 0:
            # An update in place: the person's draft moves on to step n.
            await store.save_draft(Draft("U-crash", {"focus": ("performance",)}, n, None, NOW))
            print(f"draft {n}", flush=True)
        else:
            await store.set_person(f"U{n}", note="x" * 200, n=n)
            print(f"person {n}", flush=True)
        n += 1


if __name__ == "__main__":
    asyncio.run(write_forever(sys.argv[1], int(sys.argv[2])))
