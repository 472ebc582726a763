"""Slack failing for a moment is not a person gone: a dropped connection or a 5xx after the
ack leaves what must follow in the outbox for the next round, and nobody is told it failed."""

from __future__ import annotations

import json

from tests.answers import MENTORING
from tests.listeners.test_intros import request_button
from tests.listeners.test_questionnaire import walk


async def send_request(user, slack, bot) -> dict:
    result = (await walk(user, slack, MENTORING))["view"]
    button = request_button(result, "U2")
    await user.click(button["action_id"], "match_U2", value=button["value"], view=result)
    request = slack.called("views.push")[-1]["view"]
    status, body = await user.submit(request, {"shares": ["path"], "note": "Hello!"})
    assert status == 200 and "Request sent" in json.dumps(body)
    return body


def told_mentee(slack) -> str:
    to_them = slack.called("chat.postMessage", channel="DU1") + slack.called("response_url")
    return json.dumps(to_them)


async def test_a_dropped_connection_after_request_sent_delivers_it_next_round(
    user, slack, bot, pool
):
    # Every try of the mentor's DM loses its connection (Slack's client tries three times).
    slack.fail("chat.postMessage", drop=True, times=3, where={"channel": "DU2"})
    await send_request(user, slack, bot)
    (intro,) = await bot.store.intros_of("U1")
    assert intro.state == "pending"
    bot.clock.advance(minutes=11)
    await bot.background.run_due()
    await bot.background.run_due()
    delivered = [c for c in slack.called("chat.postMessage", channel="DU2") if "blocks" in c]
    assert len(delivered) == 4  # three dropped tries, then the one that landed, once
    assert (await bot.store.get_intro(intro.id)).mentor_message["channel"] == "DU2"
    assert any(n.kind == "answer_request" for n in await bot.store.nudges_of("U2"))
    assert "went wrong" not in told_mentee(slack)
    assert "already asked" not in told_mentee(slack)
    assert await bot.store.unfinished_effects() == []


async def test_a_5xx_on_the_mentor_dm_is_retried_and_the_mentee_is_not_told_it_lapsed(
    user, slack, bot, pool
):
    slack.fail("chat.postMessage", status=503, times=3, where={"channel": "DU2"})
    await send_request(user, slack, bot)
    (intro,) = await bot.store.intros_of("U1")
    assert (await bot.store.get_intro(intro.id)).state == "pending"
    assert "in time" not in told_mentee(slack)
    bot.clock.advance(minutes=11)
    await bot.background.run_due()
    assert (await bot.store.get_intro(intro.id)).mentor_message["channel"] == "DU2"
    assert (await bot.store.get_intro(intro.id)).state == "pending"
    assert "in time" not in told_mentee(slack) and "went wrong" not in told_mentee(slack)


async def test_a_mentor_who_is_gone_still_lapses_the_request_at_once(user, slack, bot, pool):
    slack.fail("conversations.open", error="account_inactive", where={"users": "U2"})
    await send_request(user, slack, bot)
    (intro,) = await bot.store.intros_of("U1")
    assert intro.state == "expired"


async def test_another_refusal_is_given_up_without_calling_the_mentor_gone(
    user, slack, bot, pool, caplog
):
    slack.fail("chat.postMessage", error="invalid_blocks", where={"channel": "DU2"})
    await send_request(user, slack, bot)
    (intro,) = await bot.store.intros_of("U1")
    assert intro.state == "pending"  # it lapses in its time, as if unanswered
    assert await bot.store.unfinished_effects() == []
    assert "given up" in caplog.text
