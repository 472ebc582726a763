"""A person's data is theirs: a copy on request, and erased for good on request."""

from __future__ import annotations

import json
import logging

from tests.answers import MENTORING
from tests.listeners.test_intros import ask, request_button, text_of
from tests.listeners.test_nudges import button
from tests.listeners.test_pool import ADMIN
from tests.listeners.test_questionnaire import walk


def files_bytes(bot) -> bytes:
    folder = bot.db_path.parent
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.name.startswith(bot.db_path.name))


async def story(user, slack, bot) -> None:
    """Mia answers, asks Grace for an intro with a note, Grace accepts, nudges are planned."""
    result = (await walk(user, slack, MENTORING))["view"]
    request = await ask(user, slack, result, "U2", note="Mia's private worries")
    accept = button(request, "intro_accept")
    await user.as_user("U2").click("intro_accept", "answer", value=accept["value"], message=True)
    await slack.wait_for("conversations.open", users="U1,U2")
    await user.command("nudges off")


def exported_as_messages(slack) -> list[dict]:
    return [
        p for p in slack.called("chat.postMessage", channel="DU1") if "as JSON (part" in p["text"]
    ]


async def test_export_arrives_as_a_file_in_the_persons_dm(user, slack, bot, pool):
    await story(user, slack, bot)
    _, body = await user.command("export")
    assert "by DM" in body["text"]
    (done,) = await slack.wait_for("files.completeUploadExternal")

    # Shared in the DM the bot opened with Mia (the fake names it D + her ID), not left private.
    methods = [c.method for c in slack.calls]
    upload = methods.index("files.getUploadURLExternal")
    opened = [c for c in slack.calls[:upload] if c.method == "conversations.open"][-1]
    assert opened.body["users"] == "U1"
    assert done["channel_id"] == "DU1"

    # The bytes Slack received are the file the DM shares: Mia's data, all of it.
    ((file_id, content),) = slack.uploads.items()
    assert [f["id"] for f in json.loads(done["files"])] == [file_id]
    (asked,) = slack.called("files.getUploadURLExternal")
    assert int(asked["length"]) == len(content)
    stored = {"user_id": "U1", **await bot.store.export("U1")}
    data = json.loads(content)
    assert data == json.loads(json.dumps(stored))
    assert len(data["questionnaires"]) == 1 and len(data["intros"]) == 1
    assert data["intros"][0]["note"] == "Mia's private worries"
    assert data["settings"][0]["stopped"] is True
    assert not exported_as_messages(slack)


async def test_without_files_write_the_export_arrives_as_messages(user, slack, bot, pool, caplog):
    # An app installed from a manifest without files:write, as every install was before.
    slack.scopes = tuple(s for s in slack.manifest_scopes if s != "files:write")
    caplog.set_level(logging.INFO, logger="bot.flows.privacy")
    await story(user, slack, bot)
    await user.command("export")

    await slack.wait_until(lambda: bool(exported_as_messages(slack)))
    joined = "".join(
        b["text"]["text"].strip("`") for p in exported_as_messages(slack) for b in p["blocks"][1:]
    )
    assert json.loads(joined)["questionnaires"][0]["user_id"] == "U1"
    # Slack refused the upload for its scope, and nothing was half sent.
    assert slack.called("files.getUploadURLExternal")
    assert "(missing_scope)" in caplog.text
    assert not slack.uploads and not slack.called("files.completeUploadExternal")


async def test_forget_asks_first_then_erases_every_trace(user, slack, bot, pool):
    await story(user, slack, bot)
    assert b"U1" in files_bytes(bot)
    _, question = await user.command("forget")
    erase = button(question, "forget_confirm")
    assert erase["style"] == "danger" and "confirm" in erase
    assert b"U1" in files_bytes(bot)  # nothing happens before the confirmation

    await user.click("forget_confirm", "forget", value=erase["value"], message=True)
    done = (await slack.wait_for("response_url"))[-1]
    assert "erased everything" in done["text"] and done["replace_original"]
    assert b"U1" not in files_bytes(bot)  # not in the snapshot, not in the journal
    assert await bot.store.latest_response("U1") is None
    # Grace's side of the intro is gone with it: no check-ins about a mentee who left.
    assert not [n for n in await bot.store.nudges_of("U2") if n.state == "scheduled"]


async def test_a_mentor_who_forgets_leaves_the_pool_and_admins_are_told(user, slack, bot, pool):
    grace = user.as_user("U2")
    _, question = await grace.command("forget")
    erase = button(question, "forget_confirm")
    await grace.click("forget_confirm", "forget", value=erase["value"], message=True)
    await slack.wait_for("response_url")
    assert await bot.store.get_mentor("U2") is None
    told = (await slack.wait_for("chat.postMessage", channel=f"D{ADMIN}"))[-1]
    assert "Grace Hopper, left the pool" in told["text"]
    assert b"U2" not in files_bytes(bot)
    assert "Grace Hopper" not in json.dumps(await bot.store.audit_log())


async def test_nobody_can_erase_someone_else(user, slack, bot, pool):
    await walk(user, slack, MENTORING)
    await user.as_user("U3").click("forget_confirm", "forget", value="U1", message=True)
    reply = (await slack.wait_for("response_url"))[-1]
    assert "Only the person" in reply["text"]
    assert await bot.store.latest_response("U1") is not None


