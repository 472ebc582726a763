"""The admin's screens for the coach roster: add or edit a coach, the roster, removal.

The editor has one form per kind of coach: internal (a Slack user, whose name and timezone
come from Slack) or external (typed in, with how to reach them). The kind's radio buttons
dispatch an action, and the listener swaps the form with `views.update`, carrying over what
was already typed (`typed`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.content import Content
from bot.domain.coaching import (
    CREDENTIALS_MOST,
    EMAIL_MOST,
    ORGANISATION_MOST,
    URL_MOST,
    Coach,
    CoachKind,
    areas_text,
)
from bot.domain.pool import BIO_MOST, NAME_MOST
from bot.screens.blocks import (
    Block,
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
from bot.screens.mentors import refusal_text

EDIT_CALLBACK = "coach_edit"
REMOVE_CALLBACK = "coach_remove"
ROSTER_CALLBACK = "coach_roster"
SAVED_CALLBACK = "coach_saved"
KIND_ACTION = "coach_kind"  # the editor's internal / external choice
MENU_ACTION = "coach_menu"  # each coach's Edit / Pause or Resume / Remove
PAGE_ACTION = "roster_page"  # roster_page_previous, roster_page_next
ADD_ACTION = "roster_add_coach"
PAGE_SIZE = 20  # 20 coaches and the page's furniture stay well under a modal's 100 blocks
ACTIVE, PAUSED = "active", "paused"
INTERNAL, EXTERNAL = "internal", "external"
# The editor's input blocks; each holds one element whose action_id is the block's own id.
KIND, PERSON, NAME, ORGANISATION, EMAIL, BOOKING_URL, TIMEZONE = (
    "kind",
    "coach",
    "name",
    "organisation",
    "email",
    "booking_url",
    "timezone",
)
AREAS, LANGUAGES, CREDENTIALS, CAPACITY, BIO, STATUS = (
    "areas",
    "languages",
    "credentials",
    "capacity",
    "bio",
    "status",
)


def coach_line(content: Content, coach: Coach, taken: int | None = None) -> str:
    """One coach as the roster lists them, with the places `taken` by engagements when
    known; everything typed is escaped, so nothing pings."""
    labels = content.coaches.labels
    state = "" if coach.active else " _(paused)_"
    where = escape(coach.organisation) if coach.kind == EXTERNAL else "internal"
    languages = ", ".join(labels.get(v, v) for v in coach.languages)
    parts = [f"*{escape(coach.name)}*{state}", where, areas_text(coach.areas, labels), languages]
    if taken is None:
        parts.append(f"up to {coach.capacity} coachee{'s' if coach.capacity != 1 else ''}")
    else:
        parts.append(f"{min(taken, coach.capacity)} of {coach.capacity} places taken")
    line = " · ".join(parts)
    extra = [escape(coach.credentials)] if coach.credentials else []
    if coach.email:
        extra.append(escape(coach.email))
    if coach.booking_url:
        extra.append(f"<{escape(coach.booking_url)}|booking page>")
    return line + ("\n" + " · ".join(extra) if extra else "")


def edit_view(
    content: Content,
    coach: Coach | None = None,
    *,
    kind: CoachKind = "internal",
    typed: Mapping[str, Any] | None = None,
    root: str | None = None,
    page: int = 1,
) -> dict[str, Any]:
    """Add a coach of this `kind`, or edit one (`coach` given: its kind stays). `typed` is
    what the admin entered so far (from `read_edit`), shown again; `root` is the roster view
    (at `page`) to refresh after saving."""
    rules = content.coaches
    kind = coach.kind if coach is not None else kind
    entry: dict[str, Any] = dict(typed) if typed is not None else _entry_of(coach)
    areas = [option(a.label, a.value) for a in rules.areas]
    languages = [option(c.label, c.value) for c in rules.languages]
    zones = list(rules.timezones)
    if coach is not None and coach.timezone and coach.timezone not in zones:
        zones.insert(0, coach.timezone)  # one a CSV gave, kept until the admin picks another
    timezones = [option(zone.replace("_", " "), zone) for zone in zones]
    statuses = [
        option("Active: offered to coachees", ACTIVE),
        option("Paused: not offered for now", PAUSED),
    ]
    kinds = [
        option("Internal: someone in this Slack workspace", INTERNAL),
        option("External: a professional from outside", EXTERNAL),
    ]

    def picked(options: list[dict], values: Any) -> list[dict]:
        chosen = set(values or ())
        return [o for o in options if o["value"] in chosen]

    def choose(action: str, options: list[dict], many: bool = True) -> dict[str, Any]:
        element: dict[str, Any] = {
            "type": "multi_static_select" if many else "static_select",
            "action_id": action,
            "options": options,
        }
        values = entry.get(action)
        found = picked(options, values if many else (values,))
        if found:
            element["initial_options" if many else "initial_option"] = found if many else found[0]
        return element

    def text(action: str, most: int, multiline: bool = False) -> dict[str, Any]:
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": action,
            "max_length": most,
            "multiline": multiline,
        }
        if entry.get(action):
            element["initial_value"] = str(entry[action])[:most]
        return element

    blocks: list[Block] = []
    if coach is None:
        choice: dict[str, Any] = {
            "type": "radio_buttons",
            "action_id": KIND_ACTION,
            "options": kinds,
            "initial_option": kinds[0 if kind == INTERNAL else 1],
        }
        kind_block = input_block(KIND, "Kind of coach", choice)
        kind_block["dispatch_action"] = True
        blocks.append(kind_block)
    if kind == INTERNAL:
        if coach is None:
            user: dict[str, Any] = {
                "type": "users_select",
                "action_id": PERSON,
                "placeholder": plain("Choose a person"),
            }
            if entry.get(PERSON):
                user["initial_user"] = entry[PERSON]
            hint = "Their name and timezone come from Slack."
            blocks.append(input_block(PERSON, "Coach", user, hint=hint))
        else:
            blocks.append(
                section(f"*{escape(coach.name)}*, a coach in this workspace (<@{coach.id}>)")
            )
    else:
        blocks += [
            input_block(NAME, "Name", text(NAME, NAME_MOST)),
            input_block(ORGANISATION, "Organisation", text(ORGANISATION, ORGANISATION_MOST)),
            input_block(EMAIL, "Contact email", text(EMAIL, EMAIL_MOST)),
            input_block(
                BOOKING_URL,
                "Booking page",
                text(BOOKING_URL, URL_MOST),
                optional=True,
                hint="Where coachees book a session, like https://example.com/book.",
            ),
            input_block(TIMEZONE, "Timezone", choose(TIMEZONE, timezones, many=False)),
        ]
    status: dict[str, Any] = {"type": "radio_buttons", "action_id": STATUS, "options": statuses}
    status["initial_option"] = statuses[0 if entry.get(STATUS, ACTIVE) != PAUSED else 1]
    capacity = text(CAPACITY, 2)
    capacity["initial_value"] = str(entry.get(CAPACITY) or 2)
    blocks += [
        input_block(AREAS, "Areas they coach", choose(AREAS, areas)),
        input_block(LANGUAGES, "Languages", choose(LANGUAGES, languages)),
        input_block(
            CREDENTIALS,
            "Credentials",
            text(CREDENTIALS, CREDENTIALS_MOST),
            optional=True,
            hint="Free text, like ICF PCC.",
        ),
        input_block(CAPACITY, "Coachees at once", capacity, hint="A whole number from 1 to 10."),
        input_block(
            BIO,
            "Short bio",
            text(BIO, BIO_MOST, multiline=True),
            optional=True,
            hint="Shown to coachees. At most 500 characters.",
        ),
        input_block(STATUS, "Status", status),
    ]
    meta = {"root": root, "page": page, "kind": kind, "id": coach.id if coach else None}
    return {
        "type": "modal",
        "callback_id": EDIT_CALLBACK,
        "title": plain("Edit coach" if coach else "Add a coach"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(meta),
        "blocks": blocks,
    }


def _entry_of(coach: Coach | None) -> dict[str, Any]:
    """A stored coach as the editor's entry (what `read_edit` gives back)."""
    if coach is None:
        return {}
    return {
        NAME: coach.name,
        ORGANISATION: coach.organisation,
        EMAIL: coach.email,
        BOOKING_URL: coach.booking_url,
        TIMEZONE: coach.timezone,
        AREAS: coach.areas,
        LANGUAGES: coach.languages,
        CREDENTIALS: coach.credentials,
        CAPACITY: str(coach.capacity),
        BIO: coach.bio,
        STATUS: ACTIVE if coach.active else PAUSED,
    }


