"""The bot as a process, stopped at the worst moment: killed between the ack and the DM that
follows it, or asked to stop while a listener is still at work. Nothing is lost and nothing
is done twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.store.tinydb_store import TinyDBStore
from tests.answers import MENTORING, for_view
from tests.fakes import FakeSlack, SlackUser
from tests.instances import Instance, bot_env


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    slack.add_user("U1", tz="UTC")
    slack.add_user("UADMIN", tz="UTC")
    yield slack
    await slack.close()
    assert not slack.problems, "\n".join(slack.problems)


async def answer_all_but_the_last(person: SlackUser, slack: FakeSlack) -> dict:
    """The questionnaire up to its last screen, which is returned unsent."""
    await person.command("")
    view = (await slack.wait_for("views.open"))[-1]["view"]
    while view["submit"]["text"] == "Next":
        status, body = await person.submit(view, for_view(view, MENTORING))
        assert status == 200
        view = body["view"]
    return view


def results_to(slack: FakeSlack, user_id: str) -> list[dict]:
    return [
        c
        for c in slack.called("chat.postMessage", channel=f"D{user_id}")
        if "fits you now" in c.get("text", "") or "fit you now" in c.get("text", "")
    ]


async def test_killed_between_the_ack_and_the_dm(tmp_path: Path, fake: FakeSlack) -> None:
    db = tmp_path / "devpath.json"
    bot = Instance(bot_env(fake, tmp_path, DEVPATH_DB=str(db)))
    await bot.start()
    async with aiohttp.ClientSession() as http:
        person = SlackUser(http, bot.url, fake)
        last = await answer_all_but_the_last(person, fake)
        fake.hold("conversations.open")  # the result's DM will hang on its first call
        status, body = await person.submit(last, for_view(last, MENTORING))
        assert status == 200 and body["view"]["callback_id"] == "result"  # acknowledged
        await fake.wait_for("conversations.open", users="U1")
        assert await bot.kill() != 0  # SIGKILL: no chance to finish anything
        assert results_to(fake, "U1") == []
        fake.let_go()

        await bot.start()  # what the crash left is delivered before any request is taken
        await fake.wait_until(lambda: len(results_to(fake, "U1")) >= 1, within=30)
        await bot.idle()
        assert await bot.stop() == 0
    assert len(results_to(fake, "U1")) == 1  # once
    store = TinyDBStore.open(db)
    try:
        planned = [n for n in await store.nudges_of("U1") if n.state == "scheduled"]
        latest = await store.latest_response("U1")
        assert latest is not None and {n.subject for n in planned} == {latest.id}
        # Planned once, with it. The reach-out is planned before the mentors are ranked; it
        # goes out only if someone fits by then.
        assert sorted(n.kind for n in planned) == ["gentle_reminder", "reach_out"]
        assert await store.unfinished_effects() == []
    finally:
        await store.aclose()


async def test_a_stop_lets_the_work_under_way_finish(tmp_path: Path, fake: FakeSlack) -> None:
    bot = Instance(bot_env(fake, tmp_path, DEVPATH_DB=str(tmp_path / "devpath.json")))
    await bot.start()
    async with aiohttp.ClientSession() as http:
        person = SlackUser(http, bot.url, fake)
        last = await answer_all_but_the_last(person, fake)
        fake.hold("conversations.open")
        await person.submit(last, for_view(last, MENTORING))
        await fake.wait_for("conversations.open", users="U1")
        assert bot.process is not None
        bot.process.terminate()  # SIGTERM while the result's DM is under way
        await bot.said("no new requests")
        fake.let_go()
        assert await bot.stop() == 0
    assert len(results_to(fake, "U1")) == 1  # the listener finished before the exit
    assert "devpath: stopped" in bot.text()
    assert "Traceback" not in bot.text() and "after shutdown" not in bot.text()
