"""The admin's screens for the mentor pool: add or edit a mentor, the pool, removal."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.content import Content
from bot.domain.matching import Mentor
from bot.domain.pool import BIO_MOST
from bot.screens.blocks import (
    actions,
    button,
    element_state,
    escape,
    input_block,
    list_modal,
    manage_menu,
    option,
    page_of,
    plain,
    removal_modal,
    section,
)

EDIT_CALLBACK = "mentor_edit"
REMOVE_CALLBACK = "mentor_remove"
POOL_CALLBACK = "mentor_pool"
MENU_ACTION = "mentor_menu"
PAGE_ACTION = "pool_page"
ADD_ACTION = "pool_add_mentor"
PAGE_SIZE = 25  # 25 mentors and the page's furniture stay well under a modal's 100 blocks
ACTIVE, PAUSED = "active", "paused"


def mentor_line(content: Content, mentor: Mentor, mentees: int) -> str:
    labels = content.labels
    fields = ", ".join(labels.get(f, f) for f in mentor.fields)
    topics = ", ".join(labels.get(t, t).lower() for t in mentor.topics)
    state = "" if mentor.active else " _(paused)_"
    if mentor.away_until is not None:
        state += f" _(away until {mentor.away_until:%d %b})_"
    load = f"{mentees} of {mentor.capacity} mentees"
    return f"*{escape(mentor.name)}*{state} · {fields} · {topics} · {load}"


def edit_view(
    content: Content, mentor: Mentor | None, root: str | None = None, page: int = 1
) -> dict[str, Any]:
    """Add a mentor, or edit one (`mentor` given). `root` is the pool view (at `page`) to
    refresh after saving."""
    user: dict[str, Any] = {
        "type": "users_select",
        "action_id": "user",
        "placeholder": plain("Choose a person"),
    }
    if mentor is not None:
        user["initial_user"] = mentor.user_id
    blocks = [
        input_block("mentor", "Mentor", user, hint="Their name and timezone come from Slack."),
        *profile_blocks(content, mentor),
    ]
    return {
        "type": "modal",
        "callback_id": EDIT_CALLBACK,
        "title": plain("Edit mentor" if mentor else "Add a mentor"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"root": root, "page": page}),
        "blocks": blocks,
    }


def profile_blocks(
    content: Content, mentor: Mentor | None, status: bool = True, whose: str = "they"
) -> list[dict[str, Any]]:
    """A mentor's profile as inputs (fields, topics, experience, capacity, bio, and with
    `status` active or paused), filled in from `mentor`: the admin's editor and the mentor's
    own modals share them, and `read_edit` reads them back. `whose` is "they" or "you"."""
    fields = [option(o.label, o.value) for o in content.options_of("field")]
    topics = [option(o.label, o.value) for o in content.options_of("topics")]
    levels = [option(s.label, s.value) for s in content.matching.seniority]
    statuses = [
        option("Active: offered to mentees", ACTIVE),
        option("Paused: not offered for now", PAUSED),
    ]

    def picked(options: list[dict], values: tuple[str, ...]) -> list[dict]:
        return [o for o in options if o["value"] in values]

    field_select: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": "fields",
        "options": fields,
    }
    topic_select: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": "topics",
        "options": topics,
    }
    level: dict[str, Any] = {"type": "static_select", "action_id": "seniority", "options": levels}
    capacity: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "capacity",
        "max_length": 2,
    }
    bio: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "bio",
        "multiline": True,
        "max_length": BIO_MOST,
    }
    state: dict[str, Any] = {"type": "radio_buttons", "action_id": "status", "options": statuses}
    state["initial_option"] = statuses[0 if mentor is None or mentor.active else 1]
    capacity["initial_value"] = str(mentor.capacity if mentor else 2)
    if mentor is not None:
        if picked(fields, mentor.fields):
            field_select["initial_options"] = picked(fields, mentor.fields)
        if picked(topics, mentor.topics):
            topic_select["initial_options"] = picked(topics, mentor.topics)
        if picked(levels, (mentor.seniority,)):
            level["initial_option"] = picked(levels, (mentor.seniority,))[0]
        if mentor.bio:
            bio["initial_value"] = mentor.bio
    blocks = [
        input_block("fields", f"Fields or functions {whose} know", field_select),
        input_block("topics", f"Topics {whose} can help with", topic_select),
        input_block("seniority", "Experience", level),
        input_block("capacity", "Mentees at once", capacity, hint="A whole number from 1 to 10."),
        input_block(
            "bio", "Short bio", bio, optional=True, hint="Shown to mentees. At most 500 characters."
        ),
    ]
    if status:
        blocks.append(input_block("status", "Status", state))
    return blocks


def read_edit(view: dict[str, Any]) -> dict[str, Any]:
    """What the admin entered, by block: raw values, checked by the listener's caller."""

    def element(block: str, action: str) -> dict[str, Any]:
        return element_state(view, block, action)

    def chosen(block: str, action: str) -> tuple[str, ...]:
        items = element(block, action).get("selected_options")
        items = items if isinstance(items, list) else []
        return tuple(str(i.get("value")) for i in items if isinstance(i, dict))

    def one(block: str, action: str) -> str | None:
        item = element(block, action).get("selected_option")
        return str(item.get("value")) if isinstance(item, dict) else None

    user = element("mentor", "user").get("selected_user")
    return {
        "user": user if isinstance(user, str) else None,
        "fields": chosen("fields", "fields"),
        "topics": chosen("topics", "topics"),
        "seniority": one("seniority", "seniority"),
        "capacity": str(element("capacity", "capacity").get("value") or ""),
        "bio": str(element("bio", "bio").get("value") or ""),
        "active": one("status", "status") != PAUSED,
    }


