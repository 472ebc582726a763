"""What must follow a stored action still happens when Slack fails at that moment: the
result's DM, the mentor's request and the kickoff arrive with the next round, once."""

from __future__ import annotations

import json

from bot.background import Background
from tests.answers import MENTORING
from tests.listeners.test_intros import request_button
from tests.listeners.test_questionnaire import walk


def result_dms(slack, user_id: str = "U1") -> list[dict]:
    return [
        c
        for c in slack.called("chat.postMessage", channel=f"D{user_id}")
        if "fits you now" in c.get("text", "")
    ]


async def test_a_result_dm_that_could_not_go_goes_with_the_next_round(user, slack, bot, pool):
    # The connection drops on every try of the DM (Slack's client tries three times).
    slack.fail("conversations.open", drop=True, times=3, where={"users": "U1"})
    body = await walk(user, slack, MENTORING)
    assert body["view"]["callback_id"] == "result"  # the person saw their result at once
    assert result_dms(slack) == []
    (left,) = await bot.store.unfinished_effects()
    assert left.kind == "result_dm" and left.state == "pending"  # a passing fault: it waits

    await bot.background.run_due()  # too soon: it waits a minute after its first try
    assert result_dms(slack) == []
    bot.clock.advance(minutes=11)
    await bot.background.run_due()
    await bot.background.run_due()
    assert len(result_dms(slack)) == 1
    assert await bot.store.unfinished_effects() == []


async def test_at_start_a_lone_bot_delivers_what_a_crash_left_at_once(user, slack, bot, pool):
    slack.fail("conversations.open", drop=True, times=3, where={"users": "U1"})
    await walk(user, slack, MENTORING)
    # The state a crash mid-call leaves: claimed and never finished.
    bot.clock.advance(minutes=1)
    (left,) = await bot.store.unfinished_effects()
    assert await bot.store.claim_effect(left.id, bot.clock()) is not None
    # As after a restart: the TinyDB lock means nobody else can be delivering it.
    restarted = Background(bot.background.deps, bot.background.client, bot.background.nudger.pacer)
    await restarted.recover(at_start=True)
    assert len(result_dms(slack)) == 1


async def test_an_intro_request_and_its_answer_are_delivered_after_faults(user, slack, bot, pool):
    result = (await walk(user, slack, MENTORING))["view"]
    slack.fail("conversations.open", drop=True, times=3, where={"users": "U2"})
    button = request_button(result, "U2")
    await user.click(button["action_id"], "match_U2", value=button["value"], view=result)
    request = slack.called("views.push")[-1]["view"]
    status, body = await user.submit(request, {"shares": ["path"], "note": "Hello!"})
    assert status == 200 and "Request sent" in json.dumps(body)
    assert not slack.called("chat.postMessage", channel="DU2")
    bot.clock.advance(minutes=11)
    await bot.background.run_due()
    (request,) = slack.called("chat.postMessage", channel="DU2")
    intro = (await bot.store.intros_of("U1"))[0]
    assert (await bot.store.get_intro(intro.id)).mentor_message["channel"] == "DU2"

    slack.fail("conversations.open", drop=True, times=3, where={"users": "U1,U2"})
    await user.as_user("U2").click("intro_accept", "answer", value=intro.id, message=True)
    assert (await bot.store.get_intro(intro.id)).state == "accepted"
    assert not slack.called("chat.postMessage", channel="DU1U2")
    bot.clock.advance(minutes=11)
    await bot.background.run_due()
    assert len(slack.called("chat.postMessage", channel="DU1U2")) == 1  # the kickoff, once
    assert await bot.store.unfinished_effects() == []
