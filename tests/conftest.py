"""One place builds the fake Slack, the bot under test and the person clicking."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

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
from bot.store import Store
from tests.fakes import SIGNING_SECRET, FakeClock, FakeSlack, SlackUser, VirtualTime


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
async def bot(env: dict[str, str], content: Content) -> AsyncIterator[Running]:
    settings = load_settings(env)
    store = Store.open(settings.db_path)
    clock = FakeClock()
    deps = Deps(settings, content, store, clock)
    # Slack's retries back off for real; a hundredth of the usual keeps the suite fast.
    app = build_app(deps, web_client(settings, backoff=0.005))
    server = TestServer(web_app(app), host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url(EVENTS_PATH))
    pacing = VirtualTime()
    pacer = Pacer(content.nudges.per_minute, pacing.monotonic, pacing.sleep)
    background = Background(deps, app.client, pacer)
    yield Running(url, store, clock, content, settings.db_path, background, pacing)
    await server.close()
    store.close()


@pytest.fixture
async def user(bot: Running, slack: FakeSlack) -> AsyncIterator[SlackUser]:
    async with ClientSession() as session:
        yield SlackUser(session, bot.url, slack)
