"""The coaching story: a person with a coaching result asks for coaching, the program
decides within its budget, the person chooses a coach, the engagement runs and closes."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.domain.coaching import CoachingRequest
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
