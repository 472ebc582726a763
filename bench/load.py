"""Benchmark: /devpath acknowledgement and the questionnaire's final submission under load.

Run from the repository root (no internet: everything listens on 127.0.0.1):

    .venv/bin/python -m bench.load                # 50,000 documents, 100 users, ~1 min
    .venv/bin/python -m bench.load --quick        # 2,000 documents, 10 users: CI smoke, < 10 s
    .venv/bin/python -m bench.load --profile      # plus a cProfile of the bot process
    .venv/bin/python -m bench.load --database postgres --instances 2
    .venv/bin/python -m bench.load --matrix       # ours on tinydb/1, postgres/1, postgres/2

With `--database postgres` each run creates a database devpath_bench_<random> on
postgresql://postgres@127.0.0.1:5432/postgres (BENCH_POSTGRES overrides it), seeds it with the
TinyDB seed's `dump()` through `PostgresStore.restore()`, runs our bot(s) with DATABASE_URL,
and drops it after. With `--instances 2` two bot processes serve, and every request goes to
the next one (round robin), so a questionnaire's steps hop between them.

Two bot servers run as subprocesses, each with its own event loop, so the load generator does
not share theirs: ours, exactly as `devpath serve` runs it (`bot.server.serve`: Bolt AsyncApp
from `build_app`, aiohttp, the background round) on a database of 50,000 documents with 300
active mentors; and a bare Bolt AsyncApp that only acknowledges (`/devpath` with an empty ack,
a view submission with a fixed small view), served by the same aiohttp code. This process
holds the load generator (aiohttp client, signed requests as `tests.fakes.SlackUser` builds
them) and the fake Slack Web API (`tests.fakes.FakeSlack`) that both bots call.

1. /devpath ack: rounds of N users sending `/devpath` at once; the time from sending the
   request to its HTTP response (the ack). Ours and bare alternate round by round; after each
   of our rounds the load waits for every `views.open`, so a round's work after the ack does
   not spill into the next.
2. Final submission: N users each walk the whole questionnaire (`/devpath`, then each step's
   `view_submission` with the view the bot last showed), with no pause between steps; the time
   measured is the last step's submission (store, recommend, rank mentors, answer). The same
   walk against the bare app (the same step views, built with `step_view`) is the baseline.
   Ours and bare alternate walk by walk.

The exit status is non-zero only for a broken run (a failed request, a missing modal, a
result not stored), never for a missed target.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import datetime as dt
import gc
import io
import itertools
import json
import logging
import os
import pstats
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientSession, TCPConnector

from bench.storage import (
    build_dataset,
    machine,
    median,
    percentile,
    ratio,
    rss_mb,
    table,
    verdict,
    write_snapshot,
)
from bot.content import load_content
from bot.screens.questionnaire import CALLBACK_ID, read_metadata, step_view
from bot.store.journal import read_database
from tests.answers import MENTORING, for_view
from tests.fakes import SIGNING_SECRET, FakeSlack, SlackUser

ROOT = Path(__file__).resolve().parent.parent
TARGET_ACK_RATIO = 1.2
TARGET_FINAL_P99_MS = 150.0  # paced
TARGET_FINAL_RATIO = 3.0  # flat out: p99 against the bare app's
TARGET_STALL_MS = 50.0
STALL_MS = 20.0  # the bot processes report every event-loop gap longer than this
BARE_RESULT = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "devpath"},
    "close": {"type": "plain_text", "text": "Close"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Done."}}],
}


# ----------------------------------------------------------------------------------------
# The bot processes


async def loop_ticker(gaps: list[tuple[float, float]], ticks: list[int]) -> None:
    """Sleep 1 ms in a loop; note each gap between wake-ups longer than STALL_MS."""
    last = time.perf_counter()
    while True:
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        ticks[0] += 1
        if (now - last) * 1000 > STALL_MS:
            gaps.append((time.time(), (now - last) * 1000))
        last = now


async def serve_child(kind: str, stats_path: Path, profile: bool) -> None:
    from bot.app import build_app, web_client
    from bot.deps import Deps
    from bot.server import _serve_requests, serve
    from bot.settings import load_settings
    from bot.store import open_store

    settings = load_settings()
    content = load_content(settings.content_dir)
    stop = asyncio.Event()
    store = None
    if kind == "ours":
        # As `devpath serve`: TinyDB at DEVPATH_DB, or PostgreSQL when DATABASE_URL is set.
        store = await open_store(settings)
        deps = Deps(settings, content, store)
        app = build_app(deps)
        running = serve(app, deps, stop)
    else:
        from slack_bolt.async_app import AsyncAck, AsyncApp

        app = AsyncApp(
            client=web_client(settings),
            signing_secret=settings.signing_secret or "",
            raise_error_for_unhandled_request=False,
        )

        @app.command("/devpath")
        async def devpath(ack: AsyncAck) -> None:
            await ack()

        @app.view_submission(CALLBACK_ID)
        async def submit(ack: AsyncAck) -> None:
            await ack(response_action="update", view=BARE_RESULT)

        running = _serve_requests(app, settings, stop)

    gaps: list[tuple[float, float]] = []
    ticks = [0]
    ticker = asyncio.create_task(loop_ticker(gaps, ticks))
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    profiler = cProfile.Profile() if profile else None
    store_calls: list[tuple[str, float, float]] = []
    if profiler:
        profiler.enable()
        if store is not None and hasattr(store, "_run"):
            time_store_calls(store, store_calls)
    server = asyncio.create_task(running)
    await stop.wait()
    if profiler:
        profiler.disable()
        profiler.dump_stats(str(stats_path) + ".prof")
    await server  # it stops on the same event, letting what is under way finish
    ticker.cancel()
    session = getattr(getattr(app, "client", None), "session", None)
    if session is not None and not session.closed:
        await session.close()
    rss, hwm = rss_mb()
    stats = {"gaps": gaps, "ticks": ticks[0], "rss": rss, "hwm": hwm, "store": store_calls}
    write_json(stats_path, stats)
    if store is not None:
        await store.aclose()


def time_store_calls(store: Any, calls: list[tuple[str, float, float]]) -> None:
    """Note, per Store call, how long it queued for the store's one thread and how long it ran
    there (ms): cProfile sees only the event loop's thread."""
    run = store._run

    async def timed_run(work: Any) -> Any:
        name = sys._getframe(1).f_code.co_name
        queued = time.perf_counter()

        def timed() -> Any:
            began = time.perf_counter()
            try:
                return work()
            finally:
                ended = time.perf_counter()
                calls.append((name, (began - queued) * 1000, (ended - began) * 1000))

        return await run(timed)

    store._run = timed_run


