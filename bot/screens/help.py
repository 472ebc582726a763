"""/devpath help, and the answer to a subcommand devpath does not know."""

from __future__ import annotations

from typing import Any

from bot.screens.blocks import bullets, context, escape, section

COMMANDS = [
    (
        "/devpath",
        "answer a few questions and find out whether coaching, mentoring or both fit you now",
    ),
    ("/devpath status", "your path, the mentors who fit you, your intros and coming reminders"),
    (
        "/devpath feedback",
        "ask 3 to 8 colleagues for anonymous 360 feedback, or see how your request is going",
    ),
    ("/devpath mentor join", "offer to mentor: nominate yourself for the mentor pool"),
    ("/devpath mentor", "mentors: your profile, capacity and time away (Away until)"),
    ("/devpath nudges off", "stop all reminders (`/devpath nudges on` starts them again)"),
    ("/devpath export", "everything devpath keeps about you, sent to you by DM"),
    ("/devpath forget", "erase everything devpath keeps about you (after a confirmation)"),
    ("/devpath help", "this list"),
]
ADMIN_COMMANDS = [
    ("/devpath mentor add", "add a mentor to the pool, or edit one"),
    ("/devpath mentors", "the mentor pool: edit, pause, resume, remove"),
    ("/devpath coach add", "add a coach to the roster, internal or external"),
    ("/devpath coaches", "the coach roster: edit, pause, resume, remove"),
    ("/devpath round", "start a matching round: everyone waiting is assigned at once"),
    ("/devpath stats", "the program in numbers"),
]


def help_message(unknown: str | None = None) -> dict[str, Any]:
    lines = [f"`{command}`: {what}" for command, what in COMMANDS]
    lines += [f"`{command}`: {what} _(program admins)_" for command, what in ADMIN_COMMANDS]
    intro = "*devpath* helps you choose between executive coaching and mentoring."
    if unknown:
        intro = f"I don't know `/devpath {escape(unknown)}`. Here is what I can do:"
    text = f"{intro}\n{bullets(lines)}"
    return {
        "response_type": "ephemeral",
        "text": text,
        "blocks": [section(text), context("Only you can see this.")],
    }
