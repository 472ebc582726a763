"""Benchmark: sending 10,000 due DM nudges with the scheduler, against the fake Web API.

Run from the repository root:

    .venv/bin/python -m bench.nudges                    # 10,000 nudges, 2,500 people
    .venv/bin/python -m bench.nudges --quick            # 300 nudges, 100 people (CI smoke)
    .venv/bin/python -m bench.nudges --profile          # also print where the rounds spend time

Everything runs on this machine: a TinyDB store in a temporary directory, the fake Slack Web
API of the tests (tests.fakes.FakeSlack) on 127.0.0.1, and the bot's own AsyncWebClient,
Background and Nudger. Pacing runs on a virtual clock (tests.fakes.VirtualTime): the Pacer
decides every wait as in production, but the sleeps only move the virtual clock, so the run
does not take the hours a real one would, and the virtual send times can be checked against
the per-channel and workspace limits.

Checks (the exit status is non-zero when one fails): every nudge's message posted exactly
once, every nudge ends "sent", at least 1 s (virtual) between two messages to one DM channel,
at most `per_minute` messages in any 60 s (virtual) window, and no Block Kit problems.

Overhead: the real wall time of the rounds per nudge, against a baseline measured in the same
run: the bare conversations.open + chat.postMessage calls for the same messages, through the
same client and fake, without the scheduler. The ratio says what the scheduler adds.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import inspect
import io
import itertools
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import web_client
from bot.background import Background
from bot.content import Content, load_content
from bot.deps import Deps
from bot.domain.coaching import CoachingRequest, Engagement
from bot.domain.nudges import ENGAGEMENT_KINDS, IGNORED_LIMIT, Nudge, new_nudge
from bot.domain.recommendation import recommend
from bot.domain.records import Response
from bot.nudger import Pacer
from bot.screens.nudges import nudge_message
from bot.settings import load_settings
from bot.store import Store
from bot.store.tinydb_store import TinyDBStore
from tests.answers import COACHING
from tests.fakes import FakeSlack, VirtualTime

# A Wednesday, 10:00 UTC: inside the working hours (09:00-17:00, Monday to Friday) in UTC.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
RESPONDED = NOW - dt.timedelta(weeks=2)
DUE = NOW - dt.timedelta(minutes=1)
# Each person's nudges, in this order. Every one holds at send time for a person whose latest
# questionnaire says coaching, whose coaching engagement is under way (the checkpoints are
# about it) and who did nothing since: no family appears more than
# IGNORED_LIMIT times (the third of a family would be skipped as "ignored twice in a row"),
# and the second of a family goes out as the last of its kind.
KINDS = ("gentle_reminder", "coaching_goals", "gentle_reminder", "coaching_midpoint")
# Virtual times come from adding 60 / per_minute again and again; allow for float rounding.
EPSILON = 1e-6


@dataclass
class Sent:
    """What the pacer let through, in order: whom, at what virtual and what real time."""

    person: list[str] = field(default_factory=list)
    virtual: list[float] = field(default_factory=list)
    real: list[float] = field(default_factory=list)


class RecordingPacer(Pacer):
    """The bot's Pacer, noting when it lets each message go."""

    def __init__(self, per_minute: int, vt: VirtualTime, sent: Sent) -> None:
        super().__init__(per_minute, vt.monotonic, vt.sleep)
        self.sent = sent

    async def wait(self, person: str) -> None:
        await super().wait(person)
        self.sent.person.append(person)
        self.sent.virtual.append(self.monotonic())
        self.sent.real.append(time.perf_counter())


def answers() -> dict[str, tuple[str, ...]]:
    return {k: (v,) if isinstance(v, str) else tuple(v) for k, v in COACHING.items()}


