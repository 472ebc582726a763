"""Where the content says joining needs no approval, people who offer to mentor are in the
pool at once, and the admins hear who joined."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.content import Content, load_content
from tests.answers import MENTORING
from tests.listeners.test_intros import text_of
from tests.listeners.test_mentor_side import LIN, buttons, nominate
from tests.listeners.test_pool import ADMIN
from tests.listeners.test_questionnaire import walk


@pytest.fixture
def content() -> Content:
    shipped = load_content()
    return replace(shipped, mentoring=replace(shipped.mentoring, join_needs_approval=False))


@pytest.fixture
def lin(user, slack, people):
    slack.add_user(LIN, real_name="Lin Chen", tz="Asia/Tokyo")
    return user.as_user(LIN)


async def test_joining_without_approval_is_at_once_and_admins_hear_of_it(
    user, slack, bot, people, lin
):
    body = await nominate(lin, slack)
    assert "You are in the mentor pool" in text_of(body["view"])
    joined = await bot.store.get_mentor(LIN)
    assert joined.status == "pool" and joined.taking and joined.nominated_at == bot.clock()
    assert (await bot.store.audit_log(1))[0]["what"] == "Lin Chen joined the pool"
    welcome = (await slack.wait_for("chat.postMessage", channel="DU4"))[-1]
    assert "Welcome to the mentor pool" in welcome["text"]
    fyi = (await slack.wait_for("chat.postMessage", channel=f"D{ADMIN}"))[-1]
    assert "<@U4> joined the mentor pool" in fyi["text"] and buttons(fyi) == {}

    result = (await walk(user, slack, MENTORING))["view"]
    assert "match_U4" in text_of(result)  # offered at once
