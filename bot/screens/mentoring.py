"""A mentoring relationship's start: the mentor's question before accepting and the mentee's
answer, the meeting times and the agreement in the kickoff, and the agreement wherever it
shows (the pair's group DM, `/devpath status`, the Home tab).

Everything a person typed (a question, an answer, goals) is escaped before it is echoed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.domain.intros import Intro
from bot.domain.mentoring import GOAL_MOST, QUESTION_MOST, Agreement, MentoringRules
from bot.screens.blocks import (
    Block,
    actions,
    bullets,
    button,
    context,
    element_state,
    escape,
    option,
    plain,
    section,
)
from bot.screens.intros import AGREEMENT_ACTION, DONE_ACTION, END_EARLY_ACTION, quoted

QUESTION_CALLBACK = "intro_question"
ANSWER_ACTION = "intro_answer_question"  # on the mentee's DM; value: intro id
ANSWER_CALLBACK = "intro_question_answer"
AGREEMENT_CALLBACK = "mentoring_agreement"
CONFIRM_ACTION = "mentoring_agreement_confirm"  # value: intro id; block_id: which proposal
CONFIRM_BLOCK = "agreement@"  # + the proposal's time: a click on a replaced one is told so
GOAL_FIELDS = ("goal_1", "goal_2", "goal_3")
MEET_EVERY, RUNS_FOR = "meet_every", "runs_for"
RELATIONSHIPS_SHOWN = 10  # two blocks each, in a Home tab of 100
GOAL_SHOWN = 800  # escaped characters of one goal: three and the terms fit in one section


def slack_date(moment: datetime, pattern: str = "{date_short_pretty} at {time}") -> str:
    """A time each reader sees in their own timezone; the fallback says it in UTC."""
    fallback = f"{moment.astimezone(UTC):%a %d %b %Y %H:%M} UTC"
    return f"<!date^{int(moment.timestamp())}^{pattern}|{fallback}>"


def _date(moment: datetime) -> str:
    return slack_date(moment, "{date_long}")


def _meta(view: Any) -> dict[str, Any]:
    try:
        found = json.loads((view or {}).get("private_metadata") or "{}")
    except (ValueError, AttributeError, TypeError):
        return {}
    return found if isinstance(found, dict) else {}


def _typed(view: Any, block_id: str) -> str:
    state = element_state(view, block_id, block_id)
    chosen = state.get("selected_option")
    value = chosen.get("value") if isinstance(chosen, dict) else state.get("value")
    return value.strip() if isinstance(value, str) else ""


def _text_input(block_id: str, label: str, most: int, optional: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label),
        "element": {
            "type": "plain_text_input",
            "action_id": block_id,
            "max_length": most,
            "multiline": most > GOAL_MOST,
        },
    }


def _id_of(meta: dict[str, Any]) -> str:
    found = meta.get("intro")
    return found if isinstance(found, str) else ""


# The mentor's question, and the mentee's answer.


def question_view(intro: Intro) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": QUESTION_CALLBACK,
        "title": plain("Ask a question"),
        "submit": plain("Send question"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"intro": intro.id}),
        "blocks": [
            section(
                f"Ask <@{intro.mentee_id}> one question before you answer their request. "
                "It will not lapse while you wait for their answer."
            ),
            _text_input("question", "Your question", QUESTION_MOST),
        ],
    }


def read_question(view: Any) -> tuple[str, str]:
    """The intro asked about, and the question typed."""
    return _id_of(_meta(view)), _typed(view, "question")


def question_message(intro: Intro) -> dict[str, Any]:
    """The mentee's DM: the mentor's question, and Answer."""
    text = f"<@{intro.mentor_id}> has a question before answering your mentoring request."
    return {
        "text": text,
        "blocks": [
            section(f"{text}\n{quoted(intro.question.get('text', ''))}", "question"),
            actions(
                "question_actions",
                button("Answer", ANSWER_ACTION, value=intro.id, style="primary"),
            ),
            context("Your request will not lapse while they wait for your answer."),
        ],
    }


def answer_view(intro: Intro, place: dict[str, str]) -> dict[str, Any]:
    """`place` is the DM the mentee clicked Answer in, updated once they answer."""
    return {
        "type": "modal",
        "callback_id": ANSWER_CALLBACK,
        "title": plain("Answer their question"),
        "submit": plain("Send answer"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"intro": intro.id, **place}),
        "blocks": [
            section(
                f"<@{intro.mentor_id}> asked:\n{quoted(intro.question.get('text', ''))}",
                "question",
            ),
            _text_input("answer", "Your answer", QUESTION_MOST),
        ],
    }


def read_answer(view: Any) -> tuple[str, str, dict[str, str]]:
    """The intro, the answer typed, and where the question's DM is ({} if not known)."""
    meta = _meta(view)
    place = {k: meta.get(k) for k in ("channel", "ts")}
    where = {k: v for k, v in place.items() if isinstance(v, str) and v}
    return _id_of(meta), _typed(view, "answer"), where if len(where) == 2 else {}


