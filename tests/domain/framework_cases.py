"""People whose path the framework in product.md decides, written from the framework alone.

Each row is a person answering as they honestly would: where nothing in their situation
says otherwise they give the middle answer ("Both, about equally", "Either would work", "No
preference"). `statement` quotes the framework (or the issue that spelled it out) for the
sentence that decides the row.
"""

from __future__ import annotations

from dataclasses import dataclass

# What an experienced person with no pressing need and no preference answers.
MIDDLE: dict[str, str | list[str]] = {
    "career_stage": "experienced",
    "field": "engineering",
    "new_here": "settled",
    "transition": "no_transition",
    "challenge": "no_challenge",
    "results": "nothing_specific",
    "guidance": "no_guidance",
    "focus": "both_focus",
    "topics": ["communication"],
    "structure": "no_structure_preference",
    "expertise": "either_expertise",
    "relationship": "no_relationship_preference",
}

COACHING_WAY = {
    "structure": "formal",
    "expertise": "professional_coach",
    "relationship": "paid_professional",
}
MENTORING_WAY = {"structure": "informal", "expertise": "field_expert", "relationship": "voluntary"}

# The framework's sentences, quoted.
LEADERSHIP = "points to coaching: developing leadership skills"
HIGH_STAKES = "points to coaching: a high-stakes challenge"
TIMEFRAME = "points to coaching: improving performance in a defined timeframe"
EXECUTIVES = "points to coaching: executives and high-potential employees"
NEW = "points to mentoring: new employees"
EARLY = "points to mentoring: early-career people"
TRANSITION = "points to mentoring: career transitions"
INSIGHT = "points to mentoring: wanting industry insight"
CULTURE = "points to mentoring: understanding company culture"
CONFIDENCE = "points to mentoring: building confidence and a network"
LONG_VIEW = "Goals axis: mentoring is long-term growth, career direction; mentor has your field"
BOTH = "a coaching need and a mentoring need: the answer is both"
PREFERENCES = "preferences shape confidence and wording; they never cancel a need (issue 11)"
NEITHER = "when neither need is clear the answer is not sure yet"


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    statement: str
    changes: dict

    @property
    def answers(self) -> dict[str, tuple[str, ...]]:
        merged = {**MIDDLE, **self.changes}
        return {k: (v,) if isinstance(v, str) else tuple(v) for k, v in merged.items()}


def case(name: str, path: str, statement: str, **changes: str | list[str]) -> Case:
    return Case(name, path, statement, changes)


