"""Only the installed workspace, and only its own people: another team's or app's requests run
nothing; guests and people from another organisation get a kind word and no mentor names."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from urllib.parse import urlencode

import pytest

from bot.app import build_app
from bot.content import AccessRules, load_content
from bot.deps import Deps
from bot.server import serve
from bot.settings import SettingsError, load_settings
from bot.store.tinydb_store import TinyDBStore
from tests.answers import COACHING, MENTORING
from tests.blockkit import view_problems
from tests.listeners.test_coaching import click, request_coaching
from tests.listeners.test_intros import request_button
from tests.listeners.test_pool import ADMIN
from tests.listeners.test_questionnaire import walk

FOREIGN = "only serves the workspace it is installed in"
GUEST_SAYS = "guest accounts cannot use it"
EXTERNAL_SAYS = "belongs to another organisation"
GUESTS_ALLOWED = replace(load_content(), access=AccessRules(guests_allowed=True))


def others(slack) -> list[str]:
    """The Web API calls the bot made, but for learning who it is."""
    return [c.method for c in slack.calls if c.method != "auth.test"]


async def command_from(user, text: str = "", **changes: str):
    body = {**user.command_body(text), **changes}
    return await user.post(urlencode(body), "application/x-www-form-urlencoded")


async def click_from(user, action_id: str, value: str, team: str = "T1", app: str = "A1"):
    payload = {
        **user._base("block_actions"),
        "team": {"id": team, "domain": "elsewhere"},
        "api_app_id": app,
        "trigger_id": "trigger-x",
        "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value}],
        "response_url": user.fake.response_url,
    }
    return await user.interact(payload)


@pytest.mark.parametrize(
    "changes",
    [{"team_id": "T9"}, {"api_app_id": "A9"}, {"enterprise_id": "E9"}],
    ids=["another team", "another app", "another organisation"],
)
async def test_a_command_from_elsewhere_is_refused_and_runs_nothing(user, slack, bot, changes):
    for text in ("", "status", "forget", "mentors"):
        status, body = await command_from(user, text, **changes)
        assert status == 200
        assert body["response_type"] == "ephemeral" and FOREIGN in body["text"]
    assert others(slack) == []
    assert await bot.store.get_draft("U1") is None


@pytest.mark.parametrize(
    ("team", "app"), [("T9", "A1"), ("T1", "A9")], ids=["another team", "another app"]
)
async def test_a_click_from_elsewhere_changes_nothing(user, slack, bot, people, team, app):
    admin_dm = await request_coaching(user, slack)
    (asked,) = await bot.store.coaching_requests_of("U1")
    before = len(slack.calls)
    status, _ = await click_from(user.as_user(ADMIN), "coaching_approve", asked.id, team, app)
    assert status == 200
    assert [c.method for c in slack.calls[before:]] == []
    assert (await bot.store.get_coaching_request(asked.id)).state == "pending"
    assert admin_dm  # the real admin's own click still works
    await click(user.as_user(ADMIN), admin_dm, "coaching_approve")
    assert (await bot.store.get_coaching_request(asked.id)).state == "approved"


async def test_an_event_from_another_team_runs_nothing_and_is_not_remembered(user, slack):
    home = {"type": "app_home_opened", "user": "U1", "tab": "home"}
    body = {
        "token": "legacy",
        "team_id": "T9",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": "Ev9",
        "event_time": 1,
        "event": home,
    }
    status, _ = await user.post(json.dumps(body), "application/json")
    assert status == 200 and others(slack) == []
    await user.event(home, event_id="Ev9")  # our own event of that id still runs
    await slack.wait_for("views.publish")


async def test_a_guest_is_refused_kindly_and_sees_no_form(user, slack, bot):
    slack.add_user("U1", is_restricted=True)
    _, body = await user.command("")
    assert body["response_type"] == "ephemeral" and GUEST_SAYS in body["text"]
    _, status = await user.command("status")
    assert GUEST_SAYS in status["text"]
    assert slack.called("views.open") == []


@pytest.mark.parametrize("content", [GUESTS_ALLOWED])
async def test_a_guest_gets_the_questionnaire_when_the_content_allows_guests(user, slack, bot):
    slack.add_user("U1", is_restricted=True)
    await user.command("")
    (opened,) = await slack.wait_for("views.open")
    assert opened["view"]["callback_id"] == "questionnaire"


async def test_a_single_channel_guests_home_and_submission_show_no_mentor(user, slack, bot, pool):
    result = (await walk(user, slack, MENTORING))["view"]
    slack.add_user("U1", is_ultra_restricted=True)
    bot.clock.advance(minutes=2)  # past what the bot remembers of the person
    await user.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="Ev5")
    home = (await slack.wait_for("views.publish"))[-1]["view"]
    assert GUEST_SAYS in json.dumps(home) and "Grace Hopper" not in json.dumps(home)
    _, body = await user.submit({**result, "callback_id": "intro_request"}, {})
    assert body["response_action"] == "update" and GUEST_SAYS in json.dumps(body["view"])


async def test_a_slack_connect_strangers_request_intro_is_refused_and_the_mentor_hears_nothing(
    user, slack, bot, pool
):
    result = (await walk(user, slack, MENTORING))["view"]
    button = request_button(result, "U2")
    slack.add_user("UEXT", real_name="Erin Elsewhere", is_stranger=True, team_id="T2")
    stranger = user.as_user("UEXT")
    await stranger.click(button["action_id"], "match_U2", value=button["value"], view=result)
    told = await slack.wait_for("chat.postMessage", channel="DUEXT")
    assert EXTERNAL_SAYS in told[-1]["text"]
    assert slack.called("views.push") == []
    assert slack.called("chat.postMessage", channel="DU2") == []
    assert await bot.store.intros_of("UEXT") == []


@pytest.mark.parametrize(
    "elsewhere",
    [{"is_stranger": True, "team_id": "T2"}, {"team_id": "T2"}],
    ids=["a stranger", "another team"],
)
async def test_another_organisations_admin_is_no_admin_here(user, slack, bot, people, elsewhere):
    admin_dm = await request_coaching(user, slack)
    (asked,) = await bot.store.coaching_requests_of("U1")
    slack.add_user("UTHEIRS", is_admin=True, is_owner=True, **elsewhere)
    theirs = user.as_user("UTHEIRS")
    opened = len(slack.called("views.open"))
    _, body = await theirs.command("mentors")
    assert EXTERNAL_SAYS in body["text"]
    await click(theirs, admin_dm, "coaching_approve")
    assert EXTERNAL_SAYS in slack.called("response_url")[-1]["text"]
    assert (await bot.store.get_coaching_request(asked.id)).state == "pending"
    assert len(slack.called("views.open")) == opened


@pytest.mark.parametrize("content", [GUESTS_ALLOWED])
async def test_a_guest_or_stranger_named_in_devpath_admins_is_no_admin(user, slack, bot, people):
    slack.add_user(ADMIN, is_restricted=True)  # a guest, allowed to use devpath as a guest
    admin = user.as_user(ADMIN)
    await admin.command("mentors")
    assert "Only program admins" in slack.called("response_url")[-1]["text"]
    slack.add_user(ADMIN, is_stranger=True)
    bot.clock.advance(minutes=2)
    _, body = await admin.command("mentors")
    assert EXTERNAL_SAYS in body["text"]
    assert slack.called("views.open") == []


async def test_a_person_is_looked_up_once_a_minute_not_on_every_click(user, slack, bot):
    await user.command("help")
    learned = len(slack.called("auth.test"))
    for _ in range(3):
        await user.command("help")
    assert len(slack.called("users.info", user="U1")) == 1
    bot.clock.advance(seconds=61)
    await user.command("help")
    assert len(slack.called("users.info", user="U1")) == 2
    assert len(slack.called("auth.test")) == learned  # who the bot is: asked once, not per request


async def test_when_slack_cannot_say_who_someone_is_nothing_is_shown_and_the_next_try_asks(
    user, slack, bot
):
    slack.fail("users.info", "fatal_error")
    _, body = await user.command("")
    assert "try again in a minute" in body["text"] and slack.called("views.open") == []
    _, body = await user.command("")
    assert slack.called("views.open")


async def test_a_coaching_result_is_refused_to_a_guest_before_any_coach_shows(user, slack, bot):
    slack.add_user("U1", is_restricted=True)
    view = {"type": "modal", "callback_id": "questionnaire", "blocks": []}
    _, body = await user.submit(view, COACHING)
    assert body["response_action"] == "update" and GUEST_SAYS in json.dumps(body["view"])
    assert view_problems(body["view"]) == []
    assert await bot.store.responses("U1") == []


async def test_the_bot_learns_its_workspace_at_start_and_a_refused_token_is_one_line(
    env, content, slack, tmp_path
):
    settings = load_settings(env)
    store = TinyDBStore.open(settings.db_path)
    try:
        deps = Deps(settings, content, store)
        slack.fail("auth.test", "invalid_auth")
        stop = asyncio.Event()
        stop.set()  # had it started serving, it would stop at once
        with pytest.raises(SettingsError, match=r"^SLACK_BOT_TOKEN: .*\(invalid_auth\)$"):
            await serve(build_app(deps), deps, stop)
        assert [c.method for c in slack.calls] == ["auth.test"]  # before anything else
    finally:
        await store.aclose()
