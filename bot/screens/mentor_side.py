"""A mentor's own side: joining the pool (and the admins' decision on a nomination), their
own profile with capacity and time away, and what they are told."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from bot.content import Content
from bot.domain.matching import Mentor
from bot.domain.mentor_side import nomination_key
from bot.screens.blocks import (
    Block,
    actions,
    button,
    context,
    element_state,
    escape,
    input_block,
    plain,
    section,
)
from bot.screens.intros import notice_view, quoted
from bot.screens.mentors import mentor_line, profile_blocks, read_edit

JOIN_CALLBACK = "mentor_join"
PROFILE_CALLBACK = "mentor_profile"
AWAY_CALLBACK = "mentor_away"
NOMINATION_DECLINE_CALLBACK = "nomination_decline"
APPROVE_NOMINATION_ACTION = "nomination_approve"
DECLINE_NOMINATION_ACTION = "nomination_decline"
AWAY_BLOCK, AWAY_INPUT = "away", "away_until"
REASON_MOST = 500
NOMINATIONS_SHOWN = 5  # two blocks each, of a Home tab's 100 shared with the rest
HOME_MOST = 100  # blocks in a Home tab
MY_PROFILE = "`/devpath mentor` shows your profile, capacity and time away."


def _day(moment: date | datetime) -> str:
    return f"{moment:%A %d %B}".replace(" 0", " ")


def join_view(content: Content, nominee: Mentor | None, needs_approval: bool) -> dict[str, Any]:
    """Nominate yourself (or, `nominee` given, change the nomination still waiting)."""
    if nominee is not None and nominee.nominated_at is not None:
        lead = (
            f"Your nomination is waiting for a program admin (since {_day(nominee.nominated_at)}). "
            "You can change it here."
        )
    elif needs_approval:
        lead = (
            "Tell mentees what you can help with. A program admin looks at your nomination, "
            "and you hear from me by DM."
        )
    else:
        lead = "Tell mentees what you can help with. You join the pool as soon as you save."
    return {
        "type": "modal",
        "callback_id": JOIN_CALLBACK,
        "title": plain("Your nomination" if nominee else "Join the mentor pool"),
        "submit": plain("Save" if nominee else "Join" if not needs_approval else "Nominate me"),
        "close": plain("Cancel"),
        "blocks": [
            section(lead, "join"),
            *profile_blocks(content, nominee, status=False, whose="you"),
        ],
    }


def profile_view(
    content: Content, mentor: Mentor, mentees: int, away_day: date | None, seen: str
) -> dict[str, Any]:
    """Their own profile: the same fields as the admin's, status, mentees now, Away until.
    `away_day` is the day they are back, in their timezone; `seen` what the profile held."""
    state = "active" if mentor.active else "paused"
    if away_day is not None:
        state += f", away until {_day(away_day)}"
    summary = (
        f"You are *{state}* · {mentees} of {mentor.capacity} mentee "
        f"{'place' if mentor.capacity == 1 else 'places'} taken"
    )
    picker: dict[str, Any] = {
        "type": "datepicker",
        "action_id": AWAY_INPUT,
        "placeholder": plain("Not away"),
    }
    if away_day is not None:
        picker["initial_date"] = away_day.isoformat()
    return {
        "type": "modal",
        "callback_id": PROFILE_CALLBACK,
        "title": plain("Your mentor profile"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"seen": seen}),
        "blocks": [
            section(summary, "summary"),
            *profile_blocks(content, mentor, status=True, whose="you"),
            input_block(
                AWAY_BLOCK,
                "Away until",
                picker,
                optional=True,
                hint="Until that day you are not offered to mentees, and requests waiting for "
                "you go to other mentors. You are back by yourself that morning, your time. "
                "Empty: not away.",
            ),
        ],
    }


def read_profile(view: dict[str, Any]) -> tuple[dict[str, Any], Any, str]:
    """What they entered (as `read_edit`), the away day as Slack sent it, and `seen`."""
    meta = _meta(view)
    seen = meta.get("seen")
    raw = element_state(view, AWAY_BLOCK, AWAY_INPUT).get("selected_date")
    return read_edit(view), raw, seen if isinstance(seen, str) else ""


def away_view(intro_id: str, pressed: dict[str, str]) -> dict[str, Any]:
    """From a request's Away until… button: just the day."""
    picker = {"type": "datepicker", "action_id": AWAY_INPUT, "placeholder": plain("Pick a day")}
    return {
        "type": "modal",
        "callback_id": AWAY_CALLBACK,
        "title": plain("Away until…"),
        "submit": plain("I'm away"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"intro": intro_id, **pressed}),
        "blocks": [
            section(
                "Until that day you are not offered to mentees, and this request and any other "
                "waiting for you go back to the mentees, with other mentors to choose from.",
                "why",
            ),
            input_block(AWAY_BLOCK, "Away until", picker, hint="You are back that morning."),
        ],
    }


