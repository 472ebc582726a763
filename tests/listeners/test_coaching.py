"""The coaching story: a person with a coaching result asks for coaching, the program
decides within its budget, the person chooses a coach, the engagement runs and closes."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.domain.coaching import Coach, CoachingRequest
from tests.answers import COACHING, MENTORING
from tests.blockkit import assert_valid_view
from tests.listeners.test_pool import ADMIN
from tests.listeners.test_questionnaire import walk

GOALS = {
    "goal_1": "Run my staff meeting without overruns for 6 weeks",
    "goal_2": "Delegate two projects <!channel>",
    "timeframe": "3m",
    "manager": "yes",
    "note": "My manager <@U2> supports it",
}


def text_of(thing) -> str:
    return json.dumps(thing, ensure_ascii=False)


def element(thing: dict, action_id: str) -> dict:
    for block in thing["blocks"]:
        for found in [*block.get("elements", []), block.get("accessory") or {}]:
            if isinstance(found, dict) and found.get("action_id") == action_id:
                return found
    raise AssertionError(f"no {action_id} in {text_of(thing)}")


def dms(slack, user_id: str) -> list[dict]:
    return slack.called("chat.postMessage", channel=f"D{user_id}")


async def request_coaching(person, slack, answers: dict | None = None) -> dict:
    """Walk the questionnaire to a coaching result, click Request coaching, send the modal;
    the admin's DM back."""
    result = (await walk(person, slack, COACHING))["view"]
    asked = element(result, "coaching_request")
    before = len(slack.called("views.push"))
    await person.click("coaching_request", "coaching", value=asked["value"], view=result)
    modal = (await slack.wait_for("views.push", before + 1))[-1]["view"]
    assert modal["callback_id"] == "coaching_request"
    assert_valid_view(modal)
    status, body = await person.submit(modal, answers or GOALS)
    assert status == 200 and body["response_action"] == "update"
    assert "Request sent" in text_of(body["view"])
    return dms(slack, ADMIN)[-1]


async def click(person, message: dict, action_id: str):
    found = element(message, action_id)
    return await person.click(action_id, "b", value=found["value"], message=True)


async def test_a_request_reaches_the_admins_and_is_approved(user, slack, bot, people):
    admin_dm = await request_coaching(user, slack)
    assert "<@U1> asks for coaching" in admin_dm["text"]
    shown = text_of(admin_dm)
    assert "Run my staff meeting without overruns" in shown
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown  # typed text never pings
    assert "&lt;@U2&gt;" in shown
    assert "About 3 months" in shown and "Yes, and they support it" in shown
    assert "Why devpath advised coaching" in shown
    assert "0 of 6 engagements approved this quarter" in shown
    (request,) = await bot.store.coaching_requests_of("U1")
    assert request.state == "pending" and len(request.goals) == 2
    mine = dms(slack, "U1")[-1]
    assert "What happens next" in text_of(mine) and element(mine, "coaching_withdraw")

    admin = user.as_user(ADMIN)
    await click(admin, admin_dm, "coaching_approve")
    await click(admin, admin_dm, "coaching_approve")  # a double click acts once
    assert (await bot.store.get_coaching_request(request.id)).state == "approved"
    approved = [m for m in dms(slack, "U1") if "approved your coaching" in m["text"]]
    assert len(approved) == 1
    copy = slack.called("chat.update")[-1]
    assert "was approved by <@UADMIN>" in copy["text"]
    # Nobody on the (empty) roster fits: the person is told plainly, the admins to add one.
    assert "No coach on the roster fits you" in text_of(approved[0])
    assert "found no coach on the roster" in dms(slack, ADMIN)[-1]["text"]
    assert "already decided" in slack.called("response_url")[-1]["text"]

    # Approved and open: no second request.
    await user.command("status")
    status = slack.called("response_url")[-1]
    assert "Coaching request of 24 November 2026: approved" in status["text"]
    assert "coaching_request" not in text_of(status)


