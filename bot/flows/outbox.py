"""Delivering what must follow a stored action (bot/domain/outbox.py says what is guaranteed).

`deliver` runs right after the ack, in the listener that stored the action. `recover` runs
at start, before any request is taken, and in every background round: it delivers what a
crash or a fault left behind, and what waited for its moment (`not_before`). Each effect
is claimed in the store before it is made, so two deliverers (a round and a listener, or
two instances) never make it twice.

Only Slack's "gone" answers (bot/flows/slack.py GONE) mean a person cannot be reached. A
passing fault (a dropped connection, a timeout, a 5xx, a 429 that outlasted the client's own
retries) puts the effect back to wait, longer after each try, up to MAX_ATTEMPTS; nobody is
told it failed. Any other refusal gives the effect up, with a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.intros import Intro, free_in_field
from bot.domain.outbox import (
    MAX_ATTEMPTS,
    WITHDRAWN,
    Cancel,
    Effect,
    Followups,
    at_least_once,
    due,
    new_effect,
)
from bot.domain.recommendation import shows_mentors
from bot.domain.records import Response
from bot.flows.matching import matches_for, next_matches
from bot.flows.questionnaire import show_matches
from bot.flows.slack import (
    GONE,
    is_transient,
    post_or_refusal,
    send_dm,
    slack_error,
    update_message,
)
from bot.screens.blocks import when
from bot.screens.intros import (
    accepted_for_mentee,
    answered_message,
    claimed_post,
    declined_for_mentee,
    gap_message,
    mentor_request_message,
    open_request_post,
)
from bot.screens.privacy import withdrawn_message
from bot.screens.result import result_message, share_failed_message, share_message

log = logging.getLogger(__name__)
Maker = Callable[["Delivery", Effect], Awaitable[None]]
_MAKERS: dict[str, Maker] = {}


def makes(kind: str) -> Callable[[Maker], Maker]:
    def register(make: Maker) -> Maker:
        _MAKERS[kind] = make
        return make

    return register


_GIVING_UP: dict[str, Maker] = {}


def on_giving_up(kind: str) -> Callable[[Maker], Maker]:
    """What to do when an effect of `kind` is given up after its last attempt (undo a
    reservation that waited for it, say); a kind without one just goes."""

    def register(undo: Maker) -> Maker:
        _GIVING_UP[kind] = undo
        return undo

    return register


async def _give_up(delivery: Delivery, effect: Effect) -> None:
    undo = _GIVING_UP.get(effect.kind)
    try:
        if undo is not None:
            await undo(delivery, effect)
    finally:
        await delivery.deps.store.finish_effect(effect.id)


class Delivery:
    """What making an effect needs: the app's parts."""

    def __init__(self, deps: Deps, client: AsyncWebClient) -> None:
        self.deps, self.client = deps, client


async def deliver(deps: Deps, client: AsyncWebClient, effects: Iterable[Effect]) -> None:
    """Make each effect that nobody else has claimed. A fault in one is logged and the rest
    go on; a later round makes it (after a backoff for a passing fault, once the claim is
    stale for anything else): the person need not try again, so nobody is asked to."""
    delivery = Delivery(deps, client)
    for effect in effects:
        await _claim_and_make(delivery, effect)


async def recover(deps: Deps, client: AsyncWebClient, stale_before: datetime) -> int:
    """Deliver what was left: effects never claimed, and those claimed before `stale_before`
    whose deliverer died (made again if at least once, else dropped). How many were made."""
    store, made = deps.store, 0
    delivery = Delivery(deps, client)
    for effect in await store.unfinished_effects():
        stale = effect.claimed_at is not None and effect.claimed_at < stale_before
        if effect.state == "running" and not stale:
            continue  # another deliverer is at it
        if effect.state == "running" and not at_least_once(effect):
            log.warning("effect %s (%s) was cut off by a crash; dropped", effect.id, effect.kind)
            await store.finish_effect(effect.id)
            continue
        if effect.attempts >= MAX_ATTEMPTS:
            log.warning(
                "effect %s (%s) failed %d times; given up", effect.id, effect.kind, effect.attempts
            )
            await _give_up(delivery, effect)
            continue
        made += await _claim_and_make(delivery, effect, stale_before)
    return made


