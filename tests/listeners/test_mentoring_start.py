"""A relationship's start, through signed requests: the mentor asks a question before
accepting and the mentee answers it; accepted, the kickoff suggests meeting times and the
mentee writes the agreement both confirm."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.mentoring import agreement_of
from tests.answers import MENTORING
from tests.listeners.test_intros import ask, open_home, text_of
from tests.listeners.test_privacy import erase
from tests.listeners.test_questionnaire import walk
from tests.listeners.test_races import button

REQUEST_TS = "1700000000.000777"  # where a clicked DM is, as Slack says in a click


async def click_in(person, message: dict, action_id: str, ts: str = REQUEST_TS):
    """Click a button of a message the bot sent, as Slack sends it: with the message's place
    and the button's block."""
    block = next(
        b
        for b in message["blocks"]
        for e in b.get("elements", [])
        if isinstance(e, dict) and e.get("action_id") == action_id
    )
    element = button(message, action_id)
    payload = person._base("block_actions")
    payload["trigger_id"] = f"trigger-{action_id}-{person.user_id}"
    payload["actions"] = [
        {
            "action_id": action_id,
            "block_id": block["block_id"],
            "type": "button",
            "value": element["value"],
            "action_ts": "1.0",
        }
    ]
    channel = message.get("channel", "D" + person.user_id)
    payload["container"] = {"type": "message", "channel_id": channel, "message_ts": ts}
    payload["channel"] = {"id": channel}
    payload["message"] = {"ts": ts, "text": message.get("text", "")}
    payload["response_url"] = person.fake.response_url
    return await person.interact(payload)


async def open_from(person, slack, message: dict, action_id: str, ts: str = REQUEST_TS) -> dict:
    """Click the button, and the modal it opens."""
    before = len(slack.called("views.open"))
    await click_in(person, message, action_id, ts)
    return (await slack.wait_for("views.open", before + 1))[-1]["view"]


def posted(slack, channel: str, words: str) -> list[dict]:
    return [c for c in slack.called("chat.postMessage", channel=channel) if words in text_of(c)]


def replies(slack) -> list[str]:
    return [c["text"] for c in slack.called("response_url")]


async def requested(user, slack, bot) -> tuple[dict, object]:
    result = (await walk(user, slack, MENTORING))["view"]
    request = await ask(user, slack, result, "U2")
    (intro,) = await bot.store.intros_of("U1")
    return request, intro


