"""The recommendation engine against the framework in product.md: a table of people whose path
the framework decides, properties that hold for every answer set, and reasons that are true."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import Content, load_content
from bot.domain.questionnaire import Questionnaire
from bot.domain.recommendation import (
    CLEAR,
    FAIRLY_CLEAR,
    MIXED,
    Recommendation,
    needs,
    recommend,
)
from tests.answers import COACHING, MENTORING
from tests.domain.framework_cases import CASES, MIDDLE, Case

CONTENT = load_content()


def answers(base: dict, **changes) -> dict[str, tuple[str, ...]]:
    merged = {**base, **changes}
    return {k: (v,) if isinstance(v, str) else tuple(v) for k, v in merged.items()}


def advise(chosen: dict[str, tuple[str, ...]], content: Content = CONTENT) -> Recommendation:
    return recommend(content.questionnaire, chosen, content.thresholds)


# A director facing a high-stakes challenge with a 3-month horizon.
NEW_DIRECTOR = answers(COACHING)
# A new hire changing field who wants long-term guidance from someone in their field.
NEW_HIRE_IN_TRANSITION = answers(MENTORING)
# A manager stepping up who wants measurable goals soon, and also a mentor's long view.
TANDEM = answers(
    COACHING,
    career_stage="manager",
    transition="stepping_up",
    challenge="building_leadership",
    focus="both_focus",
    guidance="long_term",
    structure="informal",
    expertise="field_expert",
    relationship="voluntary",
    topics=["leadership", "career_transition", "networking"],
)
# An experienced person who gave the middle answer to everything.
UNDECIDED = answers(MIDDLE)


# The table: at least 40 people, 12 "both" and 6 "not sure yet", written from the framework.


def test_the_table_is_as_wide_as_the_issue_asks() -> None:
    paths = [c.path for c in CASES]
    assert len(CASES) >= 40
    assert paths.count("both") >= 12 and paths.count("not_sure") >= 6
    assert paths.count("coaching") >= 6 and paths.count("mentoring") >= 6
    assert all(c.statement for c in CASES)
    assert len({c.name for c in CASES}) == len(CASES)


def test_devpath_agrees_with_the_framework_for_at_least_95_percent() -> None:
    wrong = [
        f"{c.name}: framework says {c.path} ({c.statement}), devpath {advise(c.answers).path}"
        for c in CASES
        if advise(c.answers).path != c.path
    ]
    assert len(wrong) <= 0.05 * len(CASES), "\n".join(wrong)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_case_says_why_truthfully(case: Case) -> None:
    rec = advise(case.answers)
    assert_true_to_the_answers(CONTENT.questionnaire, case.answers, rec)
    sides = {r.side for r in rec.reasons}
    if rec.path == "both":
        assert sides == {"coaching", "mentoring"}, "a reason from each side"
    elif rec.path in ("coaching", "mentoring"):
        assert sides == {rec.path}
        # The reason that decided it names its axis, and is a need, not a preference.
        assert rec.reasons[0].kind == "need" and rec.reasons[0].axis
    else:
        assert rec.confidence_label == MIXED


def assert_true_to_the_answers(
    questionnaire: Questionnaire, chosen: dict[str, tuple[str, ...]], rec: Recommendation
) -> None:
    """Every reason, acknowledgement and tension quotes an answer given to the question it
    names, with the text written for its side, on a side that answer weighs on."""
    for reason in (*rec.reasons, *rec.also, *rec.against):
        question = questionnaire.question(reason.question_id)
        assert question is not None
        picked = [o for v in chosen.get(question.id, ()) if (o := question.option(v))]
        option = next((o for o in picked if o.label == reason.answer), None)
        assert option is not None, f"{reason.answer!r} was not answered to {question.id}"
        assert option.weight(reason.side) > 0
        assert reason.text == option.reason_for(reason.side)
        assert reason.axis == questionnaire.axis_name(question)
        assert reason.kind == question.weighs
    for reason in rec.also:
        assert reason.side != rec.path and reason.kind == "need"
    for reason in rec.against:
        assert reason.side != rec.path and reason.kind == "preference"


# The shapes of advice the framework asks for.


def test_plain_coaching_and_plain_mentoring_are_clear() -> None:
    coaching, mentoring = advise(NEW_DIRECTOR), advise(NEW_HIRE_IN_TRANSITION)
    assert (coaching.path, coaching.confidence_label) == ("coaching", CLEAR)
    assert (mentoring.path, mentoring.confidence_label) == ("mentoring", CLEAR)


def test_a_strong_single_path_names_three_reasons_on_different_axes() -> None:
    rec = advise(answers(COACHING))
    assert len(rec.reasons) == 3
    assert len({r.axis for r in rec.reasons}) == 3
    assert all(r.side == "coaching" for r in rec.reasons)


def test_tandem_is_both_with_two_reasons_a_side() -> None:
    rec = advise(TANDEM)
    assert rec.path == "both"
    assert [r.side for r in rec.reasons].count("coaching") == 2
    assert [r.side for r in rec.reasons].count("mentoring") == 2


def test_middle_answers_are_not_sure_yet_and_mixed() -> None:
    rec = advise(UNDECIDED)
    assert (rec.path, rec.confidence_label) == ("not_sure", MIXED)


def test_a_director_new_to_the_company_keeps_both_sides() -> None:
    # Career stage and "new here" are asked apart, so a person can say both true things.
    rec = advise(answers(COACHING, new_here="new", topics=["leadership", "company_culture"]))
    assert rec.path == "both"


def test_for_one_path_the_other_sides_needs_are_acknowledged() -> None:
    rec = advise(answers(COACHING, topics=["leadership", "industry_insight"]))
    assert rec.path == "coaching"
    assert [r.answer for r in rec.also] == ["Industry insight"]


def test_a_manager_who_wants_informal_help_hears_no_coaching_reason() -> None:
    chosen = answers(MIDDLE, career_stage="manager", new_here="new", focus="development")
    rec = advise({**chosen, "structure": ("informal",)})
    assert rec.path == "mentoring"
    assert all(r.side == "mentoring" for r in rec.reasons)
    assert not rec.also  # being a manager is not a need the person named


def test_preferences_against_the_path_are_said_and_make_it_less_sure() -> None:
    plain = advise(answers(MIDDLE, challenge="high_stakes", results="within_six"))
    pulled = advise(
        answers(
            MIDDLE,
            challenge="high_stakes",
            results="within_six",
            structure="informal",
            expertise="field_expert",
            relationship="voluntary",
        )
    )
    assert plain.path == pulled.path == "coaching"
    assert plain.confidence_label == FAIRLY_CLEAR or plain.confidence_label == CLEAR
    assert pulled.confidence_label == MIXED
    assert {r.question_id for r in pulled.against} == {"structure", "expertise", "relationship"}


def test_a_mentoring_need_with_a_deadline_is_both() -> None:
    rec = advise(answers(MENTORING, challenge="high_stakes", results="within_three"))
    assert rec.path == "both"


def test_it_is_deterministic() -> None:
    assert len({advise(TANDEM) for _ in range(5)}) == 1


def test_each_need_is_counted_on_its_own_scale() -> None:
    points = needs(CONTENT.questionnaire, TANDEM)
    assert points["coaching"] >= CONTENT.thresholds.need
    assert points["mentoring"] >= CONTENT.thresholds.need


# Properties over every answer set (hypothesis draws them from the shipped questionnaire).

QUESTIONNAIRE = CONTENT.questionnaire


def _answer_sets(keep: object = None) -> st.SearchStrategy[dict[str, tuple[str, ...]]]:
    """Answer sets; `keep(question, option)` limits the options a need question may get."""
    parts = {}
    for question in QUESTIONNAIRE.questions:
        options = [
            o.value
            for o in question.options
            if keep is None or question.weighs != "need" or keep(o)  # type: ignore[operator]
        ]
        if question.kind == "single":
            parts[question.id] = st.sampled_from(options).map(lambda v: (v,))
        else:
            parts[question.id] = st.sets(st.sampled_from(options), min_size=1).map(
                lambda s: tuple(sorted(s))
            )
    return st.fixed_dictionaries(parts)


@settings(max_examples=300, deadline=None)
@given(_answer_sets(keep=lambda o: o.mentoring == 0))
def test_only_coaching_needs_never_yield_mentoring(chosen) -> None:
    assert advise(chosen).path in ("coaching", "not_sure")


@settings(max_examples=300, deadline=None)
@given(_answer_sets(keep=lambda o: o.coaching == 0))
def test_only_mentoring_needs_never_yield_coaching(chosen) -> None:
    assert advise(chosen).path in ("mentoring", "not_sure")


def _with_more(chosen, side, data) -> dict[str, tuple[str, ...]]:
    """The same answers with one need answer changed to one that weighs more on `side`."""
    question = data.draw(
        st.sampled_from([q for q in QUESTIONNAIRE.questions if q.weighs == "need"])
    )
    now = chosen[question.id]
    if question.kind == "multi":
        more = [o.value for o in question.options if o.weight(side) > 0 and o.value not in now]
        if not more:
            return chosen
        return {**chosen, question.id: (*now, data.draw(st.sampled_from(more)))}
    current = question.option(now[0])
    assert current is not None
    stronger = [o.value for o in question.options if o.weight(side) > current.weight(side)]
    if not stronger:
        return chosen
    return {**chosen, question.id: (data.draw(st.sampled_from(stronger)),)}


@settings(max_examples=400, deadline=None)
@given(_answer_sets(), st.sampled_from(["coaching", "mentoring"]), st.data())
def test_adding_a_need_never_removes_the_path_it_points_to(chosen, side, data) -> None:
    before = advise(chosen).path
    after = advise(_with_more(chosen, side, data)).path
    if before in (side, "both"):
        assert after in (side, "both")


@settings(max_examples=300, deadline=None)
@given(_answer_sets(), st.data())
def test_preferences_never_make_or_cancel_a_need(chosen, data) -> None:
    question = data.draw(
        st.sampled_from([q for q in QUESTIONNAIRE.questions if q.weighs == "preference"])
    )
    other = data.draw(st.sampled_from([o.value for o in question.options]))
    assert advise({**chosen, question.id: (other,)}).path == advise(chosen).path


@settings(max_examples=300, deadline=None)
@given(_answer_sets())
def test_every_reason_is_true_and_not_sure_is_always_mixed(chosen) -> None:
    rec = advise(chosen)
    assert_true_to_the_answers(QUESTIONNAIRE, chosen, rec)
    assert rec.confidence_label in (CLEAR, FAIRLY_CLEAR, MIXED)
    if rec.path == "not_sure":
        assert rec.confidence_label == MIXED
    if rec.path == "both":
        assert {r.side for r in rec.reasons} == {"coaching", "mentoring"}