async def test_the_request_modal_hints_from_the_answers_and_checks_the_fields(
    user, slack, bot, people
):
    result = (await walk(user, slack, COACHING))["view"]
    await user.click("coaching_request", "coaching", value="result", view=result)
    modal = (await slack.wait_for("views.push"))[-1]["view"]
    assert "Lead the change I am facing" in text_of(modal)  # from "high stakes"
    _, body = await user.submit(modal, {"goal_1": "Only one", "timeframe": "3m"})
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"goal_2", "manager"}
    assert await bot.store.coaching_requests_of("U1") == []


async def test_a_mentoring_result_offers_no_coaching_and_a_crafted_request_is_refused(
    user, slack, bot, people
):
    result = (await walk(user, slack, MENTORING))["view"]
    assert "coaching_request" not in text_of(result)
    await user.click("coaching_request", "coaching", value="result", view=result)
    notice = (await slack.wait_for("views.push"))[-1]["view"]
    assert "follows a coaching" in text_of(notice)


async def test_a_non_admins_crafted_approve_is_refused(user, slack, bot, people):
    admin_dm = await request_coaching(user, slack)
    intruder = user.as_user("U3")
    await click(intruder, admin_dm, "coaching_approve")
    assert "Only program admins" in slack.called("response_url")[-1]["text"]
    await click(intruder, admin_dm, "coaching_decline")
    assert "Only program admins" in slack.called("response_url")[-1]["text"]
    # Even the decline modal, crafted and submitted, is refused on the server.
    from bot.screens.coaching import decline_view

    (request,) = await bot.store.coaching_requests_of("U1")
    _, body = await intruder.submit(decline_view(request.id), {"reason": "no"})
    assert "Only program admins" in text_of(body)
    assert (await bot.store.get_coaching_request(request.id)).state == "pending"


async def test_decline_asks_why_and_the_person_reads_it_kindly(user, slack, bot, people):
    admin_dm = await request_coaching(user, slack)
    admin = user.as_user(ADMIN)
    await click(admin, admin_dm, "coaching_decline")
    modal = (await slack.wait_for("views.open"))[-1]["view"]
    _, body = await admin.submit(modal, {"reason": ""})
    assert body["response_action"] == "errors"
    await admin.submit(modal, {"reason": "The budget is spent until January <!here>"})
    told = dms(slack, "U1")[-1]
    assert "The budget is spent until January &lt;!here&gt;." in told["text"]
    assert "not about you" in told["text"]
    (request,) = await bot.store.coaching_requests_of("U1")
    assert request.state == "declined"
    assert "was declined by <@UADMIN>" in slack.called("chat.update")[-1]["text"]
    # Declined: the person may ask again, and the admins see the history.
    again = await request_coaching(user, slack)
    assert "declined (The budget is spent until January &lt;!here&gt;)" in text_of(again)


async def test_the_person_withdraws_their_request(user, slack, bot, people):
    await request_coaching(user, slack)
    mine = next(m for m in dms(slack, "U1") if "request is in" in m["text"])
    await click(user, mine, "coaching_withdraw")
    reply = slack.called("response_url")[-1]
    assert reply["replace_original"] and "withdrawn" in reply["text"]
    (request,) = await bot.store.coaching_requests_of("U1")
    assert request.state == "withdrawn"
    assert "was withdrawn" in slack.called("chat.update")[-1]["text"]
    await click(user, mine, "coaching_withdraw")
    assert "cannot be withdrawn any more" in slack.called("response_url")[-1]["text"]


async def seed_approvals(bot, count: int) -> None:
    """`count` requests of other people, approved this quarter: the budget's use."""
    for n in range(count):
        request = CoachingRequest(f"S{n}", f"US{n}", ("g", "h"), "3m", "yes", bot.clock())
        await bot.store.add_coaching_request(request)
        await bot.store.decide_coaching_request(f"S{n}", "pending", "approved", ADMIN, bot.clock())


