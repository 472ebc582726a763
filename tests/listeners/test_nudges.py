"""Nudges as people get them: on time in their working hours, once, easy to answer or stop."""

from __future__ import annotations

import json

import pytest

from bot.background import Background
from tests.answers import COACHING, MENTORING
from tests.listeners.test_intros import ask
from tests.listeners.test_pool import ADMIN
from tests.listeners.test_questionnaire import walk


def text_of(thing) -> str:
    return json.dumps(thing, ensure_ascii=False)


def posts_to(slack, user_id: str) -> list[dict]:
    return slack.called("chat.postMessage", channel=f"D{user_id}")


def nudges_to(slack, user_id: str) -> list[dict]:
    return [p for p in posts_to(slack, user_id) if "Snooze a week" in text_of(p)]


def button(message: dict, action_id: str) -> dict:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} in {text_of(message)}")


async def click(person, message: dict, action_id: str):
    element = button(message, action_id)
    return await person.click(action_id, "nudge", value=element["value"], message=True)


@pytest.fixture
async def pair(user, slack, bot, pool):
    """Mia (U1, London) asked Grace (U2, New York), who accepted: Tuesday 24 Nov, 10:00 UTC."""
    result = (await walk(user, slack, MENTORING))["view"]
    request = await ask(user, slack, result, "U2")
    accept = button(request, "intro_accept")
    await user.as_user("U2").click("intro_accept", "answer", value=accept["value"], message=True)
    await slack.wait_for("conversations.open", users="U1,U2")
    return (await bot.store.intros_of("U1"))[0]


async def test_the_cadence_after_an_accepted_intro(user, slack, bot, pair):
    await bot.background.run_due()
    assert nudges_to(slack, "U1") == [] and nudges_to(slack, "U2") == []

    bot.clock.advance(days=7)  # Tuesday 1 December, 10:00 UTC
    await bot.background.run_due()
    (met,) = nudges_to(slack, "U1")
    assert "Did you and <@U2> meet yet?" in met["text"]
    assert nudges_to(slack, "U2") == []  # 05:00 in New York: she waits for her morning
    bot.clock.advance(hours=4, minutes=1)
    await bot.background.run_due()
    assert "<@U1>" in nudges_to(slack, "U2")[0]["text"]

    await click(user, met, "nudge_met")
    reply = (await slack.wait_for("response_url"))[-1]
    assert reply["replace_original"] and "Great that you met" in reply["text"]

    bot.clock.advance(days=21)  # four weeks after the intro
    await bot.background.run_due()
    check_in = nudges_to(slack, "U1")[-1]
    assert "How is your mentoring with <@U2> going?" in check_in["text"]
    await click(user, check_in, "nudge_score_4")
    thanks = (await slack.wait_for("response_url", 2))[-1]
    assert "4 out of 5" in thanks["text"] and "Add a note" in text_of(thanks)

    # The answer is stored and shows in the program's figures.
    answered = [n for n in await bot.store.nudges_of("U1") if n.answer.get("score") == "4"]
    assert len(answered) == 1
    await user.as_user(ADMIN).command("stats")
    stats = (await slack.wait_for("response_url", 3))[-1]
    assert "4 / 5 over 1 check-ins" in text_of(stats)

    # Check-ins go on every four weeks.
    upcoming = [n for n in await bot.store.nudges_of("U1") if n.state == "scheduled"]
    assert [n.kind for n in upcoming] == ["check_in"]


async def test_a_restart_loses_and_repeats_nothing(user, slack, bot, pair):
    # The bot is down for twelve weeks: three check-ins fell due, one goes out, once.
    bot.clock.advance(weeks=12)
    # A nudge was mid-send when the bot died.
    stuck = next(n for n in await bot.store.nudges_of("U1") if n.kind == "did_you_meet")
    await bot.store.claim_nudge(stuck.id)

    restarted = Background(bot.background.deps, bot.background.client, bot.background.nudger.pacer)
    assert await restarted.nudger.recover() == 1
    await restarted.run_due()
    await restarted.run_due()
    kinds = [p["text"][:20] for p in nudges_to(slack, "U1")]
    assert len(kinds) == 1 and kinds[0].startswith("How is your")  # the check-in, once
    assert (await bot.store.get_nudge(stuck.id)).state == "sent"  # counted, never resent


async def test_ignoring_two_in_a_row_stops_that_kind_and_the_second_says_so(user, slack, bot, pair):
    bot.clock.advance(days=7)
    await bot.background.run_due()
    await click(user, nudges_to(slack, "U1")[-1], "nudge_met")
    for _ in range(3):
        bot.clock.advance(weeks=4)
        await bot.background.run_due()
    check_ins = [p for p in nudges_to(slack, "U1") if "How is your" in p["text"]]
    assert len(check_ins) == 2
    assert "last reminder of this kind" not in text_of(check_ins[0])
    assert "last reminder of this kind" in text_of(check_ins[1])

    # Acting brings them back: she answers the last one, and the next one comes, plainly.
    await click(user, check_ins[1], "nudge_score_5")
    await slack.wait_for("response_url", 2)
    bot.clock.advance(weeks=4)
    await bot.background.run_due()
    latest = nudges_to(slack, "U1")[-1]
    assert "How is your" in latest["text"] and "last reminder" not in text_of(latest)


async def test_a_deactivated_person_gets_nothing_and_their_nudges_are_cancelled(
    user, slack, bot, pair
):
    slack.users["U1"]["deleted"] = True
    bot.clock.advance(days=7)
    await bot.background.run_due()
    assert nudges_to(slack, "U1") == []
    assert all(n.state == "cancelled" for n in await bot.store.nudges_of("U1") if n.sent_at is None)


