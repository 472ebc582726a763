"""The questionnaire: keeping a draft, and what happens when a person completes it."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.matching import Match
from bot.domain.nudges import RESULT_KINDS, plan_after_recommendation
from bot.domain.outbox import Cancel, Effect, Followups, new_effect
from bot.domain.questionnaire import Answers, keep_known
from bot.domain.recommendation import Recommendation, recommend, shows_mentors
from bot.domain.records import Draft, Response
from bot.flows.matching import matches_for
from bot.flows.slack import slack_error
from bot.screens.result import result_view

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Completed:
    """A completed questionnaire: the advice, and what is still to be sent (empty when it
    was already done). Where the path has mentoring, the mentors who fit are ranked after
    the ack: the result's effect shows them in the modal, then sends the DM."""

    recommendation: Recommendation
    answers: Answers
    effects: tuple[Effect, ...] = ()

    @property
    def finding(self) -> bool:
        """Whether the result shown at once still waits for its mentors."""
        return shows_mentors(self.recommendation.path)


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
    deps: Deps,
    user_id: str,
    answers: Answers,
    view_id: str | None = None,
    share_in: str | None = None,
) -> Completed:
    """Recommend, and store the response with all that must follow it in one write: the
    draft's end, the nudge plan (replacing the one for an earlier result), the result (the
    mentors who fit, shown in the modal `view_id`, then the DM; an alert to admins when
    nobody fits), and a share in `share_in`. Only the recommendation comes before the ack:
    ranking mentors follows it (`bot/flows/outbox.py`, "result_dm").
    `view_id` is the modal it came from (see `submitted_before`)."""
    content, now = deps.content, deps.clock()
    rec = recommend(content.questionnaire, answers, content.thresholds)
    mentors = shows_mentors(rec.path)
    shown_in = {"view_id": view_id} if view_id and mentors else {}
    effects = [new_effect("result_dm", user_id, now, **shown_in)]
    if share_in:
        effects.append(new_effect("share", user_id, now, channel=share_in))
    then = Followups(
        # A retake replaces the nudges about the earlier result. The reach-out is planned
        # wherever mentors may fit; it is skipped when it is due if none does.
        cancel=(Cancel(user_id, kinds=frozenset(RESULT_KINDS)),),
        drafts_ended=(user_id,),
        nudges=tuple(plan_after_recommendation(user_id, "", mentors, now, content.nudges.cadence)),
        effects=tuple(effects),
    )
    response = Response(user_id, answers, rec, content.version, now)
    # Nudges and effects written with a response are about it: the store gives them its id.
    await deps.store.add_response(response, view_id=view_id, then=then)
    return Completed(rec, answers, then.effects)


async def show_matches(
    client: AsyncWebClient,
    deps: Deps,
    user_id: str,
    done: Completed | Response,
    view_id: str,
    matches: list[Match] | None = None,
) -> None:
    """Fill the mentors who fit into the result modal `view_id` (ranked now unless given).
    The modal may be closed by then: that is no fault, as the DM carries them too."""
    if matches is None:
        matches = await matches_for(client, deps, user_id, done.answers)
    view = result_view(
        deps.content, done.recommendation, matches, deps.settings.match_channel is not None
    )
    try:
        await client.views_update(view_id=view_id, view=view)
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        shown = slack_error(error) if isinstance(error, SlackApiError) else type(error).__name__
        log.info("result modal %s not updated with its mentors: %s", view_id, shown)


async def submitted_before(deps: Deps, user_id: str, view_id: str | None) -> Completed | None:
    """The same last screen sent twice (a double click, a retry): shown again, changing
    nothing. What followed the first is in the outbox, delivered even after a crash."""
    done = await deps.store.response_for_view(user_id, view_id)
    return None if done is None else Completed(done.recommendation, done.answers)
