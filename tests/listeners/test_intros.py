"""The mentoring story: an admin builds the pool, a mentee is matched, asks, and is introduced."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.answers import COACHING, MENTORING
from tests.listeners.test_pool import ADMIN
from tests.listeners.test_questionnaire import walk


def text_of(thing: dict) -> str:
    return json.dumps(thing, ensure_ascii=False)


def request_button(view: dict, mentor_id: str) -> dict:
    block = next(b for b in view["blocks"] if b.get("block_id") == f"match_{mentor_id}")
    return block["accessory"]


async def ask(user, slack, result: dict, mentor_id: str, note: str = "Hello!") -> dict:
    """Click Request intro in the result, then send the request modal; the mentor's DM back."""
    button = request_button(result, mentor_id)
    before = len(slack.called("views.push"))
    await user.click(button["action_id"], f"match_{mentor_id}", value=button["value"], view=result)
    request = (await slack.wait_for("views.push", before + 1))[-1]["view"]
    status, body = await user.submit(request, {"shares": ["path", "needs"], "note": note})
    assert status == 200
    assert "Request sent" in text_of(body["view"])
    return (await slack.wait_for("chat.postMessage", channel=f"D{mentor_id}"))[-1]


async def test_the_whole_story(user, slack, bot, pool):
    body = await walk(user, slack, MENTORING)
    result = body["view"]
    # The right mentor first, with a reason in the person's words.
    matches = [
        b["block_id"] for b in result["blocks"] if b.get("block_id", "").startswith("match_")
    ]
    assert matches[0] == "match_U2"
    assert "Both in Engineering · shares career transition, building a network" in text_of(result)
    dm = (await slack.wait_for("chat.postMessage", channel="DU1"))[-1]
    assert "Request intro" in text_of(dm)

    request = await ask(user, slack, result, "U2", note="I'd love <!channel> advice")
    assert "<@U1> would like you to be their mentor" in request["text"]
    assert "Engineering" in text_of(request)  # they chose to share their field
    assert "&lt;!channel&gt;" in text_of(request)  # the note is shown, never sent as a ping
    intro = (await bot.store.intros_of("U1"))[0]
    assert intro.state == "pending"

    grace = user.as_user("U2")
    accept = next(b for b in request["blocks"] if b["type"] == "actions")["elements"][0]
    await grace.click(accept["action_id"], "answer", value=accept["value"], message=True)
    groups = await slack.wait_for("conversations.open", users="U1,U2")
    assert groups
    kickoff = (await slack.wait_for("chat.postMessage", channel="DU1U2"))[-1]
    assert "first conversation" in text_of(kickoff)
    assert (await bot.store.get_intro(intro.id)).state == "accepted"
    updated = (await slack.wait_for("chat.update"))[-1]
    assert "You accepted" in updated["text"]
    told = await slack.wait_for("chat.postMessage", 2, channel="DU1")
    assert "accepted your request" in told[-1]["text"]

    # A double click, or a late click on the reminder, changes nothing twice.
    await grace.click(accept["action_id"], "answer", value=accept["value"], message=True)
    reply = (await slack.wait_for("response_url"))[-1]
    assert "already answered" in reply["text"]
    assert len(slack.called("conversations.open", users="U1,U2")) == 1


async def test_someone_else_cannot_answer_a_request(user, slack, bot, pool):
    result = (await walk(user, slack, MENTORING))["view"]
    request = await ask(user, slack, result, "U2")
    accept = next(b for b in request["blocks"] if b["type"] == "actions")["elements"][0]
    await user.as_user("U3").click(
        accept["action_id"], "answer", value=accept["value"], message=True
    )
    reply = (await slack.wait_for("response_url"))[-1]
    assert "not one I can find" in reply["text"]
    assert (await bot.store.intros_of("U1"))[0].state == "pending"


