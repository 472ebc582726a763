"""Small Block Kit pieces shared by every screen."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

Block = dict[str, Any]


def escape(text: str) -> str:
    """Make user-written text safe to echo in mrkdwn: no pings, no links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text[:150])}


def section(text: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text[:3000])}
    if block_id:
        block["block_id"] = block_id
    return block


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:10]]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str | None = None, style: str | None = None) -> dict:
    element: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id}
    if value is not None:
        element["value"] = value
    if style:
        element["style"] = style
    return element


def actions(block_id: str, *elements: dict[str, Any]) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def option(text: str, value: str, as_mrkdwn: bool = False) -> dict[str, Any]:
    return {"text": mrkdwn(text) if as_mrkdwn else plain(text), "value": value}


def bullets(lines: list[str], numbered: bool = False) -> str:
    return "\n".join(f"{i}. {line}" if numbered else f"• {line}" for i, line in enumerate(lines, 1))


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


def input_block(
    block_id: str, label: str, element: dict, optional: bool = False, hint: str | None = None
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def page_of(items: list[Any], page: int, size: int) -> tuple[list[Any], int, int]:
    """The items on this page (brought within range), the page, and how many pages."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 1), pages)
    return items[(page - 1) * size : page * size], page, pages


def pager(page: int, pages: int, action: str) -> list[Block]:
    """ "Page k of n" and the Previous / Next buttons (`<action>_previous`, `<action>_next`,
    valued with the page they go to); nothing for a single page."""
    if pages <= 1:
        return []
    nav = []
    if page > 1:
        nav.append(button("← Previous", f"{action}_previous", value=str(page - 1)))
    if page < pages:
        nav.append(button("Next →", f"{action}_next", value=str(page + 1)))
    return [context(f"Page {page} of {pages}"), actions("pager", *nav)]


def list_modal(
    *,
    callback_id: str,
    title: str,
    summary: Block,
    empty: str,
    rows: list[tuple[str, str, dict[str, Any]]],
    page: int,
    pages: int,
    page_action: str,
    changes: list[dict[str, str]],
    now: datetime,
) -> dict[str, Any]:
    """A list an admin runs (the mentor pool, the coach roster): the summary, one section per
    `rows` entry (its text, block_id and menu), `empty` when there are none on any page, the
    pager and the latest changes."""
    blocks: list[Block] = [summary]
    if not rows and pages == 1:
        blocks.append(section(empty))
    for text, block_id, menu in rows:
        line = section(text, block_id)
        line["accessory"] = menu
        blocks.append(line)
    blocks += pager(page, pages, page_action)
    blocks += recent_changes(changes, now)
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title),
        "close": plain("Close"),
        "private_metadata": json.dumps({"page": page}),
        "blocks": blocks,
    }


def removal_modal(callback_id: str, title: str, text: str, meta: dict[str, Any]) -> dict[str, Any]:
    """Asks before something is removed; Remove submits it, with `meta` to say what."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title),
        "submit": plain("Remove"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(meta),
        "blocks": [section(text)],
    }


def manage_menu(action_id: str, key: str, active: bool) -> dict[str, Any]:
    """An entry's Edit / Pause or Resume / Remove…, valued "<verb>:<key>"."""
    pause = option("Pause", f"pause:{key}") if active else option("Resume", f"resume:{key}")
    return {
        "type": "overflow",
        "action_id": action_id,
        "options": [option("Edit", f"edit:{key}"), pause, option("Remove…", f"remove:{key}")],
    }


def changed_by(by: str) -> str:
    """Admins are Slack users; the command line signs its changes `cli:<login>`."""
    return f"<@{by}>" if by[:1] in ("U", "W") else escape(by)


def recent_changes(changes: list[dict[str, str]], now: datetime) -> list[Block]:
    """The latest five admin changes, who and when; nothing when there are none."""
    if not changes:
        return []
    lines = [
        f"{changed_by(c['by'])} {escape(c['what'])}, {ago(datetime.fromisoformat(c['at']), now)}"
        for c in changes[:5]
    ]
    return [context("*Recent changes*\n" + "\n".join(lines))]


def element_state(view: Any, block_id: str, action_id: str) -> dict[str, Any]:
    """What a modal's input holds, as Slack sends it back; {} for anything missing or odd."""
    state = view.get("state") if isinstance(view, dict) else None
    values = state.get("values") if isinstance(state, dict) else None
    block = values.get(block_id) if isinstance(values, dict) else None
    element = block.get(action_id) if isinstance(block, dict) else None
    return element if isinstance(element, dict) else {}