async def _claim_and_make(
    delivery: Delivery, effect: Effect, stale_before: datetime | None = None
) -> bool:
    """Claim the effect and make it; whether it was made here. Claimed elsewhere: skipped
    (made, or being made). A passing fault (a dropped connection, a 5xx, a 429) puts it back
    to wait with backoff; a refusal from Slack gives it up with a warning; anything else is
    logged and the effect stays claimed, as after a crash."""
    store, now = delivery.deps.store, delivery.deps.clock()
    if not due(effect, now):
        return False  # it waits: a later round makes it
    claimed = await store.claim_effect(effect.id, now, stale_before)
    if claimed is None:
        return False
    make = _MAKERS.get(claimed.kind)
    try:
        if make is None:
            log.warning("effect %s has an unknown kind %r; dropped", claimed.id, claimed.kind)
        else:
            await make(delivery, claimed)
    except SlackApiError as error:
        if not is_transient(error):
            log.warning(
                "effect %s (%s) refused by Slack (%s); given up",
                *(claimed.id, claimed.kind, slack_error(error)),
            )
            await store.finish_effect(claimed.id)
            return False
        await _back_off(delivery, claimed, slack_error(error))
        return False
    except (aiohttp.ClientError, TimeoutError) as error:
        await _back_off(delivery, claimed, type(error).__name__)
        return False
    except Exception:
        log.exception("effect %s (%s) failed; it is tried again later", claimed.id, claimed.kind)
        return False
    await store.finish_effect(claimed.id)
    return True


BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MOST = timedelta(hours=1)


async def _back_off(delivery: Delivery, effect: Effect, fault: str) -> None:
    """A passing fault: the effect waits a little longer after each try, then is given up."""
    store, now = delivery.deps.store, delivery.deps.clock()
    if effect.attempts >= MAX_ATTEMPTS:
        log.warning(
            "effect %s (%s) failed %d times (%s); given up",
            *(effect.id, effect.kind, effect.attempts, fault),
        )
        await _give_up(delivery, effect)
        return
    wait = min(BACKOFF_FIRST * 2 ** (effect.attempts - 1), BACKOFF_MOST)
    log.warning("effect %s (%s) met %s; tried again in %s", effect.id, effect.kind, fault, wait)
    await store.release_effect(effect.id, now + wait)


async def _response(deps: Deps, user_id: str, response_id: str) -> Response | None:
    return next((r for r in await deps.store.responses(user_id) if r.id == response_id), None)


# After a questionnaire.


@makes("result_dm")
async def _result_dm(d: Delivery, effect: Effect) -> None:
    """The result, after the ack: the mentors who fit fill the modal it was shown in (when
    it waits for them), then the DM; when nobody fits, the admins hear of the gap."""
    response = await _response(d.deps, effect.user_id, effect.data["response_id"])
    if response is None:
        return  # erased meanwhile
    matches = (
        await matches_for(d.client, d.deps, effect.user_id, response.answers)
        if shows_mentors(response.recommendation.path)
        else None
    )
    view_id = effect.data.get("view_id")
    if view_id and matches is not None:
        await show_matches(d.client, d.deps, effect.user_id, response, view_id, matches)
    open_request = d.deps.settings.match_channel is not None
    message = result_message(
        d.deps.content, response.recommendation, response.created_at, matches, open_request
    )
    await send_dm(d.client, effect.user_id, message)
    if matches == []:
        # At most once, as a gap alert effect is: the store lets one a day through per field.
        field = next(iter(response.answers.get("field", ())), None)
        await alert_gap(d.deps, d.client, field, list(response.answers.get("topics", ())))


