"""Benchmark: admin work and background rounds on a 50,000-document database, and the
event-loop stalls they cause.

Run from the repository root:

    .venv/bin/python -m bench.stalls                        # TinyDB, 50,000 documents
    .venv/bin/python -m bench.stalls --database postgres    # and PostgreSQL seeded from it
    .venv/bin/python -m bench.stalls --quick                # 5,000 documents: CI smoke, seconds

The database is bench/storage.py's `build_dataset` (questionnaire responses, nudges, intros,
people, drafts, gaps, the audit log, open requests, 300 mentors) plus the parts of the
program that dataset leaves out: coaches, coaching requests and engagements, 360 feedback,
matching rounds, nominations, check-in scores and a few nudges left mid-send. A ticker
coroutine sleeps 1 ms in a loop beside each piece of work (bench.storage.watch) and records
the gaps between its wake-ups: the longest gap is how long the event loop could not answer
anyone (Slack wants an ack within 3 s; our target is no stall over 50 ms).

What is timed, each `--repeat` times: the `/devpath stats` figures (the store calls and the
domain, as the listener makes them), again after a write to each table they count (so that
nothing a store kept from the call before holds), the mentor pool list (first and last
page), the coach roster list, the admin's Home tab, who waits for a mentor (what a round's
invitations read), and the nudger's recovery of nudges left mid-send; then once, last (it
writes), a background round sending N due nudges (bench/nudges.py's people, engagements and
nudges, added to the same database) through the fake Slack Web API on a virtual pacer. Beside
each, the longest garbage collection meanwhile: it holds the interpreter lock, so it shows
as a gap wherever it runs.

With `--database postgres`, the same database is copied into a fresh PostgreSQL database
(dump then restore, as bench/load.py seeds it) on BENCH_POSTGRES (default
postgresql://postgres@127.0.0.1:5432/postgres), the same work is timed there, and the
database is dropped afterwards.

The exit status is non-zero only for a broken run (work that raised, a nudge round that did
not send every nudge), never for a missed target.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import itertools
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.nudges import NOW, answers, seed
from bench.storage import (
    SEED,
    Dataset,
    build_dataset,
    machine,
    median,
    percentile,
    table,
    watch,
    write_snapshot,
)
from bot.app import web_client
from bot.background import Background
from bot.content import Content, load_content
from bot.deps import Deps
from bot.domain.coaching import Coach, CoachingRequest, Engagement
from bot.domain.feedback import FeedbackAnswer, FeedbackRequest
from bot.domain.intros import Intro
from bot.domain.nudges import new_nudge
from bot.domain.recommendation import recommend
from bot.domain.records import Response
from bot.domain.rounds import Pair, Round
from bot.flows.pool import pool_screen
from bot.flows.roster import roster_screen
from bot.flows.rounds import waiting_people
from bot.flows.stats import stats_screen
from bot.listeners.home import home_screen
from bot.nudger import Nudger, Pacer
from bot.screens.mentors import PAGE_SIZE
from bot.settings import load_settings
from bot.store import Store
from bot.store.migrations import META
from bot.store.shapes import (
    coaching_request_doc,
    engagement_doc,
    feedback_answer_doc,
    feedback_request_doc,
)
from bot.store.tinydb_store import TinyDBStore, _coach_doc, _utc
from tests.fakes import FakeSlack, VirtualTime

ADMIN = "UADMIN0001"
TARGET_STALL_MS = 50.0
DAY = dt.timedelta(days=1)
Work = Callable[[], Awaitable[Any]]


# ----------------------------------------------------------------------------------------
# The rest of the program, beside bench/storage.py's dataset


def complete(dataset: Dataset, content: Content, seed_value: int = SEED) -> None:
    """Add to `dataset.data` what build_dataset leaves out, about 4 % more documents, dated
    so that nothing of it falls due at NOW (the benchmark's clock)."""
    rng = random.Random(seed_value + 7)
    data, counts = dataset.data, dataset.counts
    users, pool = dataset.users, dataset.mentors
    size = max(10, dataset.documents // 250)  # 200 at 50,000 documents

    def at(days: float) -> dt.datetime:
        return NOW + dt.timedelta(days=days)

    def hexid() -> str:
        return f"{rng.getrandbits(64):016x}"

    areas = [a.value for a in content.coaches.areas]
    languages = [lang.value for lang in content.coaches.languages]
    coaches = [
        Coach(
            id=f"UC{n:07d}",
            kind="internal",
            name=f"Coach {n}",
            timezone="Europe/London",
            areas=tuple(rng.sample(areas, min(2, len(areas)))),
            languages=(languages[0],),
            capacity=rng.randint(2, 6),
            credentials="ICF PCC",
            bio="Leadership and transitions.",
        )
        for n in range(max(4, size // 5))
    ]
    data["coaches"] = {str(i): _coach_doc(c) for i, c in enumerate(coaches, 1)}

    requests, engagements = {}, {}
    for i in range(size * 2):
        state = rng.choice(("approved", "approved", "declined", "withdrawn", "pending"))
        made = at(-rng.uniform(20, 300))
        request = CoachingRequest(
            id=hexid(),
            user_id=users[i % len(users)],
            goals=("Lead the team", "Delegate"),
            timeframe="6m",
            manager_knows="yes",
            created_at=made,
            state=state,  # type: ignore[arg-type]
            decided_by=ADMIN if state != "pending" else None,
            decided_at=made + dt.timedelta(days=2) if state != "pending" else None,
        )
        requests[str(i + 1)] = coaching_request_doc(request)
        if state == "approved":
            going = rng.choice(("active", "ended", "ended"))
            started = made + dt.timedelta(days=rng.uniform(3, 20))
            engagement = Engagement(
                id=hexid(),
                request_id=request.id,
                user_id=request.user_id,
                coach_id=rng.choice(coaches).id,
                goals=request.goals,
                state=going,  # type: ignore[arg-type]
                created_at=started,
                started_at=started,
                planned_end=at(rng.uniform(30, 120)) if going == "active" else started,
                ended_at=started + dt.timedelta(days=90) if going == "ended" else None,
                progress={"0": rng.randint(1, 5), "1": rng.randint(1, 5)},
                outcome={"0": rng.randint(1, 5)} if going == "ended" else {},
                would_recommend=rng.random() < 0.8 if going == "ended" else None,
            )
            engagements[str(len(engagements) + 1)] = engagement_doc(engagement)
    data["coaching_requests"], data["engagements"] = requests, engagements

    asked, answers = {}, {}
    for i in range(size):
        givers = tuple(rng.sample(users, 5))
        made = at(-rng.uniform(20, 300))
        request_360 = FeedbackRequest(
            id=hexid(),
            user_id=users[(i * 7) % len(users)],
            givers=givers,
            created_at=made,
            closes_at=made + dt.timedelta(days=14),
            remind_at=made + dt.timedelta(days=7),
            state="closed",
            reminded=True,
        )
        asked[str(i + 1)] = feedback_request_doc(request_360)
        for giver in givers[: rng.randint(0, 5)]:
            answer = FeedbackAnswer(
                request_360.id, giver, {"listens": rng.randint(1, 5)}, "", "", made
            )
            answers[str(len(answers) + 1)] = feedback_answer_doc(answer)
    data["feedback_requests"], data["feedback_answers"] = asked, answers

    # Rounds: published ones, each with its intros among the dataset's, and one still open.
    intro_ids = [d["id"] for d in data["intros"].values()]
    rounds = {}
    for n in range(6):
        joined = tuple(rng.sample(users, min(len(users), 60)))
        mentors = rng.sample(pool, min(len(pool), 30))
        proposal = tuple(
            Pair(mentee, mentors[k % len(mentors)].user_id, round(rng.uniform(40, 90), 1), "")
            for k, mentee in enumerate(joined[:40])
        )
        published = n < 5
        made = at(-30 * (6 - n))
        rounds[str(n + 1)] = {
            **Round(
                id=hexid(),
                name=f"Cohort {n + 1}",
                created_by=ADMIN,
                created_at=made,
                closes_at=made + dt.timedelta(days=14) if published else at(14),
                state="published" if published else "open",
                joined=joined,
                places={m.user_id: 2 for m in mentors},
                proposal=proposal if published else (),
                intro_ids=tuple(rng.sample(intro_ids, min(len(intro_ids), 40)))
                if published
                else (),
            ).doc(),
            "name_key": f"cohort {n + 1}",
        }
    data["rounds"] = rounds

    # Nominations waiting for an admin, and mentors who came in through one.
    mentors_table = data["mentors"]
    for doc in list(mentors_table.values())[: max(1, len(mentors_table) // 10)]:
        doc["nominated_at"] = _utc(at(-100))
    for n in range(max(1, size // 20)):
        nominee = dict(next(iter(mentors_table.values())))
        nominee.update(user_id=f"UN{n:07d}", status="nominated", nominated_at=_utc(at(-n - 1)))
        mentors_table[str(len(mentors_table) + 1)] = nominee

    # Check-ins answered with a score and goal ratings; a few nudges left mid-send.
    nudges = data["nudges"]
    for doc in nudges.values():
        if doc["state"] == "answered" and doc["kind"] == "check_in":
            doc["answer"] = {"score": str(rng.randint(1, 5)), "goal_0": str(rng.randint(1, 5))}
    for doc in list(nudges.values())[: max(2, size // 10)]:
        if doc["state"] == "sent":
            doc["state"] = "sending"
    for name in ("coaches", "coaching_requests", "engagements", "feedback_requests"):
        counts[name] = len(data[name])
    counts["feedback_answers"], counts["rounds"] = len(answers), len(rounds)
    counts["mentors"] = len(mentors_table)


# ----------------------------------------------------------------------------------------
# The work


@dataclass
class Row:
    name: str
    worst: list[float] = field(default_factory=list)  # the longest gap, per repeat
    p99: list[float] = field(default_factory=list)
    took: list[float] = field(default_factory=list)
    collections: list[float] = field(default_factory=list)  # the longest garbage collection
    note: str = ""

    def add(self, gaps: list[float], took: float, collected: float) -> None:
        self.worst.append(max(gaps, default=0.0))
        self.p99.append(percentile(gaps, 99) if gaps else 0.0)
        self.took.append(took)
        self.collections.append(collected)


class Collections:
    """The longest garbage collection (any generation, any thread) since the last `reset`:
    one holds the interpreter lock, so the event loop waits for it wherever it runs."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._started = 0.0
        gc.callbacks.append(self._note)

    def _note(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.longest = max(self.longest, (time.perf_counter() - self._started) * 1000)

    def reset(self) -> None:
        self.longest = 0.0


def admin_work(deps: Deps, slack: FakeSlack, mentors: int) -> list[tuple[str, Work]]:
    client = web_client(deps.settings, backoff=0.005)
    last_page = max(1, -(-mentors // PAGE_SIZE))
    store, content = deps.store, deps.content
    rec = recommend(content.questionnaire, answers(), content.thresholds)
    written = itertools.count()

    async def stats_after_writes() -> Any:
        """A response, a nudge and an intro first, as in a rush: nothing counted before holds."""
        n = next(written)
        await store.add_response(Response(f"UW{n:07d}", answers(), rec, content.version, NOW))
        await store.add_nudges([new_nudge(f"UW{n:07d}", "check_in", NOW + DAY, NOW)])
        later = NOW + DAY
        await store.add_intro(Intro(f"IW{n}", f"UW{n:07d}", "UM0000000", "pending", NOW, later))
        return await stats_screen(deps)

    return [
        ("/devpath stats (store reads + figures + message)", lambda: stats_screen(deps)),
        ("/devpath stats, after a write to what it counts", stats_after_writes),
        ("mentor pool list, page 1", lambda: pool_screen(deps, 1)),
        (f"mentor pool list, page {last_page}", lambda: pool_screen(deps, last_page)),
        ("coach roster list, page 1", lambda: roster_screen(deps, 1)),
        ("Home tab, admin", lambda: home_screen(client, deps, ADMIN)),
        ("who waits for a mentor (a round's invitations)", lambda: waiting_people(deps)),
        ("nudger: recover nudges left mid-send", lambda: Nudger(deps, client).recover(NOW)),
    ]


COLLECTIONS = Collections()


async def measure(works: list[tuple[str, Work]], repeat: int, broken: list[str]) -> list[Row]:
    rows: dict[str, Row] = {}
    for _ in range(repeat):
        for name, work in works:
            row = rows.setdefault(name, Row(name))
            COLLECTIONS.reset()
            try:
                gaps, took = await watch(work)
            except Exception:
                broken.append(f"{name}: {traceback.format_exc(limit=3)}")
                continue
            row.add(gaps, took, COLLECTIONS.longest)
    return list(rows.values())


async def nudge_round(
    deps: Deps, slack: FakeSlack, people: int, nudges: int, broken: list[str]
) -> Row:
    """bench/nudges.py's people and due nudges in this database, then background rounds until
    one sends nothing, with the ticker beside them."""
    planned = await seed(deps.store, slack, deps.content, people, nudges)
    vt = VirtualTime()
    client = web_client(deps.settings, backoff=0.005)
    background = Background(
        deps, client, Pacer(deps.content.nudges.per_minute, vt.monotonic, vt.sleep)
    )
    sent = 0

    async def rounds() -> None:
        nonlocal sent
        while True:
            done = await background.run_due()
            sent += len(done.sent)
            if not done.sent:
                return

    async def forget_calls() -> None:
        # The bot keeps nothing of the calls it made; the fake's record of each one would be
        # most of what the garbage collector walks after 20,000 calls.
        while True:
            await asyncio.sleep(0.5)
            slack.calls.clear()

    forgetting = asyncio.create_task(forget_calls())
    COLLECTIONS.reset()
    try:
        gaps, took = await watch(rounds)
    finally:
        forgetting.cancel()
    sample = [await deps.store.get_nudge(n.id) for n in planned[:: max(1, len(planned) // 50)]]
    if sent != len(planned) or any(n is None or n.state != "sent" for n in sample):
        broken.append(f"nudge round: sent {sent} of {len(planned)}")
    row = Row(f"background round: {nudges:,} due nudges ({people:,} people)")
    row.add(gaps, took, COLLECTIONS.longest)
    row.note = f"{took / nudges:.2f} ms a nudge"
    return row


async def run_backend(
    label: str,
    store: Store,
    dataset: Dataset,
    repeat: int,
    people: int,
    nudges: int,
    folder: Path,
    broken: list[str],
) -> list[Row]:
    content = load_content()
    slack = FakeSlack()
    base_url = await slack.start()
    try:
        slack.add_user(ADMIN, tz="UTC")
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": "bench",
                "SLACK_API_URL": base_url,
                "DEVPATH_DB": str(folder / "unused.json"),
                "DEVPATH_ADMINS": ADMIN,
            }
        )
        deps = Deps(settings, content, store, lambda: NOW)
        rows = await measure(admin_work(deps, slack, len(dataset.mentors)), repeat, broken)
        if nudges:
            rows.append(await nudge_round(deps, slack, people, nudges, broken))
        if slack.problems:
            broken.append(f"{label}: Block Kit problems: {slack.problems[:3]}")
        return rows
    finally:
        await slack.close()


def report(label: str, rows: list[Row], repeat: int) -> None:
    print()
    print(f"### {label} ({repeat} repeats; the nudge round once)")
    print()
    print(
        table(
            [
                "work",
                "longest gap ms (worst)",
                "longest gap ms (median)",
                "p99 gap ms",
                "work ms (median)",
                "longest GC ms",
                "note",
            ],
            [
                [
                    r.name,
                    f"{max(r.worst):.1f}" if r.worst else "-",
                    f"{median(r.worst):.1f}" if r.worst else "-",
                    f"{median(r.p99):.2f}" if r.p99 else "-",
                    f"{median(r.took):.0f}" if r.took else "-",
                    f"{max(r.collections):.0f}" if r.collections else "-",
                    r.note,
                ]
                for r in rows
            ],
        )
    )
    worst = max((max(r.worst) for r in rows if r.worst), default=0.0)
    over = [r.name for r in rows if r.worst and max(r.worst) > TARGET_STALL_MS]
    print()
    print(
        f"target: no event-loop stall over {TARGET_STALL_MS:g} ms: "
        f"{'met' if not over else 'NOT met'} (worst gap {worst:.1f} ms"
        + (f"; over it: {', '.join(over)}" if over else "")
        + ")"
    )


async def run(args: argparse.Namespace) -> int:
    from bench.load import create_database, drop_database, seed_postgres
    from bot.store.postgres_store import PostgresStore

    quick = args.quick
    documents = 5_000 if quick else args.documents
    repeat = 2 if quick else args.repeat
    people, nudges = (50, 200) if quick else (args.people, args.nudges)
    content = load_content()
    print(f"stalls benchmark — {dt.date.today().isoformat()}{' (quick)' if quick else ''}")
    print(f"machine: {machine()}")
    started = time.perf_counter()
    dataset = build_dataset(documents, content)
    complete(dataset, content)
    counts = ", ".join(f"{k} {v:,}" for k, v in dataset.counts.items() if k != META)
    print(f"database: {dataset.documents:,} documents ({counts})")
    broken: list[str] = []
    with tempfile.TemporaryDirectory(prefix="devpath-stalls-") as tmp:
        folder = Path(tmp)
        path = folder / "devpath.json"
        write_snapshot(path, dataset.data)
        dataset.data = {}
        gc.collect()
        database = None
        if args.database == "postgres":
            database, url = await create_database()
            await seed_postgres(path, url)
        try:
            copy = folder / "tinydb" / path.name
            copy.parent.mkdir()
            shutil.copyfile(path, copy)
            store = TinyDBStore.open(copy)
            try:
                rows = await run_backend(
                    "TinyDB", store, dataset, repeat, people, nudges, folder, broken
                )
            finally:
                await store.aclose()
            report(f"TinyDB, {dataset.documents:,} documents", rows, repeat)
            if database is not None:
                # What the TinyDB run left is not a PostgreSQL bot's: out of the collector's way.
                gc.collect()
                gc.freeze()
                pg = await PostgresStore.connect(url)
                try:
                    rows = await run_backend(
                        "PostgreSQL", pg, dataset, repeat, people, nudges, folder, broken
                    )
                finally:
                    await pg.aclose()
                report(f"PostgreSQL, {dataset.documents:,} documents", rows, repeat)
        finally:
            if database is not None:
                await drop_database(database)
    print()
    for problem in broken:
        print(f"BROKEN: {problem}")
    print(f"total time: {time.perf_counter() - started:.1f} s")
    return 1 if broken else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 documents (CI smoke)")
    parser.add_argument("--database", choices=("tinydb", "postgres"), default="tinydb")
    parser.add_argument("--documents", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--nudges", type=int, default=10_000, help="due nudges in the round")
    parser.add_argument("--people", type=int, default=2_500, help="whom the nudges are for")
    args = parser.parse_args(argv)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
