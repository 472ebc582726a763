"""Coaching, mentoring, both or not sure yet: each need judged on its own scale.

The answers to the need questions add up to a coaching need and, apart, a mentoring need
(weights in questionnaire.yml, thresholds in results.yml). Both needs present: "both". One:
that path. Neither: "not sure yet". Preferences about how help runs never make or cancel a
need; they only make the advice more or less sure and are named when they pull the other way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.domain.questionnaire import Answers, Questionnaire, Side

Path = Literal["coaching", "mentoring", "both", "not_sure"]
PATHS: tuple[Path, ...] = ("coaching", "mentoring", "both", "not_sure")
SIDES: tuple[Side, ...] = ("coaching", "mentoring")
# How sure, in the words a person reads.
CLEAR, FAIRLY_CLEAR, MIXED = "clear", "fairly clear", "mixed"


@dataclass(frozen=True)
class Thresholds:
    need: int = 4
    clear_need: int = 7
    acknowledge: int = 2


@dataclass(frozen=True)
class Reason:
    axis: str
    question_id: str
    answer: str
    side: Side
    weight: int
    text: str
    kind: str = "need"  # or "preference"; reasons stored before 2026.12 were all counted alike


@dataclass(frozen=True)
class Recommendation:
    path: Path
    confidence_label: str  # clear, fairly clear or mixed (high, medium, low before 2026.12)
    reasons: tuple[Reason, ...]
    # For one path: the other side's needs the person named, acknowledged, not counted.
    also: tuple[Reason, ...] = ()
    # Preferences that point away from the path: said plainly, they never cancel a need.
    against: tuple[Reason, ...] = ()
    # Each need on its own scale, in points; None for a result stored before 2026.12.
    coaching_need: int | None = None
    mentoring_need: int | None = None


def shows_mentors(path: str) -> bool:
    """Whether a result lists mentors to talk to: every path with mentoring in it, and "not
    sure yet", where a first mentoring conversation is the cheapest way to find out."""
    return path in ("mentoring", "both", "not_sure")


def has_coaching(path: str) -> bool:
    """Whether a result plans the coaching steps (goals, mid-point, review)."""
    return path in ("coaching", "both")


def needs(questionnaire: Questionnaire, answers: Answers) -> dict[Side, int]:
    """Each need on its own scale: the points of the need questions' answers for that side."""
    return {
        side: sum(
            q.score(answers.get(q.id, ()), side)
            for q in questionnaire.questions
            if q.weighs == "need"
        )
        for side in SIDES
    }


def recommend(
    questionnaire: Questionnaire, answers: Answers, thresholds: Thresholds = Thresholds()
) -> Recommendation:
    points = needs(questionnaire, answers)
    present = [side for side in SIDES if points[side] >= thresholds.need]
    path: Path = "both" if len(present) == 2 else present[0] if present else "not_sure"
    found = _reasons(questionnaire, answers)
    need_reasons = [r for r in found if r.kind == "need"]
    preferences = [r for r in found if r.kind == "preference"]
    also: list[Reason] = []
    against: list[Reason] = []
    if path == "both":
        reasons = _both_reasons(need_reasons)
        label = CLEAR if min(points.values()) >= thresholds.clear_need else FAIRLY_CLEAR
    elif path == "not_sure":
        # What the answers do say, a little of each side, so the person sees why it is open.
        reasons = _both_reasons(need_reasons, per_side=1)
        label = MIXED
    else:
        other: Side = "mentoring" if path == "coaching" else "coaching"
        reasons = _spread([r for r in need_reasons if r.side == path], 3)
        reasons += [r for r in preferences if r.side == path][: 3 - len(reasons)]
        also = [r for r in need_reasons if r.side == other and r.weight >= thresholds.acknowledge][
            :2
        ]
        against = [r for r in preferences if r.side == other]
        margin = points[path] - points[other] - sum(r.weight for r in against)
        label = (
            CLEAR
            if margin >= thresholds.clear_need
            else FAIRLY_CLEAR
            if margin >= thresholds.need
            else MIXED
        )
    return Recommendation(
        path=path,
        confidence_label=label,
        reasons=tuple(reasons),
        also=tuple(also),
        against=tuple(against),
        coaching_need=points["coaching"],
        mentoring_need=points["mentoring"],
    )


def _reasons(questionnaire: Questionnaire, answers: Answers) -> list[Reason]:
    """Every answer given that weighs on a side, once per side it weighs on, with the reason
    written for that side; strongest first, questionnaire order breaking ties."""
    found: list[Reason] = []
    for question in questionnaire.questions:
        axis = questionnaire.axis_name(question)
        for value in answers.get(question.id, ()):
            option = question.option(value)
            if option is None:
                continue
            for side in SIDES:
                text = option.reason_for(side)
                if option.weight(side) > 0 and text:
                    found.append(
                        Reason(
                            axis,
                            question.id,
                            option.label,
                            side,
                            option.weight(side),
                            text,
                            question.weighs,
                        )
                    )
    ranked = sorted(enumerate(found), key=lambda pair: (-pair[1].weight, pair[0]))
    return [reason for _, reason in ranked]


def _both_reasons(reasons: list[Reason], per_side: int = 2) -> list[Reason]:
    """The strongest reasons of each side, coaching's first, each side on different axes."""
    picked: list[Reason] = []
    for side in SIDES:
        picked += _spread([r for r in reasons if r.side == side], per_side)
    return picked


def _spread(reasons: list[Reason], count: int) -> list[Reason]:
    """One reason per question, and different axes before a second reason on one axis."""
    unique = list({reason.question_id: reason for reason in reversed(reasons)}.values())[::-1]
    new_axis = [r for i, r in enumerate(unique) if r.axis not in {u.axis for u in unique[:i]}]
    return (new_axis + [r for r in unique if r not in new_axis])[:count]
