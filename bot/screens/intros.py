"""Matches and intros: the list of mentors who fit, the request, the mentor's DM, the kickoff."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.content import Content
from bot.domain.intros import Intro
from bot.domain.matching import Match, Mentor
from bot.domain.mentoring import waiting_on_mentee
from bot.domain.recommendation import Recommendation
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
    when,
)

REQUEST_ACTION = "request_intro"
REQUEST_CALLBACK = "intro_request"
ACCEPT_ACTION = "intro_accept"
DECLINE_ACTION = "intro_decline"
ASK_ACTION = "intro_ask"  # the mentor asks the mentee a question before answering
FULL_ACTION = "intro_full"  # the mentor has no room: capacity set to the mentees they have
AWAY_ACTION = "intro_away"  # the mentor is away until a date
# A relationship's own buttons, wherever they show (kickoff, check-ins, Home); value: intro id.
AGREEMENT_ACTION = "mentoring_agreement"  # write (or reset) the agreement: opens its modal
DONE_ACTION = "mentoring_done"  # "We're done": the pair closes, each gets a close-out
END_EARLY_ACTION = "mentoring_end_early"  # end before the agreed end, with a reason
OPEN_REQUEST_ACTION = "open_request_post"
CLAIM_ACTION = "open_request_claim"
SHARE_PATH = "path"
SHARE_NEEDS = "needs"
NOTE_MOST = 500


def match_blocks(matches: list[Match], open_request: bool) -> list[Block]:
    """Mentors who fit, each with Request intro; or, plainly, that nobody fits yet."""
    if not matches:
        blocks = [
            section(
                "*Mentors who fit*\nNobody in the mentor pool fits you yet. The program admins "
                "have been told which field and topics are missing.",
                "no_match",
            )
        ]
        if open_request:
            blocks.append(
                actions(
                    "open_request",
                    button("Post an open request", OPEN_REQUEST_ACTION, style="primary"),
                )
            )
            blocks.append(
                context(
                    "An open request tells mentors in the match channel what you are looking "
                    "for (your field and topics, never your answers). Only if you click."
                )
            )
        return blocks
    blocks = [section("*Mentors who fit*", "matches")]
    for match in matches:
        text = f"*{escape(match.mentor.name)}*\n{match.reason}"
        if match.mentor.bio:
            text += f"\n_{escape(match.mentor.bio)}_"
        line = section(text, f"match_{match.mentor.user_id}")
        line["accessory"] = button("Request intro", REQUEST_ACTION, value=match.mentor.user_id)
        blocks.append(line)
    return blocks


def request_view(mentor: Mentor, reason: str) -> dict[str, Any]:
    shares = [
        option("My recommendation and the reasons for it", SHARE_PATH),
        option("My field and the topics I picked", SHARE_NEEDS),
    ]
    return {
        "type": "modal",
        "callback_id": REQUEST_CALLBACK,
        "title": plain("Request an intro"),
        "submit": plain("Send request"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"mentor": mentor.user_id}),
        "blocks": [
            section(f"Ask *{escape(mentor.name)}* to be your mentor.\n{reason}"),
            {
                "type": "input",
                "block_id": "shares",
                "optional": True,
                "label": plain("What they will see"),
                "element": {
                    "type": "checkboxes",
                    "action_id": "shares",
                    "options": shares,
                    "initial_options": shares,
                },
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": plain("A note for them"),
                "hint": plain("Why them, and what you hope for. At most 500 characters."),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "note",
                    "multiline": True,
                    "max_length": NOTE_MOST,
                },
            },
        ],
    }


def read_request(view: dict[str, Any]) -> tuple[str | None, tuple[str, ...], str]:
    """The mentor asked for, what the mentee shares, and their note."""
    try:
        mentor = json.loads(view.get("private_metadata") or "{}").get("mentor")
    except (ValueError, AttributeError):
        mentor = None
    chosen = element_state(view, "shares", "shares").get("selected_options")
    chosen = chosen if isinstance(chosen, list) else []
    shares = tuple(
        str(o.get("value"))
        for o in chosen
        if isinstance(o, dict) and o.get("value") in (SHARE_PATH, SHARE_NEEDS)
    )
    note = element_state(view, "note", "note").get("value")
    note = note if isinstance(note, str) else ""
    return (mentor if isinstance(mentor, str) else None), shares, note


def notice_view(title: str, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain(title[:24]),
        "close": plain("Close"),
        "blocks": [section(text)],
    }


def refused_view(why: str) -> dict[str, Any]:
    """Why the mentee may not ask: plain words, some naming the mentor (escaped: a name is
    text someone typed)."""
    return notice_view("Request an intro", escape(why))


def request_sent_view(mentor_name: str, lapses: str) -> dict[str, Any]:
    return notice_view(
        "Request sent",
        f"I asked *{escape(mentor_name)}* for you. You will hear by DM when they answer; "
        f"the request lapses {lapses} if they do not.",
    )


def mentor_request_message(
    content: Content,
    intro: Intro,
    rec: Recommendation | None,
    answers: dict[str, tuple[str, ...]],
    expires: str,
) -> dict[str, Any]:
    """The DM a mentor gets: who asks, what they chose to share, Accept and Decline."""
    lines = [f"<@{intro.mentee_id}> would like you to be their mentor."]
    if SHARE_NEEDS in intro.shares:
        labels = content.labels
        field = ", ".join(labels.get(v, v) for v in answers.get("field", ()))
        topics = ", ".join(labels.get(v, v).lower() for v in answers.get("topics", ()))
        if field:
            lines.append(f"*Field:* {field}")
        if topics:
            lines.append(f"*Looking for help with:* {topics}")
    if SHARE_PATH in intro.shares and rec is not None:
        lines.append(f"*devpath suggested:* {content.paths[rec.path].title}")
        lines.append(bullets([r.text for r in rec.reasons]))
    if intro.note:
        lines.append(f"*Their note:*\n{quoted(intro.note)}")
    blocks = [section("\n".join(lines), "request")]
    if intro.question.get("text"):
        asked = f"*You asked:*\n{quoted(intro.question['text'])}"
        if not intro.question.get("answer"):
            asked += "\n_Waiting for their answer: the request will not lapse meanwhile._"
        blocks.append(section(asked, "question"))
        if intro.question.get("answer"):
            # Its own section: a question and an answer, escaped, can outgrow one.
            answer = f"*Their answer:*\n{quoted(intro.question['answer'])}"
            blocks.append(section(answer, "question_answer"))
    buttons = [
        button("Accept", ACCEPT_ACTION, value=intro.id, style="primary"),
        button("Decline", DECLINE_ACTION, value=intro.id),
    ]
    if not intro.question.get("text"):
        buttons.append(button("Ask a question", ASK_ACTION, value=intro.id))
    buttons += [
        button("I'm full", FULL_ACTION, value=intro.id),
        button("Away until…", AWAY_ACTION, value=intro.id),
    ]
    blocks += [
        actions("answer", *buttons),
        context(f"Please answer by {expires}. Accepting opens a group DM with the two of you."),
    ]
    return {"text": f"<@{intro.mentee_id}> would like you to be their mentor.", "blocks": blocks}


def quoted(typed: str) -> str:
    """What someone typed, escaped, as a mrkdwn quote."""
    return "\n".join(f">{line}" for line in escape(typed).splitlines())


def answered_message(intro: Intro, outcome: str) -> dict[str, Any]:
    """The mentor's copy of a request once it is answered or lapsed: no buttons left."""
    who = f"<@{intro.mentee_id}>'s request"
    texts = {
        "accepted": f"You accepted {who}. Your group DM is open: say hello!",
        "declined": f"You declined {who}. Thank you for answering; we let them know kindly.",
        "expired": f"{who} lapsed without an answer.",
        "full": "You have no free mentee place right now, so this request stays open. "
        "Ask an admin to raise your capacity, or decline it.",
        "away": f"You are away, so {who} went back to them, with other mentors to choose from.",
        "full_released": f"You are full, so {who} went back to them, with other mentors to "
        "choose from. Thank you for saying so.",
    }
    return {"text": texts[outcome], "blocks": [section(texts[outcome], "request")]}


