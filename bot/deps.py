"""What every listener needs, built once by the composition root in bot/app.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.content import Content
from bot.inflight import InFlight
from bot.settings import Settings
from bot.store import Store
from bot.workspace import Workspace

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    content: Content
    store: Store
    clock: Clock = utc_now
    inflight: InFlight = field(default_factory=InFlight)
    workspace: Workspace = field(default_factory=Workspace)
