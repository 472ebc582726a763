"""A mentor's own side: someone offers to mentor, an admin decides; a mentor edits their
profile, goes away and comes back by themselves; a request's I'm full and Away until…"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.domain.mentor_side import nomination_key
from bot.flows import mentors
from tests.answers import MENTORING
from tests.listeners.test_intros import ask, open_home, text_of
from tests.listeners.test_pool import ADMIN
from tests.listeners.test_questionnaire import walk

JOIN = {
    "fields": ["engineering"],
    "topics": ["career_transition", "networking"],
    "seniority": "senior",
    "capacity": "2",
    "bio": "Platform engineer. I answer <!channel> questions too.",
}
LIN = "U4"


@pytest.fixture
def lin(user, slack, people):
    slack.add_user(LIN, real_name="Lin Chen", tz="Asia/Tokyo")
    return user.as_user(LIN)


async def open_view(person, slack, text: str) -> dict:
    before = len(slack.called("views.open"))
    await person.command(text)
    return (await slack.wait_for("views.open", before + 1))[-1]["view"]


async def nominate(person, slack, **changes) -> dict:
    view = await open_view(person, slack, "mentor join")
    status, body = await person.submit(view, {**JOIN, **changes})
    assert status == 200
    return body


def buttons(message: dict) -> dict[str, dict]:
    found = {}
    for block in message.get("blocks", []):
        if block["type"] == "actions":
            found.update({e["action_id"]: e for e in block["elements"]})
    return found


async def admin_dm(slack, count: int = 1) -> dict:
    return (await slack.wait_for("chat.postMessage", count, channel=f"D{ADMIN}"))[-1]


async def test_someone_nominates_themselves_and_an_admin_approves(user, slack, bot, pool, lin):
    join = await open_view(lin, slack, "mentor join")
    assert join["title"]["text"] == "Join the mentor pool"
    assert "mentor" not in [b.get("block_id") for b in join["blocks"]]  # no user picker: you
    _, body = await lin.submit(join, {**JOIN, "capacity": "11"})
    assert body["response_action"] == "errors" and "1 to 10" in body["errors"]["capacity"]
    _, body = await lin.submit(join, {**JOIN, "capacity": "two", "topics": []})
    assert set(body["errors"]) == {"capacity", "topics"}
    assert await bot.store.get_mentor(LIN) is None

    _, body = await lin.submit(join, JOIN)
    assert "Nomination sent" in text_of(body["view"])
    nominee = await bot.store.get_mentor(LIN)
    assert nominee.status == "nominated" and nominee.nominated_at == bot.clock()
    assert (nominee.name, nominee.timezone, nominee.capacity) == ("Lin Chen", "Asia/Tokyo", 2)
    dm = await admin_dm(slack)
    assert "<@U4> nominated themselves" in dm["text"]
    assert "&lt;!channel&gt;" in text_of(dm) and "<!channel>" not in text_of(dm)
    approve = buttons(dm)["nomination_approve"]

    # Not offered to a mentee before an admin approves.
    result = (await walk(user, slack, MENTORING))["view"]
    assert "match_U2" in text_of(result) and "match_U4" not in text_of(result)

    home = await open_home(user.as_user(ADMIN), slack, "EvN1")
    assert "Mentor nominations" in text_of(home) and "nominee_U4" in text_of(home)

    # A crafted approval from someone who is no admin changes nothing.
    await user.click(approve["action_id"], "decide_U4", value=approve["value"], message=True)
    refusal = (await slack.wait_for("response_url"))[-1]
    assert "Only program admins" in refusal["text"]
    assert (await bot.store.get_mentor(LIN)).status == "nominated"
    assert slack.called("chat.postMessage", channel="DU4") == []

    admin = user.as_user(ADMIN)
    await admin.click(approve["action_id"], "decide_U4", value=approve["value"], message=True)
    assert (await bot.store.get_mentor(LIN)).status == "pool"
    assert (await bot.store.audit_log(1))[0]["what"] == "approved Lin Chen's nomination"
    welcome = (await slack.wait_for("chat.postMessage", channel="DU4"))[-1]
    assert "Welcome to the mentor pool" in welcome["text"] and "/devpath mentor" in welcome["text"]
    copy = (await slack.wait_for("chat.update", channel=f"D{ADMIN}"))[-1]
    assert "approved by <@UADMIN>" in copy["text"] and "nomination_approve" not in text_of(copy)

    # A second click, or a second admin, is told who decided; nothing happens twice.
    await user.as_user("UOWNER").click(
        approve["action_id"], "decide_U4", value=approve["value"], message=True
    )
    late = (await slack.wait_for("response_url", 2))[-1]
    assert "already approved by <@UADMIN>" in late["text"]
    assert len(slack.called("chat.postMessage", channel="DU4")) == 1
    home = await open_home(admin, slack, "EvN2")
    assert "Mentor nominations" not in text_of(home)


async def test_a_declined_nomination_reaches_the_person_kindly(user, slack, bot, people, lin):
    await nominate(lin, slack)
    dm = await admin_dm(slack)
    decline = buttons(dm)["nomination_decline"]
    await user.click(decline["action_id"], "decide_U4", value=decline["value"], message=True)
    assert "Only program admins" in (await slack.wait_for("response_url"))[-1]["text"]

    admin = user.as_user(ADMIN)
    before = len(slack.called("views.open"))
    await admin.click(decline["action_id"], "decide_U4", value=decline["value"], message=True)
    why = (await slack.wait_for("views.open", before + 1))[-1]["view"]
    assert why["callback_id"] == "nomination_decline" and "Lin Chen" in text_of(why)
    _, body = await admin.submit(why, {"reason": "  "})
    assert body["response_action"] == "errors" and "reason" in body["errors"]
    # Someone else replaying the admin's modal is refused and changes nothing.
    _, body = await user.submit(why, {"reason": "No."})
    assert "Only program admins" in text_of(body)
    assert (await bot.store.get_mentor(LIN)).status == "nominated"

    _, body = await admin.submit(
        why, {"reason": "We have enough <!channel> mentors in Engineering"}
    )
    assert body == ""  # the modal closes
    assert await bot.store.get_mentor(LIN) is None
    told = (await slack.wait_for("chat.postMessage", channel="DU4"))[-1]
    assert "Thank you for offering to mentor" in told["text"]
    assert "&lt;!channel&gt; mentors in Engineering" in told["text"]
    assert "not about you" in told["text"] and "/devpath mentor join" in told["text"]
    copy = (await slack.wait_for("chat.update", channel=f"D{ADMIN}"))[-1]
    assert "declined by <@UADMIN>" in copy["text"]

    approve = buttons(dm)["nomination_approve"]
    await admin.click(approve["action_id"], "decide_U4", value=approve["value"], message=True)
    late = [r["text"] for r in slack.called("response_url")]
    assert "This nomination was already declined by <@UADMIN>." in late
    assert await bot.store.get_mentor(LIN) is None

    # They may nominate themselves again; the old message's buttons do not decide the new one.
    bot.clock.advance(days=30)
    await nominate(lin, slack)
    await admin.click(approve["action_id"], "decide_U4", value=approve["value"], message=True)
    assert (await bot.store.get_mentor(LIN)).status == "nominated"


async def test_a_nominee_sees_and_changes_their_nomination(user, slack, bot, pool, lin):
    await user.as_user("U2").command("mentor join")
    reply = (await slack.wait_for("response_url"))[-1]
    assert "already in the mentor pool" in reply["text"] and "/devpath mentor" in reply["text"]

    await user.command("mentor")
    assert "/devpath mentor join" in (await slack.wait_for("response_url", 2))[-1]["text"]

    await nominate(lin, slack)
    await admin_dm(slack)
    again = await open_view(lin, slack, "mentor join")
    assert again["title"]["text"] == "Your nomination"
    assert "waiting for a program admin" in text_of(again)
    capacity = next(b for b in again["blocks"] if b["block_id"] == "capacity")
    assert capacity["element"]["initial_value"] == "2"
    _, body = await lin.submit(again, {**JOIN, "capacity": "3"})
    assert "Your nomination is changed" in text_of(body["view"])
    changed = await bot.store.get_mentor(LIN)
    assert changed.status == "nominated" and changed.capacity == 3
    copy = (await slack.wait_for("chat.update", channel=f"D{ADMIN}"))[-1]
    assert "0 of 3 mentees" in text_of(copy) and "nomination_approve" in text_of(copy)

    await lin.command("mentor")
    assert "waiting for a program admin" in slack.called("response_url")[-1]["text"]


async def mentor_request(user, slack, mentee: str = "U1", mentor: str = "U2") -> dict:
    person = user.as_user(mentee)
    result = (await walk(person, slack, MENTORING))["view"]
    return await ask(person, slack, result, mentor)


async def test_a_mentor_goes_away_and_their_requests_go_back_then_they_return(
    user, slack, bot, pool
):
    await mentor_request(user, slack)  # Mia asks Grace
    grace = user.as_user("U2")
    profile = await open_view(grace, slack, "mentor")
    assert profile["callback_id"] == "mentor_profile"
    assert "You are *active* · 0 of 3 mentee places taken" in text_of(profile)
    away = next(b for b in profile["blocks"] if b["block_id"] == "away")
    assert away["element"]["type"] == "datepicker" and "initial_date" not in away["element"]

    same = {**JOIN, "capacity": "3", "status": "active"}
    _, body = await grace.submit(profile, {**same, "away": "2026-11-24"})  # today
    assert body["response_action"] == "errors" and "after today" in body["errors"]["away"]
    _, body = await grace.submit(profile, {**same, "capacity": "0", "away": "2026-12-01"})
    assert set(body["errors"]) == {"capacity"}
    assert (await bot.store.get_mentor("U2")).away_until is None

    _, body = await grace.submit(profile, {**same, "away": "2026-12-01"})
    assert "away until Tuesday 1 December" in text_of(body["view"])
    grace_now = await bot.store.get_mentor("U2")
    # The start of 1 December in New York, where Grace is.
    assert grace_now.away_until == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    assert grace_now.topics == ("career_transition", "networking")
    assert (await bot.store.audit_log(1))[0]["what"] == "Grace Hopper edited their own profile"

    (intro,) = await bot.store.intros_of("U1")
    assert intro.state == "expired"
    told = (await slack.wait_for("chat.postMessage", 2, channel="DU1"))[-1]
    assert "Grace Hopper is away for a while" in told["text"] and "not about you" in told["text"]
    assert "match_U3" in text_of(told) and "match_U2" not in text_of(told)
    copy = (await slack.wait_for("chat.update", channel="DU2"))[-1]
    assert "You are away" in copy["text"]
    reminders = [n for n in await bot.store.nudges_of("U2") if n.kind == "answer_request"]
    assert [n.state for n in reminders] == ["cancelled"]

    # Never offered while away.
    slack.add_user("U5")
    later = (await walk(user.as_user("U5"), slack, MENTORING))["view"]
    assert "match_U2" not in text_of(later)
    again = await open_view(grace, slack, "mentor")
    assert "away until Tuesday 1 December" in text_of(again)
    picker = next(b for b in again["blocks"] if b["block_id"] == "away")["element"]
    assert picker["initial_date"] == "2026-12-01"

    bot.clock.advance(days=6, hours=18, minutes=59)  # 04:59 UTC on the 1st: not yet
    await bot.background.run_due()
    assert (await bot.store.get_mentor("U2")).away_until is not None
    bot.clock.advance(minutes=2)
    await bot.background.run_due()
    await bot.background.run_due()  # a second round does not welcome twice
    assert (await bot.store.get_mentor("U2")).taking
    back = [
        m for m in slack.called("chat.postMessage", channel="DU2") if "Welcome back" in m["text"]
    ]
    assert len(back) == 1 and "offered to mentees again" in back[0]["text"]


async def test_im_full_sets_capacity_to_the_mentees_they_have_and_releases_requests(
    user, slack, bot, pool
):
    for mentee in ("U4", "U5"):
        slack.add_user(mentee)
    first = await mentor_request(user, slack, "U4")
    grace = user.as_user("U2")
    accept = buttons(first)["intro_accept"]
    await grace.click(accept["action_id"], "answer", value=accept["value"], message=True)
    request = await mentor_request(user, slack, "U1")
    await mentor_request(user, slack, "U5")
    full = buttons(request)["intro_full"]

    # Only the mentor of that request may click its buttons.
    await user.as_user("U3").click(full["action_id"], "answer", value=full["value"], message=True)
    assert "not one I can find" in (await slack.wait_for("response_url"))[-1]["text"]

    await grace.click(full["action_id"], "answer", value=full["value"], message=True)
    reply = (await slack.wait_for("response_url", 2))[-1]
    assert "your capacity is now 1" in reply["text"]
    assert (await bot.store.get_mentor("U2")).capacity == 1
    states = {i.mentee_id: i.state for i in await bot.store.intros_of("U2")}
    assert states == {"U4": "accepted", "U1": "expired", "U5": "expired"}
    for mentee in ("U1", "U5"):
        told = (await slack.wait_for("chat.postMessage", channel=f"D{mentee}"))[-1]
        assert "has no room for a new mentee right now" in told["text"]
        assert "match_U2" not in text_of(told)
    assert any("You are full" in u["text"] for u in slack.called("chat.update", channel="DU2"))

    # A double click acts once; a stale Away until… is told kindly.
    await grace.click(full["action_id"], "answer", value=full["value"], message=True)
    assert "already answered this request" in slack.called("response_url")[-1]["text"]
    away = buttons(request)["intro_away"]
    await grace.click(away["action_id"], "answer", value=away["value"], message=True)
    assert "already answered this request" in slack.called("response_url")[-1]["text"]
    assert len(slack.called("chat.postMessage", channel="DU1")) == 2  # result, then the news


async def test_im_full_with_no_mentees_pauses(user, slack, bot, pool):
    request = await mentor_request(user, slack)
    full = buttons(request)["intro_full"]
    await user.as_user("U2").click(full["action_id"], "answer", value=full["value"], message=True)
    assert "you are paused" in (await slack.wait_for("response_url"))[-1]["text"]
    grace = await bot.store.get_mentor("U2")
    assert not grace.active and grace.capacity == 3


async def test_away_until_from_a_request(user, slack, bot, pool):
    slack.add_user("U4")
    request = await mentor_request(user, slack)
    await mentor_request(user, slack, "U4")
    away = buttons(request)["intro_away"]
    grace = user.as_user("U2")
    await grace.click(away["action_id"], "answer", value=away["value"], message=True)
    modal = (await slack.wait_for("views.open"))[-1]["view"]
    assert modal["callback_id"] == "mentor_away"
    _, body = await grace.submit(modal, {"away": "2026-11-20"})
    assert body["response_action"] == "errors" and "after today" in body["errors"]["away"]
    _, body = await grace.submit(modal, {"away": "2026-12-08"})
    assert "You're away" in text_of(body["view"])
    assert (await bot.store.get_mentor("U2")).away_until == datetime(2026, 12, 8, 5, tzinfo=UTC)
    assert {i.state for i in await bot.store.intros_of("U2")} == {"expired"}
    for mentee in ("U1", "U4"):
        told = (await slack.wait_for("chat.postMessage", 2, channel=f"D{mentee}"))[-1]
        assert "is away for a while" in told["text"]
    # The same modal sent again changes nothing twice.
    await grace.submit(modal, {"away": "2026-12-08"})
    assert len(slack.called("chat.postMessage", channel="DU1")) == 2


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_double_clicks_act_once(user, slack, bot, pool, lin):
    await nominate(lin, slack)
    approve = buttons(await admin_dm(slack))["nomination_approve"]
    admins = [user.as_user(ADMIN), user.as_user("UOWNER")]
    await asyncio.gather(
        *(
            a.click(approve["action_id"], "decide_U4", value=approve["value"], message=True)
            for a in admins
        )
    )
    late = (await slack.wait_for("response_url"))[-1]
    assert "already approved by <@" in late["text"]  # who decided, stored with the decision
    assert len(slack.called("chat.postMessage", channel="DU4")) == 1

    request = await mentor_request(user, slack)
    full = buttons(request)["intro_full"]
    grace = user.as_user("U2")
    await asyncio.gather(
        *(
            grace.click(full["action_id"], "answer", value=full["value"], message=True)
            for _ in range(3)
        )
    )
    news = [m for m in slack.called("chat.postMessage", channel="DU1") if "no room" in m["text"]]
    assert len(news) == 1
    assert not (await bot.store.get_mentor("U2")).active


async def test_a_nomination_key_from_elsewhere_decides_nothing(user, slack, bot, pool, lin):
    await nominate(lin, slack)
    nominee = await bot.store.get_mentor(LIN)
    admin = user.as_user(ADMIN)
    for value in ("U2|" + nominee.nominated_at.isoformat(), "U4|2020-01-01T00:00:00+00:00", ""):
        await admin.click("nomination_approve", "decide", value=value, message=True)
    assert (await bot.store.get_mentor(LIN)).status == "nominated"
    assert (await bot.store.get_mentor("U2")).status == "pool"
    await admin.click("nomination_approve", "decide", value=nomination_key(nominee), message=True)
    assert (await bot.store.get_mentor(LIN)).status == "pool"


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_a_nomination_quoting_someone_who_erased_their_data_is_withdrawn(
    user, slack, bot, people, lin
):
    await nominate(lin, slack, bio="My private story")
    dm = await admin_dm(slack)
    (place,) = (await bot.store.person(LIN))["nomination_messages"]
    _, question = await lin.command("forget")
    erase = buttons(question)["forget_confirm"]
    await lin.click("forget_confirm", "forget", value=erase["value"], message=True)
    assert await bot.store.get_mentor(LIN) is None
    withdrawn = [u for u in slack.called("chat.update") if "withdrawn" in u["text"]]
    assert [(u["channel"], u["ts"]) for u in withdrawn] == [(place["channel"], place["ts"])]
    assert "private story" in text_of(dm) and "private story" not in text_of(withdrawn)


async def test_a_release_left_by_a_crash_is_made_by_the_next_round(user, slack, bot, pool):
    await mentor_request(user, slack)
    # Away is stored with its release, and the bot dies before delivering it.
    done = await mentors.set_away(bot.background.deps, "U2", "2026-12-01", "", {}, None)
    assert [e.kind for e in done.effects] == ["mentor_released"]
    assert (await bot.store.intros_of("U1"))[0].state == "pending"
    await bot.background.run_due()
    assert (await bot.store.intros_of("U1"))[0].state == "expired"
    told = (await slack.wait_for("chat.postMessage", 2, channel="DU1"))[-1]
    assert "is away for a while" in told["text"]
    await bot.background.run_due()
    assert len(slack.called("chat.postMessage", channel="DU1")) == 2
