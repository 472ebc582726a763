"""A mentoring relationship's middle and end, as the pair and the admins live it: check-ins
on the agreed goals, a pair at risk flagged once, We're done, the close-outs, ending early,
and the agreed end."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.domain.mentoring import Agreement
from tests.answers import MENTORING
from tests.listeners.test_intros import ask, text_of
from tests.listeners.test_nudges import button, click, nudges_to, posts_to
from tests.listeners.test_pool import ADMIN
from tests.listeners.test_questionnaire import walk

GOALS = ("Lead a design review", "Meet five people in <!channel> & beyond")


@pytest.fixture
async def pair(user, slack, bot, pool):
    """Mia (U1, London) asked Grace (U2, New York), who accepted: Tuesday 24 Nov, 10:00 UTC."""
    result = (await walk(user, slack, MENTORING))["view"]
    request = await ask(user, slack, result, "U2")
    accept = button(request, "intro_accept")
    await user.as_user("U2").click("intro_accept", "answer", value=accept["value"], message=True)
    await slack.wait_for("conversations.open", users="U1,U2")
    return (await bot.store.intros_of("U1"))[0]


async def agree(bot, intro, runs_for=timedelta(weeks=12)):
    """The pair's confirmed agreement, set as the kickoff would."""
    now = bot.clock()
    agreed = Agreement(
        GOALS, "2w", "12w", now, "U1", ("U1", "U2"), confirmed_at=now, ends_at=now + runs_for
    )
    changed = await bot.store.update_intro(
        intro.id, frozenset({"accepted"}), {"agreement": agreed.doc()}
    )
    assert changed is not None
    return changed


def check_ins(slack, user_id: str) -> list[dict]:
    return [p for p in nudges_to(slack, user_id) if "How is your mentoring" in p["text"]]


async def both_checked_in(bot, slack):
    """Four weeks on, in both people's working hours: each gets a check-in."""
    bot.clock.advance(weeks=4)
    await bot.background.run_due()
    bot.clock.advance(hours=5)
    await bot.background.run_due()
    return check_ins(slack, "U1")[-1], check_ins(slack, "U2")[-1]


def admin_alerts(slack) -> list[dict]:
    return [p for p in posts_to(slack, ADMIN) if "may be at risk" in p["text"]]


def reset_offers(slack, user_id: str) -> list[dict]:
    return [p for p in posts_to(slack, user_id) if "lost some pace" in p["text"]]


def closeout_dms(slack, user_id: str) -> list[dict]:
    return [p for p in posts_to(slack, user_id) if "mentoring_closeout" in text_of(p)]


async def open_modal(person, slack, action_id: str, value: str) -> dict:
    before = len(slack.called("views.open"))
    await person.click(action_id, "b", value=value, message=True)
    return (await slack.wait_for("views.open", before + 1))[-1]["view"]


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_check_ins_show_the_goals_and_rate_each_once(user, slack, bot, pair):
    await agree(bot, pair)
    mine, _ = await both_checked_in(bot, slack)
    shown = text_of(mine)
    assert "Lead a design review" in shown
    assert "&lt;!channel&gt; &amp; beyond" in shown and "<!channel>" not in shown
    button(mine, "mentoring_done")  # We're done is in every check-in

    rate = button(mine, "mentoring_rate_goals")
    modal = await open_modal(user, slack, "mentoring_rate_goals", rate["value"])
    assert [b["block_id"] for b in modal["blocks"] if b["type"] == "input"] == [
        "goal_0",
        "goal_1",
    ]
    _, missing = await user.submit(modal, {"goal_0": "4"})
    assert missing["response_action"] == "errors" and "goal_1" in missing["errors"]
    first, second = await asyncio.gather(
        user.submit(modal, {"goal_0": "4", "goal_1": "2"}),
        user.submit(modal, {"goal_0": "1", "goal_1": "1"}),
    )
    assert first[0] == second[0] == 200
    check_in = await bot.store.get_nudge(rate["value"])
    ratings = {k: v for k, v in check_in.answer.items() if k.startswith("goal_")}
    assert ratings in ({"goal_0": "4", "goal_1": "2"}, {"goal_0": "1", "goal_1": "1"})
    # Two submissions at the same moment: one is stored, the other is told it was rated.
    said = [text_of(body) for _, body in (first, second)]
    assert sum("already rated" in words for words in said) == 1
    _, again = await user.submit(modal, {"goal_0": "5", "goal_1": "5"})
    assert "already rated" in text_of(again)
    assert (await bot.store.get_nudge(rate["value"])).answer == check_in.answer

    # Scoring afterwards keeps the check-in's own buttons.
    await click(user, mine, "nudge_score_3")
    thanks = (await slack.wait_for("response_url"))[-1]
    assert "3 out of 5" in thanks["text"] and "mentoring_done" in text_of(thanks)


