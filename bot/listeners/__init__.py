"""Thin Slack adapters, one module per surface: parse the payload, call the domain, render, ack."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from bot.listeners import actions, commands, events, views


def register_listeners(app: AsyncApp, deps: Deps) -> None:
    commands.register(app, deps)
    views.register(app, deps)
    events.register(app, deps)
    # Last, because its catch-all answers any button nobody else claimed.
    actions.register(app, deps)