CASES: list[Case] = [
    # Coaching: a coaching need and no mentoring need.
    case(
        "executive, high stakes, three months, the coaching way",
        "coaching",
        EXECUTIVES,
        career_stage="executive",
        challenge="high_stakes",
        results="within_three",
        focus="performance",
        topics=["leadership", "performance_goals"],
        **COACHING_WAY,
    ),
    case(
        "manager building leadership, performance focus",
        "coaching",
        LEADERSHIP,
        career_stage="manager",
        challenge="building_leadership",
        focus="performance",
        topics=["leadership"],
    ),
    case(
        "individual contributor with a measurable result in three months",
        "coaching",
        TIMEFRAME,
        focus="performance",
        results="within_three",
        topics=["performance_goals"],
    ),
    case(
        "executive with a high-stakes challenge, middle answers elsewhere",
        "coaching",
        HIGH_STAKES,
        career_stage="executive",
        challenge="high_stakes",
    ),
    case(
        "manager, high stakes in six months, prefers the mentoring way",
        "coaching",
        PREFERENCES,
        career_stage="manager",
        challenge="high_stakes",
        results="within_six",
        **MENTORING_WAY,
    ),
    case(
        "executive building leadership",
        "coaching",
        EXECUTIVES,
        career_stage="executive",
        challenge="building_leadership",
        topics=["leadership", "communication"],
    ),
    case(
        "individual contributor with a high-stakes deadline, performance focus",
        "coaching",
        HIGH_STAKES,
        challenge="high_stakes",
        focus="performance",
    ),
    case(
        "director with a measurable result in three months",
        "coaching",
        TIMEFRAME,
        career_stage="executive",
        results="within_three",
        focus="performance",
    ),
    case(
        "manager building leadership with a result in six months",
        "coaching",
        LEADERSHIP,
        career_stage="manager",
        challenge="building_leadership",
        results="within_six",
        topics=["leadership", "communication"],
    ),
    case(
        "performance goal in six months, wants the coaching way",
        "coaching",
        TIMEFRAME,
        focus="performance",
        results="within_six",
        topics=["performance_goals"],
        **COACHING_WAY,
    ),
    # Mentoring: a mentoring need and no coaching need.
    case(
        "new hire early in career, changing field, the mentoring way",
        "mentoring",
        NEW,
        career_stage="early_career",
        new_here="new",
        transition="changing_field",
        focus="development",
        guidance="long_term",
        topics=["career_transition", "industry_insight", "networking"],
        **MENTORING_WAY,
    ),
    case(
        "early career, wants long-term guidance",
        "mentoring",
        EARLY,
        career_stage="early_career",
        focus="development",
        guidance="long_term",
    ),
    case(
        "changing field, wants industry insight",
        "mentoring",
        TRANSITION,
        transition="changing_field",
        topics=["industry_insight", "career_transition"],
    ),
    case(
        "new to the company, wants to understand the culture",
        "mentoring",
        CULTURE,
        new_here="new",
        topics=["company_culture"],
    ),
    case(
        "early career, wants confidence and a network",
        "mentoring",
        CONFIDENCE,
        career_stage="early_career",
        topics=["confidence", "networking"],
    ),
    case(
        "experienced, long-term direction from someone in the field",
        "mentoring",
        LONG_VIEW,
        guidance="long_term",
        focus="development",
        topics=["industry_insight"],
    ),
    case(
        "manager new to the company who wants informal help",
        "mentoring",
        NEW,
        career_stage="manager",
        new_here="new",
        focus="development",
        structure="informal",
    ),
    case(
        "early career changing field, prefers the coaching way",
        "mentoring",
        PREFERENCES,
        career_stage="early_career",
        transition="changing_field",
        **COACHING_WAY,
    ),
    case(
        "experienced, wants industry insight and a network",
        "mentoring",
        INSIGHT,
        focus="development",
        topics=["industry_insight", "networking"],
    ),
    case(
        "new and early in career",
        "mentoring",
        EARLY,
        career_stage="early_career",
        new_here="new",
    ),
    # Both: a coaching need and a mentoring need.
    case(
        "director new to the company with a high-stakes challenge",
        "both",
        BOTH,
        career_stage="executive",
        new_here="new",
        challenge="high_stakes",
        topics=["company_culture"],
    ),
    case(
        "manager building leadership while changing field",
        "both",
        BOTH,
        career_stage="manager",
        challenge="building_leadership",
        transition="changing_field",
        topics=["leadership", "industry_insight"],
    ),
    case(
        "executive, high stakes in three months, wants long-term guidance",
        "both",
        BOTH,
        career_stage="executive",
        challenge="high_stakes",
        results="within_three",
        guidance="long_term",
    ),
    case(
        "measurable result in three months, wants insight and culture",
        "both",
        BOTH,
        focus="performance",
        results="within_three",
        topics=["industry_insight", "company_culture"],
    ),
    case(
        "manager stepping up who wants to build leadership",
        "both",
        BOTH,
        career_stage="manager",
        transition="stepping_up",
        challenge="building_leadership",
        topics=["leadership", "career_transition"],
    ),
    case(
        "early career with a high-stakes challenge",
        "both",
        BOTH,
        career_stage="early_career",
        challenge="high_stakes",
        results="within_six",
        guidance="now_and_then",
    ),
    case(
        "new here with a measurable result to reach in three months",
        "both",
        BOTH,
        new_here="new",
        results="within_three",
        focus="performance",
        topics=["company_culture", "performance_goals"],
    ),
    case(
        "both matter equally: a high-stakes challenge and long-term guidance",
        "both",
        BOTH,
        challenge="high_stakes",
        guidance="long_term",
    ),
    case(
        "executive building leadership who wants a network and insight",
        "both",
        BOTH,
        career_stage="executive",
        challenge="building_leadership",
        topics=["networking", "industry_insight"],
    ),
    case(
        "middle answers, but a high-stakes challenge while changing field",
        "both",
        BOTH,
        challenge="high_stakes",
        transition="changing_field",
        results="within_six",
        guidance="now_and_then",
    ),
    case(
        "manager with a result in six months, new here, the mentoring way",
        "both",
        BOTH,
        career_stage="manager",
        results="within_six",
        topics=["performance_goals", "company_culture"],
        new_here="new",
        **MENTORING_WAY,
    ),
    case(
        "executive with high stakes who wants culture and advice now and then",
        "both",
        BOTH,
        career_stage="executive",
        challenge="high_stakes",
        guidance="now_and_then",
        topics=["company_culture", "leadership"],
    ),
    case(
        "in tandem: leadership, a result in three months, a transition, the mentoring way",
        "both",
        BOTH,
        career_stage="manager",
        transition="stepping_up",
        challenge="building_leadership",
        results="within_three",
        topics=["leadership", "career_transition", "networking"],
        **MENTORING_WAY,
    ),
    case(
        "executive changing field with high stakes, the coaching way",
        "both",
        PREFERENCES,
        career_stage="executive",
        challenge="high_stakes",
        transition="changing_field",
        topics=["industry_insight"],
        **COACHING_WAY,
    ),
    # Not sure yet: neither need is clear.
    case("middle answers everywhere", "not_sure", NEITHER),
    case(
        "no need, only the mentoring way of working",
        "not_sure",
        PREFERENCES,
        **MENTORING_WAY,
    ),
    case(
        "no need, only the coaching way of working",
        "not_sure",
        PREFERENCES,
        **COACHING_WAY,
    ),
    case(
        "manager with advice now and then, nothing pressing",
        "not_sure",
        NEITHER,
        career_stage="manager",
        guidance="now_and_then",
    ),
    case(
        "a little of each: performance focus and one topic of insight",
        "not_sure",
        NEITHER,
        focus="performance",
        topics=["industry_insight"],
    ),
    case(
        "contradictory ways of working, no need",
        "not_sure",
        NEITHER,
        structure="formal",
        expertise="field_expert",
        relationship="voluntary",
    ),
    case(
        "something to improve, but no deadline",
        "not_sure",
        NEITHER,
        results="no_deadline",
        topics=["communication", "confidence"],
    ),
    case(
        "advice now and then and a performance focus, nothing pressing",
        "not_sure",
        NEITHER,
        guidance="now_and_then",
        focus="performance",
    ),
]
