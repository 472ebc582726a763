"""Promises about requests, faults and logs, each shown by a test that breaks with it."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

import pytest

from tests.answers import COACHING, MENTORING, for_view
from tests.fakes import SIGNING_SECRET
from tests.listeners.test_intros import ask
from tests.listeners.test_pool import ADMIN, add
from tests.listeners.test_questionnaire import open_modal, walk

HOME = {"type": "app_home_opened", "user": "U1", "tab": "home"}


async def test_a_retried_event_does_not_run_twice(user, slack):
    await user.event(HOME, event_id="Ev42")
    await slack.wait_for("views.publish")
    status, _ = await user.event(HOME, event_id="Ev42", retry=1)
    assert status == 200
    await user.event(HOME, event_id="Ev43")  # a new event does run
    await slack.wait_for("views.publish", 2)
    assert len(slack.called("views.publish")) == 2


async def test_a_tampered_body_with_a_valid_signature_for_another_is_refused(user, slack):
    body = urlencode(user.command_body("status"))
    stamp = int(time.time())
    from slack_sdk.signature import SignatureVerifier

    signed = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=str(stamp), body=body)
    tampered = body.replace("status", "forget")
    status, _ = await user.post(tampered, "application/x-www-form-urlencoded", stamp, signed)
    assert status == 401
    # Replayed as it was, but six minutes late: refused too.
    status, _ = await user.post(body, "application/x-www-form-urlencoded", stamp - 360)
    assert status == 401
    assert [c.method for c in slack.calls if c.method != "auth.test"] == []


async def test_the_last_screen_submitted_twice_changes_nothing_twice(user, slack, bot):
    view = await open_modal(user, slack)
    while True:
        _, body = await user.submit(view, for_view(view, COACHING))
        if body["view"].get("callback_id") == "result":
            break
        view = body["view"]
    _, again = await user.submit(view, for_view(view, COACHING))
    assert again["view"]["callback_id"] == "result"
    await slack.wait_for("chat.postMessage", channel="DU1")
    assert len(await bot.store.responses("U1")) == 1
    assert len(slack.called("chat.postMessage", channel="DU1")) == 1


async def test_a_dropped_connection_gets_a_kind_word_and_the_bot_keeps_serving(user, slack):
    slack.fail("views.open", drop=True, times=3)  # outlasts the client's own retries
    await user.command("")
    reply = (await slack.wait_for("response_url"))[-1]
    assert "Nothing you entered is lost" in reply["text"]
    _, help_ = await user.command("help")
    assert "/devpath status" in help_["text"]


@pytest.mark.parametrize("error", ["invalid_auth", "account_inactive"])
async def test_when_the_result_dm_fails_the_result_is_still_shown_and_kept(user, slack, bot, error):
    slack.fail("chat.postMessage", error, where={"channel": "DU1"})
    body = await walk(user, slack, MENTORING)
    assert "Mentoring fits you now" in json.dumps(body["view"])
    assert await bot.store.latest_response("U1") is not None


async def test_a_rate_limit_on_opening_the_modal_waits_and_opens_it(user, slack):
    slack.fail("views.open", status=429, headers={"Retry-After": "0"})
    await user.command("")
    opened = await slack.wait_for("views.open", 2)
    assert len(opened) == 2 and slack.called("response_url") == []


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel"])
async def test_a_share_slack_refuses_is_explained(user, slack, error):
    slack.fail("chat.postMessage", error, where={"channel": "C1"})
    await walk(user, slack, MENTORING, share=True)
    dms = await slack.wait_for("chat.postMessage", 2, channel="DU1")
    assert "could not post your result" in dms[-1]["text"]


async def test_an_unreachable_mentor_lapses_the_request_and_the_mentee_hears(
    user, slack, bot, pool
):
    slack.fail("conversations.open", "user_not_found", where={"users": "U2"})
    result = (await walk(user, slack, MENTORING))["view"]
    block = next(b for b in result["blocks"] if b.get("block_id") == "match_U2")
    await user.click("request_intro", "match_U2", value=block["accessory"]["value"], view=result)
    request = (await slack.wait_for("views.push"))[-1]["view"]
    await user.submit(request, {"shares": ["needs"]})
    told = (await slack.wait_for("chat.postMessage", 2, channel="DU1"))[-1]
    assert "lapsed" in told["text"]
    assert (await bot.store.intros_of("U1"))[0].state == "expired"


@pytest.mark.parametrize(
    ("send", "answer"),
    [
        (lambda person: person.command("mentors"), {}),
        (lambda person: person.command("mentor add"), {}),
        (lambda person: person.command("stats"), {}),
        (
            lambda person: person.click("pool_open", "admin_actions", message=True),
            {"channel": "DU1"},
        ),
        (lambda person: person.click("pool_add_mentor", "x", message=True), {"channel": "DU1"}),
        (lambda person: person.click("pool_page_next", "pager", value="2", message=True), None),
    ],
    ids=[
        "/devpath mentors",
        "/devpath mentor add",
        "/devpath stats",
        "Manage the pool",
        "Add mentor",
        "next page",
    ],
)
async def test_a_non_admin_is_refused_every_admin_action(user, slack, people, send, answer):
    status, _ = await send(user)
    assert status == 200
    if answer is not None:
        method = "chat.postMessage" if answer else "response_url"
        said = await slack.wait_for(method, **answer)
        assert "Only program admins" in said[-1]["text"]
    assert slack.called("views.open") == [] and slack.called("views.update") == []


async def test_logs_hold_no_tokens_secrets_or_free_text(user, slack, bot, pool, caplog):
    # The app is built already, as in production; nothing here quiets the Slack libraries.
    caplog.set_level(logging.INFO)
    result = (await walk(user, slack, MENTORING))["view"]
    await ask(user, slack, result, "U2", note="PRIVATE-WORRY about my manager")
    await user.post(
        "tampered=PRIVATE-BODY", "application/x-www-form-urlencoded", signature="v0=" + "0" * 64
    )
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "request kind=view_submission name=intro_request user=U1 status=200" in text
    for secret in ("PRIVATE-WORRY", "PRIVATE-BODY", "xoxb-test", SIGNING_SECRET):
        assert secret not in text


async def test_a_name_or_bio_someone_typed_never_pings(user, slack, bot, people):
    slack.add_user("UEVIL", real_name="<!channel> Eve", tz="Europe/London")
    admin = user.as_user(ADMIN)
    await add(admin, slack, mentor="UEVIL", bio="Ask me <@U1> & <!here>")
    result = (await walk(user, slack, MENTORING))["view"]
    await ask(user, slack, result, "UEVIL")
    await user.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="Ev7")
    home = (await slack.wait_for("views.publish"))[-1]["view"]
    sent = json.dumps([result, home, *slack.called("chat.postMessage")])
    assert "&lt;!channel&gt; Eve" in sent and "&lt;!here&gt;" in sent
    assert "<!channel>" not in sent and "<!here>" not in sent
