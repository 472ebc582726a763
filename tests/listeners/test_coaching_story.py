"""The coaching path told once, end to end, as the people in it live it: an admin adds an
internal and an external coach by modal; Mia, told coaching fits, asks for it; a colleague's
crafted Approve is refused and an admin approves; Mia chooses Grace, who accepts; the kickoff
reaches them both; Mia gathers 360 feedback from four colleagues, which shows from the third
answer without a name and goes to Grace when Mia shares it; the mid-point and end review run
on the test's clock; the engagement closes with an outcome and the figures count it."""

from __future__ import annotations

from tests.listeners.test_coaching import GOALS, click, dms, element, request_coaching, text_of
from tests.listeners.test_feedback import answer, ask
from tests.listeners.test_pool import ADMIN
from tests.listeners.test_roster import EXTERNAL, INTERNAL, external_editor, open_editor

COLLEAGUES = {"U3": "Alan Turing", "U4": "Kay Johnson", "U5": "Lin Park", "U6": "Sam Okafor"}


async def test_from_a_coaching_result_to_a_closed_engagement(user, slack, bot, people):
    for colleague, name in COLLEAGUES.items():
        if colleague != "U3":
            slack.add_user(colleague, real_name=name)
    admin, mia, grace = user.as_user(ADMIN), user, user.as_user("U2")

    # The roster, by modal: Grace inside the company, Zoe outside it.
    await admin.submit(await open_editor(admin, slack), {**INTERNAL, "capacity": "1"})
    await admin.submit(await external_editor(admin, slack), EXTERNAL)
    assert {c.kind for c in await bot.store.coaches()} == {"internal", "external"}

    # Mia asks; Alan, no admin, crafts the Approve from a copy of the admins' DM.
    admin_dm = await request_coaching(mia, slack)
    approve = element(admin_dm, "coaching_approve")
    await user.as_user("U3").click("coaching_approve", "b", value=approve["value"], message=True)
    assert "Only program admins" in slack.called("response_url")[-1]["text"]
    (request,) = await bot.store.coaching_requests_of("U1")
    assert request.state == "pending"
    await click(admin, admin_dm, "coaching_approve")
    choices = next(m for m in reversed(dms(slack, "U1")) if "approved" in m["text"])
    offered = {
        b["block_id"] for b in choices["blocks"] if b.get("block_id", "").startswith("coach_")
    }
    assert "coach_U2" in offered and len(offered) == 2

    # Mia chooses Grace; Grace accepts; the kickoff reaches them both, once.
    line = next(b for b in choices["blocks"] if b.get("block_id") == "coach_U2")
    await mia.click("coaching_choose", "c", value=line["accessory"]["value"], message=True)
    offer = dms(slack, "U2")[-1]
    await click(grace, offer, "coaching_accept")
    (kickoff,) = slack.called("chat.postMessage", channel="DU1U2")
    assert GOALS["goal_1"] in text_of(kickoff) and "`/devpath feedback`" in text_of(kickoff)
    engagement = await bot.store.active_engagement("U1")
    assert engagement is not None and engagement.coach_id == "U2"

    # 360 feedback from four colleagues: nothing at two answers, a summary at the third,
    # never a name; Mia shares it with Grace, her coach.
    _, body = await ask(mia, slack, givers=list(COLLEAGUES))
    assert body["response_action"] == "update"
    said = {"U3": "Calm in a crisis", "U4": "Listens first", "U5": "Clear priorities"}
    for colleague in ("U3", "U4"):
        await answer(user.as_user(colleague), slack, {"listens": "4"}, strength=said[colleague])
    assert not [m for m in dms(slack, "U1") if "Your 360 feedback" in text_of(m)]
    await answer(user.as_user("U5"), slack, {"listens": "5"}, strength=said["U5"])
    (summary,) = [m for m in dms(slack, "U1") if "Your 360 feedback" in text_of(m)]
    shown = text_of(summary)
    assert all(words in shown for words in said.values())
    assert not any(c in shown or name in shown for c, name in COLLEAGUES.items())
    share = element(summary, "feedback_share")
    await mia.click("feedback_share", "feedback_share", value=share["value"], message=True)
    (to_grace,) = [m for m in dms(slack, "U2") if "360 feedback" in m["text"]]
    assert "Clear priorities" in text_of(to_grace)
    assert not any(c in text_of(to_grace) for c in COLLEAGUES)

    # The mid-point and the end review, on the test's clock.
    bot.clock.advance(weeks=7)
    await bot.background.run_due()
    midpoint = next(m for m in dms(slack, "U1") if "Half-way" in m["text"])
    await click(mia, midpoint, "coaching_progress")
    modal = (await slack.wait_for("views.open"))[-1]["view"]
    await mia.submit(modal, {"goal_0": "3", "goal_1": "4"})
    bot.clock.advance(weeks=7)
    await bot.background.run_due()
    review = next(m for m in dms(slack, "U1") if "reaches its planned end" in m["text"])
    await click(mia, review, "coaching_review")
    modal = slack.called("views.open")[-1]["view"]
    _, body = await mia.submit(modal, {"goal_0": "5", "goal_1": "4", "recommend": "yes"})
    assert "Coaching closed" in text_of(body["view"])
    closed = await bot.store.get_engagement(engagement.id)
    assert closed is not None and closed.state == "ended" and closed.outcome == {"0": 5, "1": 4}
    assert await bot.store.coach_places_taken() == {}  # Grace's one place is free again

    await admin.command("stats")
    stats = text_of(slack.called("response_url")[-1])
    assert "1 closed" in stats and "Would recommend their coach: 1 of 1" in stats
    assert "1 requests" in stats  # 360 requests answered
