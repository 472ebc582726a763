"""Program admins run the mentor pool through modals; nobody else can change it."""

from __future__ import annotations

import json

import pytest

from bot.domain.matching import Mentor
from tests.blockkit import assert_valid_view

ADMIN = "UADMIN"  # in DEVPATH_ADMINS (see conftest)
GOOD = {
    "mentor": "U2",
    "fields": ["engineering", "data"],
    "topics": ["career_transition", "networking"],
    "seniority": "senior",
    "capacity": "3",
    "bio": "Twenty years of shipping software. Ask me about <!channel> moves.",
    "status": "active",
}


async def open_editor(admin, slack) -> dict:
    status, _ = await admin.command("mentor add")
    assert status == 200
    return (await slack.wait_for("views.open"))[-1]["view"]


async def test_an_admin_adds_a_mentor_whose_name_and_timezone_come_from_slack(
    user, slack, bot, people
):
    admin = user.as_user(ADMIN)
    editor = await open_editor(admin, slack)
    assert editor["callback_id"] == "mentor_edit"
    status, body = await admin.submit(editor, GOOD)
    assert status == 200
    assert body["response_action"] == "update"
    assert_valid_view(body["view"])
    saved = json.dumps(body["view"])
    assert "Added to the pool" in saved and "Grace Hopper" in saved
    assert "&lt;!channel&gt;" not in saved  # the bio is not echoed here; the name is escaped

    (mentor,) = await bot.store.mentors()
    assert mentor == Mentor(
        "U2",
        "Grace Hopper",
        "America/New_York",
        ("engineering", "data"),
        ("career_transition", "networking"),
        "senior",
        3,
        GOOD["bio"],
        True,
    )


async def test_adding_someone_already_in_the_pool_edits_them(user, slack, bot, people):
    admin = user.as_user(ADMIN)
    await admin.submit(await open_editor(admin, slack), GOOD)
    await admin.command("mentor add")
    editor = (await slack.wait_for("views.open", 2))[-1]["view"]
    _, body = await admin.submit(editor, {**GOOD, "capacity": "5"})
    assert "Updated in the pool" in json.dumps(body["view"])
    (mentor,) = await bot.store.mentors()
    assert mentor.capacity == 5


@pytest.mark.parametrize(
    ("change", "block", "says"),
    [
        ({"mentor": "UBOT2"}, "mentor", "bot"),
        ({"mentor": "UGONE"}, "mentor", "deactivated"),
        ({"mentor": "UNOBODY"}, "mentor", "could not look this person up"),
        ({"capacity": "11"}, "capacity", "1 to 10"),
        ({"capacity": "two"}, "capacity", "1 to 10"),
        ({"topics": []}, "topics", "at least one topic"),
        ({"fields": []}, "fields", "at least one field"),
        ({"bio": "x" * 501}, "bio", "at most 500"),
    ],
)
async def test_bad_input_gets_an_inline_error_and_nothing_is_saved(
    user, slack, bot, people, change, block, says
):
    admin = user.as_user(ADMIN)
    _, body = await admin.submit(await open_editor(admin, slack), {**GOOD, **change})
    assert body["response_action"] == "errors"
    assert says in body["errors"][block]
    assert await bot.store.mentors() == []


async def test_a_workspace_owner_is_an_admin_too(user, slack, bot, people):
    owner = user.as_user("UOWNER")
    _, body = await owner.submit(await open_editor(owner, slack), GOOD)
    assert body["response_action"] == "update"
    assert len(await bot.store.mentors()) == 1


async def test_a_non_admin_is_refused_at_the_command(user, slack, people):
    status, _ = await user.command("mentor add")
    assert status == 200
    reply = (await slack.wait_for("response_url"))[-1]
    assert "Only program admins" in reply["text"]
    assert slack.called("views.open") == []


async def test_a_non_admins_crafted_submission_changes_nothing(user, slack, bot, people):
    admin = user.as_user(ADMIN)
    editor = await open_editor(admin, slack)  # a real modal, replayed by someone else
    _, body = await user.submit(editor, GOOD)
    assert body["response_action"] == "errors"
    assert "Only program admins" in body["errors"]["mentor"]
    assert await bot.store.mentors() == []


async def add(admin, slack, **changes) -> None:
    before = len(slack.called("views.open"))
    await admin.command("mentor add")
    editor = (await slack.wait_for("views.open", before + 1))[-1]["view"]
    await admin.submit(editor, {**GOOD, **changes})


