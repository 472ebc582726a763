"""A person types /devpath, walks the steps, and gets a recommendation they can keep."""

from __future__ import annotations

import json
import time

from bot.store.journal import read_database
from tests.answers import COACHING, MENTORING, for_view
from tests.blockkit import assert_valid_view
from tests.domain.framework_cases import MIDDLE


async def open_modal(user, slack) -> dict:
    before = len(slack.called("views.open"))
    status, _ = await user.command("")
    assert status == 200
    return (await slack.wait_for("views.open", before + 1))[-1]["view"]


async def walk(user, slack, answers: dict, share: bool = False) -> dict:
    """Answer every step; return the bot's answer to the last submission, with the result
    as the person sees it once the bot is idle: its mentors filled in after the ack."""
    body = await submit_all(user, slack, answers, share)
    return {**body, "view": await filled_in(slack, body["view"])}


async def submit_all(user, slack, answers: dict, share: bool = False) -> dict:
    """Answer every step; return the bot's answer to the last submission, as acknowledged."""
    view = await open_modal(user, slack)
    while True:
        chosen = for_view(view, answers)
        if share and any(b.get("block_id") == "share" for b in view["blocks"]):
            chosen["share"] = ["share"]
        status, body = await user.submit(view, chosen)
        assert status == 200
        assert body["response_action"] == "update"
        assert_valid_view(body["view"])
        if body["view"].get("callback_id") != "questionnaire":
            return body
        view = body["view"]


async def filled_in(slack, result: dict) -> dict:
    """The result modal after the update that brings its mentors, if it waited for them."""
    if not any(b.get("block_id") == "finding" for b in result["blocks"]):
        return result
    update = (await slack.wait_for("views.update", view_id=result["id"]))[-1]
    assert_valid_view(update["view"])
    assert not any(b.get("block_id") == "finding" for b in update["view"]["blocks"])
    return {**update["view"], "id": result["id"]}


def texts(view_or_message: dict) -> str:
    return json.dumps(view_or_message, ensure_ascii=False)


async def test_devpath_opens_step_one_quickly(user, slack, content):
    started = time.monotonic()
    view = await open_modal(user, slack)
    assert time.monotonic() - started < 3
    assert view["callback_id"] == "questionnaire"
    assert "Step 1 of 3" in texts(view)
    step_one = {q.id for q in content.questionnaire.steps[0].questions}
    asked = {b["block_id"][2:] for b in view["blocks"] if b["type"] == "input"}
    assert asked == step_one


def blocks_named(view_or_message: dict, prefix: str) -> list[str]:
    return [
        b["block_id"] for b in view_or_message["blocks"] if b.get("block_id", "").startswith(prefix)
    ]


async def test_the_advice_comes_with_the_ack_and_the_mentors_a_moment_later(user, slack, bot, pool):
    acked = (await submit_all(user, slack, MENTORING))["view"]
    assert "Mentoring fits you now" in texts(acked)
    assert blocks_named(acked, "finding") and not blocks_named(acked, "match_")

    result = await filled_in(slack, acked)
    assert "Mentoring fits you now" in texts(result)
    assert blocks_named(result, "match_")[0] == "match_U2"
    dm = (await slack.wait_for("chat.postMessage", channel="DU1"))[-1]
    assert blocks_named(dm, "match_") == blocks_named(result, "match_")  # the same mentors
    assert await bot.store.unfinished_effects() == []


async def test_a_result_modal_closed_before_its_mentors_came_still_gets_its_dm(
    user, slack, bot, pool
):
    slack.fail("views.update", "not_found")  # Slack's answer for a modal no longer open
    acked = (await submit_all(user, slack, MENTORING))["view"]
    await slack.settle()
    assert slack.called("views.update", view_id=acked["id"])
    dm = (await slack.wait_for("chat.postMessage", channel="DU1"))[-1]
    assert blocks_named(dm, "match_")[0] == "match_U2"
    assert await bot.store.unfinished_effects() == []


async def test_coaching_answers_get_coaching_with_reasons_and_a_dm(user, slack, bot):
    body = await walk(user, slack, COACHING)
    result = texts(body["view"])
    assert "Executive coaching fits you now" in result
    assert "Why" in result and "Performing better in my current role" in result
    assert "360-degree feedback" in result

    dm = (await slack.wait_for("chat.postMessage"))[-1]
    assert slack.called("conversations.open")[-1]["users"] == "U1"
    assert dm["channel"] == "DU1"
    assert "Executive coaching fits you now" in dm["text"]

    saved = read_database(bot.db_path)[0]["responses"]
    (doc,) = saved.values()
    assert doc["user_id"] == "U1" and doc["recommendation"]["path"] == "coaching"
    assert doc["content_version"] == bot.content.version


async def test_mentoring_answers_get_mentoring(user, slack):
    body = await walk(user, slack, MENTORING)
    assert "Mentoring fits you now" in texts(body["view"])
    assert "what they would do in your place" in texts(body["view"])


