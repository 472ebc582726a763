"""Ranking the mentor pool for one mentee, and the coach roster for one coachee, with a
one-line reason per match."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, TypeVar

from bot.domain.coaching import Coach, CoachRules, CoachWeights, areas_text
from bot.domain.questionnaire import Answers
from bot.domain.zones import known_zone

T = TypeVar("T")
# in the pool, or nominated (by themselves, `/devpath mentor join`) and waiting for an admin.
MentorStatus = Literal["pool", "nominated"]


@dataclass(frozen=True)
class Mentor:
    user_id: str
    name: str
    timezone: str | None
    fields: tuple[str, ...]
    topics: tuple[str, ...]
    seniority: str
    capacity: int
    bio: str = ""
    active: bool = True
    status: MentorStatus = "pool"
    away_until: datetime | None = None  # away (not offered) until this moment, back by itself
    nominated_at: datetime | None = None  # joined by nominating themselves, at this moment

    @property
    def taking(self) -> bool:
        """Offered to mentees and able to take a request: in the pool, active, not away."""
        return self.status == "pool" and self.active and self.away_until is None


@dataclass(frozen=True)
class Mentee:
    user_id: str
    field: str | None
    topics: tuple[str, ...]
    level: int | None
    timezone: str | None


@dataclass(frozen=True)
class Weights:
    field: float = 40
    topic: float = 8
    topics_counted: int = 3
    seniority: float = 12
    timezone: float = 8
    timezone_far_hours: float = 8
    capacity: float = 5


@dataclass(frozen=True)
class Seniority:
    value: str
    label: str
    level: int


@dataclass(frozen=True)
class MatchingRules:
    weights: Weights
    seniority: tuple[Seniority, ...]
    mentee_levels: Mapping[str, int]
    matches_shown: int
    intro_expires_after: timedelta
    kickoff: str
    # At most this many requests from one mentee to one mentor within `ask_window` (erased
    # ones count too, as tombstones): ask, be declined, erase, start again is not a loop.
    ask_limit: int = 2
    ask_window: timedelta = timedelta(days=7)

    def mentee(self, user_id: str, answers: Answers, timezone: str | None) -> Mentee:
        field = next(iter(answers.get("field", ())), None)
        stage = next(iter(answers.get("career_stage", ())), None)
        level = self.mentee_levels.get(stage) if stage else None
        return Mentee(user_id, field, tuple(answers.get("topics", ())), level, timezone)


@dataclass(frozen=True)
class Match:
    mentor: Mentor
    score: float
    free: int
    reason: str


def rank_mentors(
    mentee: Mentee,
    mentors: Iterable[Mentor],
    mentees_now: Mapping[str, int],
    excluded: set[str],
    rules: MatchingRules,
    labels: Mapping[str, str],
    now: datetime,
    count: int | None = None,
    *,
    offsets: dict[str | None, float | None] | None = None,
    reasons: bool = True,
) -> list[Match]:
    """The best active mentors with a free place who share the mentee's field or at least one
    topic, best first; ties go by name, then user ID.

    `excluded` holds mentors the mentee must not be offered again (declined either way, or
    already asked); `labels` turns field and topic values into the words people read.
    `offsets` keeps each timezone's offset at `now` across rankings (a round ranks the pool
    for every mentee); without `reasons` the matches carry none (a round explains only the
    pairs it proposes).
    """
    weights = rules.weights
    wanted = set(mentee.topics)
    levels = {s.value: s.level for s in rules.seniority}
    mentee_offset = _offset_hours(mentee.timezone, now)
    offsets = {} if offsets is None else offsets
    scored: list[Scored[Mentor]] = []
    for mentor in mentors:
        if not mentor.taking or mentor.user_id == mentee.user_id or mentor.user_id in excluded:
            continue
        free = mentor.capacity - mentees_now.get(mentor.user_id, 0)
        if free <= 0:
            continue
        same_field = mentee.field is not None and mentee.field in mentor.fields
        shared = sum(1 for t in mentor.topics if t in wanted)
        if not same_field and not shared:
            continue  # nothing in common is not a match, however free they are
        score = weights.field if same_field else 0.0
        score += weights.topic * min(shared, weights.topics_counted)
        level = levels.get(mentor.seniority)
        if level is not None and mentee.level is not None:
            if level > mentee.level:
                score += weights.seniority
            elif level == mentee.level:
                score += weights.seniority / 2
        near, apart = _nearness(mentor.timezone, mentee_offset, offsets, now, weights)
        score = round(score + near + weights.capacity * free / mentor.capacity, 3)
        scored.append((-score, mentor.name.casefold(), mentor.user_id, mentor, free, apart))
    limit = rules.matches_shown if count is None else count
    return [
        Match(
            mentor, -negative, free, _reason(mentee, mentor, free, apart, labels) if reasons else ""
        )
        for negative, _, _, mentor, free, apart in _best(scored, limit)
    ]


Scored = tuple[float, str, str, T, int, float | None]  # -score, name, id, who, free, apart


def _best(scored: list[Scored[T]], limit: int) -> list[Scored[T]]:
    """The best `limit`, ties by name then id. Only the few shown need their reason."""
    return heapq.nsmallest(limit, scored, key=lambda item: item[:3])


def _nearness(
    timezone: str | None,
    person_offset: float | None,
    offsets: dict[str | None, float | None],
    now: datetime,
    weights: Weights | CoachWeights,
) -> tuple[float, float | None]:
    """Points for being close in time (full when in the same timezone), and how many hours
    apart; nothing and None when either timezone is unknown. `offsets` remembers each
    timezone's offset for this ranking."""
    if timezone not in offsets:
        offsets[timezone] = _offset_hours(timezone, now)
    theirs = offsets[timezone]
    if person_offset is None or theirs is None:
        return 0.0, None
    apart = abs(person_offset - theirs)
    return weights.timezone * max(0.0, 1 - apart / weights.timezone_far_hours), apart


