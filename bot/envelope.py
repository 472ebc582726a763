"""The envelope of a request: the fields Bolt routes by and every listener reads first, in the
types Slack sends them. A signed body outside it is answered 400 before any listener runs, so
a listener may take `body["user"]["id"]` to be text."""

from __future__ import annotations

from typing import Any

NOTHING = type(None)
ID = {"id": str}
_Spec = Any  # a type, a tuple of choices, a dict of optional fields, or [item spec]

INTERACTIVE = {
    "block_actions",
    "block_suggestion",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
}
ACTION = {
    "action_id": str,
    "block_id": str,
    "type": str,
    "value": str,
    "selected_user": (str, NOTHING),
    "selected_option": (dict, NOTHING),
    "selected_options": [dict],
}
VIEW = {
    "id": str,
    "hash": str,
    "type": str,
    "callback_id": str,
    "private_metadata": str,
    "state": {"values": dict},
    "blocks": [dict],
}
EVERY = {
    "type": str,
    "token": str,
    "team": (str, NOTHING, ID),
    "enterprise": (str, NOTHING, ID),
    "channel": (str, NOTHING, ID),
    "user": (str, NOTHING, ID),
    "authorizations": [dict],
    "is_enterprise_install": (bool, str),
    "response_url": str,
    "trigger_id": str,
    "event_id": str,
    "team_id": (str, NOTHING),
    "enterprise_id": (str, NOTHING),
    "api_app_id": str,
    "message": (dict, NOTHING),
    "container": dict,
    "response_urls": [dict],
    "actions": [ACTION],
    "view": (VIEW, NOTHING),
    "callback_id": str,
    "event": {"type": str, "user": (str, ID), "channel": (str, ID), "tab": str},
}
COMMAND = dict.fromkeys(("command", "text", "user_id", "channel_id", "team_id"), str)


def _fits(value: Any, spec: _Spec) -> bool:
    if isinstance(spec, tuple):
        return any(_fits(value, choice) for choice in spec)
    if isinstance(spec, dict):
        return isinstance(value, dict) and all(
            name not in value or _fits(value[name], inner) for name, inner in spec.items()
        )
    if isinstance(spec, list):
        return isinstance(value, list) and all(_fits(item, spec[0]) for item in value)
    return isinstance(value, spec)


def well_formed(body: Any) -> bool:
    """Whether Bolt and the listeners can read this body's envelope without tripping."""
    if not _fits(body, EVERY):
        return False
    if "command" in body and not _fits(body, COMMAND):
        return False
    if body.get("type") in INTERACTIVE:
        user = body.get("user")
        return isinstance(user, dict) and isinstance(user.get("id"), str)
    return True