def question_answered_message(intro: Intro) -> dict[str, Any]:
    """The mentee's DM once answered: the question and their answer, no button left."""
    text = f"You answered <@{intro.mentor_id}>'s question. They have your answer with your request."
    asked = quoted(intro.question.get("text", ""))
    answer = quoted(intro.question.get("answer", ""))
    return {
        "text": text,
        "blocks": [
            section(f"{text}\n*They asked:*\n{asked}", "question"),
            section(f"*You answered:*\n{answer}", "answer"),
        ],
    }


def answer_for_mentor(intro: Intro, lapses: str) -> dict[str, Any]:
    """The mentor's short heads-up; the answer itself is in their request, updated."""
    text = (
        f"<@{intro.mentee_id}> answered your question: it is in their request. "
        f"The request now lapses {lapses} if you do not answer."
    )
    return {"text": text, "blocks": [section(text, "answered")]}


# The kickoff's start: meeting times and the agreement.


def start_blocks(
    intro_id: str,
    mentee_id: str,
    times: Sequence[datetime],
    guessed: Sequence[str],
    rules: MentoringRules,
) -> list[Block]:
    """Meeting times (each shown in the reader's own time), or plainly that their working
    hours do not meet; then the agreement for the mentee to write."""
    minutes = int(rules.meeting_length.total_seconds() // 60)
    if times:
        meet = (
            f"*A first meeting?* These {minutes}-minute slots fall inside both your working "
            "hours (each shown in your own time):\n" + bullets([slack_date(t) for t in times])
        )
    else:
        meet = (
            "*A first meeting:* your working hours do not overlap, so I found no time inside "
            "both your days. Meeting at the edge of one person's day works for some pairs; "
            "otherwise work asynchronously: write in this group DM, trade short voice or "
            "video notes, or keep a shared document of questions and answers."
        )
    blocks = [section(meet, "meeting")]
    if guessed:
        who = ", ".join(f"<@{u}>" for u in guessed)
        blocks.append(context(f"I could not see the timezone of {who}, so I took UTC for it."))
    blocks += [
        section(
            f"*Your mentoring agreement.* <@{mentee_id}>, write down 2 or 3 goals, how often "
            "you will meet and for how long it runs; then you both confirm it.",
            "agreement",
        ),
        actions(
            "agreement_actions",
            button("Write our agreement", AGREEMENT_ACTION, value=intro_id, style="primary"),
        ),
    ]
    return blocks


# The agreement.


def agreement_view(
    intro: Intro, rules: MentoringRules, current: Agreement | None
) -> dict[str, Any]:
    """The mentee's goals (2 or 3), how often to meet, how long to run; filled with the
    current agreement when there is one."""
    blocks: list[Block] = [
        section(
            "Write 2 or 3 goals for your mentoring: what you would like to be able to do, or "
            f"know, by the end. <@{intro.mentor_id}> confirms them with you."
        )
    ]
    for number, block_id in enumerate(GOAL_FIELDS, 1):
        goal = _text_input(
            block_id,
            f"Goal {number}" + (" (optional)" if number == 3 else ""),
            GOAL_MOST,
            optional=number == 3,
        )
        if current is not None and number <= len(current.goals):
            goal["element"]["initial_value"] = current.goals[number - 1]
        blocks.append(goal)
    meet_every, runs_for = (current.meet_every, current.runs_for) if current else ("", "")
    blocks.append(_select(MEET_EVERY, "How often you meet", rules.meet_every, meet_every))
    blocks.append(_select(RUNS_FOR, "How long it runs", rules.runs_for, runs_for))
    return {
        "type": "modal",
        "callback_id": AGREEMENT_CALLBACK,
        "title": plain("Our mentoring agreement"),
        "submit": plain("Propose it"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"intro": intro.id}),
        "blocks": blocks,
    }


def _select(block_id: str, label: str, choices: Sequence[Any], chosen: str | None) -> Block:
    options = [option(c.label, c.value) for c in choices]
    initial = next((o for o, c in zip(options, choices, strict=True) if c.value == chosen), None)
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {
            "type": "static_select",
            "action_id": block_id,
            "options": options,
            "initial_option": initial or options[0],
        },
    }


def read_agreement(view: Any) -> tuple[str, list[str], str, str]:
    """The intro, the three goal fields as typed ("" when empty), meet_every, runs_for."""
    goals = [_typed(view, block_id) for block_id in GOAL_FIELDS]
    return _id_of(_meta(view)), goals, _typed(view, MEET_EVERY), _typed(view, RUNS_FOR)


def goal_errors(problems: dict[int, str]) -> dict[str, str]:
    """The domain's goal problems, on the fields they are about."""
    return {GOAL_FIELDS[n]: why for n, why in problems.items() if n < len(GOAL_FIELDS)}


