"""The questionnaire modal: one screen per step, with the person's answers filled back in."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.questionnaire import Answers, Question, Questionnaire
from bot.screens.blocks import Block, actions, button, context, element_state, option, plain

CALLBACK_ID = "questionnaire"
ANSWER_ACTION = "answer"
SHARE_BLOCK = "share"
SHARE_ACTION = "share"
SHARE_VALUE = "share"
NAV_BLOCK = "nav"
BACK_ACTION = "questionnaire_back"
START_OVER_ACTION = "questionnaire_start_over"
RADIO_MOST = 5  # more options than this read better as a dropdown
CHECKBOX_MOST = 10  # Slack's limit for checkboxes


def question_block_id(question_id: str) -> str:
    return f"q_{question_id}"


def question_id_of(block_id: str) -> str | None:
    return block_id[2:] if block_id.startswith("q_") else None


def can_share_in(channel_id: str | None) -> bool:
    """Public and private channels only: a share in a DM would reach nobody new."""
    return channel_id is not None and channel_id[:1] in ("C", "G")


def step_view(
    questionnaire: Questionnaire,
    number: int,
    answers: Answers,
    channel_id: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    step = questionnaire.step(number)
    total = len(questionnaire.steps)
    last = number == total
    blocks: list[Block] = [context(f"*Step {number} of {total}* · {step.title}")]
    if note:
        blocks.append(context(note))
    blocks += [_question_block(q, answers.get(q.id, ())) for q in step.questions]
    if last and can_share_in(channel_id):
        blocks.append(_share_block(channel_id))
    nav = []
    if number > 1:
        nav.append(button("← Back", BACK_ACTION, value=str(number)))
    if any(answers.values()):
        nav.append(button("Start over", START_OVER_ACTION))
    if nav:
        blocks.append(actions(NAV_BLOCK, *nav))
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain(f"devpath · step {number} of {total}"[:24]),
        "submit": plain("See my result" if last else "Next"),
        "close": plain("Finish later"),
        "notify_on_close": True,
        "private_metadata": json.dumps({"step": number, "channel": channel_id}),
        "blocks": blocks,
    }


def _question_block(question: Question, chosen: tuple[str, ...]) -> Block:
    options = [option(o.label, o.value) for o in question.options]
    picked = [o for o in options if o["value"] in chosen]
    element: dict[str, Any] = {"action_id": ANSWER_ACTION}
    if question.kind == "single":
        if len(options) <= RADIO_MOST:
            element.update(type="radio_buttons", options=options)
        else:
            element.update(type="static_select", options=options, placeholder=plain("Choose one"))
        if picked:
            element["initial_option"] = picked[0]
    else:
        if len(options) <= CHECKBOX_MOST:
            element.update(type="checkboxes", options=options)
        else:
            element.update(
                type="multi_static_select", options=options, placeholder=plain("Choose any")
            )
        if picked:
            element["initial_options"] = picked
    block: Block = {
        "type": "input",
        "block_id": question_block_id(question.id),
        "label": plain(question.label),
        "optional": question.optional,
        "element": element,
    }
    if question.hint:
        block["hint"] = plain(question.hint)
    return block


def _share_block(channel_id: str | None) -> Block:
    return {
        "type": "input",
        "block_id": SHARE_BLOCK,
        "optional": True,
        "label": plain("Share"),
        "element": {
            "type": "checkboxes",
            "action_id": SHARE_ACTION,
            "options": [
                option(f"Post a short version of my result in <#{channel_id}>", SHARE_VALUE, True)
            ],
        },
        "hint": plain("Only if you tick this. Your answers stay private either way."),
    }


def read_metadata(view: dict[str, Any]) -> tuple[int, str | None] | None:
    """The step number and channel this modal carries, or None when it is not ours."""
    try:
        meta = json.loads(view.get("private_metadata") or "")
        step, channel = int(meta["step"]), meta.get("channel")
    except (ValueError, TypeError, KeyError):
        return None
    if channel is not None and not isinstance(channel, str):
        return None
    return step, channel


def read_answers(view: dict[str, Any]) -> dict[str, list[str]]:
    """Chosen option values per question id, as the modal's state holds them."""
    state = view.get("state") if isinstance(view, dict) else None
    values = state.get("values") if isinstance(state, dict) else None
    blocks = values if isinstance(values, dict) else {}
    raw: dict[str, list[str]] = {}
    for block_id in blocks:
        question_id = question_id_of(str(block_id))
        if question_id is not None:
            raw[question_id] = _values(element_state(view, block_id, ANSWER_ACTION))
    return raw


def wants_share(view: dict[str, Any]) -> bool:
    return SHARE_VALUE in _values(element_state(view, SHARE_BLOCK, SHARE_ACTION))


def _values(element: dict[str, Any]) -> list[str]:
    chosen = element.get("selected_option")
    many = element.get("selected_options")
    items = [chosen] if isinstance(chosen, dict) else many if isinstance(many, list) else []
    return [str(i["value"]) for i in items if isinstance(i, dict) and "value" in i]