async def seed(store: Store, slack: FakeSlack, content: Content, people: int, nudges: int):
    """People in Slack (tz UTC), a coaching result and an engagement under way each, and
    their due nudges in one write."""
    rec = recommend(content.questionnaire, answers(), content.thresholds)
    per_person = [nudges // people + (p < nudges % people) for p in range(people)]
    planned: list[Nudge] = []
    for p, count in enumerate(per_person):
        user_id = f"U{p:07d}"
        slack.add_user(user_id, tz="UTC")
        response = Response(user_id, answers(), rec, content.version, RESPONDED)
        response_id = await store.add_response(response)
        engagement_id = await under_way(store, user_id, response_id)
        # Person by person: a person's nudges fall due together (as after downtime), so they
        # reach the pacer back to back and the one-a-second-per-channel limit binds.
        for kind in KINDS[:count]:
            about = engagement_id if kind in ENGAGEMENT_KINDS else response_id
            planned.append(new_nudge(user_id, kind, DUE, RESPONDED, about))
    await store.add_nudges(planned)
    return planned


async def under_way(store: Store, user_id: str, response_id: str) -> str:
    """An approved request and its engagement, started when the person responded (before
    the nudges were planned, so asking for coaching does not count as acting since)."""
    request = CoachingRequest(
        f"R{user_id}",
        user_id,
        ("a goal", "another"),
        "3m",
        "yes",
        RESPONDED - dt.timedelta(1),
        response_id=response_id,
    )
    await store.add_coaching_request(request)
    await store.decide_coaching_request(request.id, "pending", "approved", "UADMIN", RESPONDED)
    engagement = Engagement(
        f"E{user_id}",
        request.id,
        user_id,
        "UCOACH",
        request.goals,
        "active",
        RESPONDED,
        started_at=RESPONDED,
        planned_end=RESPONDED + dt.timedelta(weeks=13),
    )
    await store.add_engagement(engagement, capacity=None)
    return engagement.id


def pacing_checks(sent: Sent, per_minute: int) -> tuple[float, int]:
    """The closest two messages to one channel (s) and the most messages in a 60 s window."""
    by_channel: dict[str, list[float]] = defaultdict(list)
    for person, at in zip(sent.person, sent.virtual, strict=True):
        by_channel["D" + person].append(at)
    closest = min(
        (b - a for times in by_channel.values() for a, b in itertools.pairwise(times)),
        default=float("inf"),
    )
    times = sorted(sent.virtual)
    most, end = 0, 0
    for start, at in enumerate(times):
        while end < len(times) and times[end] < at + 60 - EPSILON:
            end += 1
        most = max(most, end - start)
    return closest, most


async def simulate(order: list[str], per_minute: int) -> tuple[float, Sent]:
    """The same Pacer over messages to `order`, with no sends and no store: virtual time."""
    vt, sent = VirtualTime(), Sent()
    pacer = RecordingPacer(per_minute, vt, sent)
    for person in order:
        await pacer.wait(person)
    return vt.now, sent


def round_robin(planned: list[Nudge]) -> list[str]:
    """The same messages, one person's next nudge after another's."""
    queues: dict[str, list[Nudge]] = defaultdict(list)
    for nudge in planned:
        queues[nudge.user_id].append(nudge)
    order: list[str] = []
    while queues:
        for person in list(queues):
            queues[person].pop(0)
            order.append(person)
            if not queues[person]:
                del queues[person]
    return order


async def store_run(store: TinyDBStore, work: Any) -> None:
    """Run `work` on the store's worker thread (to switch a profiler on or off there)."""
    await store._run(work)


def time_store_methods(store: TinyDBStore) -> dict[str, list[float]]:
    """Wrap the store's async methods on this instance: calls and seconds spent in each."""
    times: dict[str, list[float]] = {}
    for name in dir(Store):
        method = getattr(store, name)
        if name.startswith("_") or not inspect.iscoroutinefunction(method):
            continue
        times[name] = [0, 0.0]

        async def timed(*args: Any, _m: Any = method, _t: list = times[name], **kw: Any) -> Any:
            at = time.perf_counter()
            try:
                return await _m(*args, **kw)
            finally:
                _t[0] += 1
                _t[1] += time.perf_counter() - at

        setattr(store, name, timed)
    return times


def summary(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return statistics.median(ordered), p90, ordered[0]


def nudge_ids_in(body: dict[str, Any]) -> list[str]:
    """The nudge ids on a message's Snooze / Stop buttons (the same id on both)."""
    ids = set()
    for block in body.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") in ("nudge_snooze", "nudge_stop"):
                ids.add(element.get("value"))
    return sorted(ids)


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())


def hms(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m {secs:02d}s"


async def run(args: argparse.Namespace) -> int:
    people, nudges = (100, 300) if args.quick else (args.people, args.nudges)
    if nudges > len(KINDS) * people:
        print(
            f"--nudges {nudges} with --people {people}: at most {len(KINDS)} nudges a person "
            f"still hold at send time (at most {IGNORED_LIMIT} of a family in a row)",
            file=sys.stderr,
        )
        return 2
    content = load_content()
    per_minute = content.nudges.per_minute
    slack = FakeSlack()
    base_url = await slack.start()
    with tempfile.TemporaryDirectory(prefix="devpath-bench-") as tmp:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": "bench",
            "SLACK_API_URL": base_url,
            "DEVPATH_DB": str(Path(tmp) / "devpath.json"),
        }
        settings = load_settings(env)
        store = TinyDBStore.open(settings.db_path)
        try:
            started = time.perf_counter()
            planned = await seed(store, slack, content, people, nudges)
            seed_s = time.perf_counter() - started
            client = web_client(settings, backoff=0.005)
            deps = Deps(settings, content, store, lambda: NOW)
            vt, sent = VirtualTime(), Sent()
            background = Background(deps, client, RecordingPacer(per_minute, vt, sent))

            profiler = cProfile.Profile() if args.profile else None
            store_profiler = cProfile.Profile() if args.profile else None
            store_times = time_store_methods(store) if args.profile else {}
            if store_profiler:
                # The store works on its own thread, which the main profiler does not see.
                await store_run(store, store_profiler.enable)
            rounds: list[tuple[int, int, int, int, int]] = []
            round_starts: list[float] = []
            started = time.perf_counter()
            while True:
                round_starts.append(time.perf_counter())
                if profiler:
                    profiler.enable()
                done = await background.run_due()
                if profiler:
                    profiler.disable()
                rounds.append(tuple(len(v) for v in vars(done).values()))  # type: ignore[arg-type]
                if not done.sent:
                    break
            rounds_s = time.perf_counter() - started
            if store_profiler:
                await store_run(store, store_profiler.disable)
                for name in list(store_times):
                    del store.__dict__[name]  # back to the plain methods for the checks
            # The database and whatever the storage keeps beside it (a journal, say).
            db_bytes = folder_bytes(Path(tmp))

            # Checks, from what the fake Slack received and what the store says.
            posts = slack.called("chat.postMessage")
            posted_ids = Counter(i for body in posts for i in nudge_ids_in(body))
            planned_ids = {n.id for n in planned}
            duplicates = sum(c - 1 for c in posted_ids.values() if c > 1)
            strays = len(set(posted_ids) - planned_ids)
            per_channel = Counter(str(body.get("channel")) for body in posts)
            per_person = Counter("D" + n.user_id for n in planned)
            channels = per_person.keys() | per_channel.keys()
            channel_mismatch = sum(1 for ch in channels if per_channel[ch] != per_person[ch])
            states = Counter(n.state for n in await store.nudges() if n.id in planned_ids)
            lost = nudges - states["sent"]
            in_order = [str(b.get("channel")) for b in posts] == ["D" + p for p in sent.person]
            closest, most = pacing_checks(sent, per_minute)
            users_info = len(slack.called("users.info"))
            problems = len(slack.problems)

            # Per-nudge times: from one message let through by the pacer to the next, each
            # interval holds one nudge's work (its post and update, the next one's reads and
            # claim). The first also holds the round's due_nudges query.
            marks = [round_starts[0], *sent.real]
            per_nudge_ms = [(b - a) * 1000 for a, b in itertools.pairwise(marks)]

            # Baseline, same run: the same messages, straight through the same client.
            message = nudge_message(content, planned[0], False)
            calls = nudges if args.baseline is None else args.baseline
            order = [n.user_id for n in planned]
            bare_ms: list[float] = []
            started = time.perf_counter()
            for i in range(calls):
                at = time.perf_counter()
                opened = await client.conversations_open(users=order[i % len(order)])
                await client.chat_postMessage(channel=opened["channel"]["id"], **message)
                bare_ms.append((time.perf_counter() - at) * 1000)
            bare_s = time.perf_counter() - started
        finally:
            store.close()
            await slack.close()

    virtual_s = vt.now
    ideal_s = nudges * 60 / per_minute
    mixed_s, mixed = await simulate(round_robin(planned), per_minute)
    mixed_closest, mixed_most = pacing_checks(mixed, per_minute)
    s_med, s_p90, s_min = summary(per_nudge_ms)
    b_med, b_p90, b_min = summary(bare_ms)
    s_mean = rounds_s * 1000 / nudges
    b_mean = bare_s * 1000 / calls
    kinds = Counter(n.kind for n in planned)
    last = sum(1 for body in posts if "last reminder" in str(body.get("blocks")))

    print(f"nudges benchmark — {dt.date.today().isoformat()}")
    print(
        f"machine: {platform.platform()}, {platform.machine()}, "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"{nudges} due nudges for {people} people "
        f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); "
        f"store: TinyDB, {db_bytes / 1e6:.1f} MB after the run; seeding took {seed_s:.1f} s"
    )
    print(
        "rounds (sent, skipped, deferred, cancelled, retrying): "
        + "; ".join(str(r) for r in rounds)
    )
    print()
    print("| per nudge (real time)       | median ms | p90 ms | min ms | mean ms | total s |")
    print("|-----------------------------|----------:|-------:|-------:|--------:|--------:|")
    print(
        f"| scheduler (Nudger.run_due)  | {s_med:9.2f} | {s_p90:6.2f} | {s_min:6.2f} "
        f"| {s_mean:7.2f} | {rounds_s:7.1f} |"
    )
    print(
        f"| baseline (open + post only) | {b_med:9.2f} | {b_p90:6.2f} | {b_min:6.2f} "
        f"| {b_mean:7.2f} | {bare_s:7.1f} |"
    )
    print()
    print(f"ratio of medians (scheduler / baseline): {s_med / b_med:.1f}x")
    print(f"ratio of means (scheduler / baseline): {s_mean / b_mean:.1f}x")
    print(
        f"scheduler's own share per nudge (median − baseline median): {s_med - b_med:.2f} ms "
        f"(the pace allows {60_000 / per_minute:.0f} ms a message)"
    )
    print(f"users.info calls: {users_info} for {people} people ({users_info / people:.1f} each)")
    print()
    print(
        f"pacing (virtual): {hms(virtual_s)} for {len(sent.virtual)} messages at "
        f"{per_minute}/min; the workspace limit alone would allow {hms(ideal_s)}; "
        f"the same messages interleaved by person (simulated, same Pacer): {hms(mixed_s)}"
    )
    checks = {
        "duplicates (a nudge posted more than once)": (duplicates, duplicates == 0),
        "lost (a nudge not ending 'sent')": (lost, lost == 0),
        "messages without a planned nudge id": (strays, strays == 0),
        "channels whose message count != nudges of the person": (
            channel_mismatch,
            channel_mismatch == 0,
        ),
        "closest two messages to one DM channel (virtual s, >= 1.0)": (
            f"{closest:.2f}",
            closest >= 1.0 - EPSILON,
        ),
        f"most messages in any 60 s window (virtual, <= {per_minute})": (
            most,
            most <= per_minute,
        ),
        "interleaved (simulated): closest to one channel / most in 60 s": (
            f"{mixed_closest:.2f} / {mixed_most}",
            mixed_closest >= 1.0 - EPSILON and mixed_most <= per_minute,
        ),
        "posts in the order the pacer let them through": (in_order, in_order),
        "Block Kit problems found by the fake": (problems, problems == 0),
    }
    print(f"messages posted: {len(posts)} ({last} marked last of their kind)")
    for name, (value, ok) in checks.items():
        print(f"{name}: {value} — {'ok' if ok else 'FAILED'}")

    if profiler and store_profiler:
        print()
        print(f"store calls during the rounds (real time, {rounds_s:.1f} s in all):")
        print("| store method | calls | total s | mean ms |")
        print("|--------------|------:|--------:|--------:|")
        for name, (count, total) in sorted(store_times.items(), key=lambda kv: -kv[1][1]):
            if count:
                print(f"| {name} | {count} | {total:.1f} | {total * 1000 / count:.2f} |")
        for title, prof in (("event loop thread", profiler), ("store thread", store_profiler)):
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(15)
            print(f"\ncProfile, {title}, by own time:")
            print(out.getvalue().split("\n\n", 1)[-1].rstrip())
    return 0 if all(ok for _, ok in checks.values()) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nudges", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=2_500)
    parser.add_argument(
        "--baseline", type=int, default=None, help="bare open + post pairs (default: --nudges)"
    )
    parser.add_argument("--quick", action="store_true", help="300 nudges, 100 people (CI smoke)")
    parser.add_argument("--profile", action="store_true", help="cProfile the rounds")
    args = parser.parse_args(argv)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