def kickoff_message(
    content: Content, mentee_id: str, mentor_id: str, start: Sequence[Block] = ()
) -> dict[str, Any]:
    """`start`: the relationship's first steps (bot/screens/mentoring.py `start_blocks`)."""
    text = f"<@{mentor_id}>, meet <@{mentee_id}>: you are now mentor and mentee. :tada:"
    return {
        "text": text,
        "blocks": [section(text, "hello"), section(content.matching.kickoff, "agenda"), *start],
    }


def accepted_for_mentee(mentor: Mentor) -> dict[str, Any]:
    text = f"*{escape(mentor.name)}* accepted your request. Your group DM is open: say hello!"
    return {"text": text, "blocks": [section(text)]}


def declined_for_mentee(
    mentor_name: str, matches: list[Match], why: str = "declined"
) -> dict[str, Any]:
    if why == "expired":
        text = f"{escape(mentor_name)} has not answered your request in time, so it has lapsed."
    elif why == "unanswered":
        text = (
            f"Your request to {escape(mentor_name)} has lapsed: they asked you a question, and "
            "it waited a long time for your answer. You are welcome to ask them again."
        )
    elif why == "away":
        text = (
            f"{escape(mentor_name)} is away for a while, so they cannot take this on now. "
            "It is about their time, not about you."
        )
    elif why == "full":
        text = (
            f"{escape(mentor_name)} has no room for a new mentee right now, so they cannot "
            "take this on. It is about their time, not about you."
        )
    else:
        text = (
            f"{escape(mentor_name)} cannot take on a mentee right now. "
            "It is about their time, not about you."
        )
    lead = " Here are others who fit:" if matches else ""
    return {
        "text": text,
        "blocks": [section(text + lead), *(match_blocks(matches, False) if matches else [])],
    }


