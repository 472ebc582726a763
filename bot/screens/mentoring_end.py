"""A mentoring relationship's middle and end: the goals in a check-in and their ratings, the
at-risk alert and the offer to reset, We're done and End early, the close-out."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.intros import Intro
from bot.domain.matching import Match
from bot.domain.mentoring_end import (
    CLOSEOUT_NOTE_MOST,
    REASON_MOST,
    SCORES,
    Ending,
    other_of,
)
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
from bot.screens.intros import (
    AGREEMENT_ACTION,
    DONE_ACTION,
    END_EARLY_ACTION,
    match_blocks,
    quoted,
)

RATE_GOALS_ACTION = "mentoring_rate_goals"  # value: the check-in nudge's id
CLOSEOUT_ACTION = "mentoring_closeout"  # value: the intro's id
RATE_GOALS_CALLBACK = "mentoring_rate_goals"
END_CALLBACK = "mentoring_end"
CLOSEOUT_CALLBACK = "mentoring_closeout"
SCALE = {"1": "1: not started", "2": "2", "3": "3: half-way", "4": "4", "5": "5: reached"}


def _meta(view: Any) -> dict[str, Any]:
    try:
        found = json.loads((view or {}).get("private_metadata") or "{}")
    except (ValueError, AttributeError):
        return {}
    return found if isinstance(found, dict) else {}


def read_meta(view: Any, key: str) -> str:
    found = _meta(view).get(key)
    return found if isinstance(found, str) else ""


def read_value(view: Any, block_id: str) -> str:
    """What a text input or a single choice of a submitted modal holds ("" when nothing)."""
    state = element_state(view, block_id, block_id)
    chosen = state.get("selected_option")
    value = chosen.get("value") if isinstance(chosen, dict) else state.get("value")
    return value.strip() if isinstance(value, str) else ""


def _scale(block_id: str, label: str, given: str | None = None) -> Block:
    element: Block = {
        "type": "static_select",
        "action_id": block_id,
        "options": [option(SCALE[s], s) for s in SCORES],
    }
    if given in SCALE:
        element["initial_option"] = option(SCALE[given], given)
    return {"type": "input", "block_id": block_id, "label": plain(label[:2000]), "element": element}


def _goal_lines(goals: tuple[str, ...]) -> str:
    return bullets([escape(g) for g in goals], numbered=True)


# The check-in: the goals, Rate our goals, We're done.


def check_in_goals(goals: tuple[str, ...]) -> list[Block]:
    """The agreement's goals above a check-in's buttons (none without an agreement)."""
    if not goals:
        return []
    return [section("*Your goals*\n" + _goal_lines(goals), "goals")]


def check_in_buttons(nudge_id: str, intro_id: str, has_goals: bool) -> list[dict[str, Any]]:
    """A check-in's buttons beside Add a note: Rate our goals (with an agreement), We're done."""
    buttons = [button("Rate our goals", RATE_GOALS_ACTION, value=nudge_id)] if has_goals else []
    if intro_id:
        buttons.append(button("We're done", DONE_ACTION, value=intro_id))
    return buttons


def goal_ratings_view(nudge_id: str, goals: tuple[str, ...]) -> dict[str, Any]:
    blocks: list[Block] = [
        section("How far has each goal come, from 1 (not started) to 5 (reached)?")
    ]
    blocks += [_scale(f"goal_{n}", f"Goal {n + 1}: {g}") for n, g in enumerate(goals)]
    blocks.append(context("Your ratings are yours: the other person does not see them."))
    return {
        "type": "modal",
        "callback_id": RATE_GOALS_CALLBACK,
        "title": plain("Rate our goals"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"nudge": nudge_id}),
        "blocks": blocks,
    }


def read_goal_ratings(view: Any, goals: int) -> dict[str, str]:
    return {f"goal_{n}": read_value(view, f"goal_{n}") for n in range(goals)}


# At risk.


def at_risk_admin_message(intro: Intro, words: str) -> dict[str, Any]:
    """To the program admins: who and why, never a note or a goal."""
    text = (
        f"The mentoring of <@{intro.mentee_id}> with <@{intro.mentor_id}> may be at risk: "
        f"{words}. They have been offered a reset of their agreement or a kind end."
    )
    return {
        "text": text,
        "blocks": [
            section(text, "at_risk"),
            context("You see the signal only: their notes and goals stay theirs."),
        ],
    }


def reset_offer_message(intro: Intro, user_id: str) -> dict[str, Any]:
    other = other_of(intro, user_id)
    text = (
        f"Your mentoring with <@{other}> seems to have lost some pace lately. That happens. "
        "Would a fresh agreement help (new goals, another rhythm), or is it time to end it "
        "kindly? Either is fine."
    )
    return {
        "text": text,
        "blocks": [
            section(text, "reset"),
            actions(
                "reset_actions",
                button("Reset our agreement", AGREEMENT_ACTION, value=intro.id, style="primary"),
                button("End it", END_EARLY_ACTION, value=intro.id),
            ),
        ],
    }


# Ending: We're done, End early, the agreed end.


def end_view(intro: Intro, user_id: str, early: bool) -> dict[str, Any]:
    """We're done (a confirmation) or End early (with a required reason)."""
    other = other_of(intro, user_id)
    meta = json.dumps({"intro": intro.id, "early": early})
    if not early:
        return {
            "type": "modal",
            "callback_id": END_CALLBACK,
            "title": plain("We're done"),
            "submit": plain("Close it"),
            "close": plain("Cancel"),
            "private_metadata": meta,
            "blocks": [
                section(
                    f"Close your mentoring with <@{other}>? You both get a short close-out, and "
                    "you are free to stay in touch as you like."
                )
            ],
        }
    reason = {
        "type": "input",
        "block_id": "reason",
        "label": plain("Why end it now?"),
        "hint": plain(
            "Kept with the mentoring's record; not sent to the other person. "
            f"At most {REASON_MOST} characters."
        ),
        "element": {
            "type": "plain_text_input",
            "action_id": "reason",
            "multiline": True,
            "max_length": REASON_MOST,
        },
    }
    return {
        "type": "modal",
        "callback_id": END_CALLBACK,
        "title": plain("End early"),
        "submit": plain("End it"),
        "close": plain("Cancel"),
        "private_metadata": meta,
        "blocks": [
            section(
                f"Ending before the agreed end is fine. <@{other}> is told kindly that it has "
                "ended, without your reason. Your reason stays in devpath's record of the "
                "mentoring (the program's figures, and `/devpath export` for either of you). "
                "Both of you then get a short close-out."
            ),
            reason,
        ],
    }


