"""Coaching, mentoring or both: scored from the answers and the weights in the content."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.domain.questionnaire import Answers, Questionnaire, Side

Path = Literal["coaching", "mentoring", "both"]
SIDES: tuple[Side, ...] = ("coaching", "mentoring")


@dataclass(frozen=True)
class Thresholds:
    both_min: float = 0.45
    both_gap: float = 0.15
    high_confidence: float = 0.75
    medium_confidence: float = 0.6


@dataclass(frozen=True)
class Reason:
    axis: str
    question_id: str
    answer: str
    side: Side
    weight: int
    text: str


@dataclass(frozen=True)
class Recommendation:
    path: Path
    confidence: float
    coaching: float
    mentoring: float
    confidence_label: str
    reasons: tuple[Reason, ...]


def shows_mentors(path: str) -> bool:
    """Whether a result lists mentors to talk to: every path with mentoring in it."""
    return path in ("mentoring", "both")


def recommend(
    questionnaire: Questionnaire, answers: Answers, thresholds: Thresholds = Thresholds()
) -> Recommendation:
    """Score each side from 0 to 1, pick the path and keep the three strongest reasons."""
    scores = {side: _score(questionnaire, answers, side) for side in SIDES}
    coaching, mentoring = scores["coaching"], scores["mentoring"]
    close = abs(coaching - mentoring) <= thresholds.both_gap
    path: Path
    if (close and min(coaching, mentoring) >= thresholds.both_min) or coaching == mentoring:
        path = "both"
        # In tandem, confidence is how evenly the evidence supports both sides.
        confidence = 1 - abs(coaching - mentoring) / max(coaching + mentoring, 1e-9)
    else:
        path = "coaching" if coaching > mentoring else "mentoring"
        confidence = scores[path] / (coaching + mentoring)
    return Recommendation(
        path=path,
        confidence=round(confidence, 2),
        coaching=round(coaching, 2),
        mentoring=round(mentoring, 2),
        confidence_label=_confidence_label(confidence, thresholds),
        reasons=_strongest_reasons(questionnaire, answers, path),
    )


def _score(questionnaire: Questionnaire, answers: Answers, side: Side) -> float:
    most = sum(q.most(side) for q in questionnaire.questions)
    if most == 0:
        return 0.0
    got = sum(q.score(answers.get(q.id, ()), side) for q in questionnaire.questions)
    return got / most


def _strongest_reasons(
    questionnaire: Questionnaire, answers: Answers, path: Path, count: int = 3
) -> tuple[Reason, ...]:
    sides = SIDES if path == "both" else (path,)
    found: list[Reason] = []
    for question in questionnaire.questions:
        for value in answers.get(question.id, ()):
            option = question.option(value)
            if option is None:
                continue
            side = max(sides, key=option.weight)
            if option.weight(side) <= 0:
                continue
            axis = questionnaire.axis_name(question)
            text = option.reason or f"You answered “{option.label}”, which points to {side}."
            found.append(Reason(axis, question.id, option.label, side, option.weight(side), text))
    # Strongest first; questionnaire order breaks ties, so the result is deterministic.
    ranked = sorted(enumerate(found), key=lambda pair: (-pair[1].weight, pair[0]))
    picked = [reason for _, reason in ranked]
    if path == "both":
        picked = _alternate_sides(picked)
    return tuple(_spread(picked, count))


def _alternate_sides(reasons: list[Reason]) -> list[Reason]:
    """For "both", show the strongest reason of each side before a second of either."""
    firsts = [next((r for r in reasons if r.side == side), None) for side in SIDES]
    lead = [r for r in firsts if r is not None]
    return lead + [r for r in reasons if r not in lead]


def _spread(reasons: list[Reason], count: int) -> list[Reason]:
    """One reason per question, and different axes before a second reason on one axis."""
    unique = list({reason.question_id: reason for reason in reversed(reasons)}.values())[::-1]
    new_axis = [r for i, r in enumerate(unique) if r.axis not in {u.axis for u in unique[:i]}]
    return (new_axis + [r for r in unique if r not in new_axis])[:count]


def _confidence_label(confidence: float, thresholds: Thresholds) -> str:
    if confidence >= thresholds.high_confidence:
        return "high"
    if confidence >= thresholds.medium_confidence:
        return "medium"
    return "low"