def pool_view(
    content: Content,
    mentors: list[Mentor],
    mentees: dict[str, int],
    page: int,
    changes: list[dict[str, str]],
    now: datetime,
) -> dict[str, Any]:
    shown, page, pages = page_of(mentors, page, PAGE_SIZE)
    active = sum(m.active for m in mentors)
    places = sum(m.capacity for m in mentors if m.active)
    used = sum(mentees.get(m.user_id, 0) for m in mentors if m.active)
    summary = section(
        f"*{len(mentors)} mentors*, {active} active · {used} of {places} places taken", "summary"
    )
    summary["accessory"] = button("Add mentor", ADD_ACTION, style="primary")
    rows = [
        (
            mentor_line(content, mentor, mentees.get(mentor.user_id, 0)),
            f"m_{mentor.user_id}",
            manage_menu(MENU_ACTION, mentor.user_id, mentor.active),
        )
        for mentor in shown
    ]
    return list_modal(
        callback_id=POOL_CALLBACK,
        title="Mentor pool",
        summary=summary,
        empty="The pool is empty. Add mentors here, or import a CSV with `devpath mentors import`.",
        rows=rows,
        page=page,
        pages=pages,
        page_action=PAGE_ACTION,
        changes=changes,
        now=now,
    )


def remove_view(mentor: Mentor, root: str | None, page: int = 1) -> dict[str, Any]:
    return removal_modal(
        REMOVE_CALLBACK,
        "Remove mentor",
        f"Remove *{escape(mentor.name)}* from the mentor pool? They will not be offered to "
        "mentees any more. Mentees they already have keep their group DM.",
        {"user": mentor.user_id, "root": root, "page": page},
    )


def saved_view(content: Content, mentor: Mentor, added: bool, mentees: int) -> dict[str, Any]:
    verb = "Added to" if added else "Updated in"
    return {
        "type": "modal",
        "callback_id": "mentor_saved",
        "title": plain("Mentor pool"),
        "close": plain("Done"),
        "blocks": [
            section(f"{verb} the pool: {mentor_line(content, mentor, mentees)}"),
            actions("saved_actions", button("Add another", ADD_ACTION)),
        ],
    }


def refusal_text(what: str) -> str:
    return (
        f"Only program admins can {what}. "
        "If you should be one, ask whoever runs devpath to add you."
    )
