"""Anonymous 360 feedback: a person asks a few colleagues how they see them at work.

Anonymity is the point, so the rules here are what keep it: nothing is shown until at least
`minimum` colleagues answered (fewer would let the person work out who said what), what is
shown grows only by that many answers at a time (so two summaries never differ by one
person's answer), the summary holds averages and counts, never a giver, and free text is
ordered by its own words, so its order says nothing about who answered first.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

RequestState = Literal["open", "closed"]
FEWEST_GIVERS, MOST_GIVERS = 3, 8
SCALE = (1, 2, 3, 4, 5)
TEXT_MOST = 500  # a strength or a thing to change, as typed
NOTE_MOST = 300  # the person's note to the colleagues they ask


@dataclass(frozen=True)
class Behaviour:
    """A leadership behaviour colleagues rate, from conversations/feedback.yml."""

    value: str
    label: str


@dataclass(frozen=True)
class FeedbackRules:
    """What conversations/feedback.yml decides: what is rated, on which scale, and when."""

    behaviours: tuple[Behaviour, ...]
    scale: Mapping[int, str]  # 1..5 -> its words ("Rarely" ... "Always")
    minimum: int  # answers needed before anything is shown; never under 3
    remind_after: timedelta
    closes_after: timedelta


@dataclass(frozen=True)
class FeedbackRequest:
    id: str
    user_id: str  # the person asking: the only one who sees the summary, unless they share it
    givers: tuple[str, ...]
    created_at: datetime
    closes_at: datetime
    remind_at: datetime
    state: RequestState = "open"
    reminded: bool = False
    shown: int = 0  # the first `shown` answers (store order) are what the person sees
    shared_with: tuple[str, ...] = ()  # who the person shared the summary with (their coach)
    note: str = ""  # the person's note to the colleagues they ask


@dataclass(frozen=True)
class FeedbackAnswer:
    request_id: str
    giver_id: str  # kept so a giver answers once and is reminded only if they did not; never shown
    ratings: dict[str, int]  # behaviour value -> 1..5; at least one
    strength: str
    change: str
    answered_at: datetime


@dataclass(frozen=True)
class Rating:
    behaviour: Behaviour
    average: float | None  # None when nobody rated it
    counts: tuple[int, ...]  # how many gave 1, 2, ... 5

    @property
    def rated_by(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class FeedbackSummary:
    """What the person sees: how many answered, each behaviour's average and spread, and the
    strengths and things to change in an order that belongs to nobody."""

    answered: int
    asked: int
    ratings: tuple[Rating, ...]
    strengths: tuple[str, ...]
    changes: tuple[str, ...]


def new_request(
    user_id: str, givers: Iterable[str], note: str, now: datetime, rules: FeedbackRules
) -> FeedbackRequest:
    return FeedbackRequest(
        id=uuid.uuid4().hex,
        user_id=user_id,
        givers=tuple(givers),
        created_at=now,
        closes_at=now + rules.closes_after,
        remind_at=now + rules.remind_after,
        note=note,
    )


def givers_problem(
    user_id: str,
    chosen: Collection[str],
    people: Mapping[str, dict[str, Any] | None] | None = None,
) -> str | None:
    """Why these colleagues cannot be asked, in the person's words; None when they can.
    `people` is each chosen one as Slack knows them (None: Slack does not know them);
    without it, only the choice itself is checked (before asking Slack about anyone)."""
    if len(set(chosen)) != len(chosen):
        return "Each colleague once, please."
    if user_id in chosen:
        return "Pick colleagues other than yourself."
    if not FEWEST_GIVERS <= len(chosen) <= MOST_GIVERS:
        return (
            f"Pick {FEWEST_GIVERS} to {MOST_GIVERS} colleagues: with fewer, answers could be "
            "told apart."
        )
    if people is None:
        return None
    for giver in chosen:
        person = people.get(giver)
        if person is None or person.get("deleted"):
            return f"<@{giver}> is no longer in the workspace: pick someone else."
        if person.get("is_bot") or giver == "USLACKBOT":
            return f"<@{giver}> is an app, not a colleague: pick someone else."
    return None


def ratings_problem(ratings: Mapping[str, int], rules: FeedbackRules) -> str | None:
    known = {b.value for b in rules.behaviours}
    if not ratings:
        return "Please rate at least one of these; everything else is optional."
    if any(b not in known or r not in SCALE for b, r in ratings.items()):
        return "Please pick from the scale."
    return None


def waiting_for(request: FeedbackRequest, answers: Iterable[FeedbackAnswer]) -> list[str]:
    """Who was asked and has not answered: the ones a reminder goes to."""
    answered = {a.giver_id for a in answers}
    return [g for g in request.givers if g not in answered]


def shown_after(shown: int, answered: int, minimum: int = FEWEST_GIVERS) -> int:
    """How many answers the person may see once `answered` are in, when `shown` were shown:
    all of them when at least `minimum` (never under 3) came since, otherwise still `shown`.
    A smaller step would make the difference between two summaries one person's answer."""
    if answered - shown >= max(minimum, FEWEST_GIVERS):
        return answered
    return shown


def summary(
    request: FeedbackRequest, answers: Sequence[FeedbackAnswer], behaviours: Iterable[Behaviour]
) -> FeedbackSummary | None:
    """The summary the person may see: of the first `request.shown` answers (store order), or
    None while none are shown. Free text is sorted by its own words, so neither who wrote it
    nor when shows."""
    answers = [a for a in answers if a.request_id == request.id][: request.shown]
    if len(answers) < FEWEST_GIVERS:
        return None
    ratings = []
    for behaviour in behaviours:
        given = [a.ratings[behaviour.value] for a in answers if behaviour.value in a.ratings]
        counts = tuple(given.count(step) for step in SCALE)
        average = round(sum(given) / len(given), 1) if given else None
        ratings.append(Rating(behaviour, average, counts))
    return FeedbackSummary(
        answered=len(answers),
        asked=len(request.givers),
        ratings=tuple(ratings),
        strengths=_anonymous(a.strength for a in answers),
        changes=_anonymous(a.change for a in answers),
    )


def _anonymous(texts: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted((t.strip() for t in texts if t.strip()), key=lambda t: (t.casefold(), t)))


@dataclass(frozen=True)
class FeedbackFigures:
    requests: int
    answers: int
    reached_minimum: int  # requests with at least 3 answers: a summary could be shown


def feedback_figures(
    requests: Iterable[FeedbackRequest], answer_counts: Mapping[str, int]
) -> FeedbackFigures:
    return answered_figures(Counter(answer_counts.get(r.id, 0) for r in requests))


def answered_figures(requests_by_answers: Mapping[int, int]) -> FeedbackFigures:
    """The figures from how many requests have each number of answers (what the store
    counts: requests with none under 0)."""
    return FeedbackFigures(
        requests=sum(requests_by_answers.values()),
        answers=sum(n * requests for n, requests in requests_by_answers.items()),
        reached_minimum=sum(r for n, r in requests_by_answers.items() if n >= FEWEST_GIVERS),
    )