async def test_check_ins_without_an_agreement_have_no_goals_to_rate(user, slack, bot, pair):
    mine, _ = await both_checked_in(bot, slack)
    assert "mentoring_rate_goals" not in text_of(mine)
    button(mine, "mentoring_done")


async def test_low_scores_twice_in_a_row_alert_the_admins_once(user, slack, bot, pair):
    await agree(bot, pair)
    mine, grace_s = await both_checked_in(bot, slack)
    note = button(mine, "nudge_note")
    modal = await open_modal(user, slack, "nudge_note", note["value"])
    await user.submit(modal, {"note": "Private worries about my manager"})

    await click(user, mine, "nudge_score_2")
    await slack.wait_for("response_url")
    assert admin_alerts(slack) == []  # one low score is not a row
    grace = user.as_user("U2")
    await click(grace, grace_s, "nudge_score_1")
    await slack.wait_for("response_url", 2)

    (alert,) = admin_alerts(slack)
    said = text_of(alert)
    assert "<@U1>" in said and "<@U2>" in said
    assert "2 check-in scores in a row at 2 out of 5 or under" in said
    assert "Private worries" not in said and "design review" not in said
    for person in ("U1", "U2"):
        (offer,) = reset_offers(slack, person)
        assert button(offer, "mentoring_agreement")["value"] == pair.id
        assert button(offer, "mentoring_end_early")["value"] == pair.id
    assert (await bot.store.get_intro(pair.id)).at_risk["signal"] == "low_scores"

    # Once per episode: another low score, and later rounds, add nothing.
    await click(grace, grace_s, "nudge_score_2")
    await slack.wait_for("response_url", 3)
    bot.clock.advance(weeks=4)
    await bot.background.run_due()
    assert len(admin_alerts(slack)) == 1 and len(reset_offers(slack, "U1")) == 1


async def test_both_ignoring_two_check_ins_flags_the_pair(user, slack, bot, pair):
    await both_checked_in(bot, slack)
    await both_checked_in(bot, slack)
    assert admin_alerts(slack) == []  # the latest went out a moment ago
    await both_checked_in(bot, slack)
    (alert,) = admin_alerts(slack)
    assert "both left their latest 2 check-ins unanswered" in alert["text"]
    assert len(reset_offers(slack, "U1")) == len(reset_offers(slack, "U2")) == 1
    await both_checked_in(bot, slack)
    assert len(admin_alerts(slack)) == 1


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_were_done_then_each_closes_out_once(user, slack, bot, pair):
    await agree(bot, pair)
    assert (await bot.store.mentees_now()).get("U2") == 1
    grace = user.as_user("U2")
    modal = await open_modal(grace, slack, "mentoring_done", pair.id)
    assert "<@U1>" in text_of(modal)
    both = await asyncio.gather(grace.submit(modal, {}), grace.submit(modal, {}))
    answered = sorted(body["view"]["title"]["text"] for _, body in both)
    assert answered == ["Mentoring closed", "Not ended"]  # one acted, the other was told
    ended = await bot.store.get_intro(pair.id)
    assert (ended.state, ended.ended_by, ended.end_reason) == ("ended", "U2", "")
    assert "U2" not in await bot.store.mentees_now()  # her place is free
    left = [
        n
        for person in ("U1", "U2")
        for n in await bot.store.nudges_of(person)
        if n.subject == pair.id and n.state == "scheduled"
    ]
    assert left == []

    (mine,) = closeout_dms(slack, "U1")
    assert "<@U2> said you are done" in mine["text"]
    assert len(closeout_dms(slack, "U2")) == 1

    closeout = await open_modal(user, slack, "mentoring_closeout", pair.id)
    assert "Lead a design review" in text_of(closeout)
    answers = {"goals": "4", "recommend": "yes", "note": "Thank you <!here> & good luck"}
    await asyncio.gather(user.submit(closeout, answers), user.submit(closeout, answers))
    closed = await bot.store.get_intro(pair.id)
    assert set(closed.closeouts) == {"U1"} and closed.closeouts["U1"]["goals"] == "4"
    notes = [p for p in posts_to(slack, "U2") if "left you a note" in p["text"]]
    assert len(notes) == 1
    assert "&lt;!here&gt; &amp; good luck" in text_of(notes[0])
    assert "<!here>" not in text_of(notes[0])
    thanks = [p for p in posts_to(slack, "U1") if "stay in touch" in p["text"]]
    assert len(thanks) == 1

    await user.click("mentoring_closeout", "closeout", value=pair.id, message=True)
    assert "already closed this out" in (await slack.wait_for("response_url"))[-1]["text"]

    # Grace closes out too, without a note: nothing is sent to Mia but her thanks.
    theirs = await open_modal(grace, slack, "mentoring_closeout", pair.id)
    assert "recommend mentoring here" in text_of(theirs)
    _, body = await grace.submit(theirs, {"goals": "3", "recommend": "no"})
    assert body["response_action"] == "update"
    assert set((await bot.store.get_intro(pair.id)).closeouts) == {"U1", "U2"}
    assert [p for p in posts_to(slack, "U1") if "left you a note" in p["text"]] == []

    # A late click on We're done changes nothing.
    await grace.click("mentoring_done", "b", value=pair.id, message=True)
    assert "ended already" in (await slack.wait_for("response_url", 2))[-1]["text"]


