"""Two bot processes on one PostgreSQL database behave as one: a questionnaire started on one
is finished on the other, an intro accepted on both at once is accepted once, each due nudge
goes out once, and a killed instance loses nothing."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from bot.content import default_content_dir, load_content
from bot.domain.intros import Intro
from bot.domain.matching import Mentor
from bot.domain.nudges import new_nudge
from bot.domain.recommendation import recommend
from bot.domain.records import Response
from bot.store.postgres_store import PostgresStore
from tests.answers import COACHING, MENTORING, for_view
from tests.fakes import FakeSlack, SlackUser
from tests.instances import Instance, bot_env
from tests.store.conftest import fresh_database

PEOPLE = [f"UP{i:02d}" for i in range(30)]


def all_week_content(folder: Path) -> Path:
    """The shipped content, but every hour of every day is a working hour, and the pace is
    Slack's workspace limit rather than the polite default, so the test need not wait."""
    shutil.copytree(default_content_dir(), folder, ignore=shutil.ignore_patterns("*.py", "__*"))
    nudges = folder / "nudges.yml"
    text = nudges.read_text().replace('start: "09:00"', 'start: "00:00"')
    text = text.replace('end: "17:00"', 'end: "23:59"').replace("fri]", "fri, sat, sun]")
    nudges.write_text(text.replace("per_minute: 100", "per_minute: 600"))
    return folder


@asynccontextmanager
async def two_instances(
    tmp_path: Path, slack: FakeSlack, url: str
) -> AsyncIterator[list[Instance]]:
    env = bot_env(
        slack,
        tmp_path,
        DATABASE_URL=url,
        DEVPATH_CONTENT=str(all_week_content(tmp_path / "content")),
    )
    instances = [Instance(env), Instance(env)]
    await asyncio.gather(*(i.start() for i in instances))
    try:
        yield instances
    finally:
        for instance in instances:
            await instance.stop()


async def seed(url: str) -> list[str]:
    """Thirty people with a result two weeks old and a gentle reminder due now; a mentor
    with one place and two pending requests."""
    content = load_content()
    now = datetime.now(UTC)
    store = await PostgresStore.connect(url)
    try:
        answers = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in COACHING.items()}
        rec = recommend(content.questionnaire, answers, content.thresholds)
        nudges = []
        for person in PEOPLE:
            then = now - timedelta(weeks=2)
            response_id = await store.add_response(Response(person, answers, rec, "v", then))
            nudges.append(
                new_nudge(person, "gentle_reminder", now - timedelta(minutes=1), then, response_id)
            )
        await store.add_nudges(nudges)
        mentor = Mentor("UM", "Maya", "UTC", ("engineering",), ("networking",), "senior", 1)
        await store.save_mentors([mentor], "UADMIN", "added Maya", now)
        intros = [
            Intro(f"intro-{m}", m, "UM", "pending", now, now + timedelta(days=7))
            for m in ("UA", "UB")
        ]
        for intro in intros:
            await store.add_intro(intro)
        return [n.id for n in nudges]
    finally:
        await store.aclose()


async def test_two_processes_behave_as_one(tmp_path: Path) -> None:
    slack = FakeSlack()
    await slack.start()
    for person in [*PEOPLE, "U1", "UM", "UA", "UB", "UADMIN"]:
        slack.add_user(person, tz="UTC")
    try:
        async with fresh_database() as url:
            await seed(url)
            async with (
                two_instances(tmp_path, slack, url) as (a, b),
                aiohttp.ClientSession() as http,
            ):
                # Each due nudge goes out once, whichever instance claims it.
                def reminders() -> list[dict]:
                    return [
                        c
                        for c in slack.called("chat.postMessage")
                        if "gentle reminder" in c.get("text", "")
                    ]

                await slack.wait_until(lambda: len(reminders()) >= len(PEOPLE), within=30)
                # Both rounds are over: anything sent twice has arrived.
                await asyncio.gather(a.idle(), b.idle())
                channels = [m["channel"] for m in reminders()]
                assert sorted(channels) == sorted(f"D{p}" for p in PEOPLE)

                # A questionnaire started on one instance is finished on the other.
                on_a, on_b = SlackUser(http, a.url, slack), SlackUser(http, b.url, slack)
                await on_a.command("")
                await a.idle()
                view = slack.called("views.open")[-1]["view"]
                for person in [on_b, on_a, on_b]:
                    status, body = await person.submit(view, for_view(view, MENTORING))
                    assert status == 200
                    view = body["view"]
                assert view["callback_id"] == "result"

                # The mentor accepts both requests at the same moment, one on each instance:
                # with one place, exactly one is accepted.
                maya_a, maya_b = on_a.as_user("UM"), on_b.as_user("UM")
                await asyncio.gather(
                    maya_a.click("intro_accept", "answer", value="intro-UA", message=True),
                    maya_b.click("intro_accept", "answer", value="intro-UB", message=True),
                )
                await asyncio.gather(a.idle(), b.idle())
                assert len(slack.called("response_url")) == 1  # the one refused is told so

                # Kill one instance: the other carries on, and nothing was lost.
                await a.kill()
                store = await PostgresStore.connect(url)
                try:
                    states = sorted(i.state for i in await store.intros())
                    assert states == ["accepted", "pending"]
                    assert (await store.latest_response("U1")).recommendation.path == "mentoring"
                    sent = [n for n in await store.nudges() if n.user_id in PEOPLE]
                    assert {n.state for n in sent} == {"sent"} and len(sent) == len(PEOPLE)
                finally:
                    await store.aclose()
                status, body = await on_b.command("status")
                assert status == 200
                await b.idle()
                assert any(
                    "Mentoring fits" in c.get("text", "") for c in slack.called("response_url")
                )
    finally:
        await slack.close()