@dataclass
class Bot:
    kind: str
    process: subprocess.Popen
    url: str
    stats_path: Path
    name: str = ""
    startup_s: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)


def write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def spawn(args: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    with open(log_path, "w") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def start_bot(
    kind: str,
    env: dict[str, str],
    folder: Path,
    session: ClientSession,
    profile: bool,
    name: str = "",
) -> Bot:
    """A bot server subprocess (`kind` ours or bare), once it answers /healthz; `name` names
    its log and stats files."""
    name = name or kind
    port = free_port()
    stats_path = folder / f"{name}.stats.json"
    args = [sys.executable, "-m", "bench.load", "--serve", kind, str(stats_path)]
    if profile and kind == "ours":
        args.append("--profile")
    started = time.perf_counter()
    process = spawn(args, {**os.environ, **env, "PORT": str(port)}, folder / f"{name}.log")
    base = f"http://127.0.0.1:{port}"
    bot = Bot(kind, process, base + "/slack/events", stats_path, name)
    while True:
        if process.poll() is not None:
            raise SystemExit(f"broken run: the {name} bot exited; see {folder / (name + '.log')}")
        with contextlib.suppress(OSError):
            async with session.get(base + "/healthz") as response:
                if response.status == 200:
                    break
        if time.perf_counter() - started > 60:
            raise SystemExit(f"broken run: the {kind} bot did not start within 60 s")
        await asyncio.sleep(0.01)
    bot.startup_s = time.perf_counter() - started
    return bot


def terminate(process: subprocess.Popen) -> None:
    """SIGTERM, so it can finish what is under way; SIGKILL after 30 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stop_bot(bot: Bot) -> None:
    terminate(bot.process)
    if bot.stats_path.exists():
        bot.stats = json.loads(bot.stats_path.read_text())


# ----------------------------------------------------------------------------------------
# The fake Slack and the simulated people


class BenchSlack(FakeSlack):
    """FakeSlack in a process of its own (`--fake-slack`), as Slack is not on the bot's
    machine: its work does not delay the load generator's clock. The generator asks it for
    the modal each views.open showed (GET /_bench/opened?trigger=...) and, at the end, for
    what it found (GET /_bench/report)."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.shown: dict[str, dict[str, Any]] = {}  # trigger_id -> the views.open body
        self.gaps: list[tuple[float, float]] = []

    def _routes(self, web_app: Any) -> None:
        super()._routes(web_app)
        web_app.router.add_get("/_bench/opened", self._opened)
        web_app.router.add_get("/_bench/report", self._report)

    async def _record(self, method: str, body: dict[str, Any]) -> None:
        await super()._record(method, body)
        if method == "views.open":
            trigger = str(body.get("trigger_id"))
            future = self.waiting.pop(trigger, None)
            if future is None:
                self.shown[trigger] = body  # until the generator asks for it
            elif not future.done():
                # Resolved before _api swaps in the view as shown: the waiter runs later.
                future.set_result(body)

    async def _opened(self, request: Any) -> Any:
        from aiohttp import web

        trigger = request.query["trigger"]
        body = self.shown.pop(trigger, None)  # each is asked for once
        if body is None:
            future = self.waiting.setdefault(trigger, asyncio.get_running_loop().create_future())
            try:
                body = await asyncio.wait_for(future, 10)
            except TimeoutError:
                return web.json_response({"error": "no views.open"}, status=504)
        return web.json_response(body)

    async def _report(self, request: Any) -> Any:
        from aiohttp import web

        return web.json_response(
            {"problems": self.problems, "calls": len(self.calls), "gaps": self.gaps}
        )


async def fake_slack_child(info_path: Path, users_path: Path) -> None:
    """`--fake-slack`: serve the fake Web API until SIGTERM; say where in `info_path`."""
    slack = BenchSlack()
    for user_id, tz in read_json(users_path).items():
        slack.add_user(user_id, tz=tz)
    api_url = await slack.start()
    gc.freeze()
    gc.disable()  # it keeps every call: bounded by the run, and collections would stall it
    ticker = asyncio.create_task(loop_ticker(slack.gaps, [0]))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    write_json(info_path, {"api_url": api_url, "response_url": slack.response_url})
    await stop.wait()
    ticker.cancel()
    await slack.close()


class _Everyone(dict[str, Any]):
    """Every user id is known: the fake process was told them all at its start."""

    def __contains__(self, key: object) -> bool:
        return True


class RemoteSlack:
    """The generator's handle on the fake Slack process, in the shape SlackUser expects."""

    def __init__(self, process: subprocess.Popen, info: dict[str, str], session: ClientSession):
        self.process, self.session = process, session
        self.api_url, self.response_url = info["api_url"], info["response_url"]
        self.base = self.api_url.rsplit("/api/", 1)[0]
        self.users = _Everyone()

    def add_user(self, user_id: str, **fields: Any) -> None:
        pass  # known already

    async def settle(self) -> None:
        pass  # a bot in another process: nothing to wait for here

    async def opened(self, trigger_id: str) -> dict[str, Any]:
        """The views.open body that answered this trigger (the view as shown, with its id)."""
        url = f"{self.base}/_bench/opened"
        async with self.session.get(url, params={"trigger": trigger_id}) as response:
            if response.status != 200:
                raise TimeoutError(f"views.open for {trigger_id} did not come within 10 s")
            return await response.json()

    async def report(self) -> dict[str, Any]:
        async with self.session.get(f"{self.base}/_bench/report") as response:
            return await response.json()

    def stop(self) -> None:
        terminate(self.process)


async def start_fake_slack(
    folder: Path, users: dict[str, str], session: ClientSession
) -> RemoteSlack:
    users_path, info_path = folder / "slack-users.json", folder / "slack-info.json"
    write_json(users_path, users)
    args = [sys.executable, "-m", "bench.load", "--fake-slack", str(info_path), str(users_path)]
    process = spawn(args, dict(os.environ), folder / "fake-slack.log")
    started = time.perf_counter()
    while not info_path.exists() or not info_path.read_text():
        if process.poll() is not None:
            raise SystemExit(f"broken run: the fake Slack exited; see {folder / 'fake-slack.log'}")
        if time.perf_counter() - started > 60:
            raise SystemExit("broken run: the fake Slack did not start within 60 s")
        await asyncio.sleep(0.01)
    return RemoteSlack(process, read_json(info_path), session)


@dataclass
class Samples:
    ack: list[float] = field(default_factory=list)
    steps: list[float] = field(default_factory=list)  # submissions before the last
    final: list[float] = field(default_factory=list)
    walk_ack: list[float] = field(default_factory=list)
    late: dict[str, int] = field(default_factory=dict)  # past Slack's 3 s: Bolt answers 404
    failures: list[str] = field(default_factory=list)


class Late(Exception):
    """The bot did not ack within Slack's 3 s: Bolt gave up and answered 404."""


LATE_MS = 2_900.0
TRIGGERS = itertools.count(1)


def check(took: float, status: int, body: Any, what: str, samples: Samples) -> None:
    if status == 404 and took >= LATE_MS:
        samples.late[what] = samples.late.get(what, 0) + 1
        raise Late(what)
    if status != 200:
        raise RuntimeError(f"{what} answered {status} {body!r:.200}")


class Person:
    def __init__(self, user: SlackUser, slack: RemoteSlack, steps: int) -> None:
        self.user = user
        self.slack = slack
        self.steps = steps
        self.count = 0
        self.rng = random.Random(user.user_id)

    async def command(self) -> tuple[float, int, str]:
        """/devpath, timed to its HTTP response; the trigger_id sent."""
        self.count += 1  # one fake Slack serves every configuration: triggers never repeat
        body = self.user.command_body()
        body["trigger_id"] = trigger = f"trigger-{self.user.user_id}-{next(TRIGGERS)}"
        start = time.perf_counter()
        status, _ = await self.user.post(urlencode(body), "application/x-www-form-urlencoded")
        return (time.perf_counter() - start) * 1000, status, trigger

    async def submit(
        self, view: dict[str, Any], answers: dict[str, Any], last: bool, samples: Samples
    ) -> dict[str, Any]:
        """One step's view_submission, timed to its HTTP response (the ack with the next view)."""
        start = time.perf_counter()
        status, body = await self.user.submit(view, answers)
        took = (time.perf_counter() - start) * 1000
        (samples.final if last else samples.steps).append(took)
        check(took, status, body, "final" if last else "step", samples)
        if not isinstance(body, dict) or body.get("response_action") != "update":
            raise RuntimeError(f"submission answered {body!r:.200}")
        return body

    async def walk(
        self, samples: Samples, bare_views: list[dict[str, Any]] | None, think: float = 0.0
    ) -> None:
        """The whole questionnaire, with a pause of 0 to 2 x `think` seconds before each
        request. Against the bare app, the step views are built here."""

        async def pause() -> None:
            if think:
                await asyncio.sleep(self.rng.uniform(0, 2 * think))

        try:
            await pause()
            took, status, trigger = await self.command()
            samples.walk_ack.append(took)
            check(took, status, None, "/devpath", samples)
            if bare_views is not None:
                for number, view in enumerate(bare_views, 1):
                    last = number == len(bare_views)
                    await pause()
                    await self.submit(view, for_view(view, MENTORING), last, samples)
                return
            view = (await self.slack.opened(trigger))["view"]
            for _ in range(10):
                meta = read_metadata(view)
                last = meta is not None and meta[0] == self.steps
                await pause()
                body = await self.submit(view, for_view(view, MENTORING), last, samples)
                if body["view"].get("callback_id") != CALLBACK_ID:
                    if not last:
                        raise RuntimeError("the result came before the last step")
                    if "Mentoring" not in json.dumps(body["view"]):
                        raise RuntimeError("the result view does not name the path")
                    return
                view = body["view"]
            raise RuntimeError("the questionnaire did not end")
        except Late:
            pass  # counted; in Slack the person would see an error and start again
        except (RuntimeError, TimeoutError, OSError) as error:
            samples.failures.append(f"{self.user.user_id}: {error!r}")


async def ack_round(people: list[Person], samples: Samples, wait_for_modals: bool) -> None:
    answers = await asyncio.gather(*(p.command() for p in people))
    for took, status, trigger in answers:
        samples.ack.append(took)
        try:
            check(took, status, None, "/devpath", samples)
        except Late:
            pass
        except RuntimeError as error:
            samples.failures.append(f"{trigger}: {error}")
    if wait_for_modals:
        try:
            await asyncio.gather(
                *(p.slack.opened(t) for p, (_, _, t) in zip(people, answers, strict=True))
            )
        except TimeoutError:
            samples.failures.append("views.open did not come within 10 s")


# ----------------------------------------------------------------------------------------


def stall_summary(bot: Bot, windows: dict[str, tuple[float, float]]) -> dict[str, float]:
    """The longest event-loop gap inside each phase's time window (0: none over STALL_MS)."""
    found = {}
    for phase, (begin, end) in windows.items():
        inside = [gap for at, gap in bot.stats.get("gaps", []) if begin <= at <= end]
        found[phase] = max(inside, default=0.0)
        found[phase + " count"] = len(inside)
    return found


def latency_rows(label: str, ours: list[float], bare: list[float]) -> list[list[str]]:
    """Ours, bare and the ratio of the two, as table rows."""

    def row(name: str, s: list[float]) -> list[str]:
        if not s:
            return [name, "0", "-", "-", "-", "-"]
        return [
            name,
            f"{len(s):,}",
            f"{median(s):.1f}",
            f"{percentile(s, 90):.1f}",
            f"{percentile(s, 99):.1f}",
            f"{max(s):.1f}",
        ]

    rows = [row(f"{label}: ours", ours), row(f"{label}: bare", bare)]
    if ours and bare:
        rows.append(
            [
                f"{label}: ours / bare",
                "",
                ratio(median(ours), median(bare)),
                ratio(percentile(ours, 90), percentile(bare, 90)),
                ratio(percentile(ours, 99), percentile(bare, 99)),
                "",
            ]
        )
    return rows


LATENCY_HEADER = ["", "n", "p50 ms", "p90 ms", "p99 ms", "max ms"]


class SpreadUser(SlackUser):
    """A SlackUser whose every request goes to the next bot instance (one round robin shared
    by all users), so a questionnaire's steps may hop between instances."""

    def __init__(self, session: ClientSession, urls: Iterator[str], fake: Any, user_id: str):
        super().__init__(session, "", fake, user_id)
        self._urls = urls

    async def post(self, *args: Any, **kwargs: Any) -> Any:
        self.url = next(self._urls)
        return await super().post(*args, **kwargs)


ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


async def create_database() -> tuple[str, str]:
    import asyncpg

    name = f"devpath_bench_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(os.environ.get("BENCH_POSTGRES", ADMIN_URL))
    try:
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return name, os.environ.get("BENCH_POSTGRES", ADMIN_URL).rsplit("/", 1)[0] + "/" + name


async def drop_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(os.environ.get("BENCH_POSTGRES", ADMIN_URL))
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()


async def seed_postgres(path: Path, url: str) -> None:
    """Copy the TinyDB seed into PostgreSQL as `devpath` would: dump() then restore()."""
    from bot.store.postgres_store import PostgresStore
    from bot.store.tinydb_store import TinyDBStore

    store = TinyDBStore.open(path)
    tables = await store.dump()
    store.close()
    target = await PostgresStore.connect(url)
    try:
        await target.restore(tables)
    finally:
        await target.aclose()


async def count_responses(database: str, where: Path | str, users: set[str]) -> int:
    if database == "tinydb":
        after = read_database(Path(where))[0]
        return sum(1 for d in after["responses"].values() if d["user_id"] in users)
    import asyncpg

    conn = await asyncpg.connect(str(where))
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM responses WHERE user_id = ANY($1::text[])", sorted(users)
        )
    finally:
        await conn.close()


