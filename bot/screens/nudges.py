"""Nudge DMs: the nudge's own action, then Snooze a week and Stop these reminders."""

from __future__ import annotations

import json
from typing import Any

from bot.content import Content
from bot.domain.matching import Match
from bot.domain.nudges import Nudge
from bot.screens.blocks import (
    Block,
    actions,
    bullets,
    button,
    context,
    plain,
    section,
    when,
)
from bot.screens.coaching import ACCEPT_ACTION as COACH_ACCEPT_ACTION
from bot.screens.coaching import COACH_DECLINE_ACTION, checkpoint_action
from bot.screens.intros import ACCEPT_ACTION, DECLINE_ACTION, match_blocks
from bot.screens.mentoring_end import check_in_buttons, check_in_goals
from bot.screens.result import OPEN_QUESTIONNAIRE_ACTION

SNOOZE_ACTION = "nudge_snooze"
STOP_ACTION = "nudge_stop"
MET_ACTION = "nudge_met"
NOT_YET_ACTION = "nudge_not_yet"
SCORE_ACTION = "nudge_score"  # action ids nudge_score_1 ... nudge_score_5
NOTE_ACTION = "nudge_note"
GOALS_ACTION = "nudge_goals"
NOTE_CALLBACK = "nudge_note"
GOALS_CALLBACK = "nudge_goals"
NOTE_MOST = 1000
GOALS_MOST = 1500
KIND_NAMES = {
    "reach_out": "reach out to a mentor",
    "answer_request": "answer a mentoring request",
    "did_you_meet": "did you meet?",
    "check_in": "mentoring check-in",
    "coaching_goals": "set your coaching goals",
    "coaching_midpoint": "coaching mid-point review",
    "coaching_review": "coaching end review",
    "gentle_reminder": "a gentle reminder",
    "coaching_offer": "answer a coaching request",
}

STOPPED = (
    "Done: no more reminders from devpath. Type `/devpath nudges on` whenever you want them back."
)
STARTED = "Reminders are back on. You can snooze or stop any of them from the reminder itself."


def nudge_message(
    content: Content,
    nudge: Nudge,
    last: bool,
    other: str = "",
    lapses: str = "",
    matches: list[Match] | None = None,
    goals: tuple[str, ...] = (),
) -> dict[str, Any]:
    """`other` is the other person of an intro, shown as a mention; `lapses` when a request
    ends; `goals` the mentoring agreement's, which a check-in asks about."""
    text = content.nudges.texts[nudge.kind].format(other=other, mentee=other, lapses=lapses)
    blocks: list[Block] = [section(text, "nudge")]
    blocks += _own_action(nudge, matches, goals)
    if last:
        blocks.append(context(content.nudges.last_of_kind))
    blocks.append(
        actions(
            "nudge_controls",
            button("Snooze a week", SNOOZE_ACTION, value=nudge.id),
            button("Stop these reminders", STOP_ACTION, value=nudge.id),
        )
    )
    return {"text": text, "blocks": blocks}


def _own_action(nudge: Nudge, matches: list[Match] | None, goals: tuple[str, ...]) -> list[Block]:
    kind = nudge.kind
    if kind == "reach_out" or (kind == "gentle_reminder" and matches):
        return match_blocks(matches or [], False)
    if kind == "gentle_reminder":
        return [
            actions("nudge_action", button("Retake the questionnaire", OPEN_QUESTIONNAIRE_ACTION))
        ]
    if kind == "answer_request":
        return [
            actions(
                "answer",
                button("Accept", ACCEPT_ACTION, value=nudge.subject, style="primary"),
                button("Decline", DECLINE_ACTION, value=nudge.subject),
            )
        ]
    if kind == "coaching_offer":
        return [
            actions(
                "answer",
                button("Accept", COACH_ACCEPT_ACTION, value=nudge.subject, style="primary"),
                button("Decline", COACH_DECLINE_ACTION, value=nudge.subject),
            )
        ]
    if kind in ("coaching_midpoint", "coaching_review"):
        return checkpoint_action(kind, nudge.id)
    if kind == "did_you_meet":
        return [
            actions(
                "nudge_action",
                button("Yes, we met", MET_ACTION, value=nudge.id, style="primary"),
                button("Not yet", NOT_YET_ACTION, value=nudge.id),
            )
        ]
    if kind == "check_in":
        scores = [
            button(f"{n} {'★' * n}", f"{SCORE_ACTION}_{n}", value=f"{nudge.id}:{n}")
            for n in range(1, 6)
        ]
        return [
            *check_in_goals(goals),
            actions("nudge_scores", *scores),
            context("1 is not going well, 5 is going great."),
            actions(
                "nudge_action",
                button("Add a note", NOTE_ACTION, value=nudge.id),
                *check_in_buttons(nudge.id, nudge.subject, bool(goals)),
            ),
        ]
    return [
        actions(
            "nudge_action", button("Update goals", GOALS_ACTION, value=nudge.id, style="primary")
        )
    ]


def answered_nudge(
    text: str, note_for: str | None = None, more: tuple[dict[str, Any], ...] = ()
) -> dict[str, Any]:
    """What a nudge DM becomes once answered: the answer, no buttons left to click twice
    (but a check-in keeps Add a note, for the nudge `note_for`, and its `more` buttons)."""
    blocks: list[Block] = [section(text, "nudge")]
    if note_for:
        note = button("Add a note", NOTE_ACTION, value=note_for)
        blocks.append(actions("nudge_action", note, *more))
    return {"text": text, "blocks": blocks}


def note_view(nudge_id: str, title: str, label: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": NOTE_CALLBACK,
        "title": plain(title),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"nudge": nudge_id}),
        "blocks": [
            {
                "type": "input",
                "block_id": "note",
                "label": plain(label),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "note",
                    "multiline": True,
                    "max_length": NOTE_MOST,
                },
            }
        ],
    }


def goals_view(nudge_id: str, goals: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "goals",
        "multiline": True,
        "max_length": GOALS_MOST,
        "placeholder": plain("1. Run my staff meeting without overruns for 6 weeks"),
    }
    if goals:
        element["initial_value"] = goals
    return {
        "type": "modal",
        "callback_id": GOALS_CALLBACK,
        "title": plain("Your coaching goals"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"nudge": nudge_id}),
        "blocks": [
            section("Two or three goals you can measure, each on its own line."),
            {
                "type": "input",
                "block_id": "goals",
                "label": plain("Goals"),
                "element": element,
                "hint": plain("Only you can see these; your reviews will ask how they are going."),
            },
        ],
    }


def upcoming_lines(nudges: list[Nudge], now: Any) -> list[str]:
    return [f"{KIND_NAMES[n.kind]}, {when(n.due_at, now)}" for n in nudges]


def nudges_summary(stopped: bool, upcoming: list[Nudge], now: Any) -> str:
    if stopped:
        return "*Reminders:* stopped. Type `/devpath nudges on` to get them again."
    if not upcoming:
        return "*Reminders:* none coming up."
    return "*Coming up:*\n" + bullets(upcoming_lines(upcoming[:5], now))