async def test_approving_beyond_the_budget_needs_a_confirmation(user, slack, bot, people):
    await seed_approvals(bot, bot.content.coaching.budget.per_quarter or 0)
    admin_dm = await request_coaching(user, slack)
    assert "6 of 6 engagements approved this quarter" in text_of(admin_dm)
    admin = user.as_user(ADMIN)
    await click(admin, admin_dm, "coaching_approve")
    confirm = (await slack.wait_for("views.open"))[-1]["view"]
    assert confirm["callback_id"] == "coaching_over_budget"
    (request,) = await bot.store.coaching_requests_of("U1")
    assert request.state == "pending"
    await admin.submit(confirm, {})
    approved = await bot.store.get_coaching_request(request.id)
    assert approved.state == "approved" and approved.over_budget
    assert "over the budget, confirmed" in slack.called("chat.update")[-1]["text"]


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_concurrent_approvals_keep_the_budget(user, slack, bot, people, backend):
    limit = bot.content.coaching.budget.per_quarter or 0
    await seed_approvals(bot, limit - 1)  # one approval left
    admin = user.as_user(ADMIN)
    for person in ("U1", "U2", "U3"):
        await request_coaching(user.as_user(person), slack)
    pending = await bot.store.coaching_requests("pending")
    assert len(pending) == 3
    await asyncio.gather(
        *(
            admin.click("coaching_approve", "decide", value=r.id, message=True)
            for r in pending
            for _ in range(2)
        )
    )
    states = [(await bot.store.get_coaching_request(r.id)).state for r in pending]
    assert states.count("approved") == 1 and states.count("pending") == 2
    assert len(slack.called("views.open")) >= 2  # the others ask for a confirmation


async def test_pending_requests_are_listed_in_the_admin_home(user, slack, bot, people):
    await request_coaching(user, slack)
    admin = user.as_user(ADMIN)
    await admin.event({"type": "app_home_opened", "user": ADMIN, "tab": "home"})
    home = (await slack.wait_for("views.publish"))[-1]["view"]
    assert "Coaching requests waiting:* 1" in text_of(home)
    assert element(home, "coaching_approve")
    await user.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="Ev2")
    mine = (await slack.wait_for("views.publish", 2))[-1]["view"]
    assert "waiting for the program's decision" in text_of(mine)
    assert "Coaching requests waiting" not in text_of(mine)


# The person chooses a coach, the engagement runs and closes.


def coach(coach_id: str, name: str, **more) -> Coach:
    fields = {
        "kind": "internal",
        "timezone": "Europe/London",
        "areas": ("leadership", "managing_people"),
        "languages": ("en",),
        "capacity": 2,
    }
    return Coach(coach_id, name=name, **{**fields, **more})


@pytest.fixture
async def roster(bot, people):
    """Grace (U2) and Alan (U3), internal; Kim, external, with a booking link."""
    await bot.store.save_coaches(
        [
            coach("U2", "Grace Hopper", capacity=1),
            coach("U3", "Alan Turing", areas=("leadership",)),
            coach(
                "x-kim1",
                "Kim Coach",
                kind="external",
                areas=("leadership",),
                organisation="Coaches & Co",
                email="kim@example.com",
                booking_url="https://book.example.com/kim",
            ),
        ],
        ADMIN,
        "added coaches",
        bot.clock(),
    )


async def approved(user, slack, person: str = "U1") -> dict:
    """`person` requests coaching and an admin approves it: the DM with coaches to choose."""
    admin_dm = await request_coaching(user.as_user(person), slack)
    await click(user.as_user(ADMIN), admin_dm, "coaching_approve")
    return next(m for m in reversed(dms(slack, person)) if "approved" in m["text"])


async def choose(person, slack, message: dict, coach_id: str) -> None:
    line = next(b for b in message["blocks"] if b.get("block_id") == f"coach_{coach_id}")
    await person.click(
        "coaching_choose", line["block_id"], value=line["accessory"]["value"], message=True
    )