async def open_pool(admin, slack) -> dict:
    before = len(slack.called("views.open"))
    await admin.command("mentors")
    return (await slack.wait_for("views.open", before + 1))[-1]["view"]


async def test_the_pool_shows_each_mentor_and_pauses_resumes_removes(user, slack, bot, people):
    admin = user.as_user(ADMIN)
    await add(admin, slack)
    await add(admin, slack, mentor="U3", fields=["design"])
    pool = await open_pool(admin, slack)
    text = json.dumps(pool)
    assert "2 mentors" in text and "Grace Hopper" in text and "Alan Turing" in text
    assert "0 of 3 mentees" in text
    assert "added Grace Hopper" in text  # the record of admin changes

    await admin.click("mentor_menu", "m_U2", view=pool, selected="pause:U2")
    refreshed = (await slack.wait_for("views.update"))[-1]
    assert refreshed["view_id"] == pool["id"]
    assert "(paused)" in json.dumps(refreshed["view"])
    assert not (await bot.store.get_mentor("U2")).active

    await admin.click("mentor_menu", "m_U2", view=pool, selected="resume:U2")
    await slack.wait_for("views.update", 2)
    assert (await bot.store.get_mentor("U2")).active

    await admin.click("mentor_menu", "m_U2", view=pool, selected="remove:U2")
    confirm = (await slack.wait_for("views.push"))[-1]["view"]
    assert "Remove *Grace Hopper*" in json.dumps(confirm)
    assert await bot.store.get_mentor("U2") is not None  # nothing happens before the confirmation
    status, _ = await admin.submit(confirm, {})
    assert status == 200
    await slack.wait_for("views.update", 3)
    assert await bot.store.get_mentor("U2") is None
    assert "removed Grace Hopper" in json.dumps(slack.called("views.update")[-1]["view"])


async def test_edit_from_the_pool_pushes_the_editor_and_refreshes_the_pool(
    user, slack, bot, people
):
    admin = user.as_user(ADMIN)
    await add(admin, slack)
    pool = await open_pool(admin, slack)
    await admin.click("mentor_menu", "m_U2", view=pool, selected="edit:U2")
    editor = (await slack.wait_for("views.push"))[-1]["view"]
    capacity = next(b for b in editor["blocks"] if b["block_id"] == "capacity")
    assert capacity["element"]["initial_value"] == "3"
    status, body = await admin.submit(editor, {**GOOD, "capacity": "4"})
    assert (status, body) == (200, "")  # an empty ack closes the editor, back to the pool
    refreshed = (await slack.wait_for("views.update"))[-1]
    assert refreshed["view_id"] == pool["id"]
    assert "0 of 4 mentees" in json.dumps(refreshed["view"])


async def test_a_non_admin_cannot_use_the_pool_buttons(user, slack, bot, people):
    admin = user.as_user(ADMIN)
    await add(admin, slack)
    pool = await open_pool(admin, slack)
    for choice in ("pause:U2", "remove:U2", "edit:U2"):
        await user.click("mentor_menu", "m_U2", view=pool, selected=choice)
    await slack.wait_for("chat.postMessage", 3)
    assert all("Only program admins" in m["text"] for m in slack.called("chat.postMessage"))
    assert (await bot.store.get_mentor("U2")).active
    assert slack.called("views.push") == []
    confirm = {
        "id": "V1",
        "type": "modal",
        "callback_id": "mentor_remove",
        "private_metadata": json.dumps({"user": "U2", "root": pool["id"]}),
        "blocks": [],
    }
    await user.submit(confirm, {})
    assert await bot.store.get_mentor("U2") is not None


async def test_three_hundred_mentors_page_within_slacks_limits(user, slack, bot, people, content):
    mentors = [
        Mentor(
            f"U{i:04d}",
            f"Mentor {i:03d}",
            "Europe/London",
            ("engineering",),
            ("networking",),
            "mid",
            2,
        )
        for i in range(300)
    ]
    await bot.store.save_mentors(mentors, ADMIN, "imported 300 mentors", bot.clock())
    admin = user.as_user(ADMIN)
    pool = await open_pool(admin, slack)  # the fake checks it against the limits
    assert "Page 1 of 12" in json.dumps(pool)
    await admin.click("pool_page_next", "pager", value="12", view=pool)
    last = (await slack.wait_for("views.update"))[-1]["view"]
    assert "Page 12 of 12" in json.dumps(last) and "Mentor 299" in json.dumps(last)
