"""Benchmark: the journal store's durable writes, event-loop stalls and start-up.

Run from the repository root:

    .venv/bin/python -m bench.storage              # 1,000 / 10,000 / 50,000 documents, ~1 min
    .venv/bin/python -m bench.storage --quick      # 1,000 / 5,000 documents: CI smoke, < 10 s

Three measurements, each beside a baseline timed in the same run:

1. Durable write latency at N stored documents (~1 KB each): our `JournaledTinyDB` on
   `JournalStorage` (a table insert, and an update by doc_id, each one fdatasync'ed journal
   line) against TinyDB's stock `TinyDB(path)` (`JSONStorage`) insert of the same documents.
   The stock storage rewrites the whole file per write, about a second at 50,000 documents,
   so it gets fewer repeats.
2. The longest event-loop stall while 1,000 concurrent `TinyDBStore` writes run on a 50,000-document
   database: a ticker coroutine sleeps 1 ms in a loop and records the gaps between wake-ups.
   Baseline: the same ticker on an idle loop, and during 1,000 `asyncio.sleep(0)`.
3. Start-up (`TinyDBStore.open`: snapshot read, journal replay, indexes, migration check) and
   resident memory (VmRSS) with 50,000 documents, each in a fresh subprocess, against
   `json.load` of the same snapshot in the same way.

The exit status is non-zero only for a broken run (a write that did not land, a journal line
not replayed), never for a missed target.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from bench.procfs import rss_mb
from bot.content import Content, load_content
from bot.domain.intros import Intro
from bot.domain.matching import Mentor
from bot.domain.nudges import KINDS, Nudge
from bot.domain.recommendation import recommend
from bot.domain.records import Draft
from bot.store.journal import JournaledTinyDB, JournalStorage
from bot.store.migrations import META, SCHEMA_VERSION
from bot.store.shapes import recommendation_doc
from bot.store.tinydb_store import TinyDBStore, _intro_doc, _mentor_doc, _nudge_doc, _utc

try:
    from bot.store.shapes import answers_doc as _answers_doc
except ImportError:  # before bot/store/shapes.py
    from bot.store.tinydb_store import _answers_doc  # type: ignore[attr-defined,no-redef]

SEED = 42
# A fixed moment for the stored documents' dates; what must lie in the future at run time
# (pending intros, scheduled nudges) is placed after the real clock instead.
EPOCH = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
WORDS = (
    "mentor",
    "coaching",
    "career",
    "growth",
    "feedback",
    "leadership",
    "goals",
    "review",
    "team",
    "project",
    "skills",
    "meeting",
    "notes",
    "plan",
    "quarter",
    "progress",
    "learning",
    "product",
    "design",
    "engineering",
    "data",
    "people",
    "support",
    "confidence",
    "network",
    "transition",
    "culture",
    "performance",
    "agenda",
    "follow",
    "up",
    "next",
    "steps",
)
TIMEZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)
TARGET_WRITE_MS = 5.0
TARGET_WRITE_GROWTH = 2.0
TARGET_STALL_MS = 50.0
TARGET_OPEN_S = 1.0
TARGET_RSS_MB = 300.0


# ----------------------------------------------------------------------------------------
# Shared helpers (bench/load.py uses them too)


def machine() -> str:
    return (
        f"{platform.platform()}, {platform.machine()}, "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{os.cpu_count()} CPUs"
    )


def percentile(samples: Iterable[float], pct: float) -> float:
    """Nearest-rank percentile: p99 of 5 samples is the largest."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def median(samples: Iterable[float]) -> float:
    return statistics.median(list(samples))


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 else "n/a"


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def table(header: list[str], rows: list[list[str]], right: int = 1) -> str:
    """A markdown table; columns from `right` on are right-aligned."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"]
    lines.append(
        "|"
        + "|".join(
            "-" * (w + 1) + ":" if i >= right else "-" * (w + 2) for i, w in enumerate(widths)
        )
        + "|"
    )
    for row in rows:
        cells = [
            str(c).rjust(w) if i >= right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def text(rng: random.Random, chars: int) -> str:
    words: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:chars]


def doc_1kb(index: int, rng: random.Random) -> dict[str, Any]:
    """A generic document of about 1 KB (as JSON), for the write benchmark."""
    return {
        "user_id": f"U{index:08d}",
        "kind": rng.choice(KINDS),
        "state": rng.choice(("scheduled", "sent", "answered")),
        "created_at": _utc(EPOCH - dt.timedelta(minutes=index)),
        "tags": rng.sample(WORDS, 4),
        "score": round(rng.random(), 4),
        "text": text(rng, 820),
    }


# ----------------------------------------------------------------------------------------
# A realistic database: the store's own tables and document shapes


@dataclass
class Dataset:
    data: dict[str, dict[str, Any]]
    users: list[str]  # people who have taken the questionnaire
    timezones: dict[str, str]
    mentors: list[Mentor]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def documents(self) -> int:
        return sum(n for name, n in self.counts.items() if name != META)


def build_dataset(total: int, content: Content, seed: int = SEED, mentors: int = 300) -> Dataset:
    """`total` documents over the store's tables, shaped as the store writes them.

    Nearly half are questionnaire responses (two per person), a third nudges; then intros,
    people, drafts, gaps, the audit log, open requests and `mentors` mentors, all active, with
    varied fields, topics, seniority, timezones and capacity. Intros still pending expire and
    scheduled nudges fall due after the run, so a bot serving this database has nothing to send.
    """
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    mentors = min(mentors, total // 10)
    rest = total - mentors
    counts = {
        "responses": rest * 48 // 100,
        "intros": rest * 6 // 100,
        "people": rest * 6 // 100,
        "drafts": rest * 3 // 100,
        "gaps": rest * 2 // 100,
        "audit": rest * 2 // 100,
        "open_requests": rest // 100,
        "mentors": mentors,
    }
    counts["nudges"] = total - sum(counts.values())
    population = max(1, counts["responses"] // 2)
    users = [f"U{n:08d}" for n in range(population)]
    timezones = {u: rng.choice(TIMEZONES) for u in users}
    questionnaire = content.questionnaire
    fields = [o.value for o in content.options_of("field")]
    topics = [o.value for o in content.options_of("topics")]
    seniorities = [s.value for s in content.matching.seniority]

    def answers() -> dict[str, tuple[str, ...]]:
        chosen = {}
        for question in questionnaire.questions:
            values = [o.value for o in question.options]
            if question.kind == "multi":
                chosen[question.id] = tuple(rng.sample(values, rng.randint(1, min(3, len(values)))))
            else:
                chosen[question.id] = (rng.choice(values),)
        return chosen

    # A few dozen distinct answer sets, each with its real recommendation.
    answer_sets = []
    for _ in range(64):
        chosen = answers()
        answer_sets.append((chosen, recommend(questionnaire, chosen, content.thresholds)))

    def ago(days: float) -> dt.datetime:
        return EPOCH - dt.timedelta(days=days)

    def hexid() -> str:
        return f"{rng.getrandbits(128):032x}"

    data: dict[str, dict[str, Any]] = {META: {"1": {"schema_version": SCHEMA_VERSION}}}

    pool = [
        Mentor(
            user_id=f"UM{n:07d}",
            name=f"Mentor {rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}{n}",
            timezone=rng.choice(TIMEZONES),
            fields=tuple(rng.sample(fields, rng.choice((1, 1, 2)))),
            topics=tuple(rng.sample(topics, rng.randint(1, 4))),
            seniority=rng.choice(seniorities),
            capacity=rng.randint(1, 4),
            bio=text(rng, rng.randint(80, 400)),
            active=True,
        )
        for n in range(counts["mentors"])
    ]
    data["mentors"] = {str(i): _mentor_doc(m) for i, m in enumerate(pool, 1)}

    responses = {}
    for i in range(counts["responses"]):
        chosen, rec = rng.choice(answer_sets)
        responses[str(i + 1)] = {
            "user_id": users[i % population],
            "answers": _answers_doc(chosen),
            "recommendation": recommendation_doc(rec),
            "content_version": content.version,
            "created_at": _utc(ago(rng.uniform(0, 400))),
        }
    data["responses"] = responses

    nudges = {}
    for i in range(counts["nudges"]):
        state = rng.choices(
            ("sent", "answered", "cancelled", "skipped", "scheduled"), (50, 15, 15, 10, 10)
        )[0]
        created = ago(rng.uniform(30, 400))
        scheduled = state == "scheduled"
        due = now + dt.timedelta(days=rng.uniform(2, 60)) if scheduled else created
        sent = None if scheduled or state in ("cancelled", "skipped") else created
        nudge = Nudge(
            id=hexid(),
            user_id=rng.choice(users),
            kind=rng.choice(KINDS),
            due_at=due,
            created_at=created,
            subject=str(rng.randint(1, max(1, counts["responses"]))),
            state=state,  # type: ignore[arg-type]
            sent_at=sent,
            answered_at=created if state == "answered" else None,
            answer={"choice": "yes"} if state == "answered" else {},
            attempts=0 if scheduled else 1,
            message={"channel": "D" + hexid()[:10].upper(), "ts": "1700000000.000100"}
            if sent
            else {},
        )
        nudges[str(i + 1)] = _nudge_doc(nudge)
    data["nudges"] = nudges

    taken = {m.user_id: 0 for m in pool}
    intros = {}
    for i in range(counts["intros"]):
        mentor = rng.choice(pool)
        state = rng.choices(
            ("ended", "expired", "declined", "pending", "accepted"), (3, 2, 2, 1, 2)
        )[0]
        if state == "accepted":
            if taken[mentor.user_id] >= mentor.capacity - 1:  # leave most mentors a place
                state = "ended"
            else:
                taken[mentor.user_id] += 1
        requested = ago(rng.uniform(10, 400))
        pending = state == "pending"
        intro = Intro(
            id=hexid(),
            mentee_id=rng.choice(users),
            mentor_id=mentor.user_id,
            state=state,  # type: ignore[arg-type]
            requested_at=now if pending else requested,
            expires_at=now + dt.timedelta(days=7) if pending else requested + dt.timedelta(7),
            note=text(rng, rng.randint(0, 300)),
            shares=("path", "needs")[: rng.randint(0, 2)],
            answered_at=None if pending else requested + dt.timedelta(days=1),
            source=rng.choice(("match", "match", "match", "open_request")),
            mentor_message={"channel": "D" + hexid()[:10].upper(), "ts": "1700000000.000200"},
        )
        intros[str(i + 1)] = _intro_doc(intro)
    data["intros"] = intros

    data["people"] = {
        str(i + 1): {"user_id": users[i % population], "stopped": rng.random() < 0.2}
        | ({"goals": text(rng, 200)} if rng.random() < 0.3 else {})
        for i in range(counts["people"])
    }
    drafts = {}
    for i in range(counts["drafts"]):
        chosen, _ = rng.choice(answer_sets)
        step = rng.randint(1, len(questionnaire.steps))
        asked = {q.id for s in questionnaire.steps[: step - 1] for q in s.questions}
        drafts[str(i + 1)] = {
            # Drafts belong to people with no response yet: beyond the population.
            "user_id": f"U{population + i:08d}",
            "answers": _answers_doc({k: v for k, v in chosen.items() if k in asked}),
            "step": step,
            "channel_id": "C" + hexid()[:8].upper(),
            "updated_at": _utc(ago(rng.uniform(0, 30))),
        }
    data["drafts"] = drafts
    data["gaps"] = {
        str(i + 1): {
            "field": rng.choice(fields),
            "topics": rng.sample(topics, 2),
            "at": _utc(ago(rng.uniform(0, 400))),
            "alerted": rng.random() < 0.3,
        }
        for i in range(counts["gaps"])
    }
    data["audit"] = {
        str(i + 1): {
            "by": "UADMIN",
            "what": f"added mentor UM{i % max(1, mentors):07d}",
            "at": _utc(ago(rng.uniform(0, 400))),
        }
        for i in range(counts["audit"])
    }
    data["open_requests"] = {
        str(i + 1): {
            "id": hexid(),
            "mentee_id": rng.choice(users),
            "channel": "CMATCH",
            "ts": f"1700000000.{i:06d}",
            "created_at": ago(rng.uniform(0, 400)).isoformat(),
            "claimed_by": rng.choice([None, *(m.user_id for m in pool[:20])]),
        }
        for i in range(counts["open_requests"])
    }
    counts[META] = 1
    return Dataset(data, users, timezones, pool, counts)


def write_snapshot(path: Path, data: dict[str, Any]) -> int:
    """Write a compacted snapshot as the store does; its size in bytes."""
    encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    path.write_bytes(encoded)
    return len(encoded)


# ----------------------------------------------------------------------------------------
# 1. Durable write latency


@dataclass
class WriteResult:
    size: int
    snapshot_mb: float
    ours_insert: list[float]
    ours_update: list[float]
    stock_insert: list[float]
    compact_ms: float
    line_bytes: float


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def bench_writes(folder: Path, size: int, repeat: int, stock_repeat: int) -> WriteResult:
    rng = random.Random(SEED + size)
    docs = {str(i): doc_1kb(i, rng) for i in range(1, size + 1)}
    new = [doc_1kb(size + 1 + k, rng) for k in range(repeat + stock_repeat + 8)]

    ours_path, stock_path = folder / f"ours-{size}.json", folder / f"stock-{size}.json"
    snapshot = write_snapshot(ours_path, {"docs": docs})
    shutil.copyfile(ours_path, stock_path)
    del docs

    # Ours: one journal line (fdatasync) per write. Warm-up first: the first insert finds the
    # next id by scanning the keys once.
    db = JournaledTinyDB(ours_path, storage=JournalStorage)
    table = db.table("docs")
    for k in range(3):
        table.insert(new[k])
        table.update({"n": k}, doc_ids=[rng.randint(1, size)])
    before = db.storage._journal_bytes
    inserts, updates = [], []
    for k in range(repeat):
        doc = new[3 + k]
        inserts.append(timed(lambda doc=doc: table.insert(doc)))
        target = rng.randint(1, size)
        updates.append(
            timed(lambda k=k, t=target: table.update({"state": "sent", "n": k}, doc_ids=[t]))
        )
    line_bytes = (db.storage._journal_bytes - before) / (2 * repeat)
    landed = len(table) == size + 3 + repeat
    compact = [timed(db.storage.compact) for _ in range(3 if size <= 10_000 else 2)]
    db.close()
    if not landed:
        raise SystemExit(f"broken run: {size} docs, inserts did not all land")
    os.sync()

    # Stock: TinyDB(path) on JSONStorage re-reads and rewrites the whole file on each write.
    stock = TinyDB(stock_path)
    stock_table = stock.table("docs")
    stock_table.insert(new[-1])  # warm-up
    stocks = [timed(lambda doc=new[-2 - k]: stock_table.insert(doc)) for k in range(stock_repeat)]
    stock.close()
    os.sync()
    return WriteResult(
        size, snapshot / 1e6, inserts, updates, stocks, statistics.median(compact), line_bytes
    )


# ----------------------------------------------------------------------------------------
# 2. Event-loop stalls


async def ticker(stop: asyncio.Event, gaps: list[float]) -> None:
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        gaps.append((now - last) * 1000)
        last = now


async def watch(work: Callable[[], Any], settle: float = 0.02) -> tuple[list[float], float]:
    """Run `work()` with the ticker beside it: the gaps between wake-ups, and the work's ms."""
    stop, gaps = asyncio.Event(), []
    tick = asyncio.create_task(ticker(stop, gaps))
    await asyncio.sleep(settle)
    gaps.clear()
    start = time.perf_counter()
    await work()
    took = (time.perf_counter() - start) * 1000
    await asyncio.sleep(0.002)
    stop.set()
    await tick
    return gaps, took