def read_away(view: dict[str, Any]) -> tuple[Any, str, dict[str, str]]:
    """The day as Slack sent it, the request's id and where its message is."""
    meta = _meta(view)
    raw = element_state(view, AWAY_BLOCK, AWAY_INPUT).get("selected_date")
    pressed = {k: str(meta.get(k) or "") for k in ("channel", "ts")}
    return raw, str(meta.get("intro") or ""), pressed


def _meta(view: dict[str, Any]) -> dict[str, Any]:
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except (ValueError, AttributeError):
        return {}
    return found if isinstance(found, dict) else {}


# What the person is told.


def already_in_pool_message() -> dict[str, Any]:
    text = f"You are already in the mentor pool, thank you! {MY_PROFILE}"
    return {"response_type": "ephemeral", "text": text}


def not_in_pool_message(nominated: bool) -> dict[str, Any]:
    text = (
        "Your nomination is waiting for a program admin. `/devpath mentor join` shows it."
        if nominated
        else "You are not in the mentor pool yet. To offer to mentor, type `/devpath mentor join`."
    )
    return {"response_type": "ephemeral", "text": text}


def nominated_view(needs_approval: bool, changed: bool = False) -> dict[str, Any]:
    if changed:
        return notice_view(
            "Nomination saved",
            "Your nomination is changed: the program admins see it as it is now. "
            "You hear from me by DM once one of them decides.",
        )
    if needs_approval:
        return notice_view(
            "Nomination sent",
            "Thank you for offering to mentor! A program admin looks at your nomination; "
            "you hear from me by DM. Until then you are not offered to mentees.",
        )
    return notice_view("Welcome!", f"You are in the mentor pool. {MY_PROFILE}")


def welcome_message() -> dict[str, Any]:
    text = (
        "Welcome to the mentor pool! Mentees who fit you can now ask you for an intro; "
        f"each request comes by DM with Accept and Decline. {MY_PROFILE}"
    )
    return {"text": text, "blocks": [section(text, "welcome")]}


def nomination_declined_message(reason: str) -> dict[str, Any]:
    text = (
        "Thank you for offering to mentor. The program team cannot add you to the pool just "
        f"now: {escape(reason.rstrip('.'))}. It is about what the pool needs at the moment, not "
        "about you: you are welcome to nominate yourself again later with `/devpath mentor join`."
    )
    return {"text": text, "blocks": [section(text, "decision")]}


def back_message() -> dict[str, Any]:
    text = (
        "Welcome back! Your time away is over, so you are offered to mentees again. " + MY_PROFILE
    )
    return {"text": text, "blocks": [section(text, "back")]}


def saved_profile_view(away_day: date | None, released: bool) -> dict[str, Any]:
    text = "Your profile is saved."
    if away_day is not None:
        text += f" You are away until {_day(away_day)}: not offered to mentees until then."
        if released:
            text += " Requests waiting for you go back to the mentees, with other mentors."
    return notice_view("Profile saved", text)


def away_set_view(away_day: date) -> dict[str, Any]:
    return notice_view(
        "You're away",
        f"You are away until {_day(away_day)}: not offered to mentees until then. The requests "
        "waiting for you go back to the mentees, with other mentors. Enjoy the time!",
    )


def full_reply(changes: dict[str, Any]) -> str:
    if "capacity" in changes:
        places = changes["capacity"]
        how = (
            f"your capacity is now {places}, the mentees you have, so you are not offered to "
            "new mentees until a place frees up"
        )
    else:
        how = "you are paused (you have no mentees now), so you are not offered to mentees"
    return (
        f"Thank you for saying so: {how}. This request and any other waiting for you go back "
        f"to the mentees, kindly, with other mentors. {MY_PROFILE}"
    )


