"""Answer sets from the framework in product.md, by question id."""

COACHING = {
    "career_stage": "executive",
    "field": "engineering",
    "transition": "stepping_up",
    "challenge": "high_stakes",
    "focus": "performance",
    "goals": "measurable",
    "timeframe": "three_months",
    "structure": "formal",
    "expertise": "professional_coach",
    "relationship": "paid_professional",
    "topics": ["leadership", "performance_goals"],
}

MENTORING = {
    "career_stage": "new_hire",
    "field": "engineering",
    "transition": "changing_field",
    "challenge": "no_challenge",
    "focus": "development",
    "goals": "long_term",
    "timeframe": "open_ended",
    "structure": "informal",
    "expertise": "field_expert",
    "relationship": "voluntary",
    "topics": ["career_transition", "industry_insight", "networking"],
}


def for_view(view: dict, answers: dict) -> dict:
    """The answers that belong on this modal screen, keyed by the blocks that ask them."""
    blocks = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    return {f"q_{q}": v for q, v in answers.items() if f"q_{q}" in blocks}