async def test_keep_it_erases_nothing(user, slack, bot):
    await walk(user, slack, MENTORING)
    await user.click("forget_cancel", "forget", message=True)
    assert "Nothing was erased" in (await slack.wait_for("response_url"))[-1]["text"]
    assert await bot.store.latest_response("U1") is not None


async def erase(person, slack) -> None:
    _, question = await person.command("forget")
    erase = button(question, "forget_confirm")
    before = len(slack.called("response_url"))
    await person.click("forget_confirm", "forget", value=erase["value"], message=True)
    await slack.wait_for("response_url", before + 1)


async def test_a_decline_holds_after_the_mentee_erases_their_data(user, slack, bot, pool):
    result = (await walk(user, slack, MENTORING))["view"]
    request = await ask(user, slack, result, "U2")
    decline = button(request, "intro_decline")
    await user.as_user("U2").click("intro_decline", "answer", value=decline["value"], message=True)
    await slack.wait_for("chat.postMessage", 2, channel="DU1")
    await erase(user, slack)
    assert await bot.store.intros_of("U1") == []

    # Back again: Grace is not offered, and the old button is refused like a decline.
    again = (await walk(user, slack, MENTORING))["view"]
    assert "match_U2" not in text_of(again)
    asked = request_button(result, "U2")
    before = len(slack.called("views.push"))
    await user.click(asked["action_id"], "match_U2", value=asked["value"], view=again)
    notice = (await slack.wait_for("views.push", before + 1))[-1]["view"]
    assert "could not take this on" in text_of(notice)
    assert await bot.store.intros_of("U2") == []
    assert "U1" not in json.dumps((await bot.store.dump())["tombstones"])


async def test_ask_erase_and_ask_again_stops_at_the_limit(user, slack, bot, pool):
    # conversations/matching.yml: ask_limit 2 within ask_window 7d
    for _ in range(2):
        result = (await walk(user, slack, MENTORING))["view"]
        await ask(user, slack, result, "U2")
        await erase(user, slack)
    result = (await walk(user, slack, MENTORING))["view"]
    asked = request_button(result, "U2")
    before = len(slack.called("views.push"))
    await user.click(asked["action_id"], "match_U2", value=asked["value"], view=result)
    notice = (await slack.wait_for("views.push", before + 1))[-1]["view"]
    assert "asked them often lately" in text_of(notice)
    assert await bot.store.intros_of("U2") == []


async def test_messages_quoting_someone_who_erased_their_data_are_withdrawn(user, slack, bot, pool):
    result = (await walk(user, slack, MENTORING))["view"]
    await ask(user, slack, result, "U2", note="Mia's private worries")
    (intro,) = await bot.store.intros_of("U1")
    copy = intro.mentor_message
    await user.click("open_request_post", "open_request", view=result)
    await slack.wait_for("chat.postMessage", channel="CMATCH")
    (posted,) = await bot.store.open_requests_of("U1")

    await erase(user, slack)
    updates = await slack.wait_for("chat.update", 2)
    withdrawn = {(u["channel"], u["ts"]): u for u in updates if "withdrawn" in u["text"]}
    assert set(withdrawn) == {(copy["channel"], copy["ts"]), ("CMATCH", posted["ts"])}
    for update in withdrawn.values():
        assert "private worries" not in text_of(update) and "U1" not in text_of(update)
    assert await bot.store.unfinished_effects() == []  # made once, then gone


async def test_a_withdrawal_slack_dropped_goes_with_the_next_round(user, slack, bot, pool):
    result = (await walk(user, slack, MENTORING))["view"]
    await ask(user, slack, result, "U2", note="Mia's private worries")
    (intro,) = await bot.store.intros_of("U1")
    slack.fail("chat.update", drop=True, times=3, where={"channel": "DU2"})
    await erase(user, slack)
    tried = len([u for u in slack.called("chat.update") if "withdrawn" in u["text"]])
    (left,) = await bot.store.unfinished_effects()  # dropped each time: still to be made
    assert left.kind == "withdrawn" and "U1" not in json.dumps(dict(left.data))

    bot.clock.advance(minutes=11)
    await bot.background.run_due()
    await bot.background.run_due()
    *_, done = [u for u in slack.called("chat.update") if "withdrawn" in u["text"]]
    assert len(slack.called("chat.update")) == tried + 1  # made once more, then no more
    assert done["ts"] == intro.mentor_message["ts"]
    assert await bot.store.unfinished_effects() == []


async def test_a_shared_result_is_withdrawn_when_its_person_erases_their_data(
    user, slack, bot, pool
):
    await walk(user, slack, MENTORING, share=True)
    await slack.settle()
    (share,) = [p for p in slack.called("chat.postMessage") if not p["channel"].startswith("D")]
    (where,) = (await bot.store.person("U1"))["shared"]
    assert where["channel"] == share["channel"]
    await erase(user, slack)
    (update,) = await slack.wait_for("chat.update")
    assert (update["channel"], update["ts"]) == (where["channel"], where["ts"])
    assert "withdrawn" in update["text"] and "U1" not in text_of(update)