async def test_a_closeout_needs_its_answers_and_a_short_note(user, slack, bot, pair):
    grace = user.as_user("U2")
    modal = await open_modal(grace, slack, "mentoring_done", pair.id)
    await grace.submit(modal, {})
    closeout = await open_modal(user, slack, "mentoring_closeout", pair.id)
    _, body = await user.submit(closeout, {"recommend": "yes", "note": "x" * 501})
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"goals", "note"}
    assert (await bot.store.get_intro(pair.id)).closeouts == {}


async def test_the_agreed_end_closes_it_by_itself(user, slack, bot, pair):
    await agree(bot, pair, runs_for=timedelta(weeks=6))
    bot.clock.advance(weeks=5)
    await bot.background.run_due()
    assert (await bot.store.get_intro(pair.id)).state == "accepted"
    bot.clock.advance(weeks=1)
    await bot.background.run_due()
    await bot.background.run_due()
    ended = await bot.store.get_intro(pair.id)
    assert (ended.state, ended.ended_by, ended.end_reason) == ("ended", "", "agreed end")
    for person in ("U1", "U2"):
        (closing,) = closeout_dms(slack, person)
        assert "reached its agreed end" in closing["text"]
    assert not [p for p in posts_to(slack, "U1") if "another mentor" in p["text"]]


async def test_ending_early_tells_the_other_kindly_and_offers_the_next_match(
    user, slack, bot, pair
):
    grace = user.as_user("U2")
    modal = await open_modal(grace, slack, "mentoring_end_early", pair.id)
    assert "without your reason" in text_of(modal)
    _, body = await grace.submit(modal, {"reason": "   "})
    assert body["response_action"] == "errors" and "reason" in body["errors"]
    await grace.submit(modal, {"reason": "I am moving to the Tokyo office"})
    ended = await bot.store.get_intro(pair.id)
    assert (ended.state, ended.ended_by) == ("ended", "U2")
    assert ended.end_reason == "I am moving to the Tokyo office"

    (told,) = closeout_dms(slack, "U1")
    assert "ended your mentoring early" in told["text"]
    assert "Tokyo" not in text_of(told)
    (offer,) = [p for p in posts_to(slack, "U1") if "another mentor" in p["text"]]
    assert "match_U3" in text_of(offer) and "match_U2" not in text_of(offer)
    assert len(closeout_dms(slack, "U2")) == 1


async def test_a_stranger_cannot_end_or_close_out_someone_elses_mentoring(user, slack, bot, pair):
    alan = user.as_user("U3")
    opened = len(slack.called("views.open"))
    for action in ("mentoring_done", "mentoring_end_early"):
        await alan.click(action, "b", value=pair.id, message=True)
    replies = await slack.wait_for("response_url", 2)
    assert all("not one I can find" in r["text"] for r in replies[-2:])
    assert len(slack.called("views.open")) == opened

    # A forged submission of the pair's own modal is refused on the server too.
    modal = await open_modal(user, slack, "mentoring_done", pair.id)
    _, body = await alan.submit(modal, {})
    assert "not one I can find" in text_of(body)
    assert (await bot.store.get_intro(pair.id)).state == "accepted"

    await user.submit(modal, {})
    closeout = await open_modal(user, slack, "mentoring_closeout", pair.id)
    _, body = await alan.submit(closeout, {"goals": "1", "recommend": "no", "note": "ha"})
    assert "not one I can find" in text_of(body)
    assert (await bot.store.get_intro(pair.id)).closeouts == {}


async def test_both_homes_offer_were_done_and_end_early(user, slack, bot, pair):
    for person in ("U1", "U2"):
        await user.as_user(person).event(
            {"type": "app_home_opened", "user": person, "tab": "home"}, event_id=f"Ev{person}"
        )
        home = (await slack.wait_for("views.publish", user_id=person))[-1]["view"]
        rel = next(
            b for b in home["blocks"] if b["type"] == "actions" and b["block_id"].endswith(pair.id)
        )
        assert [e["action_id"] for e in rel["elements"]][-2:] == [
            "mentoring_done",
            "mentoring_end_early",
        ]
