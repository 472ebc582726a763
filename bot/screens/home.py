"""The App Home tab: my path and a way to take or retake the questionnaire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.content import Content
from bot.domain.records import Draft, Response
from bot.screens.blocks import actions, bullets, button, context, divider, header, section
from bot.screens.result import OPEN_QUESTIONNAIRE_ACTION
from bot.screens.status import ago


def home_view(
    content: Content, latest: Response | None, draft: Draft | None, now: datetime
) -> dict[str, Any]:
    blocks = [
        header("Coaching or mentoring?"),
        section(
            "devpath asks a few questions about where you are and what you want, then tells you "
            "whether *executive coaching*, *mentoring* or both fit you now, and why."
        ),
        divider(),
    ]
    if latest is not None:
        rec = latest.recommendation
        path = content.paths[rec.path]
        blocks.append(
            section(f"*Your path:* {path.title}\n" + bullets([r.text for r in rec.reasons]), "path")
        )
        blocks.append(
            context(
                f"From your answers {ago(latest.created_at, now)} · "
                f"how sure: {rec.confidence_label}"
            )
        )
    if draft is not None:
        label = "Continue where you left off"
    elif latest is not None:
        label = "Retake the questionnaire"
    else:
        label = "Take the questionnaire"
    blocks.append(
        actions("home_actions", button(label, OPEN_QUESTIONNAIRE_ACTION, style="primary"))
    )
    return {"type": "home", "blocks": blocks}