async def test_the_whole_engagement(user, slack, bot, roster):
    choices = await approved(user, slack)
    shown = [b["block_id"] for b in choices["blocks"] if b.get("block_id", "").startswith("coach_")]
    assert set(shown) == {"coach_U2", "coach_U3", "coach_x-kim1"}
    assert "Coaches leadership" in text_of(choices)
    await choose(user, slack, choices, "U2")
    offer = dms(slack, "U2")[-1]
    assert "<@U1> would like you as their coach" in offer["text"]
    assert "Delegate two projects &lt;!channel&gt;" in text_of(offer)
    (engagement,) = await bot.store.engagements_of("U1")
    assert engagement.state == "offered"
    assert await bot.store.coach_places_taken() == {"U2": 1}

    grace = user.as_user("U2")
    await click(grace, offer, "coaching_accept")
    await click(grace, offer, "coaching_accept")  # a double click starts it once
    kickoff = slack.called("chat.postMessage", channel="DU1U2")
    assert len(kickoff) == 1
    said = text_of(kickoff[0])
    assert "Run my staff meeting without overruns" in said
    assert "Planned end:* 23 February 2027" in said  # 13 weeks for "about 3 months"
    assert "first session" in said and "`/devpath feedback`" in said
    started = await bot.store.active_engagement("U1")
    assert started is not None and started.channel_id == "DU1U2"
    assert "You accepted" in slack.called("chat.update")[-1]["text"]
    kinds = sorted(n.kind for n in await bot.store.nudges_of("U1") if n.subject == started.id)
    assert kinds == ["coaching_goals", "coaching_midpoint", "coaching_review"]

    bot.clock.advance(weeks=1)
    await bot.background.run_due()
    goals = [m for m in dms(slack, "U1") if "measurable goals" in m["text"]]
    assert len(goals) == 1

    bot.clock.advance(weeks=6)  # past the mid-point (6.5 weeks)
    await bot.background.run_due()
    midpoint = next(m for m in dms(slack, "U1") if "Half-way" in m["text"])
    await click(user, midpoint, "coaching_progress")
    modal = (await slack.wait_for("views.open"))[-1]["view"]
    _, body = await user.submit(modal, {"goal_0": "4"})
    assert body["response_action"] == "errors"
    await user.submit(modal, {"goal_0": "4", "goal_1": "2"})
    assert (await bot.store.get_engagement(started.id)).progress == {"0": 4, "1": 2}
    await click(user, midpoint, "coaching_progress")  # again: what was rated, to correct it
    again = (await slack.wait_for("views.open", 2))[-1]["view"]
    given = [b["element"].get("initial_option", {}).get("value") for b in again["blocks"][1:]]
    assert given == ["4", "2"]

    bot.clock.advance(weeks=7)  # the planned end
    await bot.background.run_due()
    review = next(m for m in dms(slack, "U1") if "reaches its planned end" in m["text"])
    await click(user, review, "coaching_review")
    modal = (await slack.wait_for("views.open", 3))[-1]["view"]
    _, body = await user.submit(modal, {"goal_0": "5", "goal_1": "3", "recommend": "yes"})
    assert "Coaching closed" in text_of(body["view"])
    closed = await bot.store.get_engagement(started.id)
    assert closed.state == "ended" and closed.outcome == {"0": 5, "1": 3}
    assert closed.would_recommend is True
    assert await bot.store.coach_places_taken() == {}  # Grace's place is free
    assert (
        "closed with its end review"
        in slack.called("chat.postMessage", channel="DU1U2")[-1]["text"]
    )
    # Closed: the old Withdraw does nothing; the person may ask again; the figures count it.
    mine = next(m for m in dms(slack, "U1") if "request is in" in m["text"])
    await click(user, mine, "coaching_withdraw")
    assert "closed already" in slack.called("response_url")[-1]["text"]
    assert await may_request(bot, "U1") is None
    await user.as_user(ADMIN).command("stats")
    stats = text_of(slack.called("response_url")[-1])
    assert "Engagements: 0 under way, 1 closed" in stats
    assert "End review outcomes: 4 / 5" in stats and "Would recommend their coach: 1 of 1" in stats
    assert "Budget: 0 of 6 engagements approved this quarter" in stats  # a new quarter now


async def may_request(bot, user_id: str):
    from bot.flows.coaching import may_request as check

    return await check(bot.background.deps, user_id)


async def test_a_coach_declines_and_the_next_coaches_are_offered(user, slack, bot, roster):
    await choose(user, slack, await approved(user, slack), "U2")
    grace = user.as_user("U2")
    await grace.event({"type": "app_home_opened", "user": "U2", "tab": "home"})
    home = (await slack.wait_for("views.publish"))[-1]["view"]
    assert "<@U1> would like you as their coach" in text_of(home)
    decline = element(home, "coaching_coach_decline")
    await grace.click("coaching_coach_decline", "b", value=decline["value"], view=home)
    told = dms(slack, "U1")[-1]
    assert "not about you" in told["text"]
    assert "coach_U3" in text_of(told) and "coach_U2" not in text_of(told)
    await choose(user, slack, told, "U3")
    assert "would like you as their coach" in dms(slack, "U3")[-1]["text"]


