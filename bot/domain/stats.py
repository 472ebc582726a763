"""The program's figures for admins: who took the questionnaire, intros, places, nudges, the
mentoring relationships from nomination to close-out, and the coaching path's requests,
engagements and 360 feedback."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.domain.coaching import CoachingRequest, Engagement
from bot.domain.feedback import FeedbackFigures
from bot.domain.intros import Intro, mentees_now
from bot.domain.matching import Mentor
from bot.domain.mentoring import agreement_of
from bot.domain.nudges import Nudge
from bot.domain.recommendation import PATHS
from bot.domain.records import Response
from bot.domain.rounds import Round

EVER_ACCEPTED = ("accepted", "ended")  # an ended mentoring was accepted once


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


def program_stats(
    latest: Iterable[Response],
    intros: Iterable[Intro],
    mentors: Iterable[Mentor],
    nudges: Iterable[Nudge],
    feedback: FeedbackFigures | None = None,
) -> ProgramStats:
    latest, intros, nudges = list(latest), list(intros), list(nudges)
    paths = Counter(r.recommendation.path for r in latest)
    states: Counter[str] = Counter(i.state for i in intros)
    # Asked by the mentee, or for them by a round (an open request's mentor offered instead).
    requested = [i for i in intros if i.source in ("match", "round")]
    waits = [
        (i.answered_at - i.requested_at).total_seconds() / 3600
        for i in requested
        if i.state in EVER_ACCEPTED and i.answered_at is not None
    ]
    taken = mentees_now(intros)
    active = [m for m in mentors if m.active]
    used = sum(min(taken.get(m.user_id, 0), m.capacity) for m in active)
    sent = [n for n in nudges if n.sent_at is not None]
    scores = [int(n.answer["score"]) for n in nudges if n.answer.get("score", "").isdigit()]
    return ProgramStats(
        people=len(latest),
        # Every path, those of results stored under earlier content included.
        paths={p: paths.get(p, 0) for p in PATHS},
        intros={
            "requested": len(requested),
            "accepted": sum(states.get(s, 0) for s in EVER_ACCEPTED),
            "declined": states.get("declined", 0),
            "expired": states.get("expired", 0),
            "pending": states.get("pending", 0),
        },
        median_hours_to_accept=round(statistics.median(waits), 1) if waits else None,
        places_used=used,
        places_free=sum(m.capacity for m in active) - used,
        nudges_sent=len(sent),
        nudges_answered=sum(1 for n in sent if n.answered_at is not None),
        check_ins=len(scores),
        average_score=round(statistics.fmean(scores), 1) if scores else None,
        feedback=feedback or FeedbackFigures(0, 0, 0),
    )


@dataclass(frozen=True)
class CoachingStats:
    requests: dict[str, int]  # pending, approved, declined, withdrawn
    engagements: dict[str, int]  # active (under way or being arranged), closed
    median_days_to_start: float | None  # from the request to the engagement's start
    average_progress: float | None  # the mid-point's goal progress, 1 to 5
    average_outcome: float | None  # the end review's goal outcomes, 1 to 5
    would_recommend: tuple[int, int]  # of the end reviews that answered: yes, all


def coaching_stats(
    requests: Iterable[CoachingRequest], engagements: Iterable[Engagement]
) -> CoachingStats:
    requests, engagements = list(requests), list(engagements)
    states = Counter(r.state for r in requests)
    asked_at = {r.id: r.created_at for r in requests}
    waits = [
        (e.started_at - asked_at[e.request_id]).total_seconds() / 86400
        for e in engagements
        if e.started_at is not None and e.request_id in asked_at
    ]
    progress = [score for e in engagements for score in e.progress.values()]
    outcome = [score for e in engagements for score in e.outcome.values()]
    answered = [e.would_recommend for e in engagements if e.would_recommend is not None]
    return CoachingStats(
        requests={s: states.get(s, 0) for s in ("pending", "approved", "declined", "withdrawn")},
        engagements={
            "active": sum(1 for e in engagements if e.state in ("arranging", "active")),
            # Offers a coach declined or let lapse were never engagements that ran.
            "closed": sum(1 for e in engagements if e.state == "ended"),
        },
        median_days_to_start=round(statistics.median(waits), 1) if waits else None,
        average_progress=round(statistics.fmean(progress), 1) if progress else None,
        average_outcome=round(statistics.fmean(outcome), 1) if outcome else None,
        would_recommend=(sum(answered), len(answered)),
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


def mentoring_stats(
    intros: Iterable[Intro],
    mentors: Iterable[Mentor],
    nominations: Iterable[Mentor],
    nudges: Iterable[Nudge],
) -> MentoringStats:
    """`mentors` is the pool, `nominations` those waiting for an admin; goal ratings are the
    check-ins' answers "goal_0", "goal_1", ... (1 to 5)."""
    intros, pool = list(intros), list(mentors)
    ended = [i for i in intros if i.state == "ended"]
    lengths = [
        (i.ended_at - i.answered_at).total_seconds() / 86400
        for i in ended
        if i.ended_at is not None and i.answered_at is not None
    ]
    progress = [
        int(value)
        for n in nudges
        if n.kind == "check_in"
        for key, value in n.answer.items()
        if key.startswith("goal_") and str(value).isdigit()
    ]
    closeouts = [said for i in intros for said in i.closeouts.values()]
    reached = [int(c["goals"]) for c in closeouts if str(c.get("goals", "")).isdigit()]
    recommend = [c["recommend"] == "yes" for c in closeouts if c.get("recommend")]
    confirmed = 0
    for intro in intros:
        agreement = agreement_of(intro)
        confirmed += agreement is not None and agreement.confirmed(intro)
    return MentoringStats(
        nominations=(len(list(nominations)), sum(1 for m in pool if m.nominated_at is not None)),
        mentors_away=sum(1 for m in pool if m.away_until is not None),
        agreements_confirmed=confirmed,
        relationships={
            "active": sum(1 for i in intros if i.state == "accepted"),
            "closed": len(ended),
        },
        median_days=round(statistics.median(lengths), 1) if lengths else None,
        average_goal_progress=round(statistics.fmean(progress), 1) if progress else None,
        average_closeout=round(statistics.fmean(reached), 1) if reached else None,
        would_recommend=(sum(recommend), len(recommend)),
        at_risk=sum(1 for i in intros if i.at_risk),
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


def round_stats(rounds: Iterable[Round], intros: Iterable[Intro]) -> list[RoundFigures]:
    """Each round, newest first: who joined, how many were matched, and how they went."""
    states = {i.id: i.state for i in intros}
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
