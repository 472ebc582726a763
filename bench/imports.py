"""Benchmark: `devpath mentors import` of a whole company's pool, on TinyDB and PostgreSQL.

Run from the repository root:

    .venv/bin/python -m bench.imports                       # 10,000 mentors, both stores, ~1 min
    .venv/bin/python -m bench.imports --quick               # 1,000 mentors, one run each: CI
    .venv/bin/python -m bench.imports --database tinydb     # TinyDB alone, no server needed

The file: 10,000 mentors built with `random.Random(42)` from the content's real fields, topics
(values, and labels on a fifth of the rows), seniority and capacities, 16 IANA timezones (and a
few rows without one), names, bios of up to 300 characters and a few paused mentors, written
by `bot.pool_csv.write_pool` as an export would be (2.6 MB). Every run imports it with the real
command (`bot.cli.main(["mentors", "import", FILE])`) in a fresh subprocess, into a fresh
TinyDB file (DEVPATH_DB) or a fresh PostgreSQL database devpath_bench_<random> on
postgresql://postgres@127.0.0.1:5432/postgres (BENCH_POSTGRES overrides it), dropped after.

Three ways of writing, the same command with `bot.cli.IMPORT_PART` set in the child:

- **parts of 500** (ours): one journal line, or one transaction, per 500 mentors;
- **a write per mentor** (baseline): one durable write each, much as TinyDB did before;
- **one write for all**: every mentor in a single journal line or transaction;

and **again, unchanged**: ours, importing the same file a second time (nothing to write).
`--quick` leaves out the one write for all, which is ours with another part size. With
`--before DIR` (say `git worktree add --detach /tmp/before <commit>`), each run also imports
with DIR's `bot/` package as it is there: the code before a change, in the same run (its one
audit entry counted as one write).

Measured: the command's own time (`main()`, from reading the file to the summary), per mentor,
the process from spawn to exit, peak RSS (VmHWM) and how many progress lines stderr got (not
a terminal). Then, on the imported database, the pool a running bot builds from it: the first
`store.mentors()` after opening and the next, with a ticker on the event loop recording the
longest gap; on PostgreSQL beside the same rows turned into Mentors on the loop, as before.

The exit status is non-zero only for a broken run (a mentor missing or twice, a part without
its audit entry, a command that failed), never for a missed target.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.storage import machine, median, ratio, table, text, verdict, watch
from bot.content import Content, load_content
from bot.domain.matching import Mentor
from bot.domain.pool import BIO_MOST
from bot.pool_csv import read_pool, write_pool

SEED = 42
ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
OURS = 500  # bot.cli.IMPORT_PART as shipped
TARGET_S = 5.0  # 10,000 mentors, the command's own time, on either store
TARGET_RSS_MB = 200.0
TARGET_PROGRESS_LINES = 14
TARGET_GAP_MS = 50.0
TIMEZONES = (
    "Europe/London",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Warsaw",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Africa/Lagos",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Dubai",
    "Australia/Sydney",
    "Pacific/Auckland",
)
FIRST = ("Priya", "Tom", "Aisha", "Lena", "Marcus", "Sofia", "Kenji", "Ana", "Olu", "Maya")
LAST = ("Raman", "Whitaker", "Okafor", "Fischer", "Bell", "Marino", "Sato", "Silva", "Haddad")


# ----------------------------------------------------------------------------------------
# The file


def company_pool(count: int, content: Content, seed: int = SEED) -> list[Mentor]:
    rng = random.Random(seed)
    fields = [(o.value, o.label) for o in content.options_of("field")]
    topics = [(o.value, o.label) for o in content.options_of("topics")]
    seniority = [s.value for s in content.matching.seniority]

    def pick(choices: list[tuple[str, str]], most: int, labels: bool) -> tuple[str, ...]:
        chosen = rng.sample(choices, rng.randint(1, most))
        return tuple(label if labels else value for value, label in chosen)

    mentors = []
    for n in range(count):
        labels = rng.random() < 0.2  # some spreadsheets carry the labels people read
        mentors.append(
            Mentor(
                user_id=f"U{n:06d}{rng.randrange(16**4):04X}",
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}",
                timezone=rng.choice(TIMEZONES) if rng.random() < 0.95 else None,
                fields=pick(fields, 3, labels),
                topics=pick(topics, 4, labels),
                seniority=rng.choices(seniority, weights=(2, 4, 3, 1))[0],
                capacity=rng.choices(range(1, 6), weights=(3, 4, 2, 1, 1))[0],
                bio=text(rng, rng.randint(0, min(300, BIO_MOST))).capitalize(),
                active=rng.random() < 0.95,
            )
        )
    return mentors


# ----------------------------------------------------------------------------------------
# One import, in a fresh process


def run_child(
    part: int, csv_path: Path, env: dict[str, str], before: Path | None
) -> dict[str, Any]:
    """bench/imports_child.py's measurement of one import, and the process's."""
    start = time.perf_counter()
    extra = [str(before)] if before is not None else []
    done = subprocess.run(
        [sys.executable, "-m", "bench.imports_child", str(part), str(csv_path), *extra],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise SystemExit(f"the import failed:\n{done.stdout}{done.stderr}")
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    found["process_s"] = time.perf_counter() - start
    found["progress_lines"] = len(done.stderr.splitlines())
    return found


# ----------------------------------------------------------------------------------------
# The databases


def admin_url() -> str:
    return os.environ.get("BENCH_POSTGRES", ADMIN_URL)


async def create_database(made: list[str]) -> str:
    """A new, empty database (its URL), named in `made` for `drop_databases`."""
    import asyncpg

    name = f"devpath_bench_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(admin_url())
    try:
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    made.append(name)
    return admin_url().rsplit("/", 1)[0] + "/" + name


async def drop_databases(made: list[str]) -> None:
    import asyncpg

    if not made:
        return
    conn = await asyncpg.connect(admin_url())
    try:
        for name in made:
            await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()


async def stored(place: str) -> tuple[list[str], list[str]]:
    """The mentors' user IDs and the audit entries' texts in the database, as they are."""
    from bot.store import open_database

    store = await open_database(place, create=False)
    try:
        mentors = [m.user_id for m in await store.mentors()]
        return mentors, [e["what"] for e in await store.audit_log(limit=1_000_000)]
    finally:
        await store.aclose()


@dataclass
class Mode:
    name: str
    part: int
    again: bool = False  # import into the database the previous run of ours filled
    before: Path | None = None  # a checkout whose bot/ the child imports instead of ours
    runs: list[dict[str, Any]] = field(default_factory=list)


def check(mentors: list[str], audit: list[str], expected: set[str], writes: int) -> list[str]:
    problems = []
    if len(mentors) != len(expected) or set(mentors) != expected:
        problems.append(f"{len(mentors):,} mentors stored, {len(set(mentors)):,} distinct")
    if len(audit) != writes:
        problems.append(f"{len(audit)} audit entries for {writes} writes")
    return problems


async def import_runs(
    database: str,
    modes: list[Mode],
    csv_path: Path,
    expected: set[str],
    folder: Path,
    runs: int,
    made: list[str],
) -> tuple[list[str], str]:
    """Each mode `runs` times (the per-mentor baseline once), each into a fresh database
    (PostgreSQL's named in `made`); the problems found, and a database ours filled."""
    problems: list[str] = []
    kept = ""
    for number in range(runs):
        for index, mode in enumerate(modes):
            if mode.part == 1 and number:
                continue  # slow, and steady: once is enough
            if mode.again:
                place = kept
            elif database == "tinydb":
                place = str(folder / f"{index}-{number}.json")
            else:
                place = await create_database(made)
            env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEVPATH_DB")}
            env["DATABASE_URL" if database == "postgres" else "DEVPATH_DB"] = place
            found = await asyncio.to_thread(run_child, mode.part, csv_path, env, mode.before)
            mode.runs.append(found)
            if found["status"] != 0:
                problems.append(f"{database}, {mode.name}: exit {found['status']}")
            said = f"{len(expected)} added" if not mode.again else f"{len(expected)} unchanged"
            if said not in found["summary"]:
                problems.append(f"{database}, {mode.name}: said {found['summary'].strip()!r}")
            tree = mode.before or ROOT
            if Path(found["from"]) != tree:
                problems.append(f"{database}, {mode.name}: ran bot/ from {found['from']}")
            writes = -(-len(expected) // mode.part)
            mentors, audit = await stored(place)
            for problem in check(mentors, audit, expected, writes):
                problems.append(f"{database}, {mode.name}: {problem}")
            if mode.part == OURS and not mode.again:
                kept = place
    return problems, kept


# ----------------------------------------------------------------------------------------
# The pool a running bot builds from the imported database


@dataclass
class PoolRow:
    name: str
    gaps: list[float] = field(default_factory=list)  # the longest gap, per repeat
    took: list[float] = field(default_factory=list)


async def pool_stalls(place: str, repeat: int) -> list[PoolRow]:
    from bot.store import open_database

    postgres = place.startswith("postgresql://")
    names = ["idle loop (baseline)", "first mentors()", "next"]
    names += ["mentors() building on the loop (before)"] if postgres else []
    rows = {name: PoolRow(name) for name in names}

    async def idle() -> None:
        await asyncio.sleep(0.1)

    async def measure(row: PoolRow, work: Callable[[], Awaitable[object]]) -> None:
        gaps, took = await watch(work)
        row.gaps.append(max(gaps, default=0.0))
        row.took.append(took)

    for _ in range(repeat):
        store = await open_database(place, create=False)
        try:
            await measure(rows["idle loop (baseline)"], idle)
            await measure(rows["first mentors()"], store.mentors)
            await measure(rows["next"], store.mentors)
            if postgres:
                await measure(rows[names[-1]], functools.partial(_built_on_loop, store))
        finally:
            await store.aclose()
    return list(rows.values())


async def _built_on_loop(store: Any) -> list[Mentor]:
    """PostgreSQL's `mentors()` as it was: the rows turned into Mentors on the event loop."""
    from bot.store.postgres_store import _MENTOR, _pool_of

    return _pool_of(await store._pool.fetch(f"SELECT {_MENTOR} FROM mentors WHERE status = 'pool'"))


# ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 mentors, one run (CI)")
    parser.add_argument("--mentors", type=int, help="mentors in the file (default 10,000)")
    parser.add_argument("--runs", type=int, help="runs of each way of writing (default 3)")
    parser.add_argument(
        "--database", choices=("tinydb", "postgres", "both"), default="both", help="the stores"
    )
    parser.add_argument(
        "--before",
        type=Path,
        metavar="DIR",
        help="also import with DIR's bot/ as it is there (a checkout of the code before)",
    )
    args = parser.parse_args(argv)
    count = args.mentors or (1_000 if args.quick else 10_000)
    runs = args.runs or (1 if args.quick else 3)
    databases = ("tinydb", "postgres") if args.database == "both" else (args.database,)
    before = args.before.resolve() if args.before else None
    if before is not None and not (before / "bot" / "cli.py").is_file():
        parser.error(f"--before: {before} has no bot/cli.py")
    return asyncio.run(bench(count, runs, databases, args.quick, before))


async def bench(
    count: int, runs: int, databases: tuple[str, ...], quick: bool, before: Path | None
) -> int:
    print(f"import benchmark — {dt.date.today().isoformat()}{' (quick)' if quick else ''}")
    print(f"machine: {machine()}")
    started = time.perf_counter()
    content = load_content()
    problems: list[str] = []
    results: dict[str, list[Mode]] = {}
    pools: dict[str, list[PoolRow]] = {}
    with tempfile.TemporaryDirectory(prefix="devpath-bench-", dir=os.environ.get("BENCH_DIR")) as t:
        folder = Path(t)
        csv_path = folder / "company.csv"
        pool = company_pool(count, content)
        csv_path.write_text(write_pool(pool), encoding="utf-8")
        read, bad = read_pool(csv_path.read_text(encoding="utf-8"), content)
        if bad or len(read) != count:
            print(f"BROKEN: the generated file does not read back: {bad[:3]}")
            return 1
        size = csv_path.stat().st_size
        print(f"file: {count:,} mentors, {size / 1e6:.1f} MB; {runs} run(s) of each way")
        expected = {m.user_id for m in pool}
        for database in databases:
            modes = [
                Mode(f"parts of {OURS} (ours)", OURS),
                Mode("a write per mentor (baseline)", 1),
                *([] if quick else [Mode("one write for all", count)]),
                Mode("again, unchanged (ours)", OURS, again=True),
            ]
            if before is not None:
                modes.append(Mode(f"before ({before.name}/bot)", count, before=before))
            made: list[str] = []
            try:
                found, place = await import_runs(
                    database, modes, csv_path, expected, folder, runs, made
                )
                pools[database] = await pool_stalls(place, 1 if quick else 5)
            finally:
                await drop_databases(made)
            problems += found
            results[database] = modes

    rows = []
    for database, modes in results.items():
        for mode in modes:
            took = median(r["import_s"] for r in mode.runs)
            rows.append(
                [
                    database,
                    mode.name,
                    "" if mode.before else "0" if mode.again else f"{-(-count // mode.part):,}",
                    f"{took:.2f}",
                    f"{took / count * 1e6:.0f}",
                    f"{median(r['process_s'] for r in mode.runs):.2f}",
                    f"{median(r['hwm'] for r in mode.runs):.0f}",
                    f"{median(r['hwm'] - r['rss_before'] for r in mode.runs):.0f}",
                    str(max(r["progress_lines"] for r in mode.runs)),
                    str(len(mode.runs)),
                ]
            )
    print()
    print(f"### `devpath mentors import` of {count:,} mentors")
    print()
    print(
        table(
            [
                "store",
                "writing",
                "writes",
                "command s",
                "µs / mentor",
                "process s",
                "peak RSS MB",
                "peak - start MB",
                "progress lines",
                "runs",
            ],
            rows,
            right=2,
        )
    )
    rows = []
    for database, calls in pools.items():
        for row in calls:
            rows.append(
                [
                    database,
                    row.name,
                    f"{median(row.took):.1f}",
                    f"{max(row.gaps):.1f}",
                    f"{median(row.gaps):.1f}",
                ]
            )
    print()
    print(f"### The pool a bot builds from {count:,} imported mentors (event-loop gaps)")
    print()
    print(
        table(
            ["store", "call", "took ms (median)", "longest gap ms (worst)", "(median)"],
            rows,
            right=2,
        )
    )
    print()
    for database, modes in results.items():
        ours = modes[0]
        took = median(r["import_s"] for r in ours.runs)
        hwm = median(r["hwm"] for r in ours.runs)
        lines = max(r["progress_lines"] for r in ours.runs)
        against = [
            f"{mode.name}: {ratio(median(r['import_s'] for r in mode.runs), took)} as long"
            for mode in modes
            if mode.part == 1 or mode.before
        ]
        print(
            f"target ({database}): {count:,} mentors in < {TARGET_S:g} s: "
            f"{verdict(took < TARGET_S)} ({took:.2f} s; {'; '.join(against)})"
        )
        print(
            f"target ({database}): peak RSS < {TARGET_RSS_MB:g} MB: "
            f"{verdict(hwm < TARGET_RSS_MB)} ({hwm:.0f} MB); progress lines <= "
            f"{TARGET_PROGRESS_LINES}: {verdict(lines <= TARGET_PROGRESS_LINES)} ({lines})"
        )
        worst = max(max(row.gaps) for row in pools[database] if "before" not in row.name)
        print(
            f"target ({database}): no loop gap over {TARGET_GAP_MS:g} ms building the pool: "
            f"{verdict(worst < TARGET_GAP_MS)} ({worst:.1f} ms)"
        )
    print()
    for problem in problems:
        print(f"BROKEN: {problem}")
    print(f"total time: {time.perf_counter() - started:.1f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