async def test_an_offer_is_reminded_then_lapses(user, slack, bot, roster):
    await choose(user, slack, await approved(user, slack), "U3")
    bot.clock.advance(days=5, minutes=1)  # Sunday: Alan's reminder waits for Monday
    await bot.background.run_due()
    bot.clock.advance(days=1)
    await bot.background.run_due()
    reminders = [m for m in dms(slack, "U3") if "waiting for your answer" in m["text"]]
    assert len(reminders) == 1 and "coaching_accept" in text_of(reminders[0])
    bot.clock.advance(days=1)
    await bot.background.run_due()
    (engagement,) = await bot.store.engagements_of("U1")
    assert engagement.state == "lapsed"
    told = dms(slack, "U1")[-1]
    assert "not answered in time" in told["text"] and "coach_U3" not in text_of(told)
    assert "lapsed without an answer" in slack.called("chat.update")[-1]["text"]
    # A late accept from the reminder changes nothing.
    await click(user.as_user("U3"), reminders[0], "coaching_accept")
    assert "already answered" in slack.called("response_url")[-1]["text"]


async def test_an_external_coach_is_booked_and_arranged(user, slack, bot, roster):
    await choose(user, slack, await approved(user, slack), "x-kim1")
    booking = dms(slack, "U1")[-1]
    assert "https://book.example.com/kim" in text_of(booking)
    assert "kim@example.com" in text_of(booking)
    before = len(slack.called("views.open"))
    element(booking, "feedback_start")  # 360 feedback, from the booking's own button
    await user.click("feedback_start", "feedback", message=True)
    assert (await slack.wait_for("views.open", before + 1))[-1]["view"]["callback_id"] == (
        "feedback_ask"
    )
    arrange = dms(slack, ADMIN)[-1]
    assert "arrange the contract" in arrange["text"]
    (engagement,) = await bot.store.engagements_of("U1")
    assert engagement.state == "arranging"
    await click(user.as_user("U3"), arrange, "coaching_accept")  # not an admin
    assert "Only program admins" in slack.called("response_url")[-1]["text"]
    await click(user.as_user(ADMIN), arrange, "coaching_accept")
    kickoff = dms(slack, "U1")[-1]
    assert "Your coaching with *Kim Coach* starts today" in kickoff["text"]
    assert (await bot.store.active_engagement("U1")) is not None


async def test_ending_early_and_extending_once(user, slack, bot, roster):
    await choose(user, slack, await approved(user, slack), "U3")
    await click(user.as_user("U3"), dms(slack, "U3")[-1], "coaching_accept")
    kickoff = slack.called("chat.postMessage", channel="DU1U3")[-1]
    await click(user, kickoff, "coaching_extend")
    await click(user, kickoff, "coaching_extend")
    engagement = await bot.store.active_engagement("U1")
    assert engagement.extended and f"{engagement.planned_end:%d %B %Y}" == "06 April 2027"
    assert "extended once already" in slack.called("response_url")[-1]["text"]
    reviews = [n for n in await bot.store.nudges_of("U1") if n.kind == "coaching_review"]
    assert sorted(n.state for n in reviews) == ["cancelled", "scheduled"]
    assert max(n.due_at for n in reviews) == engagement.planned_end

    await user.as_user("U2").click("coaching_end", "b", value=engagement.id, message=True)
    modal = (await slack.wait_for("views.open"))[-1]["view"]
    _, body = await user.as_user("U2").submit(modal, {"reason": "I want out"})
    assert "Only the coachee or a program admin" in text_of(body)
    await click(user, kickoff, "coaching_end")
    modal = (await slack.wait_for("views.open", 2))[-1]["view"]
    await user.submit(modal, {"reason": "My role changed <!channel>"})
    ended = await bot.store.get_engagement(engagement.id)
    assert ended.state == "ended" and ended.end_reason == "My role changed <!channel>"
    told = slack.called("chat.postMessage", channel="DU1U3")[-1]
    assert "ended early by the coachee: My role changed &lt;!channel&gt;" in told["text"]
    assert not [
        n
        for n in await bot.store.nudges_of("U1")
        if n.state == "scheduled" and n.subject == engagement.id
    ]
    assert await bot.store.coach_places_taken() == {}


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_two_people_take_a_coachs_last_place_at_once(user, slack, bot, roster, backend):
    offers = [await approved(user, slack, person) for person in ("U1", "U3")]
    await asyncio.gather(
        *(
            choose(user.as_user(person), slack, offer, "U2")
            for person, offer in zip(("U1", "U3"), offers, strict=True)
        )
    )
    assert await bot.store.coach_places_taken() == {"U2": 1}
    assert "no free place" in slack.called("response_url")[-1]["text"]
    (offer,) = dms(slack, "U2")
    await asyncio.gather(*(click(user.as_user("U2"), offer, "coaching_accept") for _ in range(3)))
    assert len([e for e in await bot.store.engagements() if e.state == "active"]) == 1
    assert (
        len(slack.called("conversations.open", users="U1,U2"))
        + len(slack.called("conversations.open", users="U3,U2"))
        == 1
    )


