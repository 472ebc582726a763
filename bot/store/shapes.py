"""The stored form of the records both backends keep alike: answers and recommendations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.questionnaire import Answers
from bot.domain.recommendation import Reason, Recommendation


def answers_doc(answers: Answers) -> dict[str, list[str]]:
    return {question: list(values) for question, values in answers.items()}


def answers_from(doc: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    return {question: tuple(values) for question, values in doc.items()}


def recommendation_doc(rec: Recommendation) -> dict[str, Any]:
    return {
        "path": rec.path,
        "confidence": rec.confidence,
        "confidence_label": rec.confidence_label,
        "coaching": rec.coaching,
        "mentoring": rec.mentoring,
        "reasons": [dict(vars(reason)) for reason in rec.reasons],
    }


def recommendation_from(doc: Mapping[str, Any]) -> Recommendation:
    return Recommendation(
        path=doc["path"],
        confidence=doc["confidence"],
        coaching=doc["coaching"],
        mentoring=doc["mentoring"],
        confidence_label=doc["confidence_label"],
        reasons=tuple(Reason(**reason) for reason in doc["reasons"]),
    )
