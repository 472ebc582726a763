"""The recommendation engine, case by case from the framework in product.md."""

from __future__ import annotations

import pytest

from bot.domain.questionnaire import Option, Question, Questionnaire, Step
from bot.domain.recommendation import Thresholds, recommend
from tests.answers import COACHING, MENTORING


def answers(base: dict, **changes) -> dict[str, tuple[str, ...]]:
    merged = {**base, **changes}
    return {k: (v,) if isinstance(v, str) else tuple(v) for k, v in merged.items()}


# A new director facing a high-stakes challenge with a 3-month horizon.
NEW_DIRECTOR = answers(COACHING)
# A new hire in a career transition wanting long-term advice from someone in their field.
NEW_HIRE_IN_TRANSITION = answers(MENTORING)
# A manager stepping up who wants measurable goals soon, and also a mentor's long view.
TANDEM = answers(
    COACHING,
    career_stage="manager",
    challenge="building_leadership",
    focus="both_focus",
    structure="informal",
    expertise="field_expert",
    relationship="voluntary",
    topics=["leadership", "career_transition", "networking"],
)
# An experienced person who answered "either" to almost everything.
UNDECIDED = answers(
    COACHING,
    career_stage="experienced",
    transition="no_transition",
    challenge="no_challenge",
    focus="both_focus",
    goals="unsure_goals",
    timeframe="unsure_time",
    structure="no_structure_preference",
    expertise="either_expertise",
    relationship="no_relationship_preference",
    topics=["communication"],
)
# Mostly mentoring, but one strong coaching pull: still mentoring, with less confidence.
MENTORING_WITH_A_DEADLINE = answers(MENTORING, challenge="high_stakes", timeframe="three_months")


@pytest.mark.parametrize(
    ("case", "path", "label"),
    [
        (NEW_DIRECTOR, "coaching", "high"),
        (NEW_HIRE_IN_TRANSITION, "mentoring", "high"),
        (TANDEM, "both", "high"),
        (MENTORING_WITH_A_DEADLINE, "mentoring", "high"),
    ],
    ids=["new director", "new hire in transition", "tandem", "mentoring with a deadline"],
)
def test_the_framework_cases(content, case, path, label):
    rec = recommend(content.questionnaire, case, content.thresholds)
    assert rec.path == path
    assert rec.confidence_label == label


def test_a_strong_single_path_names_three_reasons_on_different_axes(content):
    rec = recommend(content.questionnaire, NEW_DIRECTOR, content.thresholds)
    assert len(rec.reasons) == 3
    assert len({r.axis for r in rec.reasons}) == 3
    assert all(r.side == "coaching" for r in rec.reasons)
    assert rec.reasons[0].answer == "Director or executive"


def test_both_gives_a_reason_from_each_side(content):
    rec = recommend(content.questionnaire, TANDEM, content.thresholds)
    assert {r.side for r in rec.reasons} == {"coaching", "mentoring"}


def test_undecided_answers_give_a_low_confidence_answer(content):
    rec = recommend(content.questionnaire, UNDECIDED, content.thresholds)
    assert rec.coaching < 0.45 and rec.mentoring < 0.45
    assert rec.confidence_label != "high"


def test_a_deadline_lowers_confidence_in_mentoring(content):
    plain = recommend(content.questionnaire, NEW_HIRE_IN_TRANSITION, content.thresholds)
    pulled = recommend(content.questionnaire, MENTORING_WITH_A_DEADLINE, content.thresholds)
    assert pulled.confidence < plain.confidence


def test_it_is_deterministic(content):
    runs = {recommend(content.questionnaire, TANDEM, content.thresholds) for _ in range(5)}
    assert len(runs) == 1


def _tiny(coaching: int, mentoring: int) -> Questionnaire:
    options = (
        Option("c", "Coaching", coaching=coaching),
        Option("m", "Mentoring", mentoring=mentoring),
        Option("cm", "Both", coaching=coaching, mentoring=mentoring),
    )
    question = Question("q", "Which?", "focus", "multi", options)
    return Questionnaire("t", {"focus": "Focus"}, (Step("One", (question,)),))


@pytest.mark.parametrize(
    ("chosen", "path"),
    [
        (("c",), "coaching"),
        (("m",), "mentoring"),
        (("cm",), "both"),  # both sides full and equal
        ((), "both"),  # no evidence at all: both, with low confidence
    ],
)
def test_close_and_empty_cases(chosen, path):
    rec = recommend(_tiny(3, 3), {"q": chosen}, Thresholds())
    assert rec.path == path


def test_both_needs_both_sides_high_not_just_close():
    # 0.4 and 0.4 are close but neither is high: a tie still says both, honestly low.
    rec = recommend(_tiny(3, 3), {"q": ("c",)}, Thresholds(both_min=0.45, both_gap=0.15))
    assert rec.path == "coaching"
