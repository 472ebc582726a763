"""The coaching path's buttons and modals: parse, call a flow, ack, deliver what follows."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows import coaching as flow
from bot.flows.outbox import deliver
from bot.flows.slack import is_admin
from bot.listeners.common import Reply, clicked, pressed_in, trigger_of
from bot.screens.blocks import element_state, when
from bot.screens.coaching import (
    ACCEPT_ACTION,
    APPROVE_ACTION,
    CHOOSE_ACTION,
    COACH_DECLINE_ACTION,
    DECLINE_ACTION,
    DECLINE_CALLBACK,
    END_ACTION,
    END_CALLBACK,
    EXTEND_ACTION,
    OVER_BUDGET_CALLBACK,
    PROGRESS_ACTION,
    PROGRESS_CALLBACK,
    REASON_MOST,
    REQUEST_ACTION,
    REQUEST_CALLBACK,
    REVIEW_ACTION,
    REVIEW_CALLBACK,
    UNDER_WAY_ACTION,
    WHAT_NEXT,
    WITHDRAW_ACTION,
    decline_view,
    end_view,
    notice_view,
    offer_sent_view,
    over_budget_view,
    progress_view,
    read_choice,
    read_engagement_id,
    read_nudge_id,
    read_request,
    read_request_id,
    read_scores,
    request_view,
    review_view,
    under_way_view,
    withdrawn_message,
)


def register(app: AsyncApp, deps: Deps) -> None:
    async def show(client: AsyncWebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
        """On top of the modal the button is in, or as a new modal from a message or Home."""
        where = body.get("view") or {}
        if where.get("type") == "modal":
            await client.views_push(trigger_id=trigger_of(body), view=view)
        else:
            await client.views_open(trigger_id=trigger_of(body), view=view)

    # The request.

    @app.action(REQUEST_ACTION)
    async def open_request(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user_id = body["user"]["id"]
        why = await flow.may_request(deps, user_id)
        if why is not None:
            await show(client, body, notice_view("Request coaching", why))
            return
        latest = await deps.store.latest_response(user_id)
        hints = deps.content.coaching.hints_for(latest.answers if latest else {})
        languages = [(c.value, c.label) for c in deps.content.coaches.languages]
        await show(client, body, request_view(deps.content.coaching, hints, languages))

    @app.view_submission(REQUEST_CALLBACK)
    async def send_request(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        goals, timeframe, manager, note, languages = read_request(view)
        errors = flow.check_request(deps, goals, timeframe, manager, note, languages)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        done = await flow.request_coaching(
            deps, body["user"]["id"], goals, timeframe, manager, note, languages
        )
        if done.request is None:
            await ack(
                response_action="update", view=notice_view("Request coaching", done.refused or "")
            )
            return
        text = f"Your request is in. {WHAT_NEXT} You can withdraw it from the DM I sent you."
        await ack(response_action="update", view=notice_view("Request sent", text))
        await deliver(deps, client, done.effects)

    @app.action(WITHDRAW_ACTION)
    async def withdraw(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        done = await flow.withdraw(deps, body["user"]["id"], clicked(body))
        reply = Reply(body, respond, client)
        if done.request is None:
            await reply({"text": done.refused or ""})
            return
        await reply(withdrawn_message(), replace=True)
        await deliver(deps, client, done.effects)

    # The program decides.

    @app.action(APPROVE_ACTION)
    async def approve(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        request_id = clicked(body)
        done = await flow.decide(client, deps, body["user"]["id"], request_id, approve=True)
        if done.over_budget is not None and done.request is not None:
            view = over_budget_view(request_id, done.request.user_id, done.over_budget)
            await show(client, body, view)
            return
        if done.refused is not None:
            await Reply(body, respond, client)({"text": done.refused})
            return
        await deliver(deps, client, done.effects)

    @app.view_submission(OVER_BUDGET_CALLBACK)
    async def approve_over_budget(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        request_id = read_request_id(view)
        done = await flow.decide(
            client, deps, body["user"]["id"], request_id, approve=True, confirmed=True
        )
        if done.refused is not None:
            await ack(response_action="update", view=notice_view("Not approved", done.refused))
            return
        await ack()
        await deliver(deps, client, done.effects)

    @app.action(DECLINE_ACTION)
    async def ask_why(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        if not await is_admin(client, deps, body["user"]["id"]):
            await Reply(body, respond, client)({"text": flow.NOT_ADMIN})
            return
        await show(client, body, decline_view(clicked(body)))

    @app.view_submission(DECLINE_CALLBACK)
    async def decline(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        typed = element_state(view, "reason", "reason").get("value")
        reason = typed.strip() if isinstance(typed, str) else ""
        if not reason or len(reason) > REASON_MOST:
            problem = (
                "Please say why, in a sentence they will read."
                if not reason
                else (f"Please keep it to {REASON_MOST} characters.")
            )
            await ack(response_action="errors", errors={"reason": problem})
            return
        done = await flow.decide(
            client, deps, body["user"]["id"], read_request_id(view), approve=False, reason=reason
        )
        if done.refused is not None:
            await ack(response_action="update", view=notice_view("Not declined", done.refused))
            return
        await ack()
        await deliver(deps, client, done.effects)

    # The person chooses a coach; the coach (or, for an external one, an admin) answers.

    @app.action(CHOOSE_ACTION)
    async def choose(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        request_id, coach_id = read_choice(clicked(body))
        chosen = await flow.choose_coach(deps, body["user"]["id"], request_id, coach_id)
        if chosen.engagement is None or chosen.coach is None:
            await Reply(body, respond, client)({"text": chosen.refused or ""})
            return
        expires = chosen.engagement.expires_at
        lapses = when(expires, deps.clock()) if expires else ""
        await show(client, body, offer_sent_view(chosen.coach, lapses))
        await deliver(deps, client, chosen.effects)

    async def answer(
        body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient, accept: bool
    ) -> None:
        pressed = pressed_in(body)
        answered = await flow.answer_offer(
            client, deps, body["user"]["id"], clicked(body), accept, pressed
        )
        if answered.refused is not None:
            await Reply(body, respond, client)({"text": answered.refused})
            return
        await deliver(deps, client, answered.effects)

    @app.action(ACCEPT_ACTION)
    async def accept(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await answer(body, respond, client, accept=True)

    @app.action(COACH_DECLINE_ACTION)
    async def coach_declines(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await answer(body, respond, client, accept=False)

    # The engagement: ended early, extended once, the mid-point and the end review.

    @app.action(UNDER_WAY_ACTION)
    async def under_way(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        if not await is_admin(client, deps, body["user"]["id"]):
            await Reply(body, respond, client)({"text": flow.NOT_ADMIN_UNDER_WAY})
            return
        await show(client, body, under_way_view(await flow.under_way_for_admins(deps)))

    @app.action(END_ACTION)
    async def ask_why_end(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await show(client, body, end_view(clicked(body)))

    @app.view_submission(END_CALLBACK)
    async def end(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        typed = element_state(view, "reason", "reason").get("value")
        reason = typed.strip() if isinstance(typed, str) else ""
        if not reason or len(reason) > REASON_MOST:
            await ack(
                response_action="errors",
                errors={"reason": f"Please give a reason, at most {REASON_MOST} characters."},
            )
            return
        ended = await flow.end_early(
            client, deps, body["user"]["id"], read_engagement_id(view), reason
        )
        if ended.refused is not None:
            await ack(response_action="update", view=notice_view("Not ended", ended.refused))
            return
        await ack(
            response_action="update",
            view=notice_view("Coaching ended", "Ended: the coach's place is free again."),
        )
        await deliver(deps, client, ended.effects)

    @app.action(EXTEND_ACTION)
    async def extend(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        extended = await flow.extend(client, deps, body["user"]["id"], clicked(body))
        if extended.refused is not None:
            await Reply(body, respond, client)({"text": extended.refused})
            return
        await deliver(deps, client, extended.effects)

    async def checkpoint(
        body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient, review: bool
    ) -> None:
        engagement, nudge_id, refused = await flow.checkpoint_of(
            deps, body["user"]["id"], clicked(body)
        )
        if engagement is None:
            await Reply(body, respond, client)({"text": refused})
            return
        view = review_view(engagement, nudge_id) if review else progress_view(engagement, nudge_id)
        await show(client, body, view)

    @app.action(PROGRESS_ACTION)
    async def open_progress(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await checkpoint(body, respond, client, review=False)

    @app.action(REVIEW_ACTION)
    async def open_review(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await checkpoint(body, respond, client, review=True)

    async def scored(view: dict[str, Any]) -> tuple[str, dict[str, int] | None]:
        engagement_id = read_engagement_id(view)
        goals = await flow.goal_count(deps, engagement_id)
        return engagement_id, read_scores(view, goals) if goals else None

    @app.view_submission(PROGRESS_CALLBACK)
    async def save_progress(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        engagement_id, scores = await scored(view)
        if scores is None:
            await ack(response_action="errors", errors={"goal_0": "Please rate every goal."})
            return
        user_id, nudge_id = body["user"]["id"], read_nudge_id(view)
        if not await flow.record_progress(deps, user_id, engagement_id, nudge_id, scores):
            await ack(
                response_action="update",
                view=notice_view("Not saved", "This engagement is not under way any more."),
            )
            return
        await ack(
            response_action="update",
            view=notice_view("Progress saved", "Saved. Your end review will ask again."),
        )

    @app.view_submission(REVIEW_CALLBACK)
    async def save_review(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        engagement_id, outcome = await scored(view)
        recommend = element_state(view, "recommend", "recommend").get("selected_option")
        answer = recommend.get("value") if isinstance(recommend, dict) else None
        if outcome is None or answer not in ("yes", "no"):
            errors = {"goal_0": "Please rate every goal."} if outcome is None else {}
            if answer not in ("yes", "no"):
                errors["recommend"] = "Please answer yes or no."
            await ack(response_action="errors", errors=errors)
            return
        closed = await flow.close_with_review(
            deps, body["user"]["id"], engagement_id, read_nudge_id(view), outcome, answer == "yes"
        )
        if closed.refused is not None:
            await ack(response_action="update", view=notice_view("Not saved", closed.refused))
            return
        await ack(
            response_action="update",
            view=notice_view(
                "Coaching closed",
                "Thank you: the engagement is closed with your review, and the coach's place "
                "is free for the next person.",
            ),
        )
        await deliver(deps, client, closed.effects)
