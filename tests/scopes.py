"""The scopes Slack documents for each Web API method the bot calls, with a bot token.

A call is allowed when the token holds any one of its method's scopes (conversations.open: the
one for the kind of conversation it opens); an empty tuple means Slack asks for none.
Sources: the "Required scopes" of each method's page at api.slack.com/methods (chat.*,
conversations.open, users.info, views.*, auth.test), and Slack's "Working with files" guide
and files:write scope page for the external upload pair that `files_upload_v2` calls.
A method missing here is one nobody has reviewed: add it with its documented scopes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import yaml

MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yml"

METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    # Any one of them, says the page; needed_scopes narrows it to the kind of conversation.
    "conversations.open": ("channels:manage", "groups:write", "im:write", "mpim:write"),
    "users.info": ("users:read",),
    "views.open": (),
    "views.push": (),
    "views.update": (),
    "views.publish": (),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
}


def manifest_scopes(path: Path = MANIFEST) -> tuple[str, ...]:
    """The bot scopes manifest.yml asks for, in its order."""
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(manifest["oauth_config"]["scopes"]["bot"])


def needed_scopes(method: str, body: Mapping[str, Any]) -> tuple[str, ...]:
    """The scopes that would do for this call: for conversations.open, those of its kind."""
    if method == "conversations.open" and body.get("users"):
        return ("mpim:write",) if "," in str(body["users"]) else ("im:write",)
    return METHOD_SCOPES[method]


def missing_scope(
    method: str, body: Mapping[str, Any], granted: Collection[str]
) -> dict[str, Any] | None:
    """Slack's answer when `granted` holds none of the scopes this call needs, else None."""
    needed = needed_scopes(method, body)
    if not needed or set(needed) & set(granted):
        return None
    return {
        "ok": False,
        "error": "missing_scope",
        "needed": ",".join(needed),
        "provided": ",".join(granted),
    }