@dataclass
class StallRow:
    name: str
    worst: list[float] = field(default_factory=list)  # the longest gap, per repeat
    p99: list[float] = field(default_factory=list)
    took: list[float] = field(default_factory=list)


async def bench_stalls(
    store: TinyDBStore, dataset: Dataset, repeat: int, burst: int
) -> list[StallRow]:
    """Each kind of work with the ticker beside it, `repeat` times. `TinyDBStore.open` has already
    frozen the loaded database out of the garbage collector (gc.freeze())."""
    rng = random.Random(SEED)
    users = dataset.users

    async def idle() -> None:
        await asyncio.sleep(0.2)

    async def sleeps() -> None:
        await asyncio.gather(*(asyncio.sleep(0) for _ in range(burst)))

    async def people() -> None:
        chosen = rng.sample(users, min(burst, len(users)))
        await asyncio.gather(*(store.set_person(u, stopped=rng.random() < 0.5) for u in chosen))

    async def drafts() -> None:
        now = dt.datetime.now(dt.UTC)
        chosen = rng.sample(users, min(burst, len(users)))
        answers = {"career_stage": ("new_hire",), "field": ("engineering",)}
        await asyncio.gather(*(store.save_draft(Draft(u, answers, 2, "C1", now)) for u in chosen))

    async def reads() -> None:
        await asyncio.gather(*(store.intros() for _ in range(100)))

    async def match_reads() -> None:
        # What a final submission reads to rank mentors: by index, not the whole table.
        chosen = rng.sample(users, min(100, len(users)))
        await asyncio.gather(*(store.mentees_now() for _ in chosen))
        await asyncio.gather(*(store.intros_of(u) for u in chosen))

    async def compaction() -> None:
        await store._run(store._db.storage.compact)

    works: list[tuple[str, Callable[[], Any]]] = [
        ("idle loop (baseline)", idle),
        (f"{burst:,} x asyncio.sleep(0) (baseline)", sleeps),
        (f"{burst:,} x store.set_person", people),
        (f"{burst:,} x store.save_draft", drafts),
        ("100 x (store.mentees_now() + store.intros_of())", match_reads),
        ("100 x store.intros() (whole table: admin listings)", reads),
        ("1 compaction (store thread, chunked)", compaction),
    ]
    rows: dict[str, StallRow] = {}

    async def measure(batch: list[tuple[str, Callable[[], Any]]]) -> None:
        for _ in range(repeat):
            for name, work in batch:
                gaps, took = await watch(work)
                row = rows.setdefault(name, StallRow(name))
                row.worst.append(max(gaps))
                row.p99.append(percentile(gaps, 99))
                row.took.append(took)

    await measure(works)
    return list(rows.values())