async def test_the_mentor_asks_the_mentee_answers_and_the_lapse_clock_waits(user, slack, bot, pool):
    request, intro = await requested(user, slack, bot)
    grace, mia = user.as_user("U2"), user
    assert intro.expires_at == datetime(2026, 12, 1, 10, tzinfo=UTC)

    # Only the intro's mentor may ask.
    await click_in(user.as_user("U3"), request, "intro_ask")
    assert "not one I can find" in replies(slack)[-1]

    bot.clock.advance(days=1)  # Wednesday: Grace asks
    question = await open_from(grace, slack, request, "intro_ask")
    status, body = await grace.submit(question, {"question": "x" * 501})
    assert body["response_action"] == "errors" and "500 characters" in body["errors"]["question"]
    status, body = await grace.submit(question, {"question": "What do you hope for <!channel>?"})
    assert status == 200

    (dm,) = await slack.wait_for("chat.postMessage", channel="DU1", text=dm_text("U2"))
    assert "&lt;!channel&gt;" in text_of(dm) and "<!channel>" not in text_of(dm)
    shown = (await slack.wait_for("chat.update", channel="DU2"))[-1]
    assert "You asked" in text_of(shown) and "Waiting for their answer" in text_of(shown)
    assert "intro_ask" not in text_of(shown)  # one question a request
    reminders = [n for n in await bot.store.nudges_of("U2") if n.kind == "answer_request"]
    assert [n.state for n in reminders] == ["cancelled"]  # no reminder while waiting

    # Both sides see that the request waits on Mia.
    await mia.command("status")
    assert "asked you a question before answering" in text_of(slack.called("response_url")[-1])
    grace_home = await open_home(grace, slack, "EvQ")
    assert "waiting for their answer to your question" in text_of(grace_home)

    # A second question is refused kindly and changes nothing.
    await click_in(grace, request, "intro_ask")
    assert "already asked" in replies(slack)[-1]
    status, body = await grace.submit(question, {"question": "And another?"})
    assert "already asked" in text_of(body["view"])
    assert (await bot.store.get_intro(intro.id)).question["text"].startswith("What do you")

    # A week later (past the request's first expiry) it has not lapsed: it waits for Mia.
    bot.clock.advance(days=7)
    await bot.background.run_due()
    assert (await bot.store.get_intro(intro.id)).state == "pending"
    assert not posted(slack, "DU1", "lapsed")

    # Only the mentee may answer.
    await click_in(grace, dm, "intro_answer_question", ts="1700000000.000888")
    assert "not one I can find" in replies(slack)[-1]
    answer = await open_from(mia, slack, dm, "intro_answer_question", ts="1700000000.000888")
    assert "What do you hope for &lt;!channel&gt;?" in text_of(answer)
    status, body = await mia.submit(answer, {"answer": "Career advice & <@U3>'s network"})
    assert status == 200

    answered = await bot.store.get_intro(intro.id)
    assert answered.question["answer"] == "Career advice & <@U3>'s network"
    # The question waited seven days: the request lapses seven days later than it would have.
    assert answered.expires_at == intro.expires_at + timedelta(days=7)
    shown = (await slack.wait_for("chat.update", 2, channel="DU2"))[-1]
    assert "Their answer" in text_of(shown)
    assert "Career advice &amp; &lt;@U3&gt;'s network" in text_of(shown)
    assert shown["ts"] == bot_place(answered)["ts"]  # the request itself, updated in place
    (heads_up,) = posted(slack, "DU2", "answered your question")
    assert "lapses in 6 days" in heads_up["text"]
    copy = (await slack.wait_for("chat.update", channel="DU1"))[-1]
    assert copy["ts"] == "1700000000.000888" and "You answered" in copy["text"]
    (reminder,) = [
        n
        for n in await bot.store.nudges_of("U2")
        if n.kind == "answer_request" and n.state == "scheduled"
    ]
    assert reminder.due_at >= answered.expires_at - timedelta(days=2)

    # A second answer (a double submit, or a click on the old DM) acts once.
    status, body = await mia.submit(answer, {"answer": "Something else"})
    assert "already answered" in text_of(body["view"])
    await click_in(mia, dm, "intro_answer_question")
    assert "already answered" in replies(slack)[-1]
    assert len(posted(slack, "DU2", "answered your question")) == 1
    assert (await bot.store.get_intro(intro.id)).question["answer"].startswith("Career")

    # The new expiry holds: past the first one plus the wait, it lapses.
    bot.clock.advance(days=5)
    await bot.background.run_due()
    assert (await bot.store.get_intro(intro.id)).state == "pending"
    bot.clock.advance(days=1, minutes=1)
    await bot.background.run_due()
    assert (await bot.store.get_intro(intro.id)).state == "expired"


def dm_text(mentor_id: str) -> str:
    return f"<@{mentor_id}> has a question before answering your mentoring request."


def bot_place(intro) -> dict:
    return dict(intro.mentor_message)


async def test_a_question_waiting_for_an_answer_does_not_stop_accepting(user, slack, bot, pool):
    request, _ = await requested(user, slack, bot)
    grace = user.as_user("U2")
    await grace.submit(await open_from(grace, slack, request, "intro_ask"), {"question": "Hi?"})
    (dm,) = await slack.wait_for("chat.postMessage", channel="DU1", text=dm_text("U2"))
    await click_in(grace, request, "intro_accept")
    await slack.wait_for("chat.postMessage", channel="DU1U2")
    await click_in(user, dm, "intro_answer_question")
    assert "answered meanwhile (accepted)" in replies(slack)[-1]


def epochs(message: dict) -> list[datetime]:
    found = re.findall(
        r"<!date\^(\d+)\^\{date_short_pretty\} at \{time\}\|[^>]+>", text_of(message)
    )
    return [datetime.fromtimestamp(int(e), UTC) for e in found]


def inside_working_hours(moment: datetime, zone: str, length=timedelta(minutes=30)) -> bool:
    start, end = moment.astimezone(ZoneInfo(zone)), (moment + length).astimezone(ZoneInfo(zone))
    return start.weekday() < 5 and time(9) <= start.time() and end.time() <= time(17)


async def accepted(user, slack, bot) -> tuple[dict, object]:
    request, intro = await requested(user, slack, bot)
    await click_in(user.as_user("U2"), request, "intro_accept")
    (kickoff,) = await slack.wait_for("chat.postMessage", channel="DU1U2")
    return kickoff, intro


