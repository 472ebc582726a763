"""360 feedback: the ask modal, the colleague's DM and modal, and the summary the person sees.

Nothing here ever shows who answered what: the summary is built from a FeedbackSummary,
which holds no giver, and every word a person typed is escaped before it is shown.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.content import Content
from bot.domain.feedback import (
    MOST_GIVERS,
    NOTE_MOST,
    SCALE,
    TEXT_MOST,
    FeedbackRequest,
    FeedbackRules,
    FeedbackSummary,
)
from bot.screens.blocks import (
    Block,
    actions,
    button,
    context,
    element_state,
    escape,
    header,
    option,
    plain,
    section,
    when,
)

START_ACTION = "feedback_start"  # a button other messages (an engagement's) may carry
ASK_CALLBACK = "feedback_ask"
GIVE_ACTION = "feedback_give"
ANSWER_CALLBACK = "feedback_answer"
SHARE_ACTION = "feedback_share"
GIVERS = "givers"
NOTE = "note"
RATING = "rating"
STRENGTH = "strength"
CHANGE = "change"
WIDTH = 10


def rating_block(value: str) -> str:
    return f"{RATING}_{value}"


def start_button() -> dict[str, Any]:
    """Ask for 360 feedback, from any message: does what `/devpath feedback` does."""
    return button("Ask for 360 feedback", START_ACTION)


def ask_view() -> dict[str, Any]:
    """Pick 3 to 8 colleagues, and a note for them if you like."""
    return {
        "type": "modal",
        "callback_id": ASK_CALLBACK,
        "title": plain("360 feedback"),
        "submit": plain("Ask them"),
        "close": plain("Cancel"),
        "blocks": [
            section(
                "Ask 3 to 8 colleagues how they see you at work: a few ratings of leadership "
                "behaviours, a strength, one thing to change. Their answers are anonymous: you "
                "see a summary once at least 3 have answered, never who said what."
            ),
            {
                "type": "input",
                "block_id": GIVERS,
                "label": plain("Colleagues to ask"),
                "hint": plain("People who see you at work often: peers, your team, your manager."),
                "element": {
                    "type": "multi_users_select",
                    "action_id": GIVERS,
                    "placeholder": plain("Pick 3 to 8 colleagues"),
                    "max_selected_items": MOST_GIVERS,
                },
            },
            {
                "type": "input",
                "block_id": NOTE,
                "optional": True,
                "label": plain("A note for them"),
                "hint": plain(f"What you are working on, say. At most {NOTE_MOST} characters."),
                "element": {
                    "type": "plain_text_input",
                    "action_id": NOTE,
                    "multiline": True,
                    "max_length": NOTE_MOST,
                },
            },
        ],
    }


def read_ask(view: dict[str, Any]) -> tuple[list[str], str]:
    """The colleagues picked, and the note."""
    users = element_state(view, GIVERS, GIVERS).get("selected_users")
    givers = [u for u in users if isinstance(u, str)] if isinstance(users, list) else []
    note = element_state(view, NOTE, NOTE).get("value")
    return givers, note if isinstance(note, str) else ""


def giver_message(
    content: Content, request: FeedbackRequest, now: datetime, reminder: bool = False
) -> dict[str, Any]:
    """The DM a colleague gets: who asks, why it is anonymous, and Give feedback."""
    texts = content.feedback.texts
    text = (
        texts["reminder" if reminder else "ask"]
        .replace("{person}", f"<@{request.user_id}>")
        .replace("{closes}", when(request.closes_at, now))
    )
    blocks: list[Block] = [section(text, "feedback_ask_text")]
    if request.note:
        blocks.append(section(f"_Their note:_ {escape(request.note)}", "feedback_note"))
    blocks.append(
        actions(
            "feedback_give",
            button("Give feedback", GIVE_ACTION, value=request.id, style="primary"),
        )
    )
    return {"text": text[:3000], "blocks": blocks}


def answer_view(content: Content, request: FeedbackRequest) -> dict[str, Any]:
    """A few ratings (one is enough), a strength and one thing to change, all anonymous."""
    rules = content.feedback.rules
    scale = [option(f"{step} · {rules.scale[step]}", str(step)) for step in SCALE]
    blocks: list[Block] = [
        context(
            f"Feedback for <@{request.user_id}>. Anonymous: they see a summary of answers "
            f"only in groups of at least {rules.minimum}, never who said what. Rate at least "
            "one; everything else is optional."
        )
    ]
    for behaviour in rules.behaviours:
        blocks.append(
            {
                "type": "input",
                "block_id": rating_block(behaviour.value),
                "optional": True,
                "label": plain(behaviour.label),
                "element": {"type": "radio_buttons", "action_id": RATING, "options": scale},
            }
        )
    for block_id, label, hint in (
        (STRENGTH, "One strength", "What they do well, that you would miss if they stopped."),
        (CHANGE, "One thing to change", "What would make the biggest difference."),
    ):
        blocks.append(
            {
                "type": "input",
                "block_id": block_id,
                "optional": True,
                "label": plain(label),
                "hint": plain(f"{hint} Shown without your name. At most {TEXT_MOST} characters."),
                "element": {
                    "type": "plain_text_input",
                    "action_id": block_id,
                    "multiline": True,
                    "max_length": TEXT_MOST,
                },
            }
        )
    return {
        "type": "modal",
        "callback_id": ANSWER_CALLBACK,
        "title": plain("360 feedback"),
        "submit": plain("Send anonymously"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"request": request.id}),
        "blocks": blocks,
    }


def read_answer(view: dict[str, Any], rules: FeedbackRules) -> tuple[str, dict[str, int], str, str]:
    """The request answered, the ratings given (behaviour -> 1..5), the strength, the change."""
    try:
        request_id = json.loads(view.get("private_metadata") or "{}").get("request")
    except (ValueError, AttributeError):
        request_id = None
    ratings: dict[str, int] = {}
    for behaviour in rules.behaviours:
        chosen = element_state(view, rating_block(behaviour.value), RATING).get("selected_option")
        value = chosen.get("value") if isinstance(chosen, dict) else None
        if isinstance(value, str) and value.isdigit() and int(value) in SCALE:
            ratings[behaviour.value] = int(value)
    texts = []
    for block_id in (STRENGTH, CHANGE):
        typed = element_state(view, block_id, block_id).get("value")
        texts.append(typed.strip() if isinstance(typed, str) else "")
    return (request_id if isinstance(request_id, str) else ""), ratings, texts[0], texts[1]


def first_rating_block(rules: FeedbackRules) -> str:
    """Where an error about the ratings shows: on the first of them."""
    return rating_block(rules.behaviours[0].value)


def bar(average: float) -> str:
    filled = round(WIDTH * average / SCALE[-1])
    return "█" * filled + "░" * (WIDTH - filled)


def summary_blocks(rules: FeedbackRules, summary: FeedbackSummary) -> list[Block]:
    """Averages and the spread of each behaviour, then the free text, in an order of its own."""
    blocks: list[Block] = []
    for rating in summary.ratings:
        label = escape(rating.behaviour.label)
        if rating.average is None:
            blocks.append(section(f"*{label}*\nNot rated yet."))
            continue
        words = rules.scale[max(1, min(5, round(rating.average)))]
        spread = " · ".join(
            f"{rules.scale[step]} {count}" for step, count in zip(SCALE, rating.counts, strict=True)
        )
        blocks.append(
            section(
                f"*{label}*\n`{bar(rating.average)}` {rating.average:g} of 5 ({words}), "
                f"rated by {rating.rated_by}\n{spread}"
            )
        )
    for title, texts in (
        ("Strengths they see", summary.strengths),
        ("One thing to change", summary.changes),
    ):
        if not texts:
            continue
        blocks.append(section(f"*{title}*"))
        blocks += [section(f"• {escape(text)}") for text in texts]
    blocks.append(
        context(
            "Anonymous: averages and counts, and what colleagues wrote in an order that says "
            "nothing about who wrote it or when."
        )
    )
    return blocks


def summary_message(
    content: Content,
    summary: FeedbackSummary,
    request: FeedbackRequest,
    now: datetime,
    final: bool = False,
    answered: int | None = None,
    coach: bool = False,
) -> dict[str, Any]:
    """The person's summary by DM: when enough have answered, as each group of that many
    more does, and at the close. `answered` (at the close) may be more than it shows; with
    an internal `coach` in an engagement under way, it offers to share with them."""
    if final:
        answered = summary.answered if answered is None else answered
        text = (
            f"Your 360 feedback has closed: {answered} of {summary.asked} colleagues "
            "answered. Here is the final summary."
        )
        left_out = answered - summary.answered
        if left_out > 0:
            minimum = content.feedback.rules.minimum
            text += (
                f" It holds the first {summary.answered} answers: the last {left_out} "
                f"{'is' if left_out == 1 else 'are'} not shown, because fewer than {minimum} "
                "came after the previous summary, so showing them would let you pick them out."
            )
    else:
        text = (
            f"Your 360 feedback: {summary.answered} of {summary.asked} colleagues have answered "
            f"so far. It closes {when(request.closes_at, now)}."
        )
    blocks: list[Block] = [
        header("Your 360 feedback"),
        section(text, "feedback_count"),
        *summary_blocks(content.feedback.rules, summary),
        *_share(request, coach),
    ]
    return {"text": text, "blocks": blocks}


def _share(request: FeedbackRequest, coach: bool) -> list[Block]:
    if not coach:
        return [context("Only you can see this.")]
    return [
        actions("feedback_share", button("Share with my coach", SHARE_ACTION, value=request.id)),
        context("Only you see this, unless you share it with your coach."),
    ]


def status_message(
    content: Content,
    request: FeedbackRequest,
    answered: int,
    summary: FeedbackSummary | None,
    now: datetime,
    coach: bool = False,
) -> dict[str, Any]:
    """`/devpath feedback` while a request is open: how many answered (never who), and the
    summary once there are enough (with Share when there is an internal `coach`)."""
    minimum = content.feedback.rules.minimum
    text = (
        f"Your 360 feedback request is open: {answered} of {len(request.givers)} colleagues "
        f"have answered. It closes {when(request.closes_at, now)}."
    )
    if summary is None:
        more = minimum - answered
        text += (
            f" You will see a summary once {more} more {'has' if more == 1 else 'have'} "
            "answered: fewer could tell you who said what."
        )
    elif answered > summary.answered:
        more = minimum - (answered - summary.answered)
        text += (
            f" The summary holds the first {summary.answered} answers; it takes in the rest "
            f"once {more} more {'has' if more == 1 else 'have'} answered, so no single answer "
            "can be picked out."
        )
    blocks: list[Block] = [section(text, "feedback_status")]
    if summary is not None:
        blocks += summary_blocks(content.feedback.rules, summary)
        blocks += _share(request, coach)
    else:
        blocks.append(context("Only you can see this."))
    return {"response_type": "ephemeral", "text": text, "blocks": blocks}


def too_few_message(request: FeedbackRequest, answered: int, minimum: int) -> dict[str, Any]:
    """At the close, with fewer answers than can be shown without exposing anyone."""
    text = (
        f"Your 360 feedback has closed: {answered} of {len(request.givers)} colleagues answered. "
        f"With fewer than {minimum}, a summary could tell you who said what, so I will not "
        "show one. You can ask again with `/devpath feedback`, perhaps of more colleagues."
    )
    return {"text": text, "blocks": [section(text)]}


def shared_message(
    content: Content, request: FeedbackRequest, summary: FeedbackSummary
) -> dict[str, Any]:
    """What a coach gets when the person shares: the same summary, with whose it is."""
    text = (
        f"<@{request.user_id}> shared their 360 feedback summary with you: "
        f"{summary.answered} of {summary.asked} colleagues answered."
    )
    return {
        "text": text,
        "blocks": [
            header("360 feedback, shared with you"),
            section(text),
            *summary_blocks(content.feedback.rules, summary),
        ],
    }