def _distance_and_places(apart: float | None, free: int, capacity: int) -> list[str]:
    """The end of every reason: "1 h apart · 2 of 3 places free"."""
    parts = [] if apart is None else ["same timezone" if apart == 0 else f"{apart:g} h apart"]
    return [*parts, f"{free} of {capacity} places free"]


def _reason(
    mentee: Mentee, mentor: Mentor, free: int, apart: float | None, labels: Mapping[str, str]
) -> str:
    """In the person's words: "Both in Engineering · shares networking · 1 h apart · ..."."""
    parts = []
    if mentee.field is not None and mentee.field in mentor.fields:
        parts.append(f"Both in {labels.get(mentee.field, mentee.field)}")
    shared = [t for t in mentor.topics if t in mentee.topics]
    if shared:
        parts.append("shares " + ", ".join(labels.get(t, t).lower() for t in shared))
    return " · ".join([*parts, *_distance_and_places(apart, free, mentor.capacity)])


@dataclass(frozen=True)
class CoachingSeeker:
    user_id: str
    topics: tuple[str, ...]  # the questionnaire's `topics` answers
    goals: tuple[str, ...]  # what they typed as their goals
    languages: tuple[str, ...]
    timezone: str | None


@dataclass(frozen=True)
class CoachMatch:
    coach: Coach
    score: float
    free: int
    reason: str


def rank_coaches(
    seeker: CoachingSeeker,
    coaches: Iterable[Coach],
    places_taken: Mapping[str, int],
    excluded: set[str],
    rules: CoachRules,
    labels: Mapping[str, str],
    now: datetime,
    count: int | None = None,
) -> list[CoachMatch]:
    """The best active coaches with a free place who coach an area the person needs (by their
    topics, or by words in their goals), best first; ties go by name, then id. Coaches with
    no such area come after, and only when the content's `show_without_area` says so.

    `places_taken` counts each coach's engagements holding a place; `excluded` holds coaches
    the person must not be offered again; `labels` turns areas and languages into words.
    """
    weights = rules.weights
    needed = needed_areas(seeker, rules)
    spoken = set(seeker.languages)
    seeker_offset = _offset_hours(seeker.timezone, now)
    offsets: dict[str | None, float | None] = {}
    scored: list[Scored[Coach]] = []
    for coach in coaches:
        if not coach.active or coach.id == seeker.user_id or coach.id in excluded:
            continue
        free = coach.capacity - places_taken.get(coach.id, 0)
        if free <= 0:
            continue
        shared = sum(1 for a in coach.areas if a in needed)
        if not shared and not rules.show_without_area:
            continue
        score = weights.area * min(shared, weights.areas_counted)
        if spoken & set(coach.languages):
            score += weights.language
        near, apart = _nearness(coach.timezone, seeker_offset, offsets, now, weights)
        score = round(score + near + weights.capacity * free / coach.capacity, 3)
        scored.append((-score, coach.name.casefold(), coach.id, coach, free, apart))
    limit = rules.coaches_shown if count is None else count
    return [
        CoachMatch(
            coach, -negative, free, _coach_reason(seeker, needed, coach, free, apart, labels)
        )
        for negative, _, _, coach, free, apart in _best(scored, limit)
    ]


def needed_areas(seeker: CoachingSeeker, rules: CoachRules) -> set[str]:
    """The areas the person's topics or typed goals point to."""
    topics = set(seeker.topics)
    goals = " ".join(seeker.goals).casefold()
    return {
        area.value
        for area in rules.areas
        if topics & set(area.topics)
        or any(re.search(rf"\b{re.escape(word.casefold())}", goals) for word in area.words)
    }


def _coach_reason(
    seeker: CoachingSeeker,
    needed: set[str],
    coach: Coach,
    free: int,
    apart: float | None,
    labels: Mapping[str, str],
) -> str:
    """In the person's words: "Coaches leadership · speaks English · 1 h apart · ..."."""
    parts = []
    shared = [a for a in coach.areas if a in needed]
    if shared:
        parts.append("Coaches " + areas_text(shared, labels))
    languages = [lang for lang in coach.languages if lang in seeker.languages]
    if languages:
        parts.append("speaks " + ", ".join(labels.get(lang, lang) for lang in languages))
    said = " · ".join([*parts, *_distance_and_places(apart, free, coach.capacity)])
    return said[:1].upper() + said[1:]


def _offset_hours(timezone: str | None, now: datetime) -> float | None:
    """Hours from UTC at this moment: computed, never cached, as daylight saving moves it."""
    if not timezone:
        return None
    try:
        zone = known_zone(timezone)
        offset = now.astimezone(zone).utcoffset() if zone is not None else None
    except ValueError:
        return None
    return offset.total_seconds() / 3600 if offset is not None else None
