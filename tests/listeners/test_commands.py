"""The rest of /devpath, the Home tab, stale buttons, health, and Slack's request signing."""

from __future__ import annotations

import time

from aiohttp import ClientSession

from tests.answers import COACHING
from tests.listeners.test_questionnaire import walk


async def test_help_lists_the_commands(user):
    status, body = await user.command("help")
    assert status == 200
    assert body["response_type"] == "ephemeral"
    assert "/devpath status" in body["text"]


async def test_an_unknown_subcommand_answers_with_help(user):
    _, body = await user.command("frobnicate <!channel>")
    assert "I don't know `/devpath frobnicate &lt;!channel&gt;`" in body["text"]
    assert "/devpath status" in body["text"]


async def test_status_before_and_after_the_questionnaire(user, slack, bot):
    await user.command("status")
    before = (await slack.wait_for("response_url"))[-1]
    assert before["response_type"] == "ephemeral"
    assert "not taken the questionnaire yet" in before["text"]

    await walk(user, slack, COACHING)
    bot.clock.advance(hours=3)
    await user.command("status")
    after = (await slack.wait_for("response_url", 2))[-1]
    assert "Executive coaching fits you now" in after["text"]
    assert "3 hours ago" in after["text"]


async def test_home_tab_shows_my_path_and_a_retake_button(user, slack, bot):
    await user.event({"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "DU1"})
    first = (await slack.wait_for("views.publish"))[-1]
    assert first["user_id"] == "U1"
    assert "Take the questionnaire" in str(first["view"])

    await walk(user, slack, COACHING)
    await user.event(
        {"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "DU1"}, event_id="Ev2"
    )
    second = (await slack.wait_for("views.publish", 2))[-1]
    assert "Executive coaching fits you now" in str(second["view"])
    assert "Retake the questionnaire" in str(second["view"])


async def test_the_retake_button_in_a_dm_opens_the_questionnaire(user, slack):
    status, _ = await user.click("open_questionnaire", "result_actions", message=True)
    assert status == 200
    opened = (await slack.wait_for("views.open"))[-1]
    assert opened["view"]["callback_id"] == "questionnaire"


async def test_a_stale_button_gets_a_friendly_reply(user, slack):
    status, _ = await user.click("some_button_from_last_year", message=True)
    assert status == 200
    reply = (await slack.wait_for("response_url"))[-1]
    assert "no longer active" in reply["text"]
    assert reply["response_type"] == "ephemeral"


async def test_a_crafted_modal_with_bad_metadata_gets_a_friendly_screen(user):
    view = {
        "id": "V9",
        "type": "modal",
        "callback_id": "questionnaire",
        "private_metadata": "{oops",
        "blocks": [],
    }
    status, body = await user.submit(view, {})
    assert status == 200
    assert "out of date" in str(body["view"])


async def test_a_wrong_signature_is_refused_and_nothing_is_sent(user, slack):
    status, _ = await user.post(
        "command=%2Fdevpath&text=", "application/x-www-form-urlencoded", signature="v0=" + "0" * 64
    )
    assert status == 401
    stale = int(time.time()) - 6 * 60
    status, _ = await user.post(
        "command=%2Fdevpath&text=", "application/x-www-form-urlencoded", timestamp=stale
    )
    assert status == 401
    assert [c.method for c in slack.calls if c.method != "auth.test"] == []


async def test_healthz_answers_200_with_json(bot):
    async with (
        ClientSession() as session,
        session.get(bot.url.replace("/slack/events", "/healthz")) as r,
    ):
        assert r.status == 200
        assert (await r.json())["ok"] is True


async def test_when_slack_refuses_to_open_the_modal_the_person_is_told(user, slack):
    slack.fail("views.open", "expired_trigger_id")
    status, _ = await user.command("")
    assert status == 200
    reply = (await slack.wait_for("response_url"))[-1]
    assert "type `/devpath` again" in reply["text"]
