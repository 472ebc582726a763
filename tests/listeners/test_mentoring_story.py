"""The mentoring path told once, end to end, as the people in it live it: Grace nominates
herself; a colleague's crafted Approve is refused and an admin approves; Mia is matched with
her and asks; Grace asks a question before accepting and gets Mia's answer; she accepts; the
kickoff suggests times and Mia writes the agreement both confirm; check-ins run on the test's
clock and two low scores alert the admins, who read who and why but never the notes; the pair
resets their agreement, and later says We're done; both close out; the figures count it all.
Then Grace goes away: nobody is offered her, and she comes back by herself."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.mentoring import agreement_of
from tests.answers import MENTORING
from tests.listeners.test_intros import ask, text_of
from tests.listeners.test_mentor_side import JOIN, admin_dm, buttons, open_view
from tests.listeners.test_mentoring_end import (
    admin_alerts,
    both_checked_in,
    closeout_dms,
    open_modal,
    reset_offers,
)
from tests.listeners.test_mentoring_start import (
    AGREEMENT,
    click_in,
    dm_text,
    open_from,
    posted,
    proposed,
    write,
)
from tests.listeners.test_nudges import click, posts_to
from tests.listeners.test_pool import ADMIN
from tests.listeners.test_questionnaire import walk


async def confirm_both(mia, grace, slack, bot, intro_id: str, proposals: int) -> None:
    (*_, proposal) = await slack.wait_for(
        "chat.postMessage", proposals, channel="DU1U2", text=proposed()
    )
    where = agreement_of(await bot.store.get_intro(intro_id)).message["ts"]
    for person in (mia, grace):
        await click_in(person, proposal, "mentoring_agreement_confirm", ts=where)


async def test_from_a_nomination_to_a_closed_mentoring(user, slack, bot, people):
    admin, mia, grace = user.as_user(ADMIN), user, user.as_user("U2")

    # Grace offers to mentor; nobody is offered her before an admin says yes.
    join = await open_view(grace, slack, "mentor join")
    _, body = await grace.submit(join, JOIN)
    assert "Nomination sent" in text_of(body["view"])
    approve = buttons(await admin_dm(slack))["nomination_approve"]
    slack.add_user("U5", real_name="Sam Early")
    early = (await walk(user.as_user("U5"), slack, MENTORING))["view"]
    assert "match_U2" not in text_of(early)

    # Alan, no admin, crafts the Approve; then an admin approves.
    await user.as_user("U3").click(
        "nomination_approve", "decide_U2", value=approve["value"], message=True
    )
    assert "Only program admins" in slack.called("response_url")[-1]["text"]
    assert (await bot.store.get_mentor("U2")).status == "nominated"
    await admin.click("nomination_approve", "decide_U2", value=approve["value"], message=True)
    assert (await bot.store.get_mentor("U2")).status == "pool"

    # Mia is matched with Grace and asks; Grace asks a question before answering.
    result = (await walk(mia, slack, MENTORING))["view"]
    request = await ask(mia, slack, result, "U2")
    (intro,) = await bot.store.intros_of("U1")
    question = await open_from(grace, slack, request, "intro_ask")
    await grace.submit(question, {"question": "What would a good year look like for you?"})
    (asked,) = await slack.wait_for("chat.postMessage", channel="DU1", text=dm_text("U2"))
    bot.clock.advance(days=8)  # past the first expiry: the request waits for Mia
    await bot.background.run_due()
    assert (await bot.store.get_intro(intro.id)).state == "pending"
    answer = await open_from(mia, slack, asked, "intro_answer_question", ts="1700000000.000888")
    await mia.submit(answer, {"answer": "Leading my first project, and a wider network."})
    shown = (await slack.wait_for("chat.update", 2, channel="DU2"))[-1]
    assert "Leading my first project" in text_of(shown)

    # Grace accepts; the kickoff suggests times; Mia writes the agreement; both confirm.
    await click_in(grace, request, "intro_accept")
    (kickoff,) = await slack.wait_for("chat.postMessage", channel="DU1U2")
    assert "<!date^" in text_of(kickoff)
    await write(mia, slack, kickoff, AGREEMENT)
    await confirm_both(mia, grace, slack, bot, intro.id, 1)
    agreed = agreement_of(await bot.store.get_intro(intro.id))
    assert agreed is not None and agreed.confirmed(intro)

    # Check-ins on the test's clock: two low scores in a row alert the admins, once, with
    # who and why and never the note.
    mine, hers = await both_checked_in(bot, slack)
    assert "Lead a design review" in text_of(mine)
    note = await open_modal(mia, slack, "nudge_note", buttons(mine)["nudge_note"]["value"])
    await mia.submit(note, {"note": "My manager keeps moving the goalposts"})
    await click(mia, mine, "nudge_score_2")
    await click(grace, hers, "nudge_score_1")
    await slack.wait_until(lambda: bool(admin_alerts(slack)))
    (alert,) = admin_alerts(slack)
    assert "<@U1>" in text_of(alert) and "<@U2>" in text_of(alert)
    assert "goalposts" not in text_of(alert) and "design review" not in text_of(alert)
    (offer,) = reset_offers(slack, "U1")

    # They reset: Mia writes the agreement again and both confirm it; the flag stays on record.
    await write(mia, slack, offer, AGREEMENT)
    await confirm_both(mia, grace, slack, bot, intro.id, 2)
    reset = await bot.store.get_intro(intro.id)
    assert reset.at_risk["signal"] == "low_scores" and reset.at_risk.get("reset_at")

    # The next check-ins go well; the pair says they are done, and both close out.
    mine, hers = await both_checked_in(bot, slack)
    await click(mia, mine, "nudge_score_5")
    rate = buttons(mine)["mentoring_rate_goals"]
    rating = await open_modal(mia, slack, "mentoring_rate_goals", rate["value"])
    await mia.submit(rating, {"goal_0": "4", "goal_1": "5"})
    assert len(admin_alerts(slack)) == 1
    done = await open_modal(grace, slack, "mentoring_done", intro.id)
    await grace.submit(done, {})
    assert (await bot.store.get_intro(intro.id)).state == "ended"
    assert "U2" not in await bot.store.mentees_now()  # Grace's place is free again
    assert closeout_dms(slack, "U1") and closeout_dms(slack, "U2")
    closeout = await open_modal(mia, slack, "mentoring_closeout", intro.id)
    await mia.submit(closeout, {"goals": "5", "recommend": "yes", "note": "Thank you, Grace!"})
    theirs = await open_modal(grace, slack, "mentoring_closeout", intro.id)
    await grace.submit(theirs, {"goals": "4", "recommend": "yes"})
    assert [p for p in posts_to(slack, "U2") if "Thank you, Grace!" in text_of(p)]
    assert set((await bot.store.get_intro(intro.id)).closeouts) == {"U1", "U2"}

    await admin.command("stats")
    stats = text_of(slack.called("response_url")[-1])
    assert "Nominations: 0 waiting · 1 approved" in stats
    assert "Relationships: 0 active, 1 closed" in stats
    assert "Agreements confirmed: 1" in stats
    assert "Goal progress in check-ins: 4.5 / 5" in stats
    assert "Goals reached at close-out: 4.5 / 5" in stats
    assert "Would recommend their mentoring: 2 of 2" in stats
    assert "Pairs flagged at risk: 1" in stats

    # Grace goes away for a while: a new mentee is not offered her; she is back on the day.
    profile = await open_view(grace, slack, "mentor")
    back_on = (bot.clock() + timedelta(days=10)).date()
    await grace.submit(profile, {**JOIN, "status": "active", "away": back_on.isoformat()})
    assert (await bot.store.get_mentor("U2")).away_until is not None
    slack.add_user("U6", real_name="Kay Later")
    later = (await walk(user.as_user("U6"), slack, MENTORING))["view"]
    assert "match_U2" not in text_of(later)
    bot.clock.advance(days=11)
    await bot.background.run_due()
    assert (await bot.store.get_mentor("U2")).taking
    assert posted(slack, "DU2", "Welcome back")
