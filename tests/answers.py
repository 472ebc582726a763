"""Answer sets from the framework in product.md, by question id."""

COACHING = {
    "career_stage": "executive",
    "field": "engineering",
    "new_here": "settled",
    "transition": "no_transition",
    "challenge": "high_stakes",
    "results": "within_three",
    "guidance": "no_guidance",
    "focus": "performance",
    "structure": "formal",
    "expertise": "professional_coach",
    "relationship": "paid_professional",
    "topics": ["leadership", "performance_goals"],
}

MENTORING = {
    "career_stage": "early_career",
    "field": "engineering",
    "new_here": "new",
    "transition": "changing_field",
    "challenge": "no_challenge",
    "results": "nothing_specific",
    "guidance": "long_term",
    "focus": "development",
    "structure": "informal",
    "expertise": "field_expert",
    "relationship": "voluntary",
    "topics": ["career_transition", "industry_insight", "networking"],
}


def for_view(view: dict, answers: dict) -> dict:
    """The answers that belong on this modal screen, keyed by the blocks that ask them."""
    blocks = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    return {f"q_{q}": v for q, v in answers.items() if f"q_{q}" in blocks}