def shown_goal(goal: str) -> str:
    """A goal, escaped; one written in characters that grow when escaped (`&` fivefold) is
    cut short with an ellipsis so its section stays within Slack's limit."""
    shown, cut = escape(goal), goal
    while len(shown) > GOAL_SHOWN:
        cut = cut[: len(cut) * 3 // 4]
        shown = escape(cut) + "…"
    return shown


def agreement_lines(agreement: Agreement, intro: Intro, rules: MentoringRules) -> str:
    """The agreement in a few lines: the goals, the cadence, the planned end, who confirmed."""
    lines = [
        "*Goals:*\n" + bullets([shown_goal(g) for g in agreement.goals], numbered=True),
        f"*Meet:* {rules.label(agreement.meet_every).lower()} · "
        f"*runs for:* {rules.label(agreement.runs_for).lower()}",
    ]
    if agreement.confirmed(intro) and agreement.ends_at is not None:
        lines.append(f"*Agreed* by both · planned end {_date(agreement.ends_at)}")
    else:
        waiting = [
            f"<@{u}>" for u in (intro.mentee_id, intro.mentor_id) if u not in agreement.confirmed_by
        ]
        lines.append(f"Proposed, waiting for {' and '.join(waiting)} to confirm")
    return "\n".join(lines)


def agreement_message(agreement: Agreement, intro: Intro, rules: MentoringRules) -> dict[str, Any]:
    """The agreement in the pair's group DM: Confirm for each until both have; then Agreed."""
    if agreement.confirmed(intro):
        text = f"Agreed: the mentoring agreement of <@{intro.mentee_id}> and <@{intro.mentor_id}>."
    else:
        text = f"<@{intro.mentee_id}> proposed your mentoring agreement: please both confirm it."
    blocks: list[Block] = [section(f"{text}\n{agreement_lines(agreement, intro, rules)}", "terms")]
    if not agreement.confirmed(intro):
        blocks.append(
            actions(
                CONFIRM_BLOCK + agreement.proposed_at.isoformat(),
                button("Confirm", CONFIRM_ACTION, value=intro.id, style="primary"),
            )
        )
        blocks.append(context(f"To change it, <@{intro.mentee_id}> writes it again from Home."))
    return {"text": text, "blocks": blocks}


def proposal_of(block_id: str) -> str | None:
    """Which proposal a Confirm was clicked on (its time as ISO text), if the click says."""
    if not block_id.startswith(CONFIRM_BLOCK):
        return None
    return block_id.removeprefix(CONFIRM_BLOCK).split("#")[0]


def replaced_message() -> dict[str, Any]:
    text = "This agreement was replaced by a newer proposal, just below."
    return {"text": text, "blocks": [section(text, "terms")]}


def mentoring_status(
    relationships: Sequence[tuple[Intro, Agreement | None]], user_id: str, rules: MentoringRules
) -> list[Block]:
    """`/devpath status`: each relationship under way, from this person's side, one section
    each (an agreement's goals can fill one)."""
    blocks = []
    for intro, agreement in relationships[:RELATIONSHIPS_SHOWN]:
        other = intro.mentor_id if intro.mentee_id == user_id else intro.mentee_id
        role = "your mentor" if intro.mentee_id == user_id else "your mentee"
        if agreement is None:
            terms = "no agreement yet" + (
                ": write it from your Home tab" if intro.mentee_id == user_id else ""
            )
        else:
            terms = agreement_lines(agreement, intro, rules)
        blocks.append(section(f"*Mentoring with <@{other}>* ({role})\n{terms}", f"rel_{intro.id}"))
    return blocks


def mentoring_blocks(
    relationships: Sequence[tuple[Intro, Agreement | None]], user_id: str, rules: MentoringRules
) -> list[Block]:
    """The Home tab: each relationship under way with its agreement, a line and its buttons:
    the mentee can write (or reset) it, whoever has not confirmed it yet can, and either can
    say We're done or end it early."""
    if not relationships:
        return []
    blocks: list[Block] = [section("*Your mentoring*", "mentoring")]
    for intro, agreement in relationships[:RELATIONSHIPS_SHOWN]:
        mentee = intro.mentee_id == user_id
        other = intro.mentor_id if mentee else intro.mentee_id
        role = "your mentor" if mentee else "your mentee"
        terms = agreement_lines(agreement, intro, rules) if agreement else "No agreement yet."
        blocks.append(section(f"With <@{other}> ({role})\n{terms}", f"rel_{intro.id}"))
        buttons = []
        if mentee:
            label = "Write our agreement" if agreement is None else "Reset our agreement"
            buttons.append(button(label, AGREEMENT_ACTION, value=intro.id))
        if agreement is not None and user_id not in agreement.confirmed_by:
            buttons.append(button("Confirm", CONFIRM_ACTION, value=intro.id, style="primary"))
        buttons += [
            button("We're done", DONE_ACTION, value=intro.id),
            button("End early", END_EARLY_ACTION, value=intro.id),
        ]
        block_id = f"rel_actions_{intro.id}"
        if agreement is not None:
            block_id = CONFIRM_BLOCK + agreement.proposed_at.isoformat() + f"#{intro.id}"
        blocks.append(actions(block_id, *buttons))
    return blocks