@dataclass
class Outcome:
    label: str
    results: dict[str, dict[str, Samples]]
    windows: dict[str, tuple[float, float]]
    ours: list[Bot]
    bare: Bot
    failures: list[str]


def merged_stats(bots: list[Bot]) -> Bot:
    """One Bot whose stats hold every instance's gaps, and the largest RSS figures."""
    first = bots[0]
    stats = {
        "gaps": [g for b in bots for g in b.stats.get("gaps", [])],
        "rss": max(b.stats.get("rss", 0) for b in bots),
        "hwm": max(b.stats.get("hwm", 0) for b in bots),
        "store": [c for b in bots for c in b.stats.get("store", [])],
    }
    return Bot(first.kind, first.process, first.url, first.stats_path, first.name, 0.0, stats)


async def run_config(
    database: str,
    instances: int,
    args: argparse.Namespace,
    plan: dict[str, Any],
    session: ClientSession,
    slack: RemoteSlack,
    folder: Path,
) -> Outcome:
    label = f"{database}, {instances} instance{'s' if instances > 1 else ''}"
    tag = f"{database}{instances}"
    env = dict(plan["env"])
    where: Path | str
    if database == "tinydb":
        where = folder / f"{tag}.json"
        shutil.copyfile(plan["seed"], where)
        env["DEVPATH_DB"] = str(where)
        dbname = ""
    else:
        dbname, where = await create_database()
        env["DATABASE_URL"] = where
        env["DEVPATH_DB"] = str(folder / f"{tag}-unused.json")
        seeding = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.load", "--seed-postgres", str(plan["seed"]), where,
            cwd=ROOT,
        )  # fmt: skip
        if await seeding.wait() != 0:
            await drop_database(dbname)
            raise SystemExit("broken run: seeding PostgreSQL failed")
    phases = ("burst", "flat", "paced")
    results = {phase: {"ours": Samples(), "bare": Samples()} for phase in phases}
    windows: dict[str, tuple[float, float]] = {}
    failures: list[str] = []
    loaded, steps = plan["loaded"], plan["steps"]
    ours: list[Bot] = []
    bare: Bot | None = None
    try:
        bare = await start_bot("bare", env, folder, session, False, f"bare-{tag}")
        for n in range(instances):
            ours.append(
                await start_bot(
                    "ours", env, folder, session, args.profile and n == 0, f"ours-{tag}-{n + 1}"
                )
            )
        urls = itertools.cycle([bot.url for bot in ours])
        people = {
            "ours": [
                Person(SpreadUser(session, urls, slack, user_id), slack, steps)
                for user_id in loaded
            ],
            "bare": [
                Person(SlackUser(session, bare.url, slack, user_id), slack, steps)
                for user_id in loaded
            ],
        }
        bare_views = plan["bare_views"]

        def views(kind: str) -> list[dict[str, Any]] | None:
            return bare_views if kind == "bare" else None

        # Warm-up: walks by the first person, through every instance (auth.test, caches).
        warm = Samples()
        for kind in ("bare", *(["ours"] * instances)):
            await people[kind][0].walk(warm, views(kind))
        failures += warm.failures

        def orders(n: int) -> list[tuple[str, str]]:
            return [("bare", "ours") if i % 2 == 0 else ("ours", "bare") for i in range(n)]

        begin = time.time()
        for order in orders(plan["rounds"]):
            for kind in order:
                await ack_round(people[kind], results["burst"][kind], kind == "ours")
                await asyncio.sleep(0.05)
        windows["burst"] = (begin, time.time())

        for phase, count, pause in (
            ("flat", plan["walks"], 0.0),
            ("paced", plan["paced_walks"], plan["think"]),
        ):
            begin = time.time()
            for order in orders(count):
                for kind in order:
                    await asyncio.gather(
                        *(p.walk(results[phase][kind], views(kind), pause) for p in people[kind])
                    )
                    await asyncio.sleep(0.2)  # our DMs and nudges after the last ack
            windows[phase] = (begin, time.time())
        for phase in phases:
            for kind, samples in results[phase].items():
                failures += [f"{phase}, {kind}: {f}" for f in samples.failures]
        # Every final submission answered in time is stored (and the warm-ups'); one past 3 s
        # is stored too unless the bot was stopped before it got that far.
        await asyncio.sleep(0.5)
        stored = await count_responses(database, where, set(loaded)) - plan["prior"]
        finals = sum(len(results[phase]["ours"].final) for phase in phases) + instances
        late = sum(results[phase]["ours"].late.get("final", 0) for phase in phases)
        if not finals - late <= stored <= finals:
            failures.append(f"{label}: responses stored: {stored}, expected {finals - late}")
    finally:
        for bot in [*ours, *([bare] if bare else [])]:
            stop_bot(bot)
        if dbname:
            await drop_database(dbname)
    assert bare is not None
    for bot in [*ours, bare]:
        lines = (folder / f"{bot.name}.log").read_text(errors="replace").splitlines()
        # Bolt always warns that the client given wins over SLACK_BOT_TOKEN; a Web API call
        # cut short by the stop signal leaves its aiohttp session unclosed.
        expected = ("`token` will be unused", "Unclosed client session", "Unclosed connector")
        noted = [
            line
            for line in lines
            if (" WARNING " in line or " ERROR " in line or line.startswith("Traceback"))
            and not any(e in line for e in expected)
        ]
        errors = sum(" ERROR " in line or line.startswith("Traceback") for line in noted)
        if noted:
            print(f"{bot.name} bot log: {errors} errors, {len(noted) - errors} warnings, first:")
            print("\n".join(noted[:5]))
        if errors:
            failures.append(f"the {bot.name} bot logged {errors} errors")
    return Outcome(label, results, windows, ours, bare, failures)


