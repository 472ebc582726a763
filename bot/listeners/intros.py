"""Matches and intros: Request intro, the mentor's Accept or Decline, open requests."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.intros import Intro, excluded_mentors, why_not_request
from bot.domain.matching import Match, rank_mentors
from bot.domain.nudges import plan_after_intro_accepted, plan_after_intro_requested
from bot.domain.pool import clean_text
from bot.domain.questionnaire import Answers
from bot.listeners.common import Reply, clicked, post_to_group, send_dm, trigger_of, user_info
from bot.screens.blocks import escape, when
from bot.screens.intros import (
    ACCEPT_ACTION,
    CLAIM_ACTION,
    DECLINE_ACTION,
    NOTE_MOST,
    OPEN_REQUEST_ACTION,
    REQUEST_ACTION,
    REQUEST_CALLBACK,
    accepted_for_mentee,
    answered_message,
    claimed_post,
    declined_for_mentee,
    gap_message,
    kickoff_message,
    mentor_request_message,
    notice_view,
    open_request_post,
    read_request,
    request_view,
)

log = logging.getLogger(__name__)
TIMEZONE_LOOKUP_SECONDS = 1.0  # the result must still be acknowledged inside Slack's 3 s
GAP_QUIET = timedelta(days=1)


async def matches_for(
    client: AsyncWebClient,
    deps: Deps,
    user_id: str,
    answers: Answers,
    count: int | None = None,
    person: dict[str, Any] | None = None,
) -> list[Match]:
    """The mentors who fit this person now. Their timezone comes from `person` (Slack's
    users.info) or, without it, from Slack when it answers quickly; failing both, timezone
    distance simply does not count."""
    if person is None:
        try:
            person = await asyncio.wait_for(user_info(client, user_id), TIMEZONE_LOOKUP_SECONDS)
        except TimeoutError:
            person = None
    timezone = person.get("tz") if person else None
    # Indexed reads: this person's intros and the counts, never every intro there is.
    mine = await deps.store.intros_of(user_id)
    content = deps.content
    return rank_mentors(
        content.matching.mentee(user_id, answers, timezone),
        await deps.store.mentors(),
        await deps.store.mentees_now(),
        excluded_mentors(user_id, mine),
        content.matching,
        content.labels,
        deps.clock(),
        count,
    )


async def _is_full(deps: Deps, mentor_id: str, capacity: int) -> bool:
    return (await deps.store.mentees_now()).get(mentor_id, 0) >= capacity


async def my_intros(deps: Deps, user_id: str) -> list[tuple[Intro, str]]:
    """This person's requests as a mentee, newest first, each with its mentor as shown:
    the name from the pool (escaped: a name is text someone typed), else a mention."""
    names = {m.user_id: escape(m.name) for m in await deps.store.mentors()}
    asked = [i for i in await deps.store.intros_of(user_id) if i.mentee_id == user_id]
    asked.sort(key=lambda i: i.requested_at, reverse=True)
    return [(i, names.get(i.mentor_id, f"<@{i.mentor_id}>")) for i in asked]


async def tell_admins_about_gap(client: AsyncWebClient, deps: Deps, answers: Answers) -> None:
    """Nobody fits: admins hear which field is short, at most once a day per field."""
    labels = deps.content.labels
    field = next(iter(answers.get("field", ())), None)
    topics = [labels.get(t, t).lower() for t in answers.get("topics", ())]
    due = await deps.store.record_gap(field, topics, deps.clock(), GAP_QUIET)
    if not due:
        return
    mentors = await deps.store.mentors()
    counts = await deps.store.mentees_now()
    in_field = sum(
        1
        for m in mentors
        if m.active and field in m.fields and m.capacity > counts.get(m.user_id, 0)
    )
    message = gap_message(labels.get(field, field) if field else None, topics, in_field)
    for admin in sorted(deps.settings.admins):
        await send_dm(client, admin, message)


def register(app: AsyncApp, deps: Deps) -> None:
    content = deps.content
    rules = content.matching
    cadence = content.nudges.cadence

    async def show(client: AsyncWebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
        """On top of the modal the button is in, or as a new modal from a message or Home."""
        where = body.get("view") or {}
        if where.get("type") == "modal":
            await client.views_push(trigger_id=trigger_of(body), view=view)
        else:
            await client.views_open(trigger_id=trigger_of(body), view=view)

    async def next_matches(client: AsyncWebClient, mentee_id: str) -> list[Match]:
        latest = await deps.store.latest_response(mentee_id)
        return await matches_for(client, deps, mentee_id, latest.answers) if latest else []

    @app.action(REQUEST_ACTION)
    async def ask_for_intro(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        mentee_id = body["user"]["id"]
        mentor_id = clicked(body)
        mentor = await deps.store.get_mentor(mentor_id)
        why = why_not_request(mentee_id, mentor_id, await deps.store.intros_of(mentee_id))
        if mentor is None or not mentor.active:
            why = "That mentor is not taking requests any more. Your other matches still are."
        if why:
            await show(client, body, notice_view("Request an intro", why))
            return
        match = next(
            (m for m in await next_matches(client, mentee_id) if m.mentor.user_id == mentor_id),
            None,
        )
        reason = match.reason if match else ""
        await show(client, body, request_view(mentor, reason))

    @app.view_submission(REQUEST_CALLBACK)
    async def send_request(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        mentee_id = body["user"]["id"]
        mentor_id, shares, note = read_request(view)
        note = clean_text(note)
        if len(note) > NOTE_MOST:
            await ack(
                response_action="errors",
                errors={"note": f"Please keep it to {NOTE_MOST} characters."},
            )
            return
        mentor = await deps.store.get_mentor(mentor_id) if mentor_id else None
        why = why_not_request(mentee_id, mentor_id or "", await deps.store.intros_of(mentee_id))
        if mentor is None or not mentor.active:
            why = "That mentor is not taking requests any more. Your other matches still are."
        elif (
            why is None
            and (await deps.store.mentees_now()).get(mentor.user_id, 0) >= mentor.capacity
        ):
            why = f"{mentor.name} has no free place right now. Try one of your other matches."
        now = deps.clock()
        intro = Intro(
            id=uuid.uuid4().hex,
            mentee_id=mentee_id,
            mentor_id=mentor_id or "",
            state="pending",
            requested_at=now,
            expires_at=now + rules.intro_expires_after,
            note=note,
            shares=shares,
        )
        if why is None and not await deps.store.add_intro(intro):
            why = "You have already asked them; they have not answered yet."
        if why is not None or mentor is None:
            await ack(response_action="update", view=notice_view("Request an intro", why or ""))
            return
        await ack(
            response_action="update",
            view=notice_view(
                "Request sent",
                f"I asked *{mentor.name}* for you. You will hear by DM when they answer; "
                f"the request lapses {when(intro.expires_at, now)} if they do not.",
            ),
        )
        latest = await deps.store.latest_response(mentee_id)
        message = mentor_request_message(
            content,
            intro,
            latest.recommendation if latest else None,
            dict(latest.answers) if latest else {},
            when(intro.expires_at, now),
        )
        landed = await send_dm(client, mentor.user_id, message)
        if landed is None:
            # The mentor cannot be reached (left, deactivated): do not leave the mentee waiting.
            await deps.store.move_intro(intro.id, "pending", "expired", now)
            await send_dm(
                client,
                mentee_id,
                declined_for_mentee(mentor.name, await next_matches(client, mentee_id), "expired"),
            )
            return
        await deps.store.mark_intro(intro.id, mentor_message=landed)
        await deps.store.add_nudges(plan_after_intro_requested(intro, now, cadence))

    async def answer(
        body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient, accept: bool
    ) -> None:
        reply = Reply(body, respond, client)
        mentor_id = body["user"]["id"]
        intro_id = clicked(body)
        intro = await deps.store.get_intro(intro_id)
        if intro is None or intro.mentor_id != mentor_id:
            await reply({"text": "This request is not one I can find for you."})
            return
        now = deps.clock()
        mentor = await deps.store.get_mentor(mentor_id)
        if accept:
            moved = await deps.store.move_intro(
                intro_id, "pending", "accepted", now, mentor.capacity if mentor else None
            )
        else:
            moved = await deps.store.move_intro(intro_id, "pending", "declined", now)
        if moved is None:
            current = await deps.store.get_intro(intro_id)
            if current is not None and current.state == "pending":
                await reply({"text": answered_message(intro, "full")["text"]})
            else:
                state = current.state if current else "gone"
                await reply({"text": f"You already answered this request ({state})."})
            return
        await deps.store.cancel_nudges(mentor_id, subject=intro_id)
        if accept:
            await deps.store.add_nudges(plan_after_intro_accepted(moved, now, cadence))
        outcome = "accepted" if accept else "declined"
        await update_mentor_copies(client, body, moved, answered_message(moved, outcome))
        name = mentor.name if mentor else f"<@{mentor_id}>"
        if accept:
            await post_to_group(
                client,
                [moved.mentee_id, mentor_id],
                kickoff_message(content, moved.mentee_id, mentor_id),
            )
            if mentor is not None:
                await send_dm(client, moved.mentee_id, accepted_for_mentee(mentor))
        else:
            await send_dm(
                client,
                moved.mentee_id,
                declined_for_mentee(name, await next_matches(client, moved.mentee_id)),
            )

    @app.action(ACCEPT_ACTION)
    async def accept_intro(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await answer(body, respond, client, accept=True)

    @app.action(DECLINE_ACTION)
    async def decline_intro(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await answer(body, respond, client, accept=False)

    @app.action(OPEN_REQUEST_ACTION)
    async def post_open_request(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        mentee_id = body["user"]["id"]
        channel = deps.settings.match_channel
        latest = await deps.store.latest_response(mentee_id)
        if channel is None or latest is None:
            await send_dm(
                client,
                mentee_id,
                {
                    "text": "Open requests are not set up in this workspace yet: "
                    "ask your program admins."
                },
            )
            return
        if any(not r.get("claimed_by") for r in await deps.store.open_requests_of(mentee_id)):
            await send_dm(
                client, mentee_id, {"text": f"Your open request is already up in <#{channel}>."}
            )
            return
        labels = content.labels
        field = next(iter(latest.answers.get("field", ())), None)
        topics = [labels.get(t, t).lower() for t in latest.answers.get("topics", ())]
        request_id = uuid.uuid4().hex
        post = open_request_post(
            request_id, mentee_id, labels.get(field, field) if field else None, topics
        )
        try:
            posted = await client.chat_postMessage(channel=channel, **post)
        except SlackApiError as error:
            log.warning("open request in %s failed: %s", channel, error.response.get("error"))
            await send_dm(
                client,
                mentee_id,
                {"text": f"I could not post in <#{channel}>. Please tell your program admins."},
            )
            return
        await deps.store.add_open_request(
            {
                "id": request_id,
                "mentee_id": mentee_id,
                "channel": channel,
                "ts": posted.get("ts"),
                "created_at": deps.clock().isoformat(),
                "claimed_by": None,
            }
        )
        await send_dm(
            client,
            mentee_id,
            {
                "text": f"Your open request is up in <#{channel}>. "
                "I will tell you when a mentor picks it up."
            },
        )

    @app.action(CLAIM_ACTION)
    async def claim_open_request(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        mentor_id = body["user"]["id"]
        request_id = clicked(body)

        async def tell(text: str) -> None:
            await Reply(body, respond, client)({"text": text})

        mentor = await deps.store.get_mentor(mentor_id)
        request = await deps.store.get_open_request(request_id)
        if request is None:
            await tell("That request is no longer open.")
            return
        if request["mentee_id"] == mentor_id:
            await tell("That is your own request: a mentor will pick it up.")
            return
        if mentor is None or not mentor.active:
            await tell(
                "Only mentors in the pool can take requests. Ask a program admin to add you."
            )
            return
        if await _is_full(deps, mentor_id, mentor.capacity):
            await tell(
                "You have no free mentee place right now. "
                "Ask a program admin to raise your capacity."
            )
            return
        now = deps.clock()
        if await deps.store.claim_open_request(request_id, mentor_id, now) is None:
            await tell("Someone was quicker: this request is taken. Thank you for offering!")
            return
        mentee_id = request["mentee_id"]
        intro = Intro(
            uuid.uuid4().hex,
            mentee_id,
            mentor_id,
            "accepted",
            now,
            now,
            answered_at=now,
            source="open_request",
        )
        await deps.store.add_intro(intro)
        await deps.store.add_nudges(plan_after_intro_accepted(intro, now, cadence))
        await post_to_group(
            client, [mentee_id, mentor_id], kickoff_message(content, mentee_id, mentor_id)
        )
        try:
            await client.chat_update(
                channel=request["channel"], ts=request["ts"], **claimed_post(mentee_id, mentor_id)
            )
        except SlackApiError as error:
            log.warning("could not mark open request taken: %s", error.response.get("error"))
        await send_dm(client, mentee_id, accepted_for_mentee(mentor))


async def update_mentor_copies(
    client: AsyncWebClient, body: dict[str, Any], intro: Intro, message: dict[str, Any]
) -> None:
    """Swap the buttons in the mentor's request, and a reminder they clicked, for the outcome."""
    places = [intro.mentor_message] if intro.mentor_message.get("ts") else []
    pressed = {
        "channel": str((body.get("channel") or {}).get("id", "")),
        "ts": str((body.get("message") or {}).get("ts", "")),
    }
    if pressed["ts"] and pressed not in places:
        places.append(pressed)
    for place in places:
        try:
            await client.chat_update(channel=place["channel"], ts=place["ts"], **message)
        except SlackApiError as error:
            log.warning("could not update the request message: %s", error.response.get("error"))