async def write(person, slack, kickoff: dict, answers: dict) -> tuple[int, dict]:
    view = await open_from(person, slack, kickoff, "mentoring_agreement")
    return await person.submit(view, answers)


AGREEMENT = {
    "goal_1": "Lead a design review",
    "goal_2": "Speak at a <!here> meetup",
    "meet_every": "1w",
    "runs_for": "12w",
}


async def test_the_kickoff_suggests_times_and_the_pair_agrees(user, slack, bot, pool):
    kickoff, intro = await accepted(user, slack, bot)
    mia, grace = user, user.as_user("U2")

    # Three times, on three days from tomorrow, inside Mia's (London) and Grace's (New York)
    # working hours; each reader sees them in their own time.
    times = epochs(kickoff)
    assert len(times) == 3 and len({t.date() for t in times}) == 3
    assert all(t.date() > datetime(2026, 11, 24).date() for t in times)
    assert all(inside_working_hours(t, "Europe/London") for t in times)
    assert all(inside_working_hours(t, "America/New_York") for t in times)
    assert button(kickoff, "mentoring_agreement")["value"] == intro.id
    assert len(kickoff["blocks"]) <= 50

    # The goals are the mentee's: Grace is told so kindly, and no modal opens.
    modals = len(slack.called("views.open"))
    await click_in(grace, kickoff, "mentoring_agreement")
    assert "writes the goals" in replies(slack)[-1]
    assert len(slack.called("views.open")) == modals

    # One goal is not enough: an inline error on the second field, and nothing stored.
    status, body = await write(mia, slack, kickoff, {**AGREEMENT, "goal_2": ""})
    assert body == {"response_action": "errors", "errors": {"goal_2": goals_needed()}}
    assert (await bot.store.get_intro(intro.id)).agreement == {}

    status, body = await write(mia, slack, kickoff, AGREEMENT)
    assert status == 200
    (proposal,) = await slack.wait_for("chat.postMessage", channel="DU1U2", text=proposed())
    assert "Lead a design review" in text_of(proposal)
    assert "&lt;!here&gt;" in text_of(proposal) and "<!here>" not in text_of(proposal)
    assert "every week" in text_of(proposal)
    stored = agreement_of(await bot.store.get_intro(intro.id))
    assert stored.goals == ("Lead a design review", "Speak at a <!here> meetup")
    assert (stored.meet_every, stored.runs_for, stored.confirmed_by) == ("1w", "12w", ())
    assert stored.message["channel"] == "DU1U2"

    # Each confirms; a double click confirms once.
    await click_in(mia, proposal, "mentoring_agreement_confirm", ts=stored.message["ts"])
    await click_in(mia, proposal, "mentoring_agreement_confirm", ts=stored.message["ts"])
    assert "already confirmed" in replies(slack)[-1]
    half = agreement_of(await bot.store.get_intro(intro.id))
    assert half.confirmed_by == ("U1",) and half.confirmed_at is None
    waiting = (await slack.wait_for("chat.update", channel="DU1U2"))[-1]
    assert "waiting for <@U2>" in text_of(waiting)

    # Grace confirms from her Home tab, where the agreement waits for her.
    bot.clock.advance(hours=2)
    home = await open_home(grace, slack, "EvC")
    assert "Lead a design review" in text_of(home) and "waiting for <@U2>" in text_of(home)
    row = next(b for b in home["blocks"] if "mentoring_agreement_confirm" in text_of(b))
    assert "Write our agreement" not in text_of(row)  # the goals are Mia's to write
    confirm = button({"blocks": [row]}, "mentoring_agreement_confirm")
    await grace.click(confirm["action_id"], row["block_id"], value=confirm["value"], view=home)
    agreed = agreement_of(await bot.store.get_intro(intro.id))
    assert agreed.confirmed_by == ("U1", "U2")
    assert agreed.confirmed_at == bot.clock()
    assert agreed.ends_at == bot.clock() + timedelta(weeks=12)
    final = (await slack.wait_for("chat.update", 2, channel="DU1U2"))[-1]
    assert final["ts"] == stored.message["ts"] and final["text"].startswith("Agreed")
    assert "mentoring_agreement_confirm" not in text_of(final)

    # Both see it in /devpath status and on Home.
    for person in (mia, grace):
        before = len(slack.called("response_url"))
        await person.command("status")
        status_text = text_of((await slack.wait_for("response_url", before + 1))[-1])
        assert "Lead a design review" in status_text and "&lt;!here&gt;" in status_text
        assert "*Agreed* by both" in status_text and "every week" in status_text
    mia_home = await open_home(mia, slack, "EvM")
    assert "Reset our agreement" in text_of(mia_home) and "*Agreed* by both" in text_of(mia_home)
    grace_home = await open_home(grace, slack, "EvG")
    assert "Lead a design review" in text_of(grace_home)
    assert "Reset our agreement" not in text_of(grace_home)
    assert "mentoring_agreement_confirm" not in text_of(grace_home)


