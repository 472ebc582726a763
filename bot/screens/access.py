"""What a person who may not use devpath sees instead: a notice, and nothing else."""

from __future__ import annotations

from typing import Any

from bot.screens.blocks import header, plain, section

FOREIGN_TEXT = "devpath only serves the workspace it is installed in."
NOTICE_CALLBACK_ID = "access_notice"


def notice_modal(text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": NOTICE_CALLBACK_ID,
        "title": plain("devpath"),
        "close": plain("Close"),
        "blocks": [section(text)],
    }


def notice_home(text: str) -> dict[str, Any]:
    return {"type": "home", "blocks": [header("devpath is for members"), section(text)]}