# ----------------------------------------------------------------------------------------
# 3. Start-up and memory, in fresh subprocesses


def child(mode: str, path: Path) -> None:
    """Measure one open in this fresh process; print one JSON line."""
    rss_before, _ = rss_mb()
    start = time.perf_counter()
    replayed = documents = 0
    if mode == "store":
        store = TinyDBStore.open(path)
        took = time.perf_counter() - start
        data = store._db.storage.read()
        replayed = store._db.storage.replayed
        documents = sum(len(t) for t in data.values())
    else:
        with open(path, "rb") as file:
            data = json.load(file)
        took = time.perf_counter() - start
        documents = sum(len(t) for t in data.values())
    rss_after, hwm = rss_mb()
    print(
        json.dumps(
            {
                "open_s": took,
                "rss_before": rss_before,
                "rss_after": rss_after,
                "hwm": hwm,
                "replayed": replayed,
                "documents": documents,
            }
        )
    )


def run_child(mode: str, path: Path) -> dict[str, float]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench.storage", "--child", mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    found["process_s"] = time.perf_counter() - start
    return found


def build_startup_db(folder: Path, dataset: Dataset, journal_lines: int) -> tuple[Path, int]:
    """The dataset as a compacted snapshot plus `journal_lines` journal lines to replay."""
    path = folder / "devpath.json"
    size = write_snapshot(path, dataset.data)
    store = TinyDBStore.open(path)
    rng = random.Random(SEED + 1)
    now = dt.datetime.now(dt.UTC)

    async def writes() -> None:
        for k in range(journal_lines):
            user = rng.choice(dataset.users)
            if k % 2:
                await store.set_person(user, stopped=bool(k % 4))
            else:
                await store.save_draft(Draft(user, {"field": ("data",)}, 2, "C1", now))

    asyncio.run(writes())
    store.close()
    return path, size


# ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats (CI)")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0

    quick = args.quick
    sizes = (1_000, 5_000) if quick else (1_000, 10_000, 50_000)
    repeat = 40 if quick else 300
    stock_repeats = {1_000: 10, 5_000: 5} if quick else {1_000: 50, 10_000: 20, 50_000: 5}
    big = sizes[-1]
    stall_repeat, burst = (2, 200) if quick else (5, 1_000)
    opens = 2 if quick else 5
    journal_lines = 200 if quick else 2_000

    print(f"storage benchmark — {dt.date.today().isoformat()}{' (quick)' if quick else ''}")
    print(f"machine: {machine()}")
    started = time.perf_counter()
    ok = True
    with tempfile.TemporaryDirectory(prefix="devpath-bench-", dir=os.environ.get("BENCH_DIR")) as t:
        folder = Path(t)
        print(f"files in: {folder} (same file system as BENCH_DIR, else the system temp folder)")

        # 1. Durable writes
        results = [bench_writes(folder, size, repeat, stock_repeats[size]) for size in sizes]
        base = results[0]
        rows = []
        for r in results:
            rows.append(
                [
                    f"{r.size:,}",
                    f"{r.snapshot_mb:.1f}",
                    f"{median(r.ours_insert):.3f}",
                    f"{percentile(r.ours_insert, 99):.3f}",
                    f"{median(r.ours_update):.3f}",
                    f"{percentile(r.ours_update, 99):.3f}",
                    f"{median(r.stock_insert):.1f}",
                    f"{percentile(r.stock_insert, 99):.1f}",
                    str(len(r.stock_insert)),
                    ratio(median(r.stock_insert), median(r.ours_insert)),
                    ratio(median(r.ours_insert), median(base.ours_insert)),
                    ratio(median(r.ours_update), median(base.ours_update)),
                ]
            )
        print()
        print(f"### 1. Durable write latency (~1 KB documents; ours {repeat} writes per size)")
        print()
        print(
            table(
                [
                    "docs",
                    "snapshot MB",
                    "ours insert med ms",
                    "p99",
                    "ours update med ms",
                    "p99",
                    "stock insert med ms",
                    "p99",
                    "stock n",
                    "stock / ours",
                    f"ours ins / {base.size:,}",
                    f"ours upd / {base.size:,}",
                ],
                rows,
            )
        )
        print()
        compact_rows = []
        for r in results:
            every = max(4 * 1024 * 1024, r.snapshot_mb * 1e6) / r.line_bytes
            compact_rows.append(
                [
                    f"{r.size:,}",
                    f"{r.compact_ms:.0f}",
                    f"{every:,.0f}",
                    f"{r.compact_ms / every * 1000:.1f}",
                ]
            )
        print(
            table(
                ["docs", "compaction ms", "writes between compactions", "amortised µs / write"],
                compact_rows,
            )
        )
        last = results[-1]
        growth = median(last.ours_insert) / median(base.ours_insert)
        growth_upd = median(last.ours_update) / median(base.ours_update)
        print()
        print(
            f"target: durable write median < {TARGET_WRITE_MS:g} ms at {big:,} docs: "
            f"{verdict(max(median(last.ours_insert), median(last.ours_update)) < TARGET_WRITE_MS)}"
            f" (insert {median(last.ours_insert):.3f} ms, update {median(last.ours_update):.3f} ms)"
        )
        print(
            f"target: median at {big:,} <= {TARGET_WRITE_GROWTH:g}x the median at "
            f"{base.size:,}: {verdict(max(growth, growth_upd) <= TARGET_WRITE_GROWTH)} "
            f"(insert {growth:.2f}x, update {growth_upd:.2f}x)"
        )

        # 2 and 3 use the realistic database.
        content = load_content()
        dataset = build_dataset(big, content)
        path, snapshot_bytes = build_startup_db(folder, dataset, journal_lines)
        counts = ", ".join(f"{k} {v:,}" for k, v in dataset.counts.items() if k != META)
        print()
        print(
            f"realistic database: {dataset.documents:,} documents ({counts}); snapshot "
            f"{snapshot_bytes / 1e6:.1f} MB ({snapshot_bytes / dataset.documents:.0f} B per "
            f"document) + {journal_lines:,} journal lines"
        )

        dataset.data = {}  # what the bot would not hold: keep the collector's work the bot's
        gc.collect()

        # 2. Stalls, on a copy: they write, and compact, and 3 must replay the journal.
        stall_folder = folder / "stalls"
        stall_folder.mkdir()
        for name in (path.name, path.name + ".journal"):
            shutil.copyfile(folder / name, stall_folder / name)
        store = TinyDBStore.open(stall_folder / path.name)
        try:
            stall_rows = asyncio.run(bench_stalls(store, dataset, stall_repeat, burst))
            # The last work was a (chunked) compaction: the snapshot alone must hold it all.
            if json.loads((stall_folder / path.name).read_bytes()) != store._db.storage.read():
                print("BROKEN: the compacted snapshot differs from the database")
                ok = False
        finally:
            store.close()
        idle = stall_rows[0]
        print()
        print(
            f"### 2. Event-loop stalls ({dataset.documents:,} documents; ticker sleeps 1 ms; "
            f"{stall_repeat} repeats)"
        )
        print()
        print(
            table(
                [
                    "while the loop runs",
                    "longest gap ms (worst)",
                    "longest gap ms (median)",
                    "p99 gap ms",
                    "work ms (median)",
                    "longest / idle",
                ],
                [
                    [
                        r.name,
                        f"{max(r.worst):.1f}",
                        f"{median(r.worst):.1f}",
                        f"{median(r.p99):.2f}",
                        f"{median(r.took):.0f}",
                        ratio(median(r.worst), median(idle.worst)),
                    ]
                    for r in stall_rows
                ],
            )
        )
        by_name = {r.name: r for r in stall_rows}
        writes = [r for r in stall_rows if "store.s" in r.name]
        worst_write = max(max(r.worst) for r in writes)
        matching = by_name["100 x (store.mentees_now() + store.intros_of())"]
        compacting = by_name["1 compaction (store thread, chunked)"]
        print()
        print(
            f"target: no event-loop stall over {TARGET_STALL_MS:g} ms during {burst:,} writes: "
            f"{verdict(worst_write <= TARGET_STALL_MS)} (worst gap {worst_write:.1f} ms); "
            f"during 100 matches' reads: {verdict(max(matching.worst) <= TARGET_STALL_MS)} "
            f"(worst gap {max(matching.worst):.1f} ms); during a compaction: "
            f"{verdict(max(compacting.worst) <= TARGET_STALL_MS)} "
            f"(worst gap {max(compacting.worst):.1f} ms)"
        )

        # 3. Start-up and memory
        samples: dict[str, list[dict[str, float]]] = {"store": [], "json": []}
        for _ in range(opens):
            for mode in ("store", "json"):
                samples[mode].append(run_child(mode, path))
        replayed = {s["replayed"] for s in samples["store"]}
        expected = dataset.documents + 1
        if replayed != {journal_lines}:
            print(f"BROKEN: replayed {replayed} journal lines, expected {journal_lines}")
            ok = False
        print()
        print(
            f"### 3. Start-up and memory ({dataset.documents:,} documents, "
            f"{journal_lines:,} journal lines; fresh subprocess each, {opens} runs, medians)"
        )
        print()
        rows = []
        for mode, name in (
            ("store", "TinyDBStore.open (gc off while loading, then gc.freeze())"),
            ("json", "json.load (baseline)"),
        ):
            s = samples[mode]
            rows.append(
                [
                    name,
                    f"{median(x['open_s'] for x in s):.3f}",
                    f"{median(x['process_s'] for x in s):.2f}",
                    f"{median(x['rss_before'] for x in s):.0f}",
                    f"{median(x['rss_after'] for x in s):.0f}",
                    f"{median(x['rss_after'] - x['rss_before'] for x in s):.0f}",
                    f"{median(x['hwm'] for x in s):.0f}",
                ]
            )
        st, js = samples["store"], samples["json"]
        rows.append(
            [
                "ratio (store / json)",
                ratio(median(x["open_s"] for x in st), median(x["open_s"] for x in js)),
                "",
                "",
                ratio(median(x["rss_after"] for x in st), median(x["rss_after"] for x in js)),
                ratio(
                    median(x["rss_after"] - x["rss_before"] for x in st),
                    median(x["rss_after"] - x["rss_before"] for x in js),
                ),
                ratio(median(x["hwm"] for x in st), median(x["hwm"] for x in js)),
            ]
        )
        print(
            table(
                [
                    "",
                    "open s",
                    "process s",
                    "RSS before MB",
                    "RSS after MB",
                    "RSS added MB",
                    "peak RSS MB",
                ],
                rows,
            )
        )
        documents = {s["documents"] for s in st}
        if documents != {expected}:
            # Journal lines may add people or drafts; count what the store holds.
            print(f"documents held after open: {sorted(documents)} (snapshot had {expected:,})")
        open_s = median(x["open_s"] for x in st)
        rss = median(x["rss_after"] for x in st)
        print()
        print(
            f"target: start-up < {TARGET_OPEN_S:g} s at {dataset.documents:,} documents: "
            f"{verdict(open_s < TARGET_OPEN_S)} ({open_s:.2f} s)"
        )
        print(
            f"target: RSS < {TARGET_RSS_MB:g} MB at {dataset.documents:,} documents: "
            f"{verdict(rss < TARGET_RSS_MB)} ({rss:.0f} MB after open, peak "
            f"{median(x['hwm'] for x in st):.0f} MB)"
        )
    print()
    print(f"total time: {time.perf_counter() - started:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