def gap_message(field: str | None, topics: list[str], mentors_in_field: int) -> dict[str, Any]:
    need = f"in *{field}*" if field else "for their needs"
    text = (
        f"A mentee looking for a mentor {need} found nobody in the pool with a free place"
        + (f" (they want help with {', '.join(topics)})" if topics else "")
        + f". Active mentors with free places in that field: {mentors_in_field}. "
        "Adding mentors there would help: `/devpath mentor add`."
    )
    return {"text": text, "blocks": [section(text)]}


def open_request_post(
    request_id: str, mentee_id: str, field: str | None, topics: list[str]
) -> dict[str, Any]:
    need = f" in *{field}*" if field else ""
    wants = f" for {', '.join(topics)}" if topics else ""
    text = f"<@{mentee_id}> is looking for a mentor{need}{wants}. Can you help?"
    return {
        "text": text,
        "blocks": [
            section(text, "request"),
            actions("claim", button("I can help", CLAIM_ACTION, value=request_id, style="primary")),
            context("Mentors in the pool can claim this; it opens a group DM with the two of you."),
        ],
    }


def claimed_post(mentee_id: str, mentor_id: str) -> dict[str, Any]:
    text = f"Taken: <@{mentor_id}> is mentoring <@{mentee_id}>. Thank you!"
    return {"text": text, "blocks": [section(f":white_check_mark: {text}", "request")]}


def intro_line(intro: Intro, other: str, now: datetime, as_mentee: bool = True) -> str:
    """One intro in a list, from this person's side; `other` is the other person, shown."""
    if waiting_on_mentee(intro):
        state = "asked you a question before answering: see your DMs"
    elif intro.state == "pending":
        state = f"waiting for an answer, lapses {when(intro.expires_at, now)}"
    else:
        state = {
            "accepted": "your mentor" if as_mentee else "your mentee",
            "declined": "declined",
            "expired": "lapsed",
            "ended": "ended",
        }[intro.state]
    return f"{other}: {state}"
