"""The recommendation, as a modal screen, a DM and a short post for the channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.content import Content
from bot.domain.matching import Match
from bot.domain.recommendation import Recommendation
from bot.screens.blocks import (
    Block,
    actions,
    bullets,
    button,
    context,
    divider,
    header,
    plain,
    section,
)
from bot.screens.intros import match_blocks

OPEN_QUESTIONNAIRE_ACTION = "open_questionnaire"
PATH_NAMES = {
    "coaching": "Executive coaching",
    "mentoring": "Mentoring",
    "both": "Coaching and mentoring",
}


def _body(content: Content, rec: Recommendation) -> list[Block]:
    text = content.paths[rec.path]
    why = [f"*{r.axis}*: {r.text} _(you said “{r.answer}”)_" for r in rec.reasons]
    blocks: list[Block] = [
        header(text.title),
        section(text.summary),
        context(
            f"How sure: *{rec.confidence_label}* ({rec.confidence:.0%}) · your answers lean "
            f"{rec.coaching:.0%} to coaching and {rec.mentoring:.0%} to mentoring"
        ),
    ]
    if why:
        blocks.append(section("*Why*\n" + bullets(why), block_id="why"))
    blocks += [
        divider(),
        section("*Next steps*\n" + bullets(list(text.next_steps), numbered=True), block_id="next"),
    ]
    return blocks


def summary_text(content: Content, rec: Recommendation) -> str:
    """The plain-text fallback: the notification and what a screen reader says."""
    reasons = " ".join(r.text for r in rec.reasons)
    return f"{content.paths[rec.path].title}. {reasons}"[:3000]


def _matches(matches: list[Match] | None, open_request: bool) -> list[Block]:
    """Mentoring (or both) comes with the mentors who fit; coaching (None) does not."""
    return [] if matches is None else [divider(), *match_blocks(matches, open_request)]


def result_view(
    content: Content,
    rec: Recommendation,
    matches: list[Match] | None = None,
    open_request: bool = False,
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "result",
        "title": plain("devpath · your result"),
        "close": plain("Done"),
        "blocks": [
            *_body(content, rec),
            *_matches(matches, open_request),
            context("A copy is in your DMs with devpath, so you can come back to it."),
        ],
    }


def result_message(
    content: Content,
    rec: Recommendation,
    made_at: datetime,
    matches: list[Match] | None = None,
    open_request: bool = False,
) -> dict[str, Any]:
    return {
        "text": summary_text(content, rec),
        "blocks": [
            *_body(content, rec),
            *_matches(matches, open_request),
            context(f"From your answers of {_date(made_at)}. Things change: retake it any time."),
            actions(
                "result_actions", button("Retake the questionnaire", OPEN_QUESTIONNAIRE_ACTION)
            ),
        ],
    }


def share_message(user_id: str, rec: Recommendation) -> dict[str, Any]:
    axes = ", ".join(dict.fromkeys(r.axis.lower() for r in rec.reasons))
    line = f"<@{user_id}> took /devpath: *{PATH_NAMES[rec.path]}* fits them now"
    if axes:
        line += f", mostly because of their {axes}"
    return {
        "text": f"{line}.",
        "blocks": [section(f"{line}."), context("Curious about your own path? Type `/devpath`.")],
    }


def share_failed_message(channel_id: str) -> dict[str, Any]:
    text = (
        f"I could not post your result in <#{channel_id}>: I am probably not a member there. "
        "Invite me with `/invite @devpath` and retake the questionnaire to share it."
    )
    return {"text": text, "blocks": [section(text)]}


def _date(moment: datetime) -> str:
    return f"{moment:%d %B %Y}".lstrip("0")
