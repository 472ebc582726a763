"""The recommendation, as a modal screen, a DM and a short post for the channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.content import Content
from bot.domain.matching import Match
from bot.domain.recommendation import MIXED, SIDES, Reason, Recommendation, has_coaching
from bot.screens.blocks import (
    Block,
    actions,
    bullets,
    button,
    context,
    divider,
    header,
    mrkdwn,
    plain,
    section,
)
from bot.screens.coaching import request_blocks
from bot.screens.intros import match_blocks

OPEN_QUESTIONNAIRE_ACTION = "open_questionnaire"
PULLS = "What pulls the other way"
PATH_NAMES = {
    "coaching": "Executive coaching",
    "mentoring": "Mentoring",
    "both": "Coaching and mentoring",
    "not_sure": "Not sure yet",
}


@dataclass(frozen=True)
class Advice:
    """The words of a result, in order, shared by Slack and the terminal: one place says it."""

    title: str
    how_sure: str
    summary: str
    why: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, lines): one group per side for both
    also: tuple[str, ...]  # the other side's needs, then what to make of them
    against: tuple[str, ...]  # preferences that pull the other way, then what to make of them
    steps: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, numbered lines)
    together: str | None
    decide: tuple[str, ...]


def advice(content: Content, rec: Recommendation) -> Advice:
    text = content.paths[rec.path]
    how_sure = f"How sure: {rec.confidence_label}"
    if rec.confidence_label == MIXED and text.tip:
        how_sure += f". {text.tip}"
    elif rec.path == "not_sure":
        how_sure += ": neither need is clear from your answers"
    why: list[tuple[str, tuple[str, ...]]]
    if rec.path in ("both", "not_sure"):
        heading = "Why" if rec.path == "both" else "So far, for"
        why = [
            (f"{heading} {side}", tuple(_cite(r) for r in rec.reasons if r.side == side))
            for side in SIDES
            if any(r.side == side for r in rec.reasons)
        ]
    else:
        why = [("Why", tuple(_cite(r) for r in rec.reasons))] if rec.reasons else []
    steps: list[tuple[str, tuple[str, ...]]]
    if rec.path == "both":
        steps = [("With a coach", text.with_a_coach), ("With a mentor", text.with_a_mentor)]
    else:
        steps = [("Next steps", text.next_steps)] if text.next_steps else []
    return Advice(
        title=text.heading(rec.confidence_label),
        how_sure=how_sure,
        summary=text.summary,
        why=tuple(why),
        also=_with_note([_cite(r) for r in rec.also], text.also),
        against=_with_note([_cite(r) for r in rec.against], text.against),
        steps=tuple(steps),
        together=text.together,
        decide=text.decide,
    )


def _with_note(lines: list[str], note: str | None) -> tuple[str, ...]:
    return (*lines, note) if lines and note else tuple(lines)


def _cite(reason: Reason) -> str:
    return f"{reason.axis}: {reason.text} (you said “{reason.answer}”)"


def _body(content: Content, rec: Recommendation) -> list[Block]:
    said = advice(content, rec)
    blocks: list[Block] = [
        header(said.title),
        context(_bold_word(said.how_sure, rec.confidence_label)),
        section(said.summary),
    ]
    for number, (heading, lines) in enumerate(said.why):
        blocks.append(section(f"*{heading}*\n" + bullets(list(lines)), block_id=f"why_{number}"))
    if said.also:
        *named, note = said.also
        blocks.append(section(f"*Also in your answers*\n{bullets(named)}\n{note}", "also"))
    if said.against:
        *named, note = said.against
        blocks.append(section(f"*{PULLS}*\n{bullets(named)}\n{note}", "against"))
    if said.decide:
        blocks.append(section("*What would decide it*\n" + bullets(list(said.decide)), "decide"))
    blocks.append(divider())
    if len(said.steps) > 1:  # both: the coaching and the mentoring steps side by side
        blocks.append(
            {
                "type": "section",
                "block_id": "next",
                "fields": [
                    mrkdwn(f"*{heading}*\n" + bullets(list(lines), numbered=True))
                    for heading, lines in said.steps
                ],
            }
        )
    else:
        for heading, lines in said.steps:
            blocks.append(
                section(f"*{heading}*\n" + bullets(list(lines), numbered=True), block_id="next")
            )
    if said.together:
        blocks.append(section(said.together, "together"))
    return blocks


def _bold_word(line: str, word: str) -> str:
    return line.replace(f"How sure: {word}", f"How sure: *{word}*", 1)


def summary_text(content: Content, rec: Recommendation) -> str:
    """The plain-text fallback: the notification and what a screen reader says."""
    said = advice(content, rec)
    reasons = " ".join(r.text for r in rec.reasons)
    return f"{said.title}. {said.how_sure}. {reasons}"[:3000]


def _request_coaching(rec: Recommendation) -> list[Block]:
    """A coaching (or both) result offers Request coaching."""
    return [divider(), *request_blocks()] if has_coaching(rec.path) else []


FINDING = "*Mentors who fit*\nFinding the mentors who fit you: they appear here in a moment."


def _matches(matches: list[Match] | None, open_request: bool) -> list[Block]:
    """A path with mentoring in it (or not sure yet) comes with the mentors who fit;
    coaching (None) does not."""
    return [] if matches is None else [divider(), *match_blocks(matches, open_request)]


def result_view(
    content: Content,
    rec: Recommendation,
    matches: list[Match] | None = None,
    open_request: bool = False,
    finding: bool = False,
) -> dict[str, Any]:
    """The result in the questionnaire's modal. With `finding`, the mentors are still being
    ranked: the advice shows at once, and they fill in with the next update."""
    found = [divider(), section(FINDING, "finding")] if finding and matches is None else []
    return {
        "type": "modal",
        "callback_id": "result",
        "title": plain("devpath · your result"),
        "close": plain("Done"),
        "blocks": [
            *_body(content, rec),
            *_request_coaching(rec),
            *_matches(matches, open_request),
            *found,
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
            *_request_coaching(rec),
            *_matches(matches, open_request),
            context(f"From your answers of {_date(made_at)}. Things change: retake it any time."),
            actions(
                "result_actions", button("Retake the questionnaire", OPEN_QUESTIONNAIRE_ACTION)
            ),
        ],
    }


def share_message(user_id: str, rec: Recommendation) -> dict[str, Any]:
    """One sentence for the channel: the path and the axes that decided it, never an answer."""
    axes = list(dict.fromkeys(_axis_word(r.axis) for r in rec.reasons))
    because = f", mostly because of their {_and(axes)}" if axes else ""
    if rec.path == "not_sure":
        line = (
            f"<@{user_id}> took /devpath: it is not clear yet whether coaching or mentoring "
            "fits them, and they have a next step to find out"
        )
    elif rec.path == "both":
        line = f"<@{user_id}> took /devpath: *coaching and mentoring* in tandem fit them now"
        line += because
    else:
        fits = "may fit" if rec.confidence_label == MIXED else "fits"
        line = f"<@{user_id}> took /devpath: *{PATH_NAMES[rec.path]}* {fits} them now"
        line += because
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


def _axis_word(axis: str) -> str:
    """An axis as a word after "their": results stored before 2026.12 say "Your situation"."""
    word = axis.lower()
    return word.removeprefix("your ")


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _date(moment: datetime) -> str:
    return f"{moment:%d %B %Y}".lstrip("0")