@pytest.mark.parametrize("backend", ["tinydb", "postgres"])
async def test_the_request_sent_twice_at_once_is_one_request(user, slack, bot, people, backend):
    result = (await walk(user, slack, COACHING))["view"]
    await user.click("coaching_request", "coaching", value="result", view=result)
    modal = (await slack.wait_for("views.push"))[-1]["view"]
    answers = await asyncio.gather(*(user.submit(modal, GOALS) for _ in range(3)))
    assert sum("Request sent" in text_of(body) for _, body in answers) == 1
    assert len(await bot.store.coaching_requests_of("U1")) == 1
    assert len(dms(slack, ADMIN)) == 1


async def test_the_week_one_goals_update_the_engagement(user, slack, bot, roster):
    await choose(user, slack, await approved(user, slack), "U3")
    await click(user.as_user("U3"), dms(slack, "U3")[-1], "coaching_accept")
    bot.clock.advance(weeks=1)
    await bot.background.run_due()
    goals = next(m for m in dms(slack, "U1") if "measurable goals" in m["text"])
    await click(user, goals, "nudge_goals")
    modal = (await slack.wait_for("views.open"))[-1]["view"]
    assert "Run my staff meeting without overruns" in text_of(modal)  # today's goals
    await user.submit(modal, {"goals": "Chair the weekly meeting on time\nHand over two projects"})
    engagement = await bot.store.active_engagement("U1")
    assert engagement.goals == ("Chair the weekly meeting on time", "Hand over two projects")


async def test_the_kickoff_comes_with_the_next_round_when_slack_fails(user, slack, bot, roster):
    await choose(user, slack, await approved(user, slack), "U3")
    slack.fail("conversations.open", drop=True, times=3, where={"users": "U1,U3"})
    await click(user.as_user("U3"), dms(slack, "U3")[-1], "coaching_accept")
    assert (await bot.store.active_engagement("U1")) is not None  # stored at once
    assert not slack.called("chat.postMessage", channel="DU1U3")
    bot.clock.advance(minutes=11)
    await bot.background.run_due()
    await bot.background.run_due()
    assert len(slack.called("chat.postMessage", channel="DU1U3")) == 1  # once
    assert await bot.store.unfinished_effects() == []


async def test_a_coach_who_forgets_leaves_the_roster_and_admins_hear_of_their_coachees(
    user, slack, bot, roster
):
    await bot.store.save_coaches(
        [coach("U2", "Grace <!channel> Hopper", capacity=1)], ADMIN, "renamed", bot.clock()
    )
    await choose(user, slack, await approved(user, slack), "U2")
    grace = user.as_user("U2")
    await click(grace, dms(slack, "U2")[-1], "coaching_accept")
    _, question = await grace.command("forget")
    await click(grace, question, "forget_confirm")
    told = dms(slack, ADMIN)[-1]
    assert "A coach, Grace &lt;!channel&gt; Hopper, left the roster" in told["text"]
    assert "<!channel>" not in text_of(told)
    assert "1 coaching engagement with them" in told["text"]
    assert await bot.store.get_coach("U2") is None
    (kept,) = await bot.store.engagements_of("U1")  # Mia's record stays, without Grace
    assert kept.coach_id != "U2"


