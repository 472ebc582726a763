"""Kill a writer with SIGKILL at random moments: the database must always open, and every
write it acknowledged must be there. About 20 kills here; `pytest --kills 200` for more."""

from __future__ import annotations

import asyncio
import random
import signal
import sys
from pathlib import Path

from bot.store.journal import read_database
from bot.store.tinydb_store import TinyDBStore

ROOT = Path(__file__).parents[2]


async def run_and_kill(db: Path, start: int, after: float) -> list[str]:
    """Start the writer, let it write for `after` seconds, SIGKILL it; the acks it printed."""
    writer = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.store.crash_writer",
        str(db),
        str(start),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert writer.stdout is not None
    first = await writer.stdout.readline()  # it has opened the database and written once
    await asyncio.sleep(after)
    writer.send_signal(signal.SIGKILL)
    rest = await writer.stdout.read()
    await writer.wait()
    return [first.decode().strip(), *rest.decode().splitlines()]


async def test_no_kill_loses_an_acknowledged_write(tmp_path, kills):
    db = tmp_path / "devpath.json"
    chance = random.Random(20261124)
    start, acked_people, last_draft = 0, set(), -1
    for kill in range(kills):
        # The writer compacts every 64 KB of journal, so kills land in compactions too.
        lines = await run_and_kill(db, start, chance.uniform(0.0, 0.08))
        for line in lines:
            kind, _, n = line.partition(" ")
            if kind == "person":
                acked_people.add(f"U{n}")
            elif kind == "draft":
                last_draft = max(last_draft, int(n))
        start += 10_000  # each run writes numbers of its own

        data, _ = read_database(db)  # it always opens ...
        people = {doc["user_id"] for doc in data.get("people", {}).values()}
        missing = acked_people - people
        assert not missing, f"kill {kill}: lost acknowledged writes {sorted(missing)[:5]}"
        store = TinyDBStore.open(db)  # ... through the store too, lock and all
        draft = await store.get_draft("U-crash")
        store.close()
        if last_draft >= 0:
            assert draft is not None and draft.step >= last_draft, f"kill {kill}: draft went back"
    assert len(acked_people) > kills  # the writer did get writes in