def report(outcome: Outcome, plan: dict[str, Any], profile: bool) -> list[str]:
    """Print one configuration's tables; its row of the summary."""
    phases = ("burst", "flat", "paced")
    burst, flat, paced = (outcome.results[phase] for phase in phases)
    users = plan["users"]
    ours = merged_stats(outcome.ours)
    bare = outcome.bare
    print()
    print(f"## ours on {outcome.label}")
    print()
    print(
        "start-up (process start to first /healthz answer): ours "
        + ", ".join(f"{b.startup_s:.2f} s" for b in outcome.ours)
        + f"; bare {bare.startup_s:.2f} s"
    )
    for phase in phases:
        for kind, samples in outcome.results[phase].items():
            if samples.late:
                missed = ", ".join(f"{what} {n}" for what, n in samples.late.items())
                print(f"{phase}, {kind}: past Slack's 3 s (Bolt answered 404): {missed}")
    print()
    print("### /devpath ack (time from sending the request to its HTTP response)")
    print()
    rows = latency_rows(f"burst of {users}", burst["ours"].ack, burst["bare"].ack)
    rows += latency_rows("in paced walks", paced["ours"].walk_ack, paced["bare"].walk_ack)
    rows += latency_rows("in flat-out walks", flat["ours"].walk_ack, flat["bare"].walk_ack)
    print(table(LATENCY_HEADER, rows))
    print()
    ratios = {}
    for name, phase, kind in (
        ("burst", burst, "ack"),
        ("paced", paced, "walk_ack"),
        ("flat out", flat, "walk_ack"),
    ):
        o, b = getattr(phase["ours"], kind), getattr(phase["bare"], kind)
        if o and b:
            r = percentile(o, 99) / percentile(b, 99)
            ratios[name] = r
            print(
                f"target: /devpath ack p99 <= {TARGET_ACK_RATIO:g}x the bare app's ({name}): "
                f"{verdict(r <= TARGET_ACK_RATIO)} ({r:.2f}x)"
            )
    print()
    print("### Final submission (the last step's view_submission to its HTTP response)")
    print()
    rows = latency_rows("final, paced", paced["ours"].final, paced["bare"].final)
    rows += latency_rows("final, flat out", flat["ours"].final, flat["bare"].final)
    rows += latency_rows("steps 1-2, paced", paced["ours"].steps, paced["bare"].steps)
    rows += latency_rows("steps 1-2, flat out", flat["ours"].steps, flat["bare"].steps)
    print(table(LATENCY_HEADER, rows))
    print()
    if paced["ours"].final:
        p99 = percentile(paced["ours"].final, 99)
        print(
            f"target: final submission p99 < {TARGET_FINAL_P99_MS:g} ms (paced): "
            f"{verdict(p99 < TARGET_FINAL_P99_MS)} ({p99:.0f} ms)"
        )
    if flat["ours"].final and flat["bare"].final:
        r = percentile(flat["ours"].final, 99) / percentile(flat["bare"].final, 99)
        print(
            f"target: final submission p99 <= {TARGET_FINAL_RATIO:g}x the bare app's "
            f"(flat out): {verdict(r <= TARGET_FINAL_RATIO)} ({r:.2f}x)"
        )
    print()
    print(f"### Event loops (gaps between 1 ms ticks longer than {STALL_MS:g} ms: longest, count)")
    print()
    rows = []
    for name, bot in (("ours (all instances)", ours), ("bare", bare)):
        found = stall_summary(bot, outcome.windows)
        rows.append(
            [
                f"{name} bot process",
                *(f"{found[p]:.0f} ({found[p + ' count']:.0f})" for p in phases),
                f"{bot.stats.get('rss', 0):.0f}",
                f"{bot.stats.get('hwm', 0):.0f}",
            ]
        )
    for name, gaps in (("load generator", plan["own_gaps"]), ("fake Slack", plan["slack_gaps"])):
        own = {p: [g for at, g in gaps if b <= at <= e] for p, (b, e) in outcome.windows.items()}
        rows.append(
            [name, *(f"{max(own[p], default=0):.0f} ({len(own[p])})" for p in phases), "", ""]
        )
    header = ["", "bursts", "flat-out walks", "paced walks", "RSS at end MB", "peak RSS MB"]
    print(table(header, rows))
    found = stall_summary(ours, outcome.windows)
    bare_found = stall_summary(bare, outcome.windows)
    print()
    for phase in phases:
        print(
            f"target: no event-loop stall over {TARGET_STALL_MS:g} ms in our bot ({phase}): "
            f"{verdict(found[phase] <= TARGET_STALL_MS)} (longest {found[phase]:.0f} ms)"
        )
    if profile:
        print_profile(outcome.ours[0], ours)

    def p(samples: list[float], pct: float) -> str:
        return f"{percentile(samples, pct):.0f}" if samples else "-"

    late = sum(flat["ours"].late.values()) + sum(paced["ours"].late.values())
    late += sum(burst["ours"].late.values())
    return [
        outcome.label,
        f"{max(b.startup_s for b in outcome.ours):.2f}",
        *(f"{ratios[k]:.2f}x" if k in ratios else "-" for k in ("burst", "paced", "flat out")),
        f"{p(paced['ours'].final, 50)} / {p(paced['ours'].final, 99)}",
        f"{p(flat['ours'].final, 50)} / {p(flat['ours'].final, 99)}",
        f"{p(paced['bare'].final, 99)} / {p(flat['bare'].final, 99)}",
        ratio(percentile(flat["ours"].final, 99), percentile(flat["bare"].final, 99))
        if flat["ours"].final and flat["bare"].final
        else "-",
        str(late),
        f"{found['paced']:.0f} / {found['flat']:.0f} / {found['burst']:.0f}",
        f"{bare_found['flat']:.0f}",
        f"{ours.stats.get('hwm', 0):.0f}",
    ]