# The program admins' side.


def nomination_message(content: Content, nominee: Mentor, decided: bool = False) -> dict[str, Any]:
    """An admin's DM about a nomination, with Approve and Decline; with `decided` (people
    who join without approval), an FYI with no buttons."""
    if decided:
        head = f"<@{nominee.user_id}> joined the mentor pool."
    else:
        head = f"<@{nominee.user_id}> nominated themselves as a mentor."
    blocks: list[Block] = [section(f"{head}\n{_profile_text(content, nominee)}", "nomination")]
    if not decided:
        blocks.append(nomination_buttons(nominee))
    else:
        blocks.append(context("Joining needs no approval here (mentoring.yml)."))
    return {"text": head, "blocks": blocks}


def nomination_buttons(nominee: Mentor) -> Block:
    key = nomination_key(nominee)
    return actions(
        f"decide_{nominee.user_id}",
        button("Approve", APPROVE_NOMINATION_ACTION, value=key, style="primary"),
        button("Decline", DECLINE_NOMINATION_ACTION, value=key),
    )


def _profile_text(content: Content, nominee: Mentor) -> str:
    level = next(
        (s.label for s in content.matching.seniority if s.value == nominee.seniority),
        nominee.seniority,
    )
    lines = [
        mentor_line(content, nominee, 0),
        f"*Experience:* {level}",
    ]
    if nominee.bio:
        lines.append(f"*Bio:*\n{quoted(nominee.bio)}")
    return "\n".join(lines)


def nomination_decided_copy(
    nominee_id: str, name: str, outcome: str, by: str, reason: str = ""
) -> dict[str, Any]:
    """An admin's copy once decided, by anyone: no buttons left."""
    who = f"<@{nominee_id}>'s nomination ({escape(name)})"
    texts = {
        "approved": f"{who} was approved by <@{by}>: they are in the pool.",
        "declined": f"{who} was declined by <@{by}>: {escape(reason)}",
    }
    text = texts[outcome]
    return {"text": text, "blocks": [section(text, "nomination")]}


def already_decided(outcome: str | None, by: str | None) -> str:
    if outcome is None:
        return "This nomination is not one I can find: it may have been decided already."
    return f"This nomination was already {outcome}" + (f" by <@{by}>." if by else ".")


def decline_nomination_view(key: str, name: str) -> dict[str, Any]:
    reason = {
        "type": "plain_text_input",
        "action_id": "reason",
        "multiline": True,
        "max_length": REASON_MOST,
    }
    return {
        "type": "modal",
        "callback_id": NOMINATION_DECLINE_CALLBACK,
        "title": plain("Decline nomination"),
        "submit": plain("Decline"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"nomination": key}),
        "blocks": [
            section(f"Decline *{escape(name)}*'s nomination to the mentor pool?", "who"),
            input_block(
                "reason",
                "Why, in a sentence they will read",
                reason,
                hint="They read this, framed kindly: say what would change it.",
            ),
        ],
    }


def read_decline(view: dict[str, Any]) -> tuple[str, str]:
    typed = element_state(view, "reason", "reason").get("value")
    key = _meta(view).get("nomination")
    return (key if isinstance(key, str) else ""), (typed.strip() if isinstance(typed, str) else "")


def nomination_home_blocks(
    content: Content, nominees: list[Mentor], room: int = HOME_MOST
) -> list[Block]:
    """Nominations waiting for an admin, on the admins' Home tab, each with its buttons, in
    at most `room` blocks (what the rest of the tab leaves): the oldest first, then how many
    more, each of which is in the admins' DMs too."""
    if not nominees or room < 2:
        return []
    shown = nominees[: max(0, min(NOMINATIONS_SHOWN, (room - 2) // 2))]
    blocks: list[Block] = [
        section(
            f"*Nominations waiting:* {len(nominees)}. Each is in your DMs too, with Approve "
            "and Decline.",
            "nominations",
        )
    ]
    for nominee in shown:
        blocks.append(
            section(
                f"<@{nominee.user_id}> nominated themselves.\n{mentor_line(content, nominee, 0)}",
                f"nominee_{nominee.user_id}",
            )
        )
        blocks.append(nomination_buttons(nominee))
    if len(nominees) > len(shown):
        blocks.append(context(f"And {len(nominees) - len(shown)} more after these."))
    return blocks