def goals_needed() -> str:
    return "Please give at least 2 goals."


def proposed() -> str:
    return "<@U1> proposed your mentoring agreement: please both confirm it."


async def test_a_new_proposal_replaces_the_old_one_and_asks_both_again(user, slack, bot, pool):
    kickoff, intro = await accepted(user, slack, bot)
    await write(user, slack, kickoff, AGREEMENT)
    (first,) = await slack.wait_for("chat.postMessage", channel="DU1U2", text=proposed())
    first_place = agreement_of(await bot.store.get_intro(intro.id)).message
    await click_in(user.as_user("U2"), first, "mentoring_agreement_confirm")

    bot.clock.advance(minutes=5)
    await write(user, slack, kickoff, {**AGREEMENT, "goal_3": "Find a sponsor", "runs_for": "26w"})
    second = (await slack.wait_for("chat.postMessage", 2, channel="DU1U2", text=proposed()))[-1]
    latest = agreement_of(await bot.store.get_intro(intro.id))
    assert latest.goals[-1] == "Find a sponsor" and latest.confirmed_by == ()
    replaced = [u for u in slack.called("chat.update") if u["ts"] == first_place["ts"]]
    assert "replaced by a newer proposal" in replaced[-1]["text"]

    # A Confirm on the old message does not confirm the new one.
    await click_in(user, first, "mentoring_agreement_confirm")
    assert "replaced by a newer one" in replies(slack)[-1]
    assert agreement_of(await bot.store.get_intro(intro.id)).confirmed_by == ()
    await click_in(user, second, "mentoring_agreement_confirm")
    assert agreement_of(await bot.store.get_intro(intro.id)).confirmed_by == ("U1",)


async def test_no_overlap_is_said_plainly(user, slack, bot, pool):
    slack.add_user("U2", real_name="Grace Hopper", tz="Asia/Tokyo")
    bot.clock.advance(minutes=2)  # past what the bot remembers of her from the pool
    kickoff, _ = await accepted(user, slack, bot)
    assert epochs(kickoff) == []
    assert "do not overlap" in text_of(kickoff) and "asynchronously" in text_of(kickoff)


