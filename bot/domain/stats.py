"""The program's figures for admins: who took the questionnaire, intros, places, nudges, the
mentoring relationships from nomination to close-out, and the coaching path's requests,
engagements and 360 feedback.

Each figure is defined here, once. The store does not hand over its records for them: it
counts, grouped by what it stores (intros by state and source, nudges by whether they were
sent and answered, 1-to-5 answers by question), and sums, and takes the few medians, over
the records this module says (the `*_tallies` functions, which the TinyDB store runs on its
documents and PostgreSQL mirrors in SQL). What each figure takes from those tallies, and how
partial tallies add up, is decided below. `program_stats` and the like give the same
figures from records in memory.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.domain.coaching import CoachingRequest, Engagement
from bot.domain.feedback import FeedbackFigures
from bot.domain.intros import Intro, mentees_now
from bot.domain.matching import Mentor
from bot.domain.nudges import Nudge
from bot.domain.recommendation import PATHS
from bot.domain.records import Response
from bot.domain.rounds import Round

EVER_ACCEPTED = ("accepted", "ended")  # an ended mentoring was accepted once
# Asked by the mentee, or for them by a round (an open request's mentor offered instead).
REQUESTED = ("match", "round")


@dataclass(frozen=True)
class Mean:
    """A mean's parts, which add up: the sum of the values and how many there are."""

    total: int = 0
    count: int = 0

    def __add__(self, other: Mean) -> Mean:
        return Mean(self.total + other.total, self.count + other.count)

    @property
    def value(self) -> float | None:
        return round(self.total / self.count, 1) if self.count else None