@makes("share")
async def _share(d: Delivery, effect: Effect) -> None:
    response = await _response(d.deps, effect.user_id, effect.data["response_id"])
    if response is None:
        return
    channel = effect.data["channel"]
    try:
        posted = await d.client.chat_postMessage(
            channel=channel, **share_message(effect.user_id, response.recommendation)
        )
    except SlackApiError as error:
        if is_transient(error):
            raise  # not refused: tried again later, and the person is not told it failed
        log.warning("share in %s failed: %s", channel, slack_error(error))
        await send_dm(d.client, effect.user_id, share_failed_message(channel))
        return
    # Where it is, so erasing their data withdraws it (bot/store/shapes.py `withdrawals`).
    if posted.get("ts"):
        person = await d.deps.store.person(effect.user_id)
        where = {"channel": channel, "ts": str(posted["ts"])}
        await d.deps.store.set_person(effect.user_id, shared=[*person.get("shared", []), where])


GAP_QUIET = timedelta(days=1)


@makes("gap_alert")
async def _gap_alert(d: Delivery, effect: Effect) -> None:
    """Written by results stored before the result's own effect raised the alert."""
    topics = [t for t in effect.data.get("topics", "").split(",") if t]
    await alert_gap(d.deps, d.client, effect.data.get("field") or None, topics)


async def alert_gap(
    deps: Deps, client: AsyncWebClient, field: str | None, topics: list[str]
) -> None:
    """Nobody fits: admins hear which field is short, at most once a day per field."""
    labels = deps.content.labels
    shown_topics = [labels.get(t, t).lower() for t in topics]
    if not await deps.store.record_gap(field, shown_topics, deps.clock(), GAP_QUIET):
        return
    in_field = free_in_field(await deps.store.mentors(), await deps.store.mentees_now(), field)
    message = gap_message(labels.get(field, field) if field else None, shown_topics, in_field)
    for admin in sorted(deps.settings.admins):
        await send_dm(client, admin, message)


# After an intro request, its answer, or a claimed open request.


async def request_message(deps: Deps, intro: Intro) -> dict[str, Any]:
    """The mentor's request as it stands: who asks, what they chose to share, until when."""
    latest = await deps.store.latest_response(intro.mentee_id)
    return mentor_request_message(
        deps.content,
        intro,
        latest.recommendation if latest else None,
        dict(latest.answers) if latest else {},
        when(intro.expires_at, deps.clock()),
    )


@makes("intro_request")
async def _intro_request(d: Delivery, effect: Effect) -> None:
    """The request in the mentor's DM; if it cannot reach them, it lapses at once."""
    deps = d.deps
    intro = await deps.store.get_intro(effect.data["intro_id"])
    if intro is None or intro.state != "pending":
        return
    now = deps.clock()
    message = await request_message(deps, intro)
    landed = await post_or_refusal(d.client, [intro.mentor_id], message)
    if not isinstance(landed, str):
        await deps.store.mark_intro(intro.id, mentor_message=landed)
        return
    if landed not in GONE:
        # Refused for another reason (our fault, not theirs): given up; the request lapses
        # in its time, as if unanswered, and nobody is told the mentor is gone.
        log.warning("intro %s: the mentor's request was refused (%s); given up", intro.id, landed)
        return
    # The mentor cannot be reached (left, deactivated): do not leave the mentee waiting.
    mentor = await deps.store.get_mentor(intro.mentor_id)
    told = new_effect(
        "mentee_declined",
        intro.mentee_id,
        now,
        mentor_name=mentor.name if mentor else f"<@{intro.mentor_id}>",
        why="expired",
    )
    then = Followups(cancel=(Cancel(intro.mentor_id, subject=intro.id),), effects=(told,))
    if await deps.store.move_intro(intro.id, "pending", "expired", now, then=then):
        await deliver(deps, d.client, [told])