def read_edit(view: dict[str, Any]) -> dict[str, Any]:
    """What the admin entered, by block (raw values, checked by the listener), with the kind
    of coach the form is for. Blocks the form does not have read as empty."""

    def element(block: str) -> dict[str, Any]:
        return element_state(view, block, KIND_ACTION if block == KIND else block)

    def chosen(block: str) -> tuple[str, ...]:
        items = element(block).get("selected_options")
        items = items if isinstance(items, list) else []
        return tuple(str(i.get("value")) for i in items if isinstance(i, dict))

    def one(block: str) -> str | None:
        item = element(block).get("selected_option")
        return str(item.get("value")) if isinstance(item, dict) else None

    def typed(block: str) -> str:
        return str(element(block).get("value") or "")

    user = element(PERSON).get("selected_user")
    return {
        KIND: one(KIND),
        PERSON: user if isinstance(user, str) else None,
        NAME: typed(NAME),
        ORGANISATION: typed(ORGANISATION),
        EMAIL: typed(EMAIL),
        BOOKING_URL: typed(BOOKING_URL),
        TIMEZONE: one(TIMEZONE),
        AREAS: chosen(AREAS),
        LANGUAGES: chosen(LANGUAGES),
        CREDENTIALS: typed(CREDENTIALS),
        CAPACITY: typed(CAPACITY),
        BIO: typed(BIO),
        STATUS: one(STATUS) or ACTIVE,
    }