def rating(value: Any) -> int | None:
    """A 1-to-5 answer as stored (digits, as text or a number), or None: not a rating."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() else None


def _median(spans: list[timedelta]) -> timedelta | None:
    """As statistics.median, for spans of time."""
    if not spans:
        return None
    ordered, middle = sorted(spans), len(spans) // 2
    return ordered[middle] if len(spans) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _moment(value: datetime | str | None) -> datetime | None:
    """A record's time, or a stored document's (UTC ISO text); None when it has none."""
    return _time(value) if value else None


def _time(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _in(unit: timedelta, span: timedelta | None) -> float | None:
    return round(span / unit, 1) if span is not None else None


# What the store counts. Each `*_tallies` function takes records as mappings with the
# record's field names (`vars(intro)`, or the TinyDB store's document: times as text).


@dataclass(frozen=True)
class IntroTallies:
    by_state: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (state, source)
    to_accept: timedelta | None = None  # median, requested to answered: REQUESTED, accepted
    mentored: timedelta | None = None  # median, answered to ended: the ended ones
    agreements_confirmed: int = 0  # an agreement with goals, confirmed by both of the pair
    at_risk: int = 0  # flagged at risk (and still flagged)
    closeout_goals: Mean = Mean()  # close-outs' "goals reached", 1 to 5
    recommend: Mapping[str, int] = field(default_factory=dict)  # close-outs, by that answer


def intro_tallies(intros: Iterable[Mapping[str, Any]]) -> IntroTallies:
    by_state: Counter[tuple[str, str]] = Counter()
    waits: list[timedelta] = []
    lengths: list[timedelta] = []
    confirmed = at_risk = 0
    goals = Mean()
    recommend: Counter[str] = Counter()
    for intro in intros:
        state, source = intro["state"], intro["source"]
        by_state[state, source] += 1
        answered = _moment(intro.get("answered_at"))
        if answered is not None and state in EVER_ACCEPTED and source in REQUESTED:
            waits.append(answered - _time(intro["requested_at"]))
        ended = _moment(intro.get("ended_at"))
        if state == "ended" and answered is not None and ended is not None:
            lengths.append(ended - answered)
        # As agreement_of(intro).confirmed(intro), from the stored agreement.
        agreement = intro.get("agreement") or {}
        pair = {intro["mentee_id"], intro["mentor_id"]}
        confirmed += bool(agreement.get("goals")) and pair <= set(
            agreement.get("confirmed_by") or ()
        )
        at_risk += bool(intro.get("at_risk"))
        for said in (intro.get("closeouts") or {}).values():
            reached = rating(said.get("goals", ""))
            if reached is not None:
                goals += Mean(reached, 1)
            if said.get("recommend"):
                recommend[str(said["recommend"])] += 1
    return IntroTallies(
        dict(by_state),
        _median(waits),
        _median(lengths),
        confirmed,
        at_risk,
        goals,
        dict(recommend),
    )


@dataclass(frozen=True)
class NudgeTallies:
    by_delivery: Mapping[tuple[bool, bool], int] = field(default_factory=dict)  # sent, answered
    ratings: Mapping[tuple[str, str], Mean] = field(default_factory=dict)  # (kind, question)


def nudge_tallies(nudges: Iterable[Mapping[str, Any]]) -> NudgeTallies:
    by_delivery: Counter[tuple[bool, bool]] = Counter()
    ratings: dict[tuple[str, str], Mean] = {}
    for nudge in nudges:
        by_delivery[nudge.get("sent_at") is not None, nudge.get("answered_at") is not None] += 1
        for question, value in (nudge.get("answer") or {}).items():
            score = rating(value)
            if score is not None:
                key = (nudge["kind"], question)
                ratings[key] = ratings.get(key, Mean()) + Mean(score, 1)
    return NudgeTallies(dict(by_delivery), ratings)


@dataclass(frozen=True)
class CoachingTallies:
    requests: Mapping[str, int] = field(default_factory=dict)  # by state
    engagements: Mapping[str, int] = field(default_factory=dict)  # by state
    to_start: timedelta | None = None  # median, request made to engagement started
    progress: Mean = Mean()  # the mid-point's goal progress, 1 to 5
    outcome: Mean = Mean()  # the end review's goal outcomes, 1 to 5
    recommend: Mapping[bool, int] = field(default_factory=dict)  # end reviews, by that answer


def coaching_tallies(
    requests: Iterable[Mapping[str, Any]], engagements: Iterable[Mapping[str, Any]]
) -> CoachingTallies:
    states: Counter[str] = Counter()
    asked_at: dict[str, datetime | None] = {}
    for request in requests:
        states[request["state"]] += 1
        asked_at[request["id"]] = _moment(request["created_at"])
    going: Counter[str] = Counter()
    waits: list[timedelta] = []
    progress, outcome = Mean(), Mean()
    recommend: Counter[bool] = Counter()
    for engagement in engagements:
        going[engagement["state"]] += 1
        started, asked = (
            _moment(engagement.get("started_at")),
            asked_at.get(engagement["request_id"]),
        )
        if started is not None and asked is not None:
            waits.append(started - asked)
        for score in map(rating, (engagement.get("progress") or {}).values()):
            progress += Mean(score, 1) if score is not None else Mean()
        for score in map(rating, (engagement.get("outcome") or {}).values()):
            outcome += Mean(score, 1) if score is not None else Mean()
        if engagement.get("would_recommend") is not None:
            recommend[bool(engagement["would_recommend"])] += 1
    return CoachingTallies(
        dict(states), dict(going), _median(waits), progress, outcome, dict(recommend)
    )


# The figures, from the tallies.


@dataclass(frozen=True)
class ProgramStats:
    people: int
    paths: dict[str, int]
    intros: dict[str, int]  # requested, accepted, declined, expired, pending
    median_hours_to_accept: float | None
    places_used: int
    places_free: int
    nudges_sent: int
    nudges_answered: int
    check_ins: int
    average_score: float | None
    feedback: FeedbackFigures = field(default_factory=lambda: FeedbackFigures(0, 0, 0))


def program_figures(
    paths: Mapping[str, int],
    intros: IntroTallies,
    nudges: NudgeTallies,
    mentors: Iterable[Mentor],
    taken: Mapping[str, int],
    feedback: FeedbackFigures | None = None,
) -> ProgramStats:
    """`paths`: each person's latest questionnaire, by path; `taken`: each mentor's mentees
    now (accepted intros)."""
    states: Counter[str] = Counter()
    for (state, _), count in intros.by_state.items():
        states[state] += count
    active = [m for m in mentors if m.active]
    used = sum(min(taken.get(m.user_id, 0), m.capacity) for m in active)
    delivery = nudges.by_delivery
    scores = sum(
        (mean for (_, question), mean in nudges.ratings.items() if question == "score"), Mean()
    )
    return ProgramStats(
        people=sum(paths.values()),
        # Every path, those of results stored under earlier content included.
        paths={p: paths.get(p, 0) for p in PATHS},
        intros={
            "requested": sum(
                n for (_, source), n in intros.by_state.items() if source in REQUESTED
            ),
            "accepted": sum(states.get(s, 0) for s in EVER_ACCEPTED),
            "declined": states.get("declined", 0),
            "expired": states.get("expired", 0),
            "pending": states.get("pending", 0),
        },
        median_hours_to_accept=_in(timedelta(hours=1), intros.to_accept),
        places_used=used,
        places_free=sum(m.capacity for m in active) - used,
        nudges_sent=delivery.get((True, False), 0) + delivery.get((True, True), 0),
        nudges_answered=delivery.get((True, True), 0),
        check_ins=scores.count,
        average_score=scores.value,
        feedback=feedback or FeedbackFigures(0, 0, 0),
    )


def program_stats(
    latest: Iterable[Response],
    intros: Iterable[Intro],
    mentors: Iterable[Mentor],
    nudges: Iterable[Nudge],
    feedback: FeedbackFigures | None = None,
) -> ProgramStats:
    """The figures of these records: `latest` is each person's newest response."""
    intros = list(intros)
    return program_figures(
        Counter(r.recommendation.path for r in latest),
        intro_tallies(vars(i) for i in intros),
        nudge_tallies(vars(n) for n in nudges),
        mentors,
        mentees_now(intros),
        feedback,
    )


