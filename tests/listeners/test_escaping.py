"""Text someone typed, or Slack gave, is echoed as text: it pings nobody, links nowhere, and
never closes the code fence it is shown in. One hostile string goes through the fields of
the mentoring and coaching paths a person or Slack fills in (mentor name and bio, intro note;
coach name, organisation, credentials and bio, goals, note, decline reason; a 360 request's
note, the strength and the change; a mentor's question, its answer, an agreement's goals),
and nothing the fake Web API received, and no view the bot answered with, carries it
unescaped."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.answers import MENTORING
from tests.listeners.test_coaching import GOALS, choose, click, coach, dms, request_coaching
from tests.listeners.test_feedback import COLLEAGUES, answer, ask
from tests.listeners.test_intros import open_home, request_button
from tests.listeners.test_mentoring_start import (
    AGREEMENT,
    click_in,
    open_from,
    proposed,
    requested,
)
from tests.listeners.test_nudges import button
from tests.listeners.test_pool import ADMIN, GOOD, open_editor
from tests.listeners.test_privacy import erase
from tests.listeners.test_questionnaire import walk

HOSTILE = "<!channel> <https://x|y> <@U123> ```"
UNESCAPED = ("<!channel>", "<https://x|y>", "<@U123>")


def texts(thing: Any) -> list[str]:
    """Every string in a message or view, where Slack would render it."""
    if isinstance(thing, str):
        return [thing]
    if isinstance(thing, dict):
        return [t for value in thing.values() for t in texts(value)]
    if isinstance(thing, list):
        return [t for value in thing for t in texts(value)]
    return []


def leaks(things: list[Any]) -> list[str]:
    found = []
    for text in (t for thing in things for t in texts(thing)):
        if any(bad in text for bad in UNESCAPED):
            found.append(text)
        # A fence is opened once and closed once: a typed ``` inside would close it early.
        for fenced in re.findall(r"```(.*?)```", text, flags=re.S):
            if "`" in fenced or "<" in fenced:
                found.append(text)
    return found


async def test_hostile_text_in_every_field_is_shown_as_text(user, slack, bot, people):
    slack.scopes = tuple(s for s in slack.manifest_scopes if s != "files:write")
    slack.add_user("U2", real_name=f"Grace {HOSTILE}", tz="America/New_York")
    slack.add_user("U4", real_name="Lin Later")
    answered: list[Any] = []
    admin = user.as_user(ADMIN)
    editor = await open_editor(admin, slack)
    _, body = await admin.submit(editor, {**GOOD, "bio": HOSTILE, "capacity": "1"})
    answered.append(body)

    # Mia asks with a hostile note: the "Request sent" modal and Grace's DM.
    result = (await walk(user, slack, MENTORING))["view"]
    asked = request_button(result, "U2")
    await user.click(asked["action_id"], "match_U2", value=asked["value"], view=result)
    modal = (await slack.wait_for("views.push"))[-1]["view"]
    _, body = await user.submit(modal, {"shares": ["path", "needs"], "note": HOSTILE})
    answered.append(body)
    request = (await slack.wait_for("chat.postMessage", channel="DU2"))[-1]
    accept = button(request, "intro_accept")
    await user.as_user("U2").click("intro_accept", "answer", value=accept["value"], message=True)
    await slack.wait_for("conversations.open", users="U1,U2")

    # Lin finds Grace full: the "no free place" notice names her.
    lin = user.as_user("U4")
    other = (await walk(lin, slack, MENTORING))["view"]
    full = request_button(other, "U2") if "match_U2" in json.dumps(other) else asked
    before = len(slack.called("views.push"))
    await lin.click(full["action_id"], "match_U2", value=full["value"], view=other)
    notice = (await slack.wait_for("views.push", before + 1))[-1]["view"]
    assert "no free place" in json.dumps(notice)

    # Mia's export, as messages: her note inside the code fences.
    await user.command("export")
    await slack.wait_until(
        lambda: any("as JSON (part" in p["text"] for p in slack.called("chat.postMessage"))
    )
    # Grace leaves: the admins' DM names her.
    await erase(user.as_user("U2"), slack)
    await slack.wait_for("chat.postMessage", channel=f"D{ADMIN}")

    sent = [call.body for call in slack.calls]
    assert leaks(sent + answered) == []
    shown = json.dumps(sent + answered, ensure_ascii=False)
    assert "&lt;!channel&gt;" in shown and "ˋˋˋ" in shown  # shown, as text


async def test_hostile_text_in_the_coaching_path_is_shown_as_text(user, slack, bot, people):

    slack.scopes = tuple(s for s in slack.manifest_scopes if s != "files:write")
    # Coach name, organisation, credentials and bio, as the roster's modal or CSV keeps them.
    await bot.store.save_coaches(
        [
            coach("U2", f"Grace {HOSTILE}", bio=HOSTILE, credentials=HOSTILE),
            coach(
                "x-kim1",
                f"Kim {HOSTILE}",
                kind="external",
                organisation=HOSTILE,
                email="kim@example.com",
                booking_url="https://book.example.com/kim",
                bio=HOSTILE,
                credentials=HOSTILE,
            ),
        ],
        ADMIN,
        "added coaches",
        bot.clock(),
    )
    typed = {**GOALS, "goal_1": HOSTILE, "goal_2": HOSTILE, "note": HOSTILE}
    # A decline with a hostile reason, then a request approved: coaches to choose.
    admin = user.as_user(ADMIN)
    await click(admin, await request_coaching(user, slack, typed), "coaching_decline")
    modal = (await slack.wait_for("views.open"))[-1]["view"]
    await admin.submit(modal, {"reason": HOSTILE})
    await click(admin, await request_coaching(user, slack, typed), "coaching_approve")
    choices = next(m for m in reversed(dms(slack, "U1")) if "approved" in m["text"])
    await choose(user, slack, choices, "U2")
    await click(user.as_user("U2"), dms(slack, "U2")[-1], "coaching_coach_decline")
    await erase(user.as_user("U2"), slack)  # the admins are told a coach left
    await user.command("export")
    await slack.settle()

    assert leaks([call.body for call in slack.calls]) == []


async def test_hostile_text_in_360_feedback_is_shown_as_text(user, slack, bot, people):
    slack.scopes = tuple(s for s in slack.manifest_scopes if s != "files:write")
    slack.add_user("U4", real_name="Kay Johnson")
    slack.add_user("U5", real_name="Lin Park")
    answered: list[Any] = []
    _, body = await ask(user, slack, note=HOSTILE)
    answered.append(body)
    for colleague in COLLEAGUES[:3]:  # three: the summary, with every strength and change
        giver = user.as_user(colleague)
        answered.append(await answer(giver, slack, {"listens": "4"}, HOSTILE, HOSTILE))
    await user.command("feedback")
    await user.command("export")
    await user.as_user("U2").command("export")  # a colleague's export: the answers they gave
    await slack.settle()

    sent = [call.body for call in slack.calls]
    assert leaks(sent + answered) == []
    assert "&lt;@U123&gt;" in json.dumps(
        [c.body for c in slack.calls if c.method != "response_url"]
    )


async def test_hostile_text_in_a_relationships_start_is_shown_as_text(user, slack, bot, pool):
    answered: list[Any] = []
    # Grace asks Mia a hostile question before accepting; Mia answers in kind.
    request, _ = await requested(user, slack, bot)
    grace = user.as_user("U2")
    question = await open_from(grace, slack, request, "intro_ask")
    answered.append((await grace.submit(question, {"question": HOSTILE}))[1])
    dm = (await slack.wait_for("chat.postMessage", channel="DU1"))[-1]
    answer = await open_from(user, slack, dm, "intro_answer_question")
    answered += [answer, (await user.submit(answer, {"answer": HOSTILE}))[1]]
    await slack.wait_for("chat.update", 2, channel="DU2")

    # Grace accepts; Mia's agreement has hostile goals; her status and Home show them.
    await click_in(grace, request, "intro_accept")
    (kickoff,) = await slack.wait_for("chat.postMessage", channel="DU1U2")
    agreement = await open_from(user, slack, kickoff, "mentoring_agreement")
    goals = {**AGREEMENT, "goal_1": HOSTILE, "goal_2": HOSTILE, "goal_3": HOSTILE}
    answered.append((await user.submit(agreement, goals))[1])
    await slack.wait_for("chat.postMessage", channel="DU1U2", text=proposed())
    await user.command("status")
    await slack.wait_for("response_url")
    answered.append(await open_home(user, slack, "EvHostile"))

    sent = [call.body for call in slack.calls]
    assert leaks(sent + answered) == []
    shown = json.dumps(sent + answered, ensure_ascii=False)
    assert shown.count("&lt;!channel&gt;") >= 6  # the question, the answer and the goals