def roster_view(
    content: Content,
    coaches: list[Coach],
    taken: Mapping[str, int],
    page: int,
    changes: list[dict[str, str]],
    now: datetime,
) -> dict[str, Any]:
    """The roster, a page at a time; `taken` is how many places each coach's engagements
    hold now."""
    shown, page, pages = page_of(coaches, page, PAGE_SIZE)
    active = [c for c in coaches if c.active]
    external = sum(c.kind == EXTERNAL for c in coaches)
    places = sum(c.capacity for c in active)
    used = sum(min(taken.get(c.id, 0), c.capacity) for c in active)
    summary = section(
        f"*{len(coaches)} coaches*, {len(active)} active, {external} external · "
        f"{used} of {places} places taken",
        "summary",
    )
    summary["accessory"] = button("Add coach", ADD_ACTION, style="primary")
    rows = [
        (
            coach_line(content, c, taken.get(c.id, 0)),
            f"c_{c.id}",
            manage_menu(MENU_ACTION, c.id, c.active),
        )
        for c in shown
    ]
    return list_modal(
        callback_id=ROSTER_CALLBACK,
        title="Coach roster",
        summary=summary,
        empty="The roster is empty. Add coaches here, or import a CSV with "
        "`devpath coaches import`.",
        rows=rows,
        page=page,
        pages=pages,
        page_action=PAGE_ACTION,
        changes=changes,
        now=now,
    )


def remove_view(coach: Coach, root: str | None, page: int = 1) -> dict[str, Any]:
    return removal_modal(
        REMOVE_CALLBACK,
        "Remove coach",
        f"Remove *{escape(coach.name)}* from the coach roster? They will not be offered to "
        "coachees any more. Engagements already under way are not changed.",
        {"id": coach.id, "root": root, "page": page},
    )


def saved_view(content: Content, coach: Coach, added: bool) -> dict[str, Any]:
    verb = "Added to" if added else "Updated in"
    return {
        "type": "modal",
        "callback_id": SAVED_CALLBACK,
        "title": plain("Coach roster"),
        "close": plain("Done"),
        "blocks": [
            section(f"{verb} the roster: {coach_line(content, coach)}"),
            actions("saved_actions", button("Add another", ADD_ACTION)),
        ],
    }


def refused_view(what: str) -> dict[str, Any]:
    """In place of a form someone who is not an admin sent: `what` they may not do."""
    return {
        "type": "modal",
        "title": plain("Coach roster"),
        "close": plain("Close"),
        "blocks": [section(refusal_text(what))],
    }
