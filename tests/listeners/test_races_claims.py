"""More simultaneous signed requests, on both backends: Snooze clicked twice, an open request
posted twice at once, a mentor with one place taking two open requests at once, a claim whose
intro the store refuses. Each acts once, or not at all."""

from __future__ import annotations

import asyncio

import pytest

from tests.answers import MENTORING, for_view
from tests.listeners.test_intros import ask
from tests.listeners.test_questionnaire import open_modal, walk
from tests.listeners.test_races import button

pytestmark = pytest.mark.parametrize("backend", ["tinydb", "postgres"])
LEGAL = {**MENTORING, "field": "legal", "topics": ["company_culture"]}


def both_read_first(monkeypatch, store, method: str) -> None:
    """The race the simultaneous clicks only meet now and then, made certain: the first two
    calls of `store.method` both answer before either click goes on (later calls: at once)."""
    real = getattr(store, method)
    arrived: list[int] = []
    both = asyncio.Event()

    async def wait_for_the_other(*args, **kwargs):
        found = await real(*args, **kwargs)
        arrived.append(1)
        if len(arrived) == 2:
            both.set()
        if len(arrived) <= 2:
            await both.wait()
        return found

    monkeypatch.setattr(store, method, wait_for_the_other)


def claim_button(post: dict) -> dict:
    return next(b for b in post["blocks"] if b["type"] == "actions")["elements"][0]


async def post_open_request(user, slack, mentee: str) -> dict:
    """The mentee's open request, as posted in the match channel."""
    person = user.as_user(mentee)
    result = (await walk(person, slack, LEGAL))["view"]
    await person.click("open_request_post", "open_request", view=result)
    return next(
        p for p in slack.called("chat.postMessage", channel="CMATCH") if f"<@{mentee}>" in p["text"]
    )


async def test_snooze_clicked_twice_at_once_plans_one_reminder(user, slack, bot, pool):
    result = (await walk(user, slack, MENTORING))["view"]
    request = await ask(user, slack, result, "U2")
    accept = button(request, "intro_accept")
    await user.as_user("U2").click("intro_accept", "answer", value=accept["value"], message=True)
    bot.clock.advance(days=7)
    await bot.background.run_due()
    (met,) = [p for p in slack.called("chat.postMessage", channel="DU1") if "meet" in p["text"]]
    snooze = button(met, "nudge_snooze")
    await asyncio.gather(
        *(
            user.click("nudge_snooze", "nudge", value=snooze["value"], message=True)
            for _ in range(2)
        )
    )
    theirs = await bot.store.nudges_of("U1")
    again = [n for n in theirs if n.kind == "did_you_meet" and n.state == "scheduled"]
    assert len(again) == 1  # one "again in a week", not two
    assert [n.state for n in theirs if n.id == snooze["value"].split(":")[0]] == ["snoozed"]


async def test_post_an_open_request_clicked_twice_at_once_posts_once(
    user, slack, bot, pool, monkeypatch
):
    result = (await walk(user, slack, LEGAL))["view"]
    both_read_first(monkeypatch, bot.store, "latest_response")
    await asyncio.gather(
        *(user.click("open_request_post", "open_request", view=result) for _ in range(2))
    )
    assert len(slack.called("chat.postMessage", channel="CMATCH")) == 1
    (request,) = await bot.store.open_requests_of("U1")
    assert request["ts"]  # where it landed, recorded once
    told = [
        c["text"]
        for c in slack.called("chat.postMessage", channel="DU1")
        if "open request" in c["text"]
    ]
    assert sorted(told) == sorted(
        [
            "Your open request is already up in <#CMATCH>.",
            "Your open request is up in <#CMATCH>. I will tell you when a mentor picks it up.",
        ]
    )


async def test_a_mentor_with_one_place_claiming_two_requests_at_once_gets_one(
    user, slack, bot, pool, monkeypatch
):
    slack.add_user("U5", real_name="Noor Newcomer")
    posts = [await post_open_request(user, slack, mentee) for mentee in ("U1", "U5")]
    both_read_first(monkeypatch, bot.store, "mentees_now")
    alan = user.as_user("U3")  # one mentee place
    await asyncio.gather(
        *(
            alan.click(
                claim_button(p)["action_id"], "claim", value=claim_button(p)["value"], message=True
            )
            for p in posts
        )
    )
    accepted = [i for i in await bot.store.intros() if i.state == "accepted"]
    assert len(accepted) == 1 and accepted[0].mentor_id == "U3"
    kickoffs = [c for c in slack.called("chat.postMessage") if c["channel"] in ("DU1U3", "DU5U3")]
    assert len(kickoffs) == 1
    (refused,) = slack.called("response_url")
    assert "no free mentee place" in refused["text"]
    left_open = [
        r for m in ("U1", "U5") for r in await bot.store.open_requests_of(m) if not r["claimed_by"]
    ]
    assert len(left_open) == 1  # the other mentee's request is still there for someone else


async def test_a_claim_whose_intro_the_store_refuses_sends_nothing(
    user, slack, bot, pool, monkeypatch
):
    post = await post_open_request(user, slack, "U1")
    result = (await walk(user, slack, MENTORING))["view"]
    # As if the mentee's own request to Grace landed between the claim's check and its write.
    intros_of = bot.store.intros_of
    seen: list[str] = []

    async def before_the_request(user_id: str):
        found = await intros_of(user_id)
        seen.append(user_id)
        return [] if len(seen) == 1 else found

    await ask(user, slack, result, "U2")
    monkeypatch.setattr(bot.store, "intros_of", before_the_request)
    before = len(slack.called("chat.postMessage"))
    claim = claim_button(post)
    await user.as_user("U2").click(claim["action_id"], "claim", value=claim["value"], message=True)
    assert [i.state for i in await intros_of("U1")] == ["pending"]
    sent = slack.called("chat.postMessage")[before:]
    assert not [c for c in sent if c["channel"] == "DU1U2"]  # no kickoff
    assert not [c for c in sent if "accepted" in c.get("text", "")]
    (told,) = slack.called("response_url")
    assert "already have an intro" in told["text"]
    (request,) = await bot.store.open_requests_of("U1")
    assert not request["claimed_by"]


async def test_the_last_screen_shared_twice_at_once_is_one_share(user, slack, bot, pool):
    def chosen(view: dict) -> dict:
        answers = for_view(view, MENTORING)
        if any(b.get("block_id") == "share" for b in view["blocks"]):
            answers["share"] = ["share"]
        return answers

    view = await open_modal(user, slack)
    while view["submit"]["text"] == "Next":
        _, body = await user.submit(view, chosen(view))
        view = body["view"]
    await asyncio.gather(user.submit(view, chosen(view)), user.submit(view, chosen(view)))
    assert len(await bot.store.responses("U1")) == 1
    assert len(slack.called("chat.postMessage", channel="C1")) == 1  # one share
    kinds = sorted(n.kind for n in await bot.store.nudges_of("U1"))
    assert kinds == ["gentle_reminder", "reach_out"]  # one plan
