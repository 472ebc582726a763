"""What devpath keeps of a questionnaire: the draft in progress and the answers given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.questionnaire import Answers
from bot.domain.recommendation import Recommendation


@dataclass(frozen=True)
class Draft:
    user_id: str
    answers: Answers
    step: int
    channel_id: str | None
    updated_at: datetime


@dataclass(frozen=True)
class Response:
    user_id: str
    answers: Answers
    recommendation: Recommendation
    content_version: str
    created_at: datetime
    id: str = ""  # given by the store