async def test_the_roster_shows_the_places_engagements_take(user, slack, bot, roster):
    await choose(user, slack, await approved(user, slack), "U2")
    await user.as_user(ADMIN).command("coaches")
    roster_list = text_of(slack.called("views.open")[-1]["view"])
    assert "Grace Hopper* · internal" in roster_list and "1 of 1 places taken" in roster_list
    assert "1 of 5 places taken" in roster_list  # Alan 2, Kim 2, Grace 1; Grace's is taken


async def test_the_languages_asked_for_rank_the_coaches(user, slack, bot, roster):
    await bot.store.save_coaches(
        [coach("U3", "Alan Turing", languages=("en", "fr"))],  # Grace's areas, and French
        ADMIN,
        "speaks French",
        bot.clock(),
    )
    admin_dm = await request_coaching(user, slack, {**GOALS, "languages": ["fr"]})
    assert "*Languages:* French" in text_of(admin_dm)
    (request,) = await bot.store.coaching_requests_of("U1")
    assert request.languages == ("fr",)
    await click(user.as_user(ADMIN), admin_dm, "coaching_approve")
    choices = next(m for m in reversed(dms(slack, "U1")) if "approved" in m["text"])
    first = next(b for b in choices["blocks"] if b.get("block_id", "").startswith("coach_"))
    assert first["block_id"] == "coach_U3" and "speaks French" in text_of(first)


async def test_a_language_not_on_the_list_is_an_inline_error(user, slack, bot, people):
    result = (await walk(user, slack, COACHING))["view"]
    asked = element(result, "coaching_request")
    await user.click("coaching_request", "coaching", value=asked["value"], view=result)
    modal = slack.called("views.push")[-1]["view"]
    _, body = await user.submit(modal, {**GOALS, "languages": ["xx"]})
    assert body["response_action"] == "errors"
    assert "not one of the languages" in body["errors"]["languages"]
    assert await bot.store.coaching_requests_of("U1") == []


async def test_asking_for_coaching_is_acting_on_the_result(user, slack, bot, people):
    await request_coaching(user, slack)
    bot.clock.advance(weeks=3)  # past the gentle reminder's two weeks
    await bot.background.run_due()
    assert not [m for m in dms(slack, "U1") if "gentle reminder" in m["text"]]
    (reminder,) = [n for n in await bot.store.nudges_of("U1") if n.kind == "gentle_reminder"]
    assert reminder.state == "skipped"


async def test_an_admin_ends_an_engagement_from_the_home_tab(user, slack, bot, roster):
    await choose(user, slack, await approved(user, slack), "U3")
    await click(user.as_user("U3"), dms(slack, "U3")[-1], "coaching_accept")
    admin = user.as_user(ADMIN)
    await admin.event({"type": "app_home_opened", "user": ADMIN, "tab": "home"})
    home = (await slack.wait_for("views.publish"))[-1]["view"]
    assert "Engagements under way:* 1" in text_of(home)
    await user.click("coaching_under_way", "coaching_active", view=home)  # Mia, no admin
    assert "Only program admins" in text_of(dms(slack, "U1")[-1])
    await admin.click("coaching_under_way", "coaching_active", view=home)
    listed = (await slack.wait_for("views.open"))[-1]["view"]
    assert "Coaching with Alan Turing" in text_of(listed)
    assert "feedback_start" not in text_of(listed)  # 360 feedback is the coachee's to ask for
    end = element(listed, "coaching_end")
    await admin.click("coaching_end", "b", value=end["value"], view={**listed, "id": "V9"})
    modal = (await slack.wait_for("views.push"))[-1]["view"]
    await admin.submit(modal, {"reason": "The budget year closed"})
    ended = await bot.store.get_engagement(end["value"])
    assert ended is not None and ended.state == "ended"
    assert "The budget year closed" in slack.called("chat.postMessage", channel="DU1U3")[-1]["text"]
