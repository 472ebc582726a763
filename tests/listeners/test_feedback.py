"""360 feedback as people live it: Mia asks four colleagues; nothing shows until three have
answered, and then never who said what; one reminder; the request closes; a double submit
counts once; her data and theirs can be taken away or erased."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.flows.feedback import share_summary
from tests.listeners.test_pool import ADMIN

COLLEAGUES = ["U2", "U3", "U4", "U5"]
NAMES = ["Grace Hopper", "Alan Turing", "Kay Johnson", "Lin Park"]


def text_of(thing) -> str:
    return json.dumps(thing, ensure_ascii=False)


@pytest.fixture
def colleagues(slack, people):
    slack.add_user("U4", real_name="Kay Johnson")
    slack.add_user("U5", real_name="Lin Park")


def dms(slack, user_id: str) -> list[dict]:
    return slack.called("chat.postMessage", channel=f"D{user_id}")


def summaries(slack) -> list[dict]:
    return [m for m in dms(slack, "U1") if "Your 360 feedback" in text_of(m)]


def give_button(message: dict) -> dict:
    return next(
        e
        for b in message["blocks"]
        for e in b.get("elements", [])
        if isinstance(e, dict) and e.get("action_id") == "feedback_give"
    )


async def ask(user, slack, givers=COLLEAGUES, note: str = "") -> tuple[int, dict]:
    before = len(slack.called("views.open"))
    await user.command("feedback")
    view = (await slack.wait_for("views.open", before + 1))[-1]["view"]
    assert view["callback_id"] == "feedback_ask"
    return await user.submit(view, {"givers": givers, "note": note})


async def open_answer(giver, slack) -> dict:
    """The colleague clicks Give feedback in their DM; the modal that opens."""
    (dm, *_) = [m for m in dms(slack, giver.user_id) if "feedback_give" in text_of(m)]
    button = give_button(dm)
    before = len(slack.called("views.open"))
    await giver.click("feedback_give", "feedback_give", value=button["value"], message=True)
    return (await slack.wait_for("views.open", before + 1))[-1]["view"]


async def answer(giver, slack, ratings: dict[str, str], strength="", change="") -> dict:
    view = await open_answer(giver, slack)
    answers = {f"rating_{k}": v for k, v in ratings.items()}
    answers.update(strength=strength, change=change)
    status, body = await giver.submit(view, answers)
    assert status == 200
    return body


async def test_the_summary_shows_at_the_third_answer_and_never_names_anyone(
    user, slack, bot, colleagues
):
    status, body = await ask(user, slack, note="Be frank <!channel> & kind")
    assert status == 200 and "I asked 4 colleagues" in text_of(body["view"])
    for colleague in COLLEAGUES:
        (dm,) = dms(slack, colleague)
        assert "<@U1> is gathering anonymous 360 feedback" in dm["text"]
        assert "&lt;!channel&gt; &amp; kind" in text_of(dm)  # the note cannot ping anyone
        assert "<!channel>" not in text_of(dm)

    grace, alan, kay, lin = (user.as_user(c) for c in COLLEAGUES)
    await answer(grace, slack, {"listens": "5", "stays_calm": "2"}, "Zeal <@U9>", "Slow down")
    await answer(alan, slack, {"listens": "4"}, strength="Always prepared")
    assert summaries(slack) == []
    await user.command("feedback")
    (shown,) = slack.called("response_url")[-1:]
    assert "2 of 4 colleagues have answered" in shown["text"]
    assert "1 more has answered" in shown["text"]
    assert "Zeal" not in text_of(shown) and "Always prepared" not in text_of(shown)

    body = await answer(kay, slack, {"listens": "3", "clear_direction": "4"}, "Brave calls")
    assert "Thank you" in text_of(body["view"])
    (first,) = summaries(slack)
    assert "3 of 4 colleagues have answered" in first["text"]
    summary_text = text_of(first)
    assert "4 of 5" in summary_text  # listens: (5 + 4 + 3) / 3
    assert "&lt;@U9&gt;" in summary_text  # typed mentions are shown, never sent as pings
    # Strengths in the order of their own words, not the order they came in.
    places = [summary_text.index(s) for s in ("Always prepared", "Brave calls", "Zeal")]
    assert places == sorted(places)
    for someone in [*COLLEAGUES, *NAMES]:
        assert someone not in summary_text

    # Lin's answer alone would be the difference between two summaries: no DM, and the
    # status still shows the summary of three.
    await answer(lin, slack, {"listens": "1"}, strength="Lin's own words")
    assert len(summaries(slack)) == 1
    await user.command("feedback")
    shown = slack.called("response_url")[-1]
    assert "4 of 4" in shown["text"] and "holds the first 3 answers" in shown["text"]
    assert "Brave calls" in text_of(shown) and "Lin's own words" not in text_of(shown)
    assert "4 of 5" in text_of(shown)  # listens as the three gave it, not (5 + 4 + 3 + 1) / 4
    assert not any(someone in text_of(shown) for someone in [*COLLEAGUES, *NAMES])


async def test_colleagues_are_checked_inline(user, slack, bot, colleagues):
    for givers, expected in (
        (["U2", "U3"], "Pick 3 to 8 colleagues"),
        (["U1", "U2", "U3"], "other than yourself"),
        (["U2", "U3", "UBOT2"], "is an app"),
        (["U2", "U3", "UGONE"], "no longer in the workspace"),
        (["U2", "U3", "UNOBODY"], "no longer in the workspace"),
    ):
        status, body = await ask(user, slack, givers)
        assert status == 200 and body["response_action"] == "errors"
        assert expected in body["errors"]["givers"]
    assert await bot.store.feedback_requests_of("U1") == []
    assert slack.called("chat.postMessage") == []


async def test_one_rating_is_required_and_the_rest_optional(user, slack, bot, colleagues):
    await ask(user, slack)
    grace = user.as_user("U2")
    view = await open_answer(grace, slack)
    _, body = await grace.submit(view, {"strength": "Kind"})
    assert body["response_action"] == "errors"
    assert "at least one" in body["errors"]["rating_listens"]
    _, body = await grace.submit(view, {"rating_follows_through": "3"})
    assert "Thank you" in text_of(body["view"])


async def test_a_second_request_while_one_is_open_shows_its_status(user, slack, bot, colleagues):
    await ask(user, slack)
    before = len(slack.called("views.open"))
    await user.command("feedback")
    assert len(slack.called("views.open")) == before  # no second modal
    assert "0 of 4 colleagues have answered" in slack.called("response_url")[-1]["text"]


async def test_a_late_or_second_click_is_told_kindly(user, slack, bot, colleagues):
    await ask(user, slack)
    grace = user.as_user("U2")
    await answer(grace, slack, {"listens": "4"})
    (dm,) = dms(slack, "U2")
    await grace.click(
        "feedback_give", "feedback_give", value=give_button(dm)["value"], message=True
    )
    assert "already answered" in slack.called("response_url")[-1]["text"]
    stranger = user.as_user(ADMIN)
    await stranger.click(
        "feedback_give", "feedback_give", value=give_button(dm)["value"], message=True
    )
    assert "not yours to answer" in slack.called("response_url")[-1]["text"]


async def test_one_reminder_to_those_who_have_not_answered_then_the_close(
    user, slack, bot, colleagues
):
    await ask(user, slack)
    await answer(user.as_user("U2"), slack, {"listens": "4"}, "Clear")
    await bot.background.run_due()
    assert all(len(dms(slack, c)) == 1 for c in COLLEAGUES)

    bot.clock.advance(days=3)
    await bot.background.run_due()
    await bot.background.run_due()  # a second round reminds nobody again
    assert len(dms(slack, "U2")) == 1  # she answered: no reminder
    for colleague in ("U3", "U4", "U5"):
        _, reminder = dms(slack, colleague)
        assert "gentle reminder" in reminder["text"] and "only reminder" in reminder["text"]

    await answer(user.as_user("U3"), slack, {"listens": "2"})
    await answer(user.as_user("U4"), slack, {"listens": "3"}, change="Listen more")
    bot.clock.advance(days=11)
    await bot.background.run_due()
    await bot.background.run_due()
    (request,) = await bot.store.feedback_requests_of("U1")
    assert request.state == "closed"
    final = [m for m in summaries(slack) if "has closed" in m["text"]]
    assert len(final) == 1 and "3 of 4 colleagues answered" in final[0]["text"]
    assert "Listen more" in text_of(final[0])

    # Lin is too late: told kindly, nothing kept.
    lin = user.as_user("U5")
    (first, _) = dms(slack, "U5")
    await lin.click(
        "feedback_give", "feedback_give", value=give_button(first)["value"], message=True
    )
    assert "has closed" in slack.called("response_url")[-1]["text"]
    assert len(await bot.store.feedback_answers(request.id)) == 3
    # A new request may start now.
    await ask(user, slack)
    assert len(await bot.store.feedback_requests_of("U1")) == 2


async def test_each_reminder_waits_for_its_colleagues_working_hours(user, slack, bot, colleagues):
    slack.add_user("U5", real_name="Lin Park", tz="Asia/Tokyo")
    await ask(user, slack)  # Tuesday 10:00 UTC

    def reminded() -> list[str]:
        return [c for c in COLLEAGUES if len(dms(slack, c)) == 2]

    # Friday 10:00 UTC: 10:00 in London (U3, U4), 05:00 in New York (U2), 19:00 in Tokyo (U5).
    bot.clock.advance(days=3)
    await bot.background.run_due()
    assert reminded() == ["U3", "U4"]
    bot.clock.advance(hours=3, minutes=59)
    await bot.background.run_due()
    assert reminded() == ["U3", "U4"]
    bot.clock.advance(minutes=1)  # 09:00 in New York
    await bot.background.run_due()
    assert reminded() == ["U2", "U3", "U4"]
    # Tokyo's next working hours are Monday's: 00:00 UTC.
    bot.clock.advance(days=2, hours=9, minutes=59)
    await bot.background.run_due()
    assert reminded() == ["U2", "U3", "U4"]
    bot.clock.advance(minutes=1)
    await bot.background.run_due()
    await bot.background.run_due()
    assert reminded() == COLLEAGUES
    assert all(len(dms(slack, c)) == 2 for c in COLLEAGUES)  # one reminder each, no more
    assert "gentle reminder" in dms(slack, "U5")[-1]["text"]
    assert await bot.store.unfinished_effects() == []


async def test_a_reminder_waiting_for_working_hours_is_not_sent_once_answered(
    user, slack, bot, colleagues
):
    await ask(user, slack)
    bot.clock.advance(days=3)  # 05:00 in New York: Grace's reminder waits
    await bot.background.run_due()
    assert len(dms(slack, "U2")) == 1
    mine = await bot.store.export("U1")
    assert "U2" not in text_of(mine["messages_to_send"])  # who has not answered stays unsaid
    await answer(user.as_user("U2"), slack, {"listens": "4"})
    bot.clock.advance(hours=4)
    await bot.background.run_due()
    assert len(dms(slack, "U2")) == 1
    assert await bot.store.unfinished_effects() == []


async def test_a_close_with_too_few_answers_shows_nothing(user, slack, bot, colleagues):
    await ask(user, slack)
    await answer(user.as_user("U2"), slack, {"listens": "4"}, "Secret strength")
    await answer(user.as_user("U3"), slack, {"listens": "5"})
    bot.clock.advance(days=14)
    await bot.background.run_due()
    (note,) = [m for m in dms(slack, "U1") if "has closed" in m["text"]]
    assert "fewer than 3" in note["text"] and "Secret strength" not in text_of(note)
    assert "U2" not in text_of(note) and "U3" not in text_of(note)


async def test_sharing_waits_for_a_coach_and_enough_answers(user, slack, bot, colleagues):
    await ask(user, slack)
    (request,) = await bot.store.feedback_requests_of("U1")
    deps, client = bot.background.deps, bot.background.client
    assert "nothing to share" in await share_summary(deps, client, request.id, "U7", by="U1")
    for c in ("U2", "U3", "U4"):
        await answer(user.as_user(c), slack, {"listens": "4"}, strength=f"Said by {c}x")
    summary = summaries(slack)[-1]
    # Mia has no coaching under way: no Share button, and a crafted click shares nothing.
    assert "feedback_share" not in text_of(summary)
    await user.click("feedback_share", "feedback_share", value=request.id, message=True)
    assert "no coach" in slack.called("response_url")[-1]["text"]
    assert "Only the person" in await share_summary(deps, client, request.id, "U7", by="U2")
    told = await share_summary(deps, client, request.id, "U7", by="U1")
    assert "Shared with <@U7>" in told
    (coach,) = dms(slack, "U7")
    assert "<@U1> shared their 360 feedback summary" in coach["text"]
    assert "Said by U2x" in text_of(coach)  # the same summary ...
    assert "already shared" in await share_summary(deps, client, request.id, "U7", by="U1")
    assert len(dms(slack, "U7")) == 1  # ... once


async def test_export_and_forget_keep_everyone_anonymous(user, slack, bot, colleagues):
    await ask(user, slack)
    for c in ("U2", "U3", "U4"):
        await answer(user.as_user(c), slack, {"listens": "4"}, strength=f"Words of {c}")
    mine = await bot.store.export("U1")
    assert mine["feedback_requests"][0]["answered"] == 3
    assert "Words of" not in text_of(mine)
    grace = await bot.store.export("U2")
    assert [g["strength"] for g in grace["feedback_given"]] == ["Words of U2"]
    assert "U1" not in text_of(grace["feedback_given"])

    gone = await bot.store.forget("U2", None)
    assert gone["feedback answers"] == 1 and gone["feedback requests"] == 0
    await user.command("feedback")
    assert "2 of 3 colleagues" in slack.called("response_url")[-1]["text"]  # and nothing shown

    gone = await bot.store.forget("U1", None)
    assert gone["feedback requests"] == 1 and gone["feedback answers"] == 2
    assert await bot.store.feedback_requests() == []


async def test_stats_count_360_requests(user, slack, bot, colleagues):
    await ask(user, slack)
    for c in ("U2", "U3", "U4"):
        await answer(user.as_user(c), slack, {"listens": "4"})
    await user.as_user(ADMIN).command("stats")
    stats = slack.called("response_url")[-1]
    assert "*360 requests answered*\\n1 requests · 3 answers · 1 reached 3 answers" in text_of(
        stats
    )


MORE = ["U6", "U7"]


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_answers_at_once_make_one_summary_and_it_grows_by_three(user, slack, bot, colleagues):
    slack.add_user("U6", real_name="Ruth Okafor")
    slack.add_user("U7", real_name="Sam Ito")
    await ask(user, slack, givers=COLLEAGUES + MORE)
    first, second, *at_once = (user.as_user(c) for c in COLLEAGUES)
    await answer(first, slack, {"listens": "5"}, strength="First words")
    await answer(second, slack, {"listens": "5"}, strength="Second words")
    views = [await open_answer(giver, slack) for giver in at_once]
    both = await asyncio.gather(
        *(
            giver.submit(view, {"rating_listens": "1", "strength": f"Words of {giver.user_id}"})
            for giver, view in zip(at_once, views, strict=True)
        )
    )
    assert all("Your answer is in" in text_of(body["view"]) for _, body in both)
    (request,) = await bot.store.feedback_requests_of("U1")
    assert request.shown == 3 and len(await bot.store.feedback_answers(request.id)) == 4
    (only,) = summaries(slack)  # one of the two made the jump, not both
    assert "3 of 6 colleagues have answered" in only["text"]
    assert sum(f"Words of {c}" in text_of(only) for c in ("U4", "U5")) == 1

    await answer(user.as_user("U6"), slack, {"listens": "2"})
    assert len(summaries(slack)) == 1  # the fifth: still the summary of three
    await answer(user.as_user("U7"), slack, {"listens": "2"})
    _, grown = summaries(slack)
    assert "6 of 6 colleagues have answered" in grown["text"]
    assert "Words of U4" in text_of(grown) and "Words of U5" in text_of(grown)


async def test_the_close_keeps_the_last_summary_when_too_few_came_after_it(
    user, slack, bot, colleagues
):
    await ask(user, slack)
    for colleague in ("U2", "U3", "U4"):
        await answer(user.as_user(colleague), slack, {"listens": "4"}, strength="Early")
    await answer(user.as_user("U5"), slack, {"listens": "1"}, strength="The latecomer's words")
    bot.clock.advance(days=14)
    await bot.background.run_due()
    (final,) = [m for m in summaries(slack) if "has closed" in m["text"]]
    assert "4 of 4 colleagues answered" in final["text"]
    assert "the last 1 is not shown" in final["text"] and "pick them out" in final["text"]
    assert "The latecomer's words" not in text_of(final) and "4 of 5" in text_of(final)


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_a_double_submit_counts_once(user, slack, bot, colleagues):
    await ask(user, slack)
    grace = user.as_user("U2")
    view = await open_answer(grace, slack)
    answers = {"rating_listens": "4", "strength": "Twice?"}
    both = await asyncio.gather(*(grace.submit(view, answers) for _ in range(3)))
    texts = sorted(text_of(body["view"]) for _, body in both)
    assert sum("Your answer is in" in t for t in texts) == 1
    assert sum("already answered" in t for t in texts) == 2
    (request,) = await bot.store.feedback_requests_of("U1")
    assert len(await bot.store.feedback_answers(request.id)) == 1


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_the_ask_sent_twice_at_once_is_one_request(user, slack, bot, colleagues):
    before = len(slack.called("views.open"))
    await user.command("feedback")
    view = (await slack.wait_for("views.open", before + 1))[-1]["view"]
    both = await asyncio.gather(*(user.submit(view, {"givers": COLLEAGUES}) for _ in range(2)))
    texts = [text_of(body["view"]) for _, body in both]
    assert sum("I asked 4 colleagues" in t for t in texts) == 1
    assert sum("already have a 360 feedback request open" in t for t in texts) == 1
    assert len(await bot.store.feedback_requests_of("U1")) == 1
    assert all(len(dms(slack, c)) == 1 for c in COLLEAGUES)


async def test_a_button_in_another_message_does_what_the_command_does(user, slack, bot, colleagues):
    await user.click("feedback_start", "engagement", message=True)
    (opened,) = slack.called("views.open")
    assert opened["view"]["callback_id"] == "feedback_ask"
    await user.submit(opened["view"], {"givers": COLLEAGUES})
    await user.click("feedback_start", "engagement", message=True)
    assert len(slack.called("views.open")) == 1
    assert "0 of 4 colleagues have answered" in slack.called("response_url")[-1]["text"]


async def test_a_colleagues_dm_that_could_not_go_goes_with_a_later_round_once(
    user, slack, bot, colleagues
):
    slack.fail("conversations.open", drop=True, times=3, where={"users": "U3"})
    status, body = await ask(user, slack)
    assert status == 200 and "I asked 4 colleagues" in text_of(body["view"])
    assert dms(slack, "U3") == [] and len(dms(slack, "U2")) == 1
    bot.clock.advance(minutes=11)
    await bot.background.run_due()
    await bot.background.run_due()
    assert len(dms(slack, "U3")) == 1 and len(dms(slack, "U2")) == 1
    assert await bot.store.unfinished_effects() == []
