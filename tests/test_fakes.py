"""The fake Web API refuses what Slack refuses for scopes, so a test cannot pass on a call
the installed app could never make."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes import FakeSlack
from tests.scopes import METHOD_SCOPES, manifest_scopes

Start = Callable[..., Awaitable[tuple[FakeSlack, AsyncWebClient]]]


@pytest.fixture
async def started() -> AsyncIterator[Start]:
    """Starts a fake with the given scopes, and a client of the Web API pointed at it."""
    fakes: list[FakeSlack] = []

    async def start(scopes: Collection[str] | None = None) -> tuple[FakeSlack, AsyncWebClient]:
        fake = FakeSlack(scopes)
        url = await fake.start()
        fakes.append(fake)
        return fake, AsyncWebClient(token="xoxb-test", base_url=url)

    yield start
    for fake in fakes:
        await fake.close()


def test_the_token_holds_the_manifests_scopes() -> None:
    assert FakeSlack().scopes == manifest_scopes()
    assert FakeSlack(scopes=["chat:write"]).scopes == ("chat:write",)


async def test_a_method_without_its_scope_gets_missing_scope(started) -> None:
    fake, client = await started(scopes=["commands", "chat:write"])
    with pytest.raises(SlackApiError) as refused:
        await client.users_info(user="U1")
    assert refused.value.response.data == {
        "ok": False,
        "error": "missing_scope",
        "needed": "users:read",
        "provided": "commands,chat:write",
    }
    # A test that grants fewer scopes on purpose expects refusals: they are not problems.
    assert not fake.problems


async def test_a_method_with_its_scope_or_none_needed_goes_through(started) -> None:
    fake, client = await started(scopes=["chat:write"])
    await client.chat_postMessage(channel="C1", text="hello")
    await client.auth_test()
    home = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
    }
    await client.views_publish(user_id="U1", view=home)
    assert [c.method for c in fake.calls] == ["chat.postMessage", "auth.test", "views.publish"]
    assert not fake.problems


async def test_a_dm_needs_im_write_and_a_group_dm_mpim_write(started) -> None:
    _, client = await started(scopes=["im:write"])
    assert (await client.conversations_open(users="U1"))["channel"]["id"] == "DU1"
    with pytest.raises(SlackApiError) as refused:
        await client.conversations_open(users="U1,U2")
    assert refused.value.response["needed"] == "mpim:write"


async def test_a_scope_the_manifest_does_not_ask_for_is_a_problem(started) -> None:
    fake, client = await started()
    # As if manifest.yml asked for these only: the bot's call can never work once installed.
    fake.manifest_scopes = fake.scopes = ("commands", "chat:write")
    with pytest.raises(SlackApiError) as refused:
        await client.users_info(user="U1")
    assert refused.value.response["error"] == "missing_scope"
    assert fake.problems == ["users.info: manifest.yml does not grant users:read"]


async def test_a_method_nobody_reviewed_is_a_problem(started) -> None:
    fake, client = await started()
    with pytest.raises(SlackApiError) as refused:
        await client.reactions_add(channel="C1", timestamp="1.2", name="tada")
    assert refused.value.response["error"] == "unknown_method"
    assert "reactions.add" not in METHOD_SCOPES
    assert fake.problems == [
        "reactions.add: not in tests/scopes.py; add it with the scopes Slack documents for it"
    ]