async def test_decline_is_kind_and_offers_the_next_match(user, slack, bot, pool):
    result = (await walk(user, slack, MENTORING))["view"]
    request = await ask(user, slack, result, "U2")
    decline = next(b for b in request["blocks"] if b["type"] == "actions")["elements"][1]
    await user.as_user("U2").click(
        decline["action_id"], "answer", value=decline["value"], message=True
    )
    told = (await slack.wait_for("chat.postMessage", 2, channel="DU1"))[-1]
    assert "not about you" in told["text"]
    assert "match_U3" in text_of(told) and "match_U2" not in text_of(told)


async def test_one_pending_request_per_mentor(user, slack, bot, pool):
    result = (await walk(user, slack, MENTORING))["view"]
    await ask(user, slack, result, "U2")
    button = request_button(result, "U2")
    await user.click(button["action_id"], "match_U2", value=button["value"], view=result)
    notice = (await slack.wait_for("views.push", 2))[-1]["view"]
    assert "already asked" in text_of(notice)
    assert len(await bot.store.intros_of("U1")) == 1


async def test_capacity_is_never_exceeded(user, slack, bot, pool):
    # Alan has one place: two mentees ask, he accepts the first, the second stays open.
    for mentee in ("U1", "U4"):
        slack.add_user(mentee)
        person = user.as_user(mentee)
        answers = {**MENTORING, "field": "design", "topics": ["confidence"]}
        result = (await walk(person, slack, answers))["view"]
        await ask(person, slack, result, "U3")
    alan = user.as_user("U3")
    requests = slack.called("chat.postMessage", channel="DU3")
    for request in requests:
        accept = next(b for b in request["blocks"] if b["type"] == "actions")["elements"][0]
        await alan.click(accept["action_id"], "answer", value=accept["value"], message=True)
    reply = (await slack.wait_for("response_url"))[-1]
    assert "no free mentee place" in reply["text"]
    states = sorted(i.state for i in await bot.store.intros())
    assert states == ["accepted", "pending"]


async def test_a_request_is_reminded_in_the_mentors_hours_then_lapses(user, slack, bot, pool):
    # Tuesday 24 November, 10:00 UTC. The request lapses a week later; the mentor (Grace, in
    # New York) is reminded two days before, but that is a Sunday: so Monday, 09:00 her time.
    result = (await walk(user, slack, MENTORING))["view"]
    await ask(user, slack, result, "U2")
    await bot.background.run_due()
    assert len(slack.called("chat.postMessage", channel="DU2")) == 1  # just the request

    bot.clock.advance(days=5, minutes=1)  # Sunday 29th
    await bot.background.run_due()
    bot.clock.advance(hours=23)  # Monday 09:01 UTC, 04:01 in New York
    await bot.background.run_due()
    assert len(slack.called("chat.postMessage", channel="DU2")) == 1

    bot.clock.advance(hours=5)  # 14:01 UTC, 09:01 in New York
    await bot.background.run_due()
    await bot.background.run_due()  # a second round does not remind twice
    reminders = slack.called("chat.postMessage", channel="DU2")
    assert len(reminders) == 2 and "waiting for your answer" in reminders[-1]["text"]
    assert "Accept" in text_of(reminders[-1]) and "Snooze a week" in text_of(reminders[-1])

    bot.clock.advance(days=1)
    await bot.background.run_due()
    told = (await slack.wait_for("chat.postMessage", 2, channel="DU1"))[-1]
    assert "lapsed" in told["text"]
    assert (await bot.store.intros_of("U1"))[0].state == "expired"
    assert any("lapsed without an answer" in u["text"] for u in slack.called("chat.update"))


