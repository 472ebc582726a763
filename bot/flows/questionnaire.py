"""The questionnaire: keeping a draft, and what happens when a person completes it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.matching import Match
from bot.domain.nudges import RESULT_KINDS, plan_after_recommendation
from bot.domain.outbox import Cancel, Effect, Followups, new_effect
from bot.domain.questionnaire import Answers, keep_known
from bot.domain.recommendation import Recommendation, recommend, shows_mentors
from bot.domain.records import Draft, Response
from bot.flows.matching import matches_for


@dataclass(frozen=True)
class Completed:
    """A completed questionnaire: the advice, the mentors shown with it (None: a path
    without mentoring), and what is still to be sent (empty when it was already done)."""

    recommendation: Recommendation
    matches: list[Match] | None
    effects: tuple[Effect, ...] = ()


async def keep_draft(
    deps: Deps,
    user_id: str,
    typed: Mapping[str, Sequence[str] | None],
    step: int,
    channel_id: str | None,
) -> Answers:
    """Save whatever valid answers the person gave, so nothing typed is lost."""
    questionnaire = deps.content.questionnaire
    draft = await deps.store.get_draft(user_id)
    merged = {**(draft.answers if draft else {}), **keep_known(questionnaire, typed)}
    step = min(max(step, 1), len(questionnaire.steps))
    await deps.store.save_draft(Draft(user_id, merged, step, channel_id, deps.clock()))
    return merged


async def complete(
    client: AsyncWebClient | None,
    deps: Deps,
    user_id: str,
    answers: Answers,
    view_id: str | None = None,
    share_in: str | None = None,
) -> Completed:
    """Recommend, rank mentors where the path has mentoring, and store the response with all
    that must follow it in one write: the draft's end, the nudge plan (replacing the one for
    an earlier result), the result's DM, a share in `share_in`, an alert to admins when
    nobody fits.
    `view_id` is the modal it came from (see `submitted_before`)."""
    content, now = deps.content, deps.clock()
    rec = recommend(content.questionnaire, answers, content.thresholds)
    matches = await matches_for(client, deps, user_id, answers) if shows_mentors(rec.path) else None
    effects = [new_effect("result_dm", user_id, now)]
    if share_in:
        effects.append(new_effect("share", user_id, now, channel=share_in))
    if matches == []:
        field = next(iter(answers.get("field", ())), "")
        topics = ",".join(answers.get("topics", ()))
        effects.append(new_effect("gap_alert", user_id, now, field=field, topics=topics))
    then = Followups(
        # A retake replaces the nudges about the earlier result.
        cancel=(Cancel(user_id, kinds=frozenset(RESULT_KINDS)),),
        drafts_ended=(user_id,),
        nudges=tuple(
            plan_after_recommendation(user_id, "", bool(matches), now, content.nudges.cadence)
        ),
        effects=tuple(effects),
    )
    response = Response(user_id, answers, rec, content.version, now)
    # Nudges and effects written with a response are about it: the store gives them its id.
    await deps.store.add_response(response, view_id=view_id, then=then)
    return Completed(rec, matches, then.effects)


async def submitted_before(
    client: AsyncWebClient | None, deps: Deps, user_id: str, view_id: str | None
) -> Completed | None:
    """The same last screen sent twice (a double click, a retry): shown again, changing
    nothing. What followed the first is in the outbox, delivered even after a crash."""
    done = await deps.store.response_for_view(user_id, view_id)
    if done is None:
        return None
    rec = done.recommendation
    matches = (
        await matches_for(client, deps, user_id, done.answers) if shows_mentors(rec.path) else None
    )
    return Completed(rec, matches)
