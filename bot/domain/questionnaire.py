"""The questionnaire as the product sees it: steps, questions, options and their weights."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["single", "multi"]
Side = Literal["coaching", "mentoring"]
# A need question's answers show a coaching or mentoring need; a preference question's say how
# the person would like help to run, which never makes or cancels a need.
Weighs = Literal["need", "preference"]
# Answers keep every question's chosen option values as a tuple, single choice included.
Answers = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    coaching: int = 0
    mentoring: int = 0
    reason: str | None = None  # for an answer that weighs on one side only
    coaching_reason: str | None = None
    mentoring_reason: str | None = None

    def weight(self, side: Side) -> int:
        return self.coaching if side == "coaching" else self.mentoring

    def reason_for(self, side: Side) -> str | None:
        """Why this answer shows that side, in the words written for that side only."""
        if self.weight(side) <= 0:
            return None
        own = self.coaching_reason if side == "coaching" else self.mentoring_reason
        return own or self.reason


@dataclass(frozen=True)
class Question:
    id: str
    label: str
    axis: str
    kind: Kind
    options: tuple[Option, ...]
    optional: bool = False
    hint: str | None = None
    cap: int | None = None
    weighs: Weighs = "need"

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    def most(self, side: Side) -> int:
        """The most this question can add to one side."""
        if self.kind == "single":
            return max(o.weight(side) for o in self.options)
        total = sum(o.weight(side) for o in self.options)
        return min(total, self.cap) if self.cap is not None else total

    def score(self, values: Sequence[str], side: Side) -> int:
        total = sum(o.weight(side) for v in values if (o := self.option(v)) is not None)
        return min(total, self.most(side))


@dataclass(frozen=True)
class Step:
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    version: str
    axes: Mapping[str, str]
    steps: tuple[Step, ...]
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for step in self.steps for q in step.questions})

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(self._by_id.values())

    def question(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def step(self, number: int) -> Step:
        """Steps are numbered from 1, as people see them."""
        return self.steps[number - 1]

    def axis_name(self, question: Question) -> str:
        return self.axes.get(question.axis, question.axis)

    def is_complete(self, answers: Answers) -> bool:
        return all(q.optional or answers.get(q.id) for q in self.questions)

    def first_unanswered_step(self, answers: Answers) -> int:
        for number, step in enumerate(self.steps, start=1):
            if any(not q.optional and not answers.get(q.id) for q in step.questions):
                return number
        return len(self.steps)


# Answers given under earlier content that moved to a question of their own: (question,
# value) then -> (question, value) now. 2026.12 asks "new to the company" apart from career
# stage, so a person can say both; a new hire's career stage was not asked, so it stays open.
EARLIER_ANSWERS: dict[tuple[str, str], tuple[str, str]] = {
    ("career_stage", "new_hire"): ("new_here", "new"),
}


def in_current_terms(answers: Answers) -> dict[str, tuple[str, ...]]:
    """Answers stored under an earlier questionnaire, read with today's questions: an answer
    that moved to a question of its own moves there (unless that one is answered already).
    Answers to questions no longer asked are kept as given: they are what the person said."""
    read = dict(answers)
    for (question_id, value), (moved_to, moved_value) in EARLIER_ANSWERS.items():
        if value not in read.get(question_id, ()):
            continue
        kept = tuple(v for v in read[question_id] if v != value)
        if kept:
            read[question_id] = kept
        else:
            del read[question_id]
        read.setdefault(moved_to, (moved_value,))
    return read


def check_step(
    questionnaire: Questionnaire, number: int, raw: Mapping[str, Sequence[str] | None]
) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Clean one step's submitted values; return the answers and, per question, what is wrong."""
    answers: dict[str, tuple[str, ...]] = {}
    errors: dict[str, str] = {}
    for question in questionnaire.step(number).questions:
        values = tuple(dict.fromkeys(raw.get(question.id) or ()))
        if any(question.option(v) is None for v in values):
            errors[question.id] = "That is not one of the choices. Please pick again."
        elif question.kind == "single" and len(values) > 1:
            errors[question.id] = "Please pick just one."
        elif not values and not question.optional:
            errors[question.id] = "Please answer this one."
        elif values:
            answers[question.id] = values
    return answers, errors


def keep_known(
    questionnaire: Questionnaire, raw: Mapping[str, Sequence[str] | None]
) -> dict[str, tuple[str, ...]]:
    """Keep whatever part of a half-filled step is valid, so a draft never loses a good answer."""
    kept: dict[str, tuple[str, ...]] = {}
    for question_id, values in raw.items():
        question = questionnaire.question(question_id)
        if question is None or not values:
            continue
        good = tuple(v for v in dict.fromkeys(values) if question.option(v) is not None)
        if good and (question.kind == "multi" or len(good) == 1):
            kept[question_id] = good
    return kept