async def test_nobody_fits_admins_are_told_and_an_open_request_is_claimed(user, slack, bot, pool):
    answers = {**MENTORING, "field": "legal", "topics": ["company_culture"]}
    result = (await walk(user, slack, answers))["view"]
    assert "Nobody in the mentor pool fits you yet" in text_of(result)
    gap = (await slack.wait_for("chat.postMessage", channel=f"D{ADMIN}"))[-1]
    assert "Legal" in gap["text"]

    # A second mentee with the same gap the same day does not ping the admins again.
    slack.add_user("U4")
    await walk(user.as_user("U4"), slack, answers)
    await slack.wait_for("chat.postMessage", channel="DU4")
    assert len(slack.called("chat.postMessage", channel=f"D{ADMIN}")) == 1

    await user.click("open_request_post", "open_request", view=result)
    post = (await slack.wait_for("chat.postMessage", channel="CMATCH"))[-1]
    assert "<@U1> is looking for a mentor in *Legal*" in post["text"]
    assert "New to the company" not in text_of(post)  # never the private answers
    claim = next(b for b in post["blocks"] if b["type"] == "actions")["elements"][0]

    # Not a mentor: refused. A mentor: the pair is introduced and the post marked taken.
    await user.as_user("U4").click(claim["action_id"], "claim", value=claim["value"], message=True)
    refusal = (await slack.wait_for("response_url"))[-1]
    assert "Only mentors in the pool" in refusal["text"]
    await user.as_user("U2").click(claim["action_id"], "claim", value=claim["value"], message=True)
    taken = (await slack.wait_for("chat.update"))[-1]
    assert taken["channel"] == "CMATCH" and "Taken" in taken["text"]
    await slack.wait_for("conversations.open", users="U1,U2")
    await user.as_user("U3").click(claim["action_id"], "claim", value=claim["value"], message=True)
    late = (await slack.wait_for("response_url", 2))[-1]
    assert "Someone was quicker" in late["text"]


async def test_coaching_results_show_no_mentors(user, slack, pool):
    result = (await walk(user, slack, COACHING))["view"]
    assert "Mentors who fit" not in text_of(result)


async def test_the_time_to_lapse_comes_from_the_content(bot):
    assert bot.content.matching.intro_expires_after == timedelta(days=7)


async def open_home(person, slack, event_id: str) -> dict:
    before = len(slack.called("views.publish"))
    event = {"type": "app_home_opened", "user": person.user_id, "tab": "home"}
    await person.event(event, event_id=event_id)
    return (await slack.wait_for("views.publish", before + 1))[-1]["view"]


async def test_home_shows_each_side_of_the_story(user, slack, bot, pool):
    result = (await walk(user, slack, MENTORING))["view"]
    await ask(user, slack, result, "U2")

    mentee_home = text_of(await open_home(user, slack, "Ev1"))
    assert "Mentoring fits you now" in mentee_home
    assert "Grace Hopper: waiting for an answer" in mentee_home
    assert "match_U3" in mentee_home  # the other match is still offered
    assert "The mentor pool" not in mentee_home  # not an admin

    grace_home = await open_home(user.as_user("U2"), slack, "Ev2")
    assert "As a mentor" in text_of(grace_home)
    answer = next(b for b in grace_home["blocks"] if b.get("block_id", "").startswith("answer_"))
    accept = answer["elements"][0]
    # Accepting from Home works like accepting from the DM.
    await user.as_user("U2").click(
        accept["action_id"], answer["block_id"], value=accept["value"], view=grace_home
    )
    await slack.wait_for("conversations.open", users="U1,U2")

    admin_home = text_of(await open_home(user.as_user(ADMIN), slack, "Ev3"))
    assert "*2 mentors*, 2 active · 1 of 4 places taken" in admin_home
    assert "Manage the pool" in admin_home


async def test_status_lists_matches_and_intros(user, slack, pool):
    result = (await walk(user, slack, MENTORING))["view"]
    await ask(user, slack, result, "U2")
    await user.command("status")
    status = (await slack.wait_for("response_url"))[-1]
    assert "Mentors who fit" in status["text"] and "Alan Turing" in status["text"]
    assert "Grace Hopper: waiting for an answer, lapses in 7 days" in status["text"]


async def test_admins_see_which_fields_are_short(user, slack, bot, pool):
    await walk(user, slack, {**MENTORING, "field": "legal", "topics": ["company_culture"]})
    await slack.wait_for("chat.postMessage", channel=f"D{ADMIN}")  # the gap is recorded by then
    home = text_of(await open_home(user.as_user(ADMIN), slack, "Ev9"))
    assert "Most requested fields with too few mentors" in home
    assert "Legal: 1 person found nobody" in home
