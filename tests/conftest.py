"""One place builds the fake Slack, the bot under test and the person clicking."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.app import build_app, web_client
from bot.background import Background
from bot.content import Content, load_content
from bot.deps import Deps
from bot.nudger import Pacer
from bot.server import EVENTS_PATH, web_app
from bot.settings import load_settings
from bot.store import Store, database_exists, open_database, shown_place
from bot.store.postgres_store import PostgresStore
from bot.store.tinydb_store import TinyDBStore
from tests.fakes import SIGNING_SECRET, FakeClock, FakeSlack, SlackUser, VirtualTime
from tests.store.conftest import fresh_database

T = TypeVar("T")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The PostgreSQL databases the tests made go with the run."""
    from tests.store.conftest import drop_made

    asyncio.run(drop_made())


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--kills", type=int, default=20, help="how many SIGKILLs the storage crash test deals"
    )


@pytest.fixture
def kills(request: pytest.FixtureRequest) -> int:
    return request.config.getoption("--kills")


@dataclass
class Running:
    """The bot as a test sees it: its HTTP address, its store and its clock."""

    url: str
    store: Store
    clock: FakeClock
    content: Content
    db_path: Path
    background: Background
    pacing: VirtualTime


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.close()
    assert not fake.problems, "the bot sent what Slack would refuse:\n" + "\n".join(fake.problems)


@pytest.fixture
def env(slack: FakeSlack, tmp_path: Path) -> dict[str, str]:
    assert slack.server is not None
    return {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": str(slack.server.make_url("/api/")),
        "DEVPATH_DB": str(tmp_path / "devpath.json"),
        "DEVPATH_ADMINS": "UADMIN",
        "DEVPATH_MATCH_CHANNEL": "CMATCH",
    }


@pytest.fixture
def backend() -> str:
    """The store the bot under test uses; a test parametrizes it to run on both."""
    return "tinydb"


@pytest.fixture
async def bot(
    env: dict[str, str], content: Content, slack: FakeSlack, backend: str
) -> AsyncIterator[Running]:
    settings = load_settings(env)
    async with contextlib.AsyncExitStack() as stack:
        if backend == "postgres":
            url = await stack.enter_async_context(fresh_database())
            store: Store = await PostgresStore.connect(url, max_size=4)
        else:
            store = TinyDBStore.open(settings.db_path)
        stack.push_async_callback(store.aclose)
        clock = FakeClock()
        deps = Deps(settings, content, store, clock)
        # Slack's retries back off for real; a hundredth of the usual keeps the suite fast.
        app = build_app(deps, web_client(settings, backoff=0.005))
        server = TestServer(web_app(app, SIGNING_SECRET, deps.inflight), host="127.0.0.1")
        await server.start_server()
        stack.push_async_callback(server.close)
        url = str(server.make_url(EVENTS_PATH))
        pacing = VirtualTime()
        pacer = Pacer(content.nudges.per_minute, pacing.monotonic, pacing.sleep)
        background = Background(deps, app.client, pacer)
        slack.idle = lambda: deps.inflight.idle(within=10)
        yield Running(url, store, clock, content, settings.db_path, background, pacing)
        await slack.settle()


@pytest.fixture
async def user(bot: Running, slack: FakeSlack) -> AsyncIterator[SlackUser]:
    async with ClientSession() as session:
        yield SlackUser(session, bot.url, slack)


@dataclass(frozen=True)
class CliDatabase:
    """The database a `devpath` command finds in a test: TinyDB at `path`, or PostgreSQL at
    `url`. Its methods work from sync and async tests alike: each runs in a thread of its
    own."""

    backend: str
    path: Path  # DEVPATH_DB, set on both backends: with DATABASE_URL nothing may appear there
    url: str | None

    @property
    def place(self) -> str | Path:
        return self.url or self.path

    @property
    def shown(self) -> str:
        """The place as the command prints it."""
        return shown_place(self.place)

    def exists(self) -> bool:
        return _apart(lambda: database_exists(self.place))

    def read(self, work: Callable[[Store], Awaitable[T]]) -> T:
        """The work done on the database, which must exist."""
        return _apart(lambda: self._using(work, create=False))

    def seed(self, work: Callable[[Store], Awaitable[T]]) -> T:
        """The work done on the database, made first if there is none."""
        return _apart(lambda: self._using(work, create=True))

    async def _using(self, work: Callable[[Store], Awaitable[T]], create: bool) -> T:
        store = await open_database(self.place, create=create)
        try:
            return await work(store)
        finally:
            await store.aclose()


def _apart(work: Callable[[], Awaitable[T]]) -> T:
    """Run the work in an event loop of its own, in a thread of its own."""

    async def run() -> T:
        return await work()

    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, run()).result()


@pytest.fixture(params=["tinydb", "postgres"])
async def database(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[CliDatabase]:
    """The `devpath` command's database, on each backend; PostgreSQL in a fresh database."""
    path = tmp_path / "devpath.json"
    monkeypatch.setenv("DEVPATH_DB", str(path))
    for name in ("DEVPATH_CONTENT", "DATABASE_URL", "TZ"):
        monkeypatch.delenv(name, raising=False)
    if request.param == "tinydb":
        yield CliDatabase("tinydb", path, None)
        return
    async with fresh_database() as url:
        monkeypatch.setenv("DATABASE_URL", url)
        yield CliDatabase("postgres", path, url)
    assert not path.exists(), "with DATABASE_URL set, the command wrote a TinyDB file"
