"""A matching round through signed requests, as an L&D manager runs one for a cohort: start
it, people join, mentors confirm their places, Match now, preview, swap and remove a pair,
publish; the intros go out only then, and a mentor accepts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.answers import MENTORING
from tests.listeners.test_intros import text_of
from tests.listeners.test_nudges import button, posts_to
from tests.listeners.test_pool import ADMIN
from tests.listeners.test_questionnaire import walk

COHORT = {"U1": "Mia Mentee", "U5": "Sam Early", "U6": "Kay Later"}


async def start(admin, slack, bot, **changes) -> dict:
    before = len(slack.called("views.open"))
    await admin.command("round")
    view = (await slack.wait_for("views.open", before + 1))[-1]["view"]
    closes = (bot.clock() + timedelta(days=7)).date().isoformat()
    answers = {"name": "Spring cohort", "closes": closes, "audience": "opt_in", **changes}
    _, body = await admin.submit(view, answers)
    return body


def card(slack, name: str = "Spring cohort") -> dict:
    """The round's card in the admin's DM, as it stands (posted, then updated in place)."""
    mark = f"*{name}* round"
    posted = [p for p in posts_to(slack, ADMIN) if mark in p["text"]]
    updates = [u for u in slack.called("chat.update") if mark in u.get("text", "")]
    return (updates or posted)[-1]


@pytest.fixture
async def cohort(user, slack, bot, pool):
    """Three people waiting for a mentor (mentoring results), before the round starts."""
    for person, name in COHORT.items():
        if person != "U1":
            slack.add_user(person, real_name=name, tz="Europe/London")
        await walk(user.as_user(person), slack, MENTORING)
    return [user.as_user(p) for p in COHORT]


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_a_round_from_start_to_published_intros(user, slack, bot, cohort):
    admin, grace, alan = user.as_user(ADMIN), user.as_user("U2"), user.as_user("U3")
    body = await start(admin, slack, bot)
    assert body["response_action"] == "update" and "Started" in text_of(body["view"])
    (found,) = await bot.store.rounds()
    assert found.name == "Spring cohort" and found.state == "open" and found.joined == ()

    # Everyone waiting gets Join the round; two of the three join, one twice.
    for person in ("U1", "U5"):
        (invite,) = [p for p in posts_to(slack, person) if "mentoring round" in p["text"]]
        join = button(invite, "round_join")
        for _ in range(2):
            await user.as_user(person).click(
                "round_join", "round_join", value=join["value"], message=True
            )
    assert (await bot.store.get_round(found.id)).joined == ("U1", "U5")
    assert "You are in the *Spring cohort* round" in text_of(slack.called("response_url")[-1])

    # Mentors confirm their places: Grace one, Alan keeps his free one.
    (ask,) = [p for p in posts_to(slack, "U2") if "How many mentees" in p["text"]]
    one = button(ask, "round_places_1")
    await grace.click("round_places_1", "round_places", value=one["value"], message=True)
    assert (await bot.store.get_round(found.id)).places == {"U2": 1}

    # A crafted Match now from someone who is no admin does nothing.
    match = button(card(slack), "round_match")
    await alan.click("round_match", "round_actions", value=match["value"], message=True)
    assert "Only program admins" in slack.called("response_url")[-1]["text"]
    assert (await bot.store.get_round(found.id)).state == "open"
    await admin.click("round_match", "round_actions", value=match["value"], message=True)
    matched = await bot.store.get_round(found.id)
    assert matched.state == "matched"
    assert {p.mentee_id for p in matched.proposal} == {"U1", "U5"}
    assert matched.total >= matched.first_come_total
    assert "Nobody has been told yet" in text_of(card(slack))
    # Nobody but the admin has heard anything: no intro request reached a mentor.
    assert not [
        p for p in posts_to(slack, "U2") if "would like you to be their mentor" in p["text"]
    ]
    assert await bot.store.intros_in("pending") == []

    # The preview: each pair with its reason and score; the admin swaps, then removes one.
    preview = button(card(slack), "round_preview")
    await admin.click("round_preview", "round_actions", value=preview["value"], message=True)
    view = (await slack.wait_for("views.open"))[-1]["view"]
    view["id"] = "VPREVIEW"
    shown = text_of(view)
    assert "2 pairs" in shown and "first come would give" in shown
    mia = matched.pair_of("U1")
    assert mia is not None and mia.reason in shown
    other = "U3" if mia.mentor_id == "U2" else "U2"
    await admin.click("round_pair", "pair_U1", view=view, selected="swap:U1")
    swap = (await slack.wait_for("views.push"))[-1]["view"]
    _, body = await admin.submit(swap, {"mentor": other})
    swapped = await bot.store.get_round(found.id)
    assert swapped.pair_of("U1").mentor_id == other and ("U1", other) in swapped.kept
    assert (await slack.wait_for("views.update"))[-1]["view_id"] == "VPREVIEW"
    await admin.click("round_pair", "pair_U5", view=view, selected="remove:U5")
    removed = await bot.store.get_round(found.id)
    assert removed.pair_of("U5") is None and "U5" in removed.unmatched

    # Publish, twice at once: the intros go out once.
    await asyncio.gather(
        *(admin.click("round_publish", "publish", value=found.id, view=view) for _ in range(2))
    )
    published = await bot.store.get_round(found.id)
    assert published.state == "published" and len(published.intro_ids) == 1
    (intro,) = await bot.store.intros_of("U1")
    assert intro.mentor_id == other and intro.source == "round" and intro.state == "pending"
    request = (await slack.wait_for("chat.postMessage", channel=f"D{other}"))[-1]
    assert "<@U1> would like you to be their mentor" in request["text"]
    told = [p for p in posts_to(slack, "U5") if "could not pair you" in p["text"]]
    assert len(told) == 1

    # The mentor accepts, as for any intro.
    accept = button(request, "intro_accept")
    await user.as_user(other).click("intro_accept", "answer", value=accept["value"], message=True)
    assert (await bot.store.get_intro(intro.id)).state == "accepted"

    await admin.command("stats")
    stats = text_of(slack.called("response_url")[-1])
    assert "Spring cohort (published): 2 joined · 1 matched · 1 unmatched · 1 accepted" in stats


async def test_everyone_waiting_is_in_an_everyone_round_and_first_come_waits(
    user, slack, bot, cohort
):
    admin = user.as_user(ADMIN)
    await start(admin, slack, bot, audience="everyone", replaces=["replaces"], name="Graduates")
    (found,) = await bot.store.rounds()
    assert set(found.joined) == set(COHORT)
    (told,) = [p for p in posts_to(slack, "U1") if "You are in the" in p["text"]]
    assert "You are in the *Graduates* round" in text_of(told) and "round_join" not in text_of(told)
    # While it is open, its people wait for it rather than ask a mentor.
    result = (await walk(user, slack, MENTORING))["view"]
    line = next(b for b in result["blocks"] if b.get("block_id") == "match_U2")
    request = line["accessory"]
    await user.click(request["action_id"], "match_U2", value=request["value"], view=result)
    pushed = (await slack.wait_for("views.push"))[-1]["view"]
    _, body = await user.submit(pushed, {"shares": ["path"], "note": ""})
    assert "Graduates round" in text_of(body)
    assert await bot.store.intros_of("U1") == []


async def test_a_round_closes_and_matches_by_itself_once(user, slack, bot, cohort):
    admin = user.as_user(ADMIN)
    await start(admin, slack, bot, audience="everyone")
    (found,) = await bot.store.rounds()
    bot.clock.advance(days=6)
    await bot.background.run_due()
    assert (await bot.store.get_round(found.id)).state == "open"
    bot.clock.advance(days=2)
    await bot.background.run_due()
    await bot.background.run_due()
    matched = await bot.store.get_round(found.id)
    assert matched.state == "matched" and matched.proposal
    cards = [*posts_to(slack, ADMIN), *slack.called("chat.update")]
    assert sum("round matched" in c.get("text", "") for c in cards) == 1


async def test_only_admins_start_a_round_and_bad_input_is_said_on_the_field(user, slack, bot, pool):
    await user.command("round")
    assert "Only program admins" in slack.called("response_url")[-1]["text"]
    admin = user.as_user(ADMIN)
    body = await start(admin, slack, bot, name="  ", closes=bot.clock().date().isoformat())
    assert body["response_action"] == "errors" and set(body["errors"]) == {"name", "closes"}
    await start(admin, slack, bot)
    body = await start(admin, slack, bot, name="spring COHORT ")
    assert body["response_action"] == "errors" and "already" in body["errors"]["name"]
    assert len(await bot.store.rounds()) == 1


async def test_a_mentor_away_by_publishing_sends_no_request_and_the_mentee_hears(
    user, slack, bot, cohort
):
    admin = user.as_user(ADMIN)
    await start(admin, slack, bot, audience="everyone")
    (found,) = await bot.store.rounds()
    match = button(card(slack), "round_match")
    await admin.click("round_match", "round_actions", value=match["value"], message=True)
    matched = await bot.store.get_round(found.id)
    graces = [p.mentee_id for p in matched.proposal if p.mentor_id == "U2"]
    assert graces
    away = bot.clock() + timedelta(days=30)
    await bot.store.update_mentor("U2", {"away_until": away})
    await admin.click("round_publish", "round_actions", value=found.id, message=True)
    published = await bot.store.get_round(found.id)
    assert published.state == "published"
    assert all(i.mentor_id != "U2" for i in await bot.store.intros_in("pending"))
    for mentee in graces:
        assert [p for p in posts_to(slack, mentee) if "could not pair you" in p["text"]]


async def test_swaps_never_give_a_mentor_more_than_their_places(user, slack, bot, cohort, env):
    from bot.deps import Deps
    from bot.flows import rounds as flow
    from bot.settings import load_settings

    admin = user.as_user(ADMIN)
    await start(admin, slack, bot, audience="everyone")
    (found,) = await bot.store.rounds()
    await bot.store.set_round_places(found.id, "U3", 1)  # Alan gives one place
    match = button(card(slack), "round_match")
    await admin.click("round_match", "round_actions", value=match["value"], message=True)
    deps = Deps(load_settings(env), bot.content, bot.store, bot.clock)
    first = await flow.swap(deps, found.id, "U1", "U3")
    assert first.round is not None and first.round.pair_of("U1").mentor_id == "U3"
    second = await flow.swap(deps, found.id, "U5", "U3")
    assert second.round is None and "already set by your swaps" in (second.refused or "")
    after = await bot.store.get_round(found.id)
    assert sum(p.mentor_id == "U3" for p in after.proposal) == 1
