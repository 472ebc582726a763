"""The person's own data: the confirmation before erasing it, and a copy of it by DM."""

from __future__ import annotations

import json
from typing import Any

from bot.screens.blocks import Block, actions, button, context, escape, section

FORGET_ACTION = "forget_confirm"
KEEP_ACTION = "forget_cancel"
CHUNK = 2900  # a section's text holds 3,000 characters; the code fence takes the rest
BLOCKS_PER_MESSAGE = 40


def forget_question(user_id: str) -> dict[str, Any]:
    text = (
        "*Erase everything devpath keeps about you?* Your answers and drafts, your intros, "
        "your reminders and check-in notes, your 360 feedback requests and the answers you "
        "gave colleagues, your coaching requests and engagements, and your place in the "
        "mentor pool or the coach roster if you have one. "
        "This cannot be undone. (`/devpath export` sends you a copy first.)"
    )
    erase = button("Erase my data", FORGET_ACTION, value=user_id, style="danger")
    erase["confirm"] = {
        "title": {"type": "plain_text", "text": "Erase your data?"},
        "text": {"type": "mrkdwn", "text": "Everything devpath keeps about you goes, for good."},
        "confirm": {"type": "plain_text", "text": "Erase"},
        "deny": {"type": "plain_text", "text": "Keep it"},
        "style": "danger",
    }
    return {
        "response_type": "ephemeral",
        "text": "Erase everything devpath keeps about you?",
        "blocks": [section(text), actions("forget", erase, button("Keep it", KEEP_ACTION))],
    }


def forgotten_message(gone: dict[str, int]) -> dict[str, Any]:
    counts = ", ".join(f"{n} {kind}" for kind, n in gone.items() if n) or "nothing was stored"
    text = f"Done: devpath has erased everything it kept about you ({counts})."
    return {"text": text, "blocks": [section(text)]}


def left_message(mentor: str | None, coach: str | None, coachees: int) -> dict[str, Any]:
    """To admins: someone in the pool or on the roster erased their data (names escaped: a
    name is typed by whoever added them)."""
    who = [f"a mentor, {escape(mentor)}, left the pool"] if mentor else []
    if coach:
        who.append(f"a coach, {escape(coach)}, left the roster")
    text = " and ".join(who) + " and asked devpath to erase their data."
    text = text[0].upper() + text[1:]
    if coachees:
        text += (
            f" {coachees} coaching {'engagement' if coachees == 1 else 'engagements'} with "
            "them under way or being arranged now have no coach: the coachees keep their "
            "record, and may need a new coach."
        )
    return {"text": text, "blocks": [section(text)]}


def export_messages(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The data as JSON in code blocks, split over as many messages as Slack's limits need."""
    dumped = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    blocks: list[Block] = [section(f"```{piece}```") for piece in fenced_pieces(dumped)]
    batches = [
        blocks[i : i + BLOCKS_PER_MESSAGE] for i in range(0, len(blocks), BLOCKS_PER_MESSAGE)
    ]
    messages = []
    for number, batch in enumerate(batches, start=1):
        note = f"Everything devpath keeps about you, as JSON (part {number} of {len(batches)})."
        messages.append({"text": note, "blocks": [context(note), *batch]})
    return messages


# Inside a code fence a backtick someone typed would close it: a look-alike shows instead.
IN_FENCE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "`": "\u02cb"}


def fenced_pieces(text: str, most: int = CHUNK) -> list[str]:
    """The text made safe to put between ``` (escaped, no backtick left to close the fence),
    in pieces of at most `most` characters, never splitting an escape."""
    pieces: list[str] = []
    piece = ""
    for char in text:
        safe = IN_FENCE.get(char, char)
        if len(piece) + len(safe) > most:
            pieces.append(piece)
            piece = ""
        piece += safe
    return [*pieces, piece] if piece or not pieces else pieces


WITHDRAWN_TEXT = "This request was withdrawn: the person asked devpath to erase their data."


def withdrawn_message() -> dict[str, Any]:
    """What a message quoting someone who erased their data becomes."""
    return {"text": WITHDRAWN_TEXT, "blocks": [context(WITHDRAWN_TEXT)]}


def export_file_note() -> str:
    return "Everything devpath keeps about you, as a JSON file."
