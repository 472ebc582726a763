"""Program admins run the coach roster through modals; nobody else can change it."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.domain.coaching import Coach, is_external_id
from tests.blockkit import assert_valid_view
from tests.listeners.test_pool import ADMIN

SHARED = {
    "areas": ["leadership", "communication_influence"],
    "languages": ["en", "fr"],
    "credentials": "ICF PCC <!here>",
    "capacity": "3",
    "bio": "Coach for new managers. <@U1> says hi.",
    "status": "active",
}
INTERNAL = {**SHARED, "kind": "internal", "coach": "U2"}
EXTERNAL = {
    **SHARED,
    "kind": "external",
    "name": "Zoe <!channel> Park",
    "organisation": "Park & Co",
    "email": "zoe@park.example",
    "booking_url": "https://park.example/book?with=zoe&len=60",
    "timezone": "Europe/Paris",
}


def blocks_of(view: dict) -> list[str]:
    return [b.get("block_id", "") for b in view["blocks"]]


def initial(view: dict, block_id: str) -> object:
    element = next(b for b in view["blocks"] if b.get("block_id") == block_id)["element"]
    return element.get("initial_value", element.get("initial_options", element.get("initial_user")))


async def open_editor(admin, slack) -> dict:
    before = len(slack.called("views.open"))
    status, _ = await admin.command("coach add")
    assert status == 200
    return (await slack.wait_for("views.open", before + 1))[-1]["view"]


async def external_editor(admin, slack, typed: dict | None = None) -> dict:
    """The editor switched to an external coach, with `typed` entered before the switch."""
    editor = await open_editor(admin, slack)
    before = len(slack.called("views.update"))
    await admin.click("coach_kind", "kind", view=editor, answers=typed or {}, selected="external")
    update = (await slack.wait_for("views.update", before + 1))[-1]
    assert update["view_id"] == editor["id"] and update["hash"] == editor["hash"]
    return {**update["view"], "id": editor["id"], "hash": editor["hash"]}


async def test_an_admin_adds_an_internal_coach_whose_name_and_timezone_come_from_slack(
    user, slack, bot, people
):
    admin = user.as_user(ADMIN)
    editor = await open_editor(admin, slack)
    assert editor["callback_id"] == "coach_edit"
    assert "coach" in blocks_of(editor) and "email" not in blocks_of(editor)
    status, body = await admin.submit(editor, INTERNAL)
    assert status == 200 and body["response_action"] == "update"
    assert_valid_view(body["view"])
    saved = json.dumps(body["view"])
    assert "Added to the roster" in saved and "Grace Hopper" in saved
    assert "&lt;!here&gt;" in saved and "<!here>" not in saved  # the credentials cannot ping

    assert await bot.store.coaches() == [
        Coach(
            "U2",
            "internal",
            "Grace Hopper",
            "America/New_York",
            ("leadership", "communication_influence"),
            ("en", "fr"),
            3,
            credentials="ICF PCC <!here>",
            bio=SHARED["bio"],
        )
    ]
    assert (await bot.store.audit_log())[0]["what"] == "added coach Grace Hopper"


async def test_switching_to_an_external_coach_keeps_what_was_typed(user, slack, bot, people):
    admin = user.as_user(ADMIN)
    editor = await external_editor(admin, slack, {"credentials": "EMCC", "capacity": "4"})
    assert {"name", "organisation", "email", "booking_url", "timezone"} <= set(blocks_of(editor))
    assert "coach" not in blocks_of(editor)
    assert initial(editor, "credentials") == "EMCC" and initial(editor, "capacity") == "4"

    status, body = await admin.submit(editor, EXTERNAL)
    assert status == 200 and body["response_action"] == "update"
    saved = json.dumps(body["view"])
    assert "Zoe &lt;!channel&gt; Park" in saved and "<!channel>" not in saved
    assert "<https://park.example/book?with=zoe&amp;len=60|booking page>" in saved

    (zoe,) = await bot.store.coaches()
    assert is_external_id(zoe.id)
    assert (zoe.kind, zoe.name, zoe.timezone) == ("external", "Zoe <!channel> Park", "Europe/Paris")
    assert (zoe.organisation, zoe.email) == ("Park & Co", "zoe@park.example")
    assert zoe.booking_url == EXTERNAL["booking_url"]

    # And back again: the internal form, still with what was typed.
    await admin.click("coach_kind", "kind", view=editor, answers=EXTERNAL, selected="internal")
    back = slack.called("views.update")[-1]["view"]
    assert "coach" in blocks_of(back) and "email" not in blocks_of(back)
    assert initial(back, "bio") == SHARED["bio"]


@pytest.mark.parametrize(
    ("change", "block", "says"),
    [
        ({"email": "zoe at park"}, "email", "not an email address"),
        ({"email": ""}, "email", "Is missing"),
        ({"booking_url": "javascript:alert(1)"}, "booking_url", "not a web address"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Pick their timezone"),
        ({"organisation": " "}, "organisation", "Is missing"),
        ({"name": ""}, "name", "Is missing"),
        ({"capacity": "11"}, "capacity", "1 to 10"),
        ({"areas": []}, "areas", "at least one area"),
        ({"languages": []}, "languages", "at least one language"),
        ({"bio": "x" * 501}, "bio", "at most 500"),
    ],
)
async def test_bad_input_gets_an_inline_error_and_nothing_is_saved(
    user, slack, bot, people, change, block, says
):
    admin = user.as_user(ADMIN)
    _, body = await admin.submit(await external_editor(admin, slack), {**EXTERNAL, **change})
    assert body["response_action"] == "errors"
    assert says in body["errors"][block]
    assert await bot.store.coaches() == []


@pytest.mark.parametrize(
    ("coach", "says"),
    [("UBOT2", "bot: coaches are people"), ("UGONE", "deactivated"), ("UNOBODY", "look")],
)
async def test_an_internal_coach_must_be_a_person_here(user, slack, bot, people, coach, says):
    admin = user.as_user(ADMIN)
    _, body = await admin.submit(await open_editor(admin, slack), {**INTERNAL, "coach": coach})
    assert body["response_action"] == "errors"
    assert says in body["errors"]["coach"] and set(body["errors"]) == {"coach"}
    assert await bot.store.coaches() == []


async def test_a_non_admin_is_refused_at_the_command(user, slack, people):
    for text in ("coach add", "coaches"):
        await user.command(text)
    replies = await slack.wait_for("response_url", 2)
    assert all("Only program admins can change the coach roster" in r["text"] for r in replies)
    assert slack.called("views.open") == []


async def test_a_non_admins_crafted_requests_change_nothing(user, slack, bot, people):
    admin = user.as_user(ADMIN)
    editor = await open_editor(admin, slack)  # a real modal, replayed by someone else
    _, body = await user.submit(editor, INTERNAL)
    assert body["response_action"] == "update"
    assert "Only program admins" in json.dumps(body["view"])
    assert await bot.store.coaches() == []

    await user.click("coach_kind", "kind", view=editor, selected="external")
    await slack.wait_for("chat.postMessage")
    assert slack.called("views.update") == []

    await admin.submit(editor, INTERNAL)
    roster = await open_roster(admin, slack)
    for choice in ("pause:U2", "remove:U2", "edit:U2"):
        await user.click("coach_menu", "c_U2", view=roster, selected=choice)
    await user.click("roster_page_next", "pager", value="2", view=roster)
    await user.click("roster_add_coach", "summary", view=roster)
    await slack.wait_for("chat.postMessage", 6)
    assert all("Only program admins" in m["text"] for m in slack.called("chat.postMessage"))
    assert slack.called("views.push") == [] and slack.called("views.update") == []
    confirm = {
        "id": "V1",
        "type": "modal",
        "callback_id": "coach_remove",
        "private_metadata": json.dumps({"id": "U2", "root": roster["id"]}),
        "blocks": [],
    }
    await user.submit(confirm, {})
    assert (await bot.store.get_coach("U2")).active  # type: ignore[union-attr]


async def open_roster(admin, slack) -> dict:
    before = len(slack.called("views.open"))
    await admin.command("coaches")
    return (await slack.wait_for("views.open", before + 1))[-1]["view"]


async def test_the_roster_edits_pauses_resumes_and_removes(user, slack, bot, people):
    admin = user.as_user(ADMIN)
    await admin.submit(await open_editor(admin, slack), INTERNAL)
    await admin.submit(await external_editor(admin, slack), EXTERNAL)
    (zoe,) = [c for c in await bot.store.coaches() if c.kind == "external"]
    roster = await open_roster(admin, slack)
    text = json.dumps(roster)
    assert "2 coaches" in text and "Grace Hopper" in text and "Park &amp; Co" in text
    assert "added coach Grace Hopper" in text  # the record of admin changes
    assert "<!channel>" not in text and "<@U1>" not in text

    await admin.click("coach_menu", f"c_{zoe.id}", view=roster, selected=f"pause:{zoe.id}")
    refreshed = (await slack.wait_for("views.update", 2))[-1]
    assert refreshed["view_id"] == roster["id"] and "(paused)" in json.dumps(refreshed["view"])
    assert not (await bot.store.get_coach(zoe.id)).active  # type: ignore[union-attr]
    await admin.click("coach_menu", f"c_{zoe.id}", view=roster, selected=f"resume:{zoe.id}")
    await slack.wait_for("views.update", 3)
    assert (await bot.store.get_coach(zoe.id)).active  # type: ignore[union-attr]

    await admin.click("coach_menu", f"c_{zoe.id}", view=roster, selected=f"edit:{zoe.id}")
    editor = (await slack.wait_for("views.push"))[-1]["view"]
    assert "kind" not in blocks_of(editor)  # an existing coach keeps their kind
    assert initial(editor, "email") == "zoe@park.example"
    status, body = await admin.submit(editor, {**EXTERNAL, "capacity": "5"})
    assert (status, body) == (200, "")  # an empty ack closes the editor, back to the roster
    await slack.wait_for("views.update", 4)
    assert (await bot.store.get_coach(zoe.id)).capacity == 5  # type: ignore[union-attr]
    assert len(await bot.store.coaches()) == 2  # the same coach, edited

    await admin.click("coach_menu", "c_U2", view=roster, selected="edit:U2")
    editor = (await slack.wait_for("views.push", 2))[-1]["view"]
    assert "coach" not in blocks_of(editor) and "Grace Hopper" in json.dumps(editor)
    await admin.submit(editor, {**SHARED, "status": "paused"})
    await slack.wait_for("views.update", 5)
    assert not (await bot.store.get_coach("U2")).active  # type: ignore[union-attr]

    await admin.click("coach_menu", "c_U2", view=roster, selected="remove:U2")
    confirm = (await slack.wait_for("views.push", 3))[-1]["view"]
    assert "Remove *Grace Hopper*" in json.dumps(confirm)
    assert await bot.store.get_coach("U2") is not None  # nothing happens before the confirmation
    await admin.submit(confirm, {})
    await slack.wait_for("views.update", 6)
    assert await bot.store.get_coach("U2") is None
    assert "removed coach Grace Hopper" in json.dumps(slack.called("views.update")[-1]["view"])


async def test_an_imported_coach_keeps_a_timezone_the_list_lacks(user, slack, bot, people):
    zoe = Coach("x-ab12cd", "external", "Zoe", "Pacific/Auckland", ("leadership",), ("en",), 2)
    zoe = replace(zoe, organisation="Park & Co", email="zoe@park.example")
    await bot.store.save_coaches([zoe], ADMIN, "imported 1 coach", bot.clock())
    admin = user.as_user(ADMIN)
    roster = await open_roster(admin, slack)
    await admin.click("coach_menu", "c_x-ab12cd", view=roster, selected="edit:x-ab12cd")
    editor = (await slack.wait_for("views.push"))[-1]["view"]
    timezone = next(b for b in editor["blocks"] if b.get("block_id") == "timezone")["element"]
    assert timezone["initial_option"]["value"] == "Pacific/Auckland"
    answers = {**EXTERNAL, "name": "Zoe", "timezone": "Pacific/Auckland", "capacity": "4"}
    assert await admin.submit(editor, answers) == (200, "")
    assert await bot.store.get_coach("x-ab12cd") == replace(
        zoe,
        capacity=4,
        areas=tuple(SHARED["areas"]),
        languages=tuple(SHARED["languages"]),
        credentials=SHARED["credentials"],
        bio=SHARED["bio"],
        booking_url=EXTERNAL["booking_url"],
    )


async def test_a_hundred_coaches_page_within_slacks_limits(user, slack, bot, people, content):
    long = "x" * 200
    coaches = [
        Coach(
            f"x-c{i:04d}",
            "external",
            f"Coach {i:03d} <!here>",
            "Europe/London",
            tuple(a.value for a in content.coaches.areas),
            tuple(c.value for c in content.coaches.languages),
            10,
            credentials=long,
            bio="y" * 500,
            organisation="o" * 100,
            email=f"coach{i}@example.com",
            booking_url="https://example.com/" + "b" * 400,
        )
        for i in range(100)
    ]
    await bot.store.save_coaches(coaches, ADMIN, "imported 100 coaches", bot.clock())
    admin = user.as_user(ADMIN)
    roster = await open_roster(admin, slack)  # the fake checks it against the limits
    assert "Page 1 of 5" in json.dumps(roster)
    await admin.click("roster_page_next", "pager", value="5", view=roster)
    last = (await slack.wait_for("views.update"))[-1]["view"]
    assert "Page 5 of 5" in json.dumps(last) and "Coach 099" in json.dumps(last)

    await admin.click("coach_menu", "c_x-c0099", view=roster, selected="edit:x-c0099")
    assert_valid_view((await slack.wait_for("views.push"))[-1]["view"])