SUMMARY_HEADER = [
    "ours on",
    "start-up s",
    "ack p99 / bare: burst",
    "paced",
    "flat out",
    "final p50 / p99 ms: paced",
    "flat out",
    "bare final p99 ms: paced / flat",
    "final p99 / bare: flat out",
    "past 3 s",
    "longest stall ms: paced / flat / burst",
    "bare's, flat",
    "peak RSS MB",
]


def print_profile(first: Bot, ours: Bot) -> None:
    if ours.stats.get("store"):
        by_name: dict[str, list[tuple[float, float]]] = {}
        for name, queued, ran in ours.stats["store"]:
            by_name.setdefault(name, []).append((queued, ran))
        print()
        print("### Store calls in our bot process (time queued for the store thread, and run)")
        print()
        print(
            table(
                [
                    "Store method",
                    "calls",
                    "queued p50 ms",
                    "queued p99 ms",
                    "ran p50 ms",
                    "ran p99 ms",
                    "ran total s",
                ],
                [
                    [
                        name,
                        str(len(calls)),
                        f"{median(q for q, _ in calls):.1f}",
                        f"{percentile((q for q, _ in calls), 99):.1f}",
                        f"{median(r for _, r in calls):.2f}",
                        f"{percentile((r for _, r in calls), 99):.2f}",
                        f"{sum(r for _, r in calls) / 1000:.2f}",
                    ]
                    for name, calls in sorted(
                        by_name.items(), key=lambda kv: -sum(r for _, r in kv[1])
                    )
                ],
            )
        )
    prof = Path(str(first.stats_path) + ".prof")
    if prof.exists():
        out = io.StringIO()
        stats = pstats.Stats(str(prof), stream=out)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(60)
        print()
        print("### Profile of our (first) bot process (cProfile: by own time, then cumulative)")
        print()
        print("```")
        print(out.getvalue().strip())
        print("```")


