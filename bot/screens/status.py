"""/devpath status: where the person stands."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.content import Content
from bot.domain.records import Draft, Response
from bot.screens.blocks import bullets, context, section


def status_message(
    content: Content, latest: Response | None, draft: Draft | None, now: datetime
) -> dict[str, Any]:
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
        "blocks": [section(text), context("Only you can see this.")],
    }


def ago(moment: datetime, now: datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "just now"


def when(moment: datetime, now: datetime) -> str:
    """A moment ahead, as people say it: "in 7 days", "in 3 hours"."""
    seconds = max(0, int((moment - now).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size)
            return f"in {count} {unit}{'s' if count > 1 else ''}"
    return "in a moment"
