"""/devpath status: my path, my matches and my intros, and a questionnaire in progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.content import Content
from bot.domain.intros import Intro
from bot.domain.matching import Match
from bot.domain.records import Draft, Response
from bot.screens.blocks import Block, ago, bullets, context, escape, section
from bot.screens.coaching import request_blocks
from bot.screens.intros import intro_line


def status_message(
    content: Content,
    latest: Response | None,
    draft: Draft | None,
    now: datetime,
    matches: list[Match] | None = None,
    intros: list[tuple[Intro, str]] | None = None,
    nudges: str | None = None,
    coaching: list[str] | None = None,
    can_request_coaching: bool = False,
    mentoring: list[Block] | None = None,
) -> dict[str, Any]:
    """`mentoring`: the relationships under way (bot/screens/mentoring.py), in blocks of
    their own below the rest."""
    lines = []
    if latest is None:
        lines.append(
            "You have not taken the questionnaire yet. "
            "Type `/devpath` to start: it takes two minutes."
        )
    else:
        rec = latest.recommendation
        lines.append(
            f"*Your path:* {content.paths[rec.path].title} (how sure: {rec.confidence_label}), "
            f"{ago(latest.created_at, now)}."
        )
        if rec.reasons:
            lines.append("*Why:*\n" + bullets([r.text for r in rec.reasons]))
    if matches:
        names = [f"{escape(m.mentor.name)} ({m.reason})" for m in matches]
        lines.append("*Mentors who fit:*\n" + bullets(names))
        lines.append("Ask for an intro from your result DM or the devpath Home tab.")
    elif matches is not None:
        lines.append("*Mentors who fit:* nobody in the pool yet; the program admins know.")
    if intros:
        lines.append("*Your intros:*\n" + bullets([intro_line(i, name, now) for i, name in intros]))
    lines += coaching or []
    if nudges:
        lines.append(nudges)
    if draft is not None:
        total = len(content.questionnaire.steps)
        lines.append(
            f"You have a questionnaire in progress (step {draft.step} of {total}). "
            "Type `/devpath` to pick up where you left off."
        )
    text = "\n".join(lines)
    return {
        "response_type": "ephemeral",
        "text": text,
        "blocks": [
            section(text),
            *(mentoring or []),
            *(request_blocks() if can_request_coaching else []),
            context("Only you can see this."),
        ],
    }