async def run(args: argparse.Namespace) -> int:
    quick = args.quick
    documents = args.documents or (2_000 if quick else 50_000)
    users = args.users or (10 if quick else 100)
    content = load_content()
    if args.matrix:
        configs = [("tinydb", 1), ("postgres", 1), ("postgres", 2)]
    else:
        configs = [(args.database, args.instances)]
    plan: dict[str, Any] = {
        "users": users,
        "rounds": args.rounds or (3 if quick else 20),
        "walks": args.walks or (2 if quick else 5),
        "paced_walks": args.paced_walks if args.paced_walks >= 0 else (1 if quick else 3),
        "think": args.think if args.think >= 0 else (0.2 if quick else 1.0),
        "steps": len(content.questionnaire.steps),
    }

    print(f"load benchmark — {dt.date.today().isoformat()}{' (quick)' if quick else ''}")
    print(f"machine: {machine()}")
    started = time.perf_counter()
    failures: list[str] = []
    summary: list[list[str]] = []
    async with contextlib.AsyncExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="devpath-load-")))
        dataset = build_dataset(documents, content)
        plan["seed"] = seed = folder / "seed.json"
        size = write_snapshot(seed, dataset.data)
        plan["loaded"] = loaded = dataset.users[:users]
        plan["prior"] = sum(
            1 for d in dataset.data["responses"].values() if d["user_id"] in set(loaded)
        )
        # This process holds no database: keep the collector's work here small.
        dataset.data = {}
        gc.collect()
        gc.freeze()
        # The fake Slack keeps every call it answers; full collections over them here would
        # delay the replies and the timings. This process's memory is bounded by the run.
        gc.disable()
        counts = ", ".join(f"{k} {v:,}" for k, v in dataset.counts.items() if k != "meta")
        print(
            f"database: {dataset.documents:,} documents ({counts}), {size / 1e6:.1f} MB; "
            f"{len(dataset.mentors)} mentors, all active"
        )
        print(
            f"load: {users} users; bot servers each in their own process, load generator and "
            "fake Slack in this one, all on 127.0.0.1; ours and bare alternate"
        )
        print(
            f"phases: {plan['rounds']} /devpath bursts ({users} at once); {plan['walks']} whole "
            f"walks per user with no pause (flat out); {plan['paced_walks']} whole walks per "
            f"user pausing 0 to {2 * plan['think']:g} s (uniform) before each request (paced)"
        )

        timezones = {u: dataset.timezones.get(u, "UTC") for u in [*loaded, "UADMIN"]}
        session = await stack.enter_async_context(ClientSession(connector=TCPConnector(limit=0)))
        slack = await start_fake_slack(folder, timezones, session)
        stack.callback(slack.stop)
        plan["env"] = {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DEVPATH_ADMINS": "UADMIN",
            "DEVPATH_MATCH_CHANNEL": "CMATCH",
        }
        plan["env"].pop("DATABASE_URL", None)
        questionnaire = content.questionnaire
        merged: dict[str, tuple[str, ...]] = {}
        plan["bare_views"] = []
        for number in range(1, plan["steps"] + 1):
            plan["bare_views"].append(step_view(questionnaire, number, merged, "C1"))
            for q in questionnaire.steps[number - 1].questions:
                value = MENTORING.get(q.id)
                if value is not None:
                    merged[q.id] = (value,) if isinstance(value, str) else tuple(value)
        # Our own ticker: how late this process (the load generator) runs.
        plan["own_gaps"] = own_gaps = []
        own_ticker = asyncio.create_task(loop_ticker(own_gaps, [0]))
        for database, instances in configs:
            outcome = await run_config(database, instances, args, plan, session, slack, folder)
            failures += outcome.failures
            plan["slack_gaps"] = (await slack.report())["gaps"]
            summary.append(report(outcome, plan, args.profile))
        own_ticker.cancel()
        problems = (await slack.report())["problems"]
        gc.enable()
    print()
    print("## Summary")
    print()
    print(table(SUMMARY_HEADER, summary))
    print()
    print(f"Block Kit problems found by the fake Slack: {len(problems)}")
    failures += problems[:5]
    print()
    for failure in failures[:20]:
        print(f"BROKEN: {failure}")
    print(f"total time: {time.perf_counter() - started:.1f} s")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 documents, 10 users (CI)")
    parser.add_argument("--documents", type=int, default=0)
    parser.add_argument("--users", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=0, help="/devpath rounds per server")
    parser.add_argument(
        "--walks", type=int, default=0, help="flat-out whole walks per user per server"
    )
    parser.add_argument(
        "--paced-walks", type=int, default=-1, help="paced whole walks per user per server"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=-1.0,
        help="mean pause before each request in paced walks, s (uniform 0 to twice this)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile our bot process")
    parser.add_argument(
        "--database", choices=("tinydb", "postgres"), default="tinydb", help="our bot's store"
    )
    parser.add_argument(
        "--instances", type=int, choices=(1, 2), default=1, help="our bot processes"
    )
    parser.add_argument(
        "--matrix",
        action="store_true",
        help="ours on tinydb/1, postgres/1 and postgres/2 in turn, each beside the bare app",
    )
    parser.add_argument("--seed-postgres", nargs=2, metavar=("PATH", "URL"), help=argparse.SUPPRESS)
    parser.add_argument("--fake-slack", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--serve", nargs=2, metavar=("KIND", "STATS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        try:  # as `devpath serve` does
            from bot.logs import configure_logging
        except ImportError:
            logging.basicConfig(
                level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
            )
        else:
            configure_logging()
        asyncio.run(serve_child(args.serve[0], Path(args.serve[1]), args.profile))
        return 0
    if args.fake_slack:
        asyncio.run(fake_slack_child(Path(args.fake_slack[0]), Path(args.fake_slack[1])))
        return 0
    if args.seed_postgres:
        asyncio.run(seed_postgres(Path(args.seed_postgres[0]), args.seed_postgres[1]))
        return 0
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