@makes("mentor_copies")
async def _mentor_copies(d: Delivery, effect: Effect) -> None:
    """Swap the buttons in the mentor's request, and a reminder they clicked, for the outcome."""
    intro = await d.deps.store.get_intro(effect.data["intro_id"])
    if intro is None:
        return
    places = [intro.mentor_message] if intro.mentor_message.get("ts") else []
    pressed = {"channel": effect.data.get("channel", ""), "ts": effect.data.get("ts", "")}
    if pressed["ts"] and pressed not in places:
        places.append(pressed)
    for place in places:
        await update_message(d.client, place, answered_message(intro, effect.data["outcome"]))


@makes("mentee_accepted")
async def _mentee_accepted(d: Delivery, effect: Effect) -> None:
    mentor = await d.deps.store.get_mentor(effect.data["mentor_id"])
    if mentor is not None:
        await send_dm(d.client, effect.user_id, accepted_for_mentee(mentor))


@makes("mentee_declined")
async def _mentee_declined(d: Delivery, effect: Effect) -> None:
    matches = await next_matches(d.client, d.deps, effect.user_id)
    message = declined_for_mentee(effect.data["mentor_name"], matches, effect.data["why"])
    await send_dm(d.client, effect.user_id, message)


@makes("open_request_post")
async def _open_request_post(d: Delivery, effect: Effect) -> None:
    """The reserved open request in the match channel, where it landed recorded once; then
    the mentee hears it is up. Refused by Slack: the reservation goes and they are told."""
    deps, mentee_id = d.deps, effect.user_id
    request = await deps.store.get_open_request(effect.data["request_id"])
    if request is None:
        return  # erased meanwhile
    channel = str(request["channel"])
    if not request.get("ts"):
        latest = await deps.store.latest_response(mentee_id)
        answers = latest.answers if latest else {}
        labels = deps.content.labels
        field = next(iter(answers.get("field", ())), None)
        topics = [labels.get(t, t).lower() for t in answers.get("topics", ())]
        post = open_request_post(
            request["id"], mentee_id, labels.get(field, field) if field else None, topics
        )
        try:
            posted = await d.client.chat_postMessage(channel=channel, **post)
        except SlackApiError as error:
            if is_transient(error):
                raise
            log.warning("open request in %s failed: %s", channel, slack_error(error))
            await deps.store.place_open_request(request["id"], None)
            text = f"I could not post in <#{channel}>. Please tell your program admins."
            await send_dm(d.client, mentee_id, {"text": text})
            return
        await deps.store.place_open_request(request["id"], str(posted.get("ts")))
    text = f"Your open request is up in <#{channel}>. I will tell you when a mentor picks it up."
    await send_dm(d.client, mentee_id, {"text": text})


@on_giving_up("open_request_post")
async def _open_request_not_posted(d: Delivery, effect: Effect) -> None:
    """Slack kept failing: the reservation goes, so the mentee can post it again."""
    request = await d.deps.store.get_open_request(effect.data["request_id"])
    if request is None or request.get("ts"):
        return
    await d.deps.store.place_open_request(request["id"], None)
    text = "I could not post your open request just now: please try again later."
    await send_dm(d.client, effect.user_id, {"text": text})


@makes("request_taken")
async def _request_taken(d: Delivery, effect: Effect) -> None:
    place = {"channel": effect.data["channel"], "ts": effect.data["ts"]}
    await update_message(d.client, place, claimed_post(effect.user_id, effect.data["mentor_id"]))


@makes(WITHDRAWN)
async def _withdrawn(d: Delivery, effect: Effect) -> None:
    """A message that quoted someone now erased (bot/store/shapes.py `withdrawals`)."""
    channel, ts = effect.data["channel"], effect.data["ts"]
    try:
        await d.client.chat_update(channel=channel, ts=ts, **withdrawn_message())
    except SlackApiError as error:  # deleted by hand, or the channel is gone: nothing to hide
        log.info("withdrawing a message in %s failed: %s", channel, error.response.get("error"))