async def test_a_claimed_open_request_gets_the_same_start(user, slack, bot, pool):
    answers = {**MENTORING, "field": "legal", "topics": ["company_culture"]}
    result = (await walk(user, slack, answers))["view"]
    await user.click("open_request_post", "open_request", view=result)
    (post,) = await slack.wait_for("chat.postMessage", channel="CMATCH")
    claim = button(post, "open_request_claim")
    await user.as_user("U2").click(claim["action_id"], "claim", value=claim["value"], message=True)
    (kickoff,) = await slack.wait_for("chat.postMessage", channel="DU1U2")
    (intro,) = await bot.store.intros_of("U1")
    assert button(kickoff, "mentoring_agreement")["value"] == intro.id
    assert len(epochs(kickoff)) == 3


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_confirms_at_once_count_once_each(user, slack, bot, pool, backend):
    kickoff, intro = await accepted(user, slack, bot)
    await write(user, slack, kickoff, AGREEMENT)
    (proposal,) = await slack.wait_for("chat.postMessage", channel="DU1U2", text=proposed())
    mia, grace = user, user.as_user("U2")
    clicks = [
        click_in(p, proposal, "mentoring_agreement_confirm") for p in (mia, mia, grace, grace)
    ]
    await asyncio.gather(*clicks)
    agreed = agreement_of(await bot.store.get_intro(intro.id))
    assert sorted(agreed.confirmed_by) == ["U1", "U2"] and agreed.ends_at is not None
    told = replies(slack)
    assert len(told) == 2 and all("already confirmed" in t for t in told)


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_an_answer_sent_twice_at_once_is_one_answer(user, slack, bot, pool, backend):
    request, intro = await requested(user, slack, bot)
    grace = user.as_user("U2")
    await grace.submit(await open_from(grace, slack, request, "intro_ask"), {"question": "Why?"})
    (dm,) = await slack.wait_for("chat.postMessage", channel="DU1", text=dm_text("U2"))
    answer = await open_from(user, slack, dm, "intro_answer_question")
    bot.clock.advance(days=1)
    both = await asyncio.gather(*(user.submit(answer, {"answer": f"Take {n}"}) for n in (1, 2)))
    assert sorted(str(body) for _, body in both)[0] == ""  # one closed the modal
    answered = await bot.store.get_intro(intro.id)
    assert answered.expires_at == intro.expires_at + timedelta(days=1)
    assert len(posted(slack, "DU2", "answered your question")) == 1
    planned = [
        n
        for n in await bot.store.nudges_of("U2")
        if n.kind == "answer_request" and n.state == "scheduled"
    ]
    assert len(planned) == 1


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_the_mentees_goals_are_withdrawn_when_they_erase_their_data(
    user, slack, bot, pool, backend
):
    kickoff, intro = await accepted(user, slack, bot)
    await write(user, slack, kickoff, AGREEMENT)
    await slack.wait_for("chat.postMessage", channel="DU1U2", text=proposed())
    place = agreement_of(await bot.store.get_intro(intro.id)).message
    await erase(user, slack)
    await slack.wait_until(
        lambda: any(
            u["ts"] == place["ts"] and "Lead a design review" not in text_of(u)
            for u in slack.called("chat.update", channel="DU1U2")
        )
    )


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_a_question_asked_while_the_request_lapses_keeps_it(
    user, slack, bot, pool, backend, monkeypatch
):
    """The race made certain: the lapse round reads the request, the mentor's question lands,
    then the round tries to lapse it, and must not."""
    request, intro = await requested(user, slack, bot)
    grace = user.as_user("U2")
    question = await open_from(grace, slack, request, "intro_ask")
    bot.clock.advance(days=7)
    pending_intros = bot.store.pending_intros

    async def read_then_asked():
        found = await pending_intros()
        # Asked just in time (the clock says so, one second before the lapse).
        bot.clock.advance(seconds=-1)
        await grace.submit(question, {"question": "Still keen?"})
        bot.clock.advance(seconds=1)
        return found

    monkeypatch.setattr(bot.store, "pending_intros", read_then_asked)
    await bot.background.run_due()
    kept = await bot.store.get_intro(intro.id)
    assert kept.state == "pending" and kept.question["text"] == "Still keen?"
    assert not posted(slack, "DU1", "lapsed")


async def test_a_question_never_answered_lets_the_request_lapse_in_the_end(user, slack, bot, pool):
    request, intro = await requested(user, slack, bot)
    question = await open_from(user.as_user("U2"), slack, request, "intro_ask")
    await user.as_user("U2").submit(question, {"question": "When are you free?"})
    await slack.wait_for("chat.postMessage", channel="DU1", text=dm_text("U2"))
    bot.clock.advance(days=13)  # the clock stood still a week past the expiry: still waits
    await bot.background.run_due()
    assert (await bot.store.get_intro(intro.id)).state == "pending"
    bot.clock.advance(days=1)
    await bot.background.run_due()
    assert (await bot.store.get_intro(intro.id)).state == "expired"
    (told,) = posted(slack, "DU1", "has lapsed")
    assert "they asked you a question" in told["text"] and "ask them again" in told["text"]
    copy = (await slack.wait_for("chat.update", 2, channel="DU2"))[-1]
    assert "lapsed" in copy["text"]


async def test_a_mentors_question_is_withdrawn_when_they_erase_their_data(user, slack, bot, pool):
    request, intro = await requested(user, slack, bot)
    grace = user.as_user("U2")
    question = await open_from(grace, slack, request, "intro_ask")
    await grace.submit(question, {"question": "Why me, <!here>?"})
    (dm,) = await slack.wait_for("chat.postMessage", channel="DU1", text=dm_text("U2"))
    stored = (await bot.store.get_intro(intro.id)).question
    assert stored["dm_channel"] == dm["channel"] and stored["dm_ts"]
    await erase(grace, slack)
    withdrawn = [u for u in slack.called("chat.update") if u.get("ts") == stored["dm_ts"]]
    assert withdrawn and "withdrawn" in withdrawn[-1]["text"]