def read_early(view: Any) -> bool:
    return _meta(view).get("early") is True


def ended_view(early: bool) -> dict[str, Any]:
    text = (
        "Ended. You both get a short close-out by DM."
        if early
        else "Closed. You both get a short close-out by DM."
    )
    return notice_view("Mentoring closed", text)


def notice_view(title: str, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain(title[:24]),
        "close": plain("Close"),
        "blocks": [section(text)],
    }


def ended_message(intro: Intro, user_id: str, ending: Ending) -> dict[str, Any]:
    """Each person's word that the mentoring closed, with Close out."""
    other = other_of(intro, user_id)
    if ending == "agreed end":
        text = f"Your mentoring with <@{other}> has reached its agreed end. Well done, both of you!"
    elif intro.ended_by == user_id:
        text = f"Your mentoring with <@{other}> is closed. Thank you for the time you gave it."
    elif ending == "done":
        text = f"<@{other}> said you are done: your mentoring is closed. Thank you, both of you!"
    else:
        text = (
            f"<@{other}> has ended your mentoring early. Plans change, and that is all right; "
            "thank you for the time you gave it."
        )
    ask = (
        "Would you close it out? Three short questions: how far your goals got, whether you "
        "would recommend it, and a note for the other person if you like. Either way, you "
        "are welcome to stay in touch."
    )
    return {
        "text": text,
        "blocks": [
            section(text, "ended"),
            section(ask, "closeout_ask"),
            actions(
                "closeout",
                button("Close out", CLOSEOUT_ACTION, value=intro.id, style="primary"),
            ),
        ],
    }


def next_match_message(matches: list[Match]) -> dict[str, Any]:
    text = (
        "When you are ready for another mentor, here are people who fit you now."
        if matches
        else "When you are ready for another mentor, `/devpath` shows who fits you."
    )
    return {"text": text, "blocks": [section(text, "next"), *match_blocks(matches, False)]}


# The close-out.


def closeout_view(intro: Intro, user_id: str, goals: tuple[str, ...]) -> dict[str, Any]:
    as_mentee = user_id == intro.mentee_id
    recommend = (
        "Would you recommend your mentor to others?"
        if as_mentee
        else "Would you recommend mentoring here to other mentors?"
    )
    blocks: list[Block] = []
    if goals:
        blocks.append(section("*Your goals were*\n" + _goal_lines(goals), "goals_were"))
    blocks += [
        _scale("goals", "How far did you get with your goals?"),
        {
            "type": "input",
            "block_id": "recommend",
            "label": plain(recommend),
            "element": {
                "type": "radio_buttons",
                "action_id": "recommend",
                "options": [option("Yes", "yes"), option("No", "no")],
            },
        },
        {
            "type": "input",
            "block_id": "note",
            "optional": True,
            "label": plain("A note for the other person"),
            "hint": plain(
                f"They get it by DM as you wrote it. At most {CLOSEOUT_NOTE_MOST} characters."
            ),
            "element": {
                "type": "plain_text_input",
                "action_id": "note",
                "multiline": True,
                "max_length": CLOSEOUT_NOTE_MOST,
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": CLOSEOUT_CALLBACK,
        "title": plain("Close out"),
        "submit": plain("Send"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"intro": intro.id}),
        "blocks": blocks,
    }


def read_closeout(view: Any) -> tuple[str, str, str]:
    """The goals score, the recommendation and the note, as typed."""
    return read_value(view, "goals"), read_value(view, "recommend"), read_value(view, "note")


def thanks_message(intro: Intro, user_id: str) -> dict[str, Any]:
    other = other_of(intro, user_id)
    text = (
        f"Thank you for closing out your mentoring with <@{other}>. Mentoring often goes on "
        "as a friendship: you are welcome to stay in touch."
    )
    return {"text": text, "blocks": [section(text, "thanks")]}


def note_message(from_id: str, note: str) -> dict[str, Any]:
    text = f"<@{from_id}> left you a note as your mentoring closed:"
    return {"text": text, "blocks": [section(f"{text}\n{quoted(note)}", "note")]}


def closed_out_view() -> dict[str, Any]:
    return notice_view("Thank you", "Saved. Thank you: this helps the next people who are matched.")