async def test_both_needs_get_both_with_coaching_steps_and_mentors_side_by_side(user, slack):
    tandem = {**COACHING, "new_here": "new", "topics": ["leadership", "company_culture"]}
    view = (await walk(user, slack, tandem))["view"]
    result = texts(view)
    assert "Coaching and mentoring, in tandem" in result
    assert "With a coach" in result and "With a mentor" in result
    assert "How they work together" in result
    assert "Mentors who fit" in result


async def test_middle_answers_get_not_sure_yet_with_what_would_decide_it(user, slack, bot):
    view = (await walk(user, slack, MIDDLE))["view"]
    result = texts(view)
    assert "Not sure yet" in result and "How sure: *mixed*" in result
    assert "What would decide it" in result and "first conversation" in result
    assert "fits you now" not in result
    kinds = {n.kind for n in await bot.store.nudges_of("U1")}
    assert not any(kind.startswith("coaching_") for kind in kinds)


async def test_a_missing_answer_gets_an_inline_error_and_nothing_moves_on(user, slack):
    view = await open_modal(user, slack)
    chosen = for_view(view, COACHING)
    del chosen["q_focus" if "q_focus" in chosen else "q_career_stage"]
    status, body = await user.submit(view, chosen)
    assert status == 200
    assert body["response_action"] == "errors"
    assert body["errors"] == {"q_career_stage": "Please answer this one."}


async def test_a_crafted_value_is_refused_inline(user, slack):
    view = await open_modal(user, slack)
    chosen = {**for_view(view, COACHING), "q_career_stage": "ceo_of_the_universe"}
    _status, body = await user.submit(view, chosen)
    assert body["response_action"] == "errors"
    assert "q_career_stage" in body["errors"]


async def test_closing_half_way_keeps_a_draft_that_resumes(user, slack, bot):
    view = await open_modal(user, slack)
    _, body = await user.submit(view, for_view(view, MENTORING))
    step_two = body["view"]
    assert "Step 2 of 3" in texts(step_two)
    # The person picks one answer on step 2, then closes the modal.
    await user.close(step_two, {"q_focus": "development"})

    draft = await bot.store.get_draft("U1")
    assert draft is not None and draft.step == 2
    assert draft.answers["focus"] == ("development",)
    assert draft.answers["new_here"] == ("new",)

    await user.command("")
    reopened = (await slack.wait_for("views.open", 2))[-1]["view"]
    assert "Step 2 of 3" in texts(reopened)
    assert "Welcome back" in texts(reopened)
    focus = next(b for b in reopened["blocks"] if b.get("block_id") == "q_focus")
    assert focus["element"]["initial_option"]["value"] == "development"


async def test_back_returns_to_the_previous_step_with_answers_kept(user, slack, bot):
    view = await open_modal(user, slack)
    _, body = await user.submit(view, for_view(view, COACHING))
    step_two = body["view"]
    status, _ = await user.click(
        "questionnaire_back", "nav", "2", view=step_two, answers={"q_results": "within_three"}
    )
    assert status == 200
    update = (await slack.wait_for("views.update"))[-1]
    assert update["view_id"] == step_two["id"]
    assert "Step 1 of 3" in texts(update["view"])
    stage = next(b for b in update["view"]["blocks"] if b.get("block_id") == "q_career_stage")
    assert stage["element"]["initial_option"]["value"] == "executive"
    assert (await bot.store.get_draft("U1")).answers["results"] == ("within_three",)


async def test_start_over_clears_the_draft(user, slack, bot):
    view = await open_modal(user, slack)
    _, body = await user.submit(view, for_view(view, COACHING))
    await user.click("questionnaire_start_over", "nav", view=body["view"])
    update = (await slack.wait_for("views.update"))[-1]
    assert "Step 1 of 3" in texts(update["view"])
    assert "initial_option" not in texts(update["view"])
    assert await bot.store.get_draft("U1") is None


async def test_sharing_posts_a_short_version_only_when_ticked(user, slack):
    await walk(user, slack, MENTORING, share=True)
    shared = await slack.wait_for("chat.postMessage", channel="C1")
    assert len(shared) == 1
    assert "<@U1>" in shared[0]["text"] and "Mentoring" in shared[0]["text"]
    # The private answers stay private.
    assert "new_hire" not in texts(shared[0]) and "New to the company" not in texts(shared[0])


async def test_no_share_without_the_tick(user, slack):
    await walk(user, slack, MENTORING)
    await slack.wait_for("chat.postMessage")
    assert all(p["channel"] != "C1" for p in slack.called("chat.postMessage"))


async def test_a_failed_share_is_explained_by_dm(user, slack):
    slack.fail("chat.postMessage", "not_in_channel", where={"channel": "C1"})
    await walk(user, slack, COACHING, share=True)
    dms = await slack.wait_for("chat.postMessage", 2, channel="DU1")
    assert "could not post your result in <#C1>" in dms[-1]["text"]
