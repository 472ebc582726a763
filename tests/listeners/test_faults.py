"""Slack failing for a moment is not a person gone: a dropped connection or a 5xx after the
ack leaves what must follow in the outbox for the next round, and nobody is told it failed."""

from __future__ import annotations

import json

import pytest

from bot.domain.outbox import MAX_ATTEMPTS as OUTBOX_ATTEMPTS
from bot.nudger import MAX_ATTEMPTS
from tests.answers import MENTORING
from tests.listeners.test_coaching import approved, choose, roster  # noqa: F401 (a fixture, used below)
from tests.listeners.test_intros import request_button
from tests.listeners.test_nudges import nudges_to, pair  # noqa: F401 (a fixture, used below)
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


@pytest.mark.parametrize("status", [503, 429])
async def test_a_5xx_on_the_mentor_dm_is_retried_and_the_mentee_is_not_told_it_lapsed(
    user, slack, bot, pool, status
):
    # Past Slack's client's own retries (it waits out Retry-After for a 429).
    retry_after = {"Retry-After": "0"} if status == 429 else {}
    slack.fail(
        "chat.postMessage", status=status, times=3, headers=retry_after, where={"channel": "DU2"}
    )
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


@pytest.mark.usefixtures("pair")
@pytest.mark.parametrize("error", ["user_not_visible", "fatal_error"])
async def test_one_person_slack_will_not_describe_does_not_stop_the_others_nudges(
    user, slack, bot, error, caplog
):
    """Mia and Grace are both due "did you meet?"; users.info fails for Grace alone."""
    bot.clock.advance(days=7, hours=5)  # 10:00 in New York, 15:00 in London
    slack.fail("users.info", error=error, times=MAX_ATTEMPTS, where={"user": "U2"})
    done = await bot.background.run_due()
    assert len(nudges_to(slack, "U1")) == 1  # Mia has hers
    assert done.retrying and nudges_to(slack, "U2") == []
    (waiting,) = [n for n in await bot.store.nudges_of("U2") if n.kind == "did_you_meet"]
    assert waiting.state == "scheduled" and waiting.attempts == 1 and waiting.due_at > bot.clock()

    for _ in range(MAX_ATTEMPTS):
        bot.clock.advance(hours=1, minutes=1)
        await bot.background.run_due()
    (given_up,) = [n for n in await bot.store.nudges_of("U2") if n.kind == "did_you_meet"]
    assert given_up.state == "cancelled" and nudges_to(slack, "U2") == []
    warning = next(
        r for r in caplog.records if given_up.id in r.getMessage() and "cancel" in r.getMessage()
    )
    assert warning.levelname == "WARNING" and "U2" not in warning.getMessage()


@pytest.mark.usefixtures("pair")
async def test_users_info_failing_once_is_retried_and_the_nudge_goes(user, slack, bot):
    bot.clock.advance(days=7, hours=5)
    slack.fail("users.info", error="user_not_visible", where={"user": "U2"})
    await bot.background.run_due()
    assert nudges_to(slack, "U2") == []
    bot.clock.advance(minutes=2)
    await bot.background.run_due()
    assert len(nudges_to(slack, "U2")) == 1


@pytest.mark.usefixtures("roster")
@pytest.mark.parametrize("failure", [{"status": 503, "times": 3}, {"error": "invalid_blocks"}])
async def test_a_coach_offer_slack_fails_to_deliver_does_not_lapse(user, slack, bot, failure):
    """Only a coach who is gone lapses an offer at once; a 5xx is tried again next round."""
    choices = await approved(user, slack)
    slack.fail("chat.postMessage", where={"channel": "DU2"}, **failure)
    await choose(user, slack, choices, "U2")
    (engagement,) = await bot.store.engagements_of("U1")
    assert engagement.state == "offered"
    assert "in time" not in told_mentee(slack) and "went wrong" not in told_mentee(slack)
    bot.clock.advance(minutes=11)
    await bot.background.run_due()
    offers = [c for c in slack.called("chat.postMessage", channel="DU2") if "blocks" in c]
    assert len(offers) == (4 if "status" in failure else 1)  # retried, or given up once
    assert (await bot.store.get_engagement(engagement.id)).state == "offered"


async def test_an_open_request_slack_keeps_failing_is_given_up_and_can_be_posted_again(
    user, slack, bot, pool
):
    result = (await walk(user, slack, {**MENTORING, "field": "legal"}))["view"]
    # Every try fails with a 5xx, each one retried twice by Slack's client.
    slack.fail(
        "chat.postMessage", status=503, times=3 * OUTBOX_ATTEMPTS, where={"channel": "CMATCH"}
    )
    await user.click("open_request_post", "open_request", view=result)
    (reserved,) = await bot.store.open_requests_of("U1")
    assert not reserved["ts"]
    for _ in range(OUTBOX_ATTEMPTS):
        bot.clock.advance(hours=2)
        await bot.background.run_due()
    assert await bot.store.open_requests_of("U1") == []
    assert await bot.store.unfinished_effects() == []
    assert "please try again later" in told_mentee(slack)
    assert "went wrong" not in told_mentee(slack)

    await user.click("open_request_post", "open_request", view=result)
    (posted,) = await bot.store.open_requests_of("U1")
    assert (
        posted["ts"]
        and len(slack.called("chat.postMessage", channel="CMATCH")) == 3 * OUTBOX_ATTEMPTS + 1
    )