async def test_rate_limits_and_server_errors_are_retried_and_nothing_is_sent_twice(
    user, slack, bot, pair
):
    bot.clock.advance(days=7)
    slack.fail(
        "chat.postMessage", status=429, headers={"Retry-After": "0"}, where={"channel": "DU1"}
    )
    # The client waits out Retry-After and tries again; should that too be refused, the
    # nudger re-queues it. Either way: one 429, then one message that went through.
    for _ in range(3):
        await bot.background.run_due()
        sent = [n for n in await bot.store.nudges_of("U1") if n.state == "sent"]
        if sent:
            break
        bot.clock.advance(minutes=2)
    assert len(sent) == 1
    assert len(nudges_to(slack, "U1")) == 2

    # Grace's server keeps failing past the client's own retries: back off, then deliver.
    slack.fail("chat.postMessage", status=500, times=3, where={"channel": "DU2"})
    bot.clock.advance(hours=4, minutes=1)
    round_one = await bot.background.run_due()
    assert round_one.retrying and not round_one.sent
    bot.clock.advance(minutes=2)
    round_two = await bot.background.run_due()
    assert len(round_two.sent) == 1
    assert [n.attempts for n in await bot.store.nudges_of("U2") if n.kind == "did_you_meet"] == [2]


async def test_a_permanent_error_cancels_the_nudge(user, slack, bot, pair):
    slack.fail("conversations.open", "account_inactive", where={"users": "U1"})
    bot.clock.advance(days=7)
    done = await bot.background.run_due()
    assert done.cancelled
    assert not [n for n in await bot.store.nudges_of("U1") if n.state == "scheduled"]


async def test_nobody_is_nudged_about_what_they_already_did(user, slack, bot, pool):
    result = (await walk(user, slack, MENTORING))["view"]
    await ask(user, slack, result, "U2")  # reaches out at once
    bot.clock.advance(weeks=3)
    done = await bot.background.run_due()
    kinds = {n.kind for n in await bot.store.nudges_of("U1") if n.id in done.skipped}
    assert kinds == {"reach_out", "gentle_reminder"}
    assert nudges_to(slack, "U1") == []


async def test_the_reach_out_waits_for_someone_who_fits(user, slack, bot):
    # Mentors are ranked after the result is stored, so the reach-out is planned for every
    # result with mentors in it; with nobody in the pool by then, it is skipped.
    result = (await walk(user, slack, MENTORING))["view"]
    assert "Nobody in the mentor pool fits you yet" in text_of(result)
    bot.clock.advance(weeks=3)
    done = await bot.background.run_due()
    skipped = {n.kind for n in await bot.store.nudges_of("U1") if n.id in done.skipped}
    assert "reach_out" in skipped
    assert not any("reach out" in text_of(n).lower() for n in nudges_to(slack, "U1"))


async def test_a_coaching_result_alone_plans_no_checkpoints(user, slack, bot, people):
    # The goals, mid-point and end review belong to an engagement, once one starts
    # (tests/listeners/test_coaching.py); a result alone gets the gentle reminder only.
    await walk(user, slack, COACHING)
    kinds = [n.kind for n in await bot.store.nudges_of("U1")]
    assert kinds == ["gentle_reminder"]


async def test_snooze_and_stop(user, slack, bot, pair):
    bot.clock.advance(days=7)
    await bot.background.run_due()
    await click(user, nudges_to(slack, "U1")[-1], "nudge_snooze")
    assert "Snoozed" in (await slack.wait_for("response_url"))[-1]["text"]
    bot.clock.advance(days=7)
    await bot.background.run_due()
    assert len(nudges_to(slack, "U1")) == 2  # the same question, a week later

    await click(user, nudges_to(slack, "U1")[-1], "nudge_stop")
    assert "no more reminders" in (await slack.wait_for("response_url", 2))[-1]["text"]
    bot.clock.advance(weeks=8)
    await bot.background.run_due()
    assert len(nudges_to(slack, "U1")) == 2
    await user.command("status")
    status = (await slack.wait_for("response_url", 3))[-1]
    assert "Reminders:* stopped" in status["text"]

    _, body = await user.command("nudges on")
    assert "back on" in body["text"]
    await user.command("status")
    status = (await slack.wait_for("response_url", 4))[-1]
    assert "Coming up" in status["text"] and "mentoring check-in, in 28 days" in status["text"]


async def test_someone_elses_nudge_button_does_nothing(user, slack, bot, pair):
    bot.clock.advance(days=7)
    await bot.background.run_due()
    await click(user.as_user("U3"), nudges_to(slack, "U1")[-1], "nudge_stop")
    assert "no longer active" in (await slack.wait_for("response_url"))[-1]["text"]
    assert not (await bot.store.person("U1")).get("stopped")


async def test_pacing_stays_within_slacks_limits(user, slack, bot, pair):
    bot.clock.advance(days=7, hours=5)  # both in their working hours
    await bot.background.run_due()
    per_minute = bot.content.nudges.per_minute
    assert bot.pacing.slept and min(bot.pacing.slept) >= 60 / per_minute - 1e-9


async def test_at_start_a_lone_bot_settles_a_nudge_it_was_sending_at_once(user, slack, bot, pair):
    bot.clock.advance(days=7)
    stuck = next(n for n in await bot.store.nudges_of("U1") if n.kind == "did_you_meet")
    await bot.store.claim_nudge(stuck.id, bot.clock())  # claimed a moment before the crash
    restarted = Background(bot.background.deps, bot.background.client, bot.background.nudger.pacer)
    await restarted.recover(at_start=True)  # TinyDB's lock: nobody else can be sending it
    assert (await bot.store.get_nudge(stuck.id)).state == "sent"
    await restarted.run_due()
    assert nudges_to(slack, "U1") == []  # counted as sent, never sent twice