@dataclass(frozen=True)
class CoachingStats:
    requests: dict[str, int]  # pending, approved, declined, withdrawn
    engagements: dict[str, int]  # active (under way or being arranged), closed
    median_days_to_start: float | None  # from the request to the engagement's start
    average_progress: float | None  # the mid-point's goal progress, 1 to 5
    average_outcome: float | None  # the end review's goal outcomes, 1 to 5
    would_recommend: tuple[int, int]  # of the end reviews that answered: yes, all


def coaching_figures(tallies: CoachingTallies) -> CoachingStats:
    states, going = tallies.requests, tallies.engagements
    return CoachingStats(
        requests={s: states.get(s, 0) for s in ("pending", "approved", "declined", "withdrawn")},
        engagements={
            "active": going.get("arranging", 0) + going.get("active", 0),
            # Offers a coach declined or let lapse were never engagements that ran.
            "closed": going.get("ended", 0),
        },
        median_days_to_start=_in(timedelta(days=1), tallies.to_start),
        average_progress=tallies.progress.value,
        average_outcome=tallies.outcome.value,
        would_recommend=(tallies.recommend.get(True, 0), sum(tallies.recommend.values())),
    )


def coaching_stats(
    requests: Iterable[CoachingRequest], engagements: Iterable[Engagement]
) -> CoachingStats:
    return coaching_figures(
        coaching_tallies((vars(r) for r in requests), (vars(e) for e in engagements))
    )


@dataclass(frozen=True)
class MentoringStats:
    nominations: tuple[int, int]  # waiting for an admin, approved into the pool
    mentors_away: int
    agreements_confirmed: int
    relationships: dict[str, int]  # active, closed
    median_days: float | None  # how long the closed ones ran, accepted to ended
    average_goal_progress: float | None  # check-ins' ratings per agreed goal, 1 to 5
    average_closeout: float | None  # close-outs' "goals reached", 1 to 5
    would_recommend: tuple[int, int]  # of the close-outs that answered: yes, all
    at_risk: int  # pairs flagged at risk (those still flagged, ended or not)


def mentoring_figures(
    intros: IntroTallies, nudges: NudgeTallies, mentors: Iterable[Mentor], nominations: int
) -> MentoringStats:
    """`mentors` is the pool, `nominations` how many wait for an admin; goal ratings are the
    check-ins' answers "goal_0", "goal_1", ... (1 to 5)."""
    pool = list(mentors)
    states: Counter[str] = Counter()
    for (state, _), count in intros.by_state.items():
        states[state] += count
    progress = sum(
        (
            mean
            for (kind, question), mean in nudges.ratings.items()
            if kind == "check_in" and question.startswith("goal_")
        ),
        Mean(),
    )
    return MentoringStats(
        nominations=(nominations, sum(1 for m in pool if m.nominated_at is not None)),
        mentors_away=sum(1 for m in pool if m.away_until is not None),
        agreements_confirmed=intros.agreements_confirmed,
        relationships={"active": states.get("accepted", 0), "closed": states.get("ended", 0)},
        median_days=_in(timedelta(days=1), intros.mentored),
        average_goal_progress=progress.value,
        average_closeout=intros.closeout_goals.value,
        would_recommend=(intros.recommend.get("yes", 0), sum(intros.recommend.values())),
        at_risk=intros.at_risk,
    )


def mentoring_stats(
    intros: Iterable[Intro],
    mentors: Iterable[Mentor],
    nominations: Iterable[Mentor],
    nudges: Iterable[Nudge],
) -> MentoringStats:
    return mentoring_figures(
        intro_tallies(vars(i) for i in intros),
        nudge_tallies(vars(n) for n in nudges),
        mentors,
        len(list(nominations)),
    )


@dataclass(frozen=True)
class RoundFigures:
    name: str
    state: str
    joined: int
    matched: int  # pairs proposed (published: the intro requests sent)
    unmatched: int
    accepted: int  # of the round's intro requests, accepted by their mentor
    average_score: float | None


def round_stats(rounds: Iterable[Round], states: Mapping[str, str]) -> list[RoundFigures]:
    """Each round, newest first: who joined, how many were matched, and how they went.
    `states`: the state of each of the rounds' intros (`Round.intro_ids`) still there."""
    figures = []
    for found in sorted(rounds, key=lambda r: r.created_at, reverse=True):
        matched = len(found.intro_ids) if found.state == "published" else len(found.proposal)
        scores = [p.score for p in found.proposal]
        figures.append(
            RoundFigures(
                name=found.name,
                state=found.state,
                joined=len(found.joined),
                matched=matched,
                unmatched=len(found.unmatched),
                accepted=sum(1 for i in found.intro_ids if states.get(i) in EVER_ACCEPTED),
                average_score=round(statistics.fmean(scores), 1) if scores else None,
            )
        )
    return figures
