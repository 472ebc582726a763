"""Thin Slack adapters, one module per part of the product: parse, call the domain, render, ack."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from bot.listeners import (
    coaching,
    commands,
    fallback,
    feedback,
    home,
    intros,
    mentor_side,
    mentoring_end,
    mentoring_start,
    nudges,
    pool,
    privacy,
    questionnaire,
    roster,
    rounds,
)


def register_listeners(app: AsyncApp, deps: Deps) -> None:
    commands.register(app, deps)
    questionnaire.register(app, deps)
    pool.register(app, deps)
    roster.register(app, deps)
    intros.register(app, deps)
    mentoring_start.register(app, deps)
    rounds.register(app, deps)
    nudges.register(app, deps)
    privacy.register(app, deps)
    home.register(app, deps)
    feedback.register(app, deps)
    coaching.register(app, deps)
    mentoring_end.register(app, deps)
    mentor_side.register(app, deps)
    # Last, because its catch-all answers any button nobody else claimed.
    fallback.register(app, deps)
