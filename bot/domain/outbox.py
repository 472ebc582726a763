"""What must follow a stored action: written with it in one store write, done after the ack.

An effect is one Slack call still to make (a DM, a post, an update of a message). It is
stored in the same write as the action it follows, so a crash between the ack and the call
cannot lose it: the next start finds it and makes the call. Each effect is claimed before it
is made (pending -> running, compare-and-set) and removed once made, so it is made once; a
crash in the middle of the call itself leaves it running, and then the kind decides:

- at least once (the default): made again after the crash. A person never misses their
  result, a request, an answer; the price of the rare crash mid-call is a second copy.
- at most once (AT_MOST_ONCE): dropped. A second copy would be seen by many (a post in a
  channel) or is only a heads-up (an admin's gap alert), so a lost one is the lesser harm.

An effect may wait (`not_before`, a 360 reminder for its colleague's working hours): it is
stored like any other, and made by the first round at or after that moment.

Nudges planned by the action go in the same write too (`Followups.nudges`): stored records,
made exactly once.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from bot.domain.intros import Intro
from bot.domain.nudges import Nudge

EffectState = Literal["pending", "running"]
AT_MOST_ONCE: frozenset[str] = frozenset({"share", "gap_alert"})
WITHDRAWN = "withdrawn"  # rewrites a message that quoted someone who erased their data
MAX_ATTEMPTS = 5  # an effect whose delivery failed this often is given up, with a warning


@dataclass(frozen=True)
class Effect:
    id: str
    kind: str
    user_id: str  # whose action it follows: their data, erased when they ask to be forgotten
    data: Mapping[str, str]
    created_at: datetime
    state: EffectState = "pending"
    claimed_at: datetime | None = None
    attempts: int = 0


NOT_BEFORE = "not_before"  # in an effect's data: the moment it waits for, as ISO text


def new_effect(kind: str, user_id: str, now: datetime, **data: str) -> Effect:
    return Effect(uuid.uuid4().hex, kind, user_id, dict(data), now)


def waiting_until(effect: Effect, moment: datetime) -> Effect:
    """The effect, made no earlier than `moment` (at once when that is not later)."""
    if moment <= effect.created_at:
        return effect
    return replace(effect, data={**effect.data, NOT_BEFORE: moment.isoformat()})


def due(effect: Effect, now: datetime) -> bool:
    """Whether the effect may be made now: at once, unless it waits for a later moment."""
    waits = effect.data.get(NOT_BEFORE)
    return waits is None or datetime.fromisoformat(waits) <= now


def at_least_once(effect: Effect) -> bool:
    return effect.kind not in AT_MOST_ONCE


@dataclass(frozen=True)
class Cancel:
    """This person's scheduled nudges to cancel: about `subject`, of `kinds`, or all."""

    user_id: str
    subject: str | None = None
    kinds: frozenset[str] | None = None


@dataclass(frozen=True)
class Followups:
    """What a stored action brings with it, in the same write: nudges cancelled (first) and
    planned, drafts it completes, records it creates, settings it changes, and the effects to
    deliver after the ack."""

    cancel: tuple[Cancel, ...] = ()
    drafts_ended: tuple[str, ...] = ()  # whose questionnaire drafts the action completes
    nudges: tuple[Nudge, ...] = ()
    intros: tuple[Intro, ...] = ()
    # People's settings to change with the action (user ID, changes), merged like set_person.
    settings: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    effects: tuple[Effect, ...] = field(default_factory=tuple)

    def about_response(self, response_id: str) -> Followups:
        """As written with a new response: nudges without a subject, and every effect, are
        about it."""
        return replace(
            self,
            nudges=tuple(replace(n, subject=n.subject or response_id) for n in self.nudges),
            effects=tuple(
                replace(e, data={**e.data, "response_id": response_id}) for e in self.effects
            ),
        )


NOTHING = Followups()
