"""/devpath and its subcommands."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.recommendation import shows_mentors
from bot.flows.coaching import overview
from bot.flows.matching import matches_for, my_intros
from bot.flows.mentoring_start import relationships
from bot.flows.nudges import start_nudges, stop_nudges
from bot.flows.pool import CHANGE_POOL, pool_screen
from bot.flows.privacy import send_export
from bot.flows.roster import CHANGE_ROSTER, roster_screen
from bot.flows.slack import is_admin
from bot.flows.stats import stats_screen
from bot.listeners.common import open_questionnaire
from bot.listeners.feedback import feedback_command
from bot.listeners.mentor_side import mentor_command
from bot.listeners.rounds import round_command
from bot.screens.coaches import edit_view as coach_editor
from bot.screens.coaching import status_lines
from bot.screens.help import help_message
from bot.screens.mentoring import mentoring_status
from bot.screens.mentors import edit_view, refusal_text
from bot.screens.nudges import STARTED, STOPPED, nudges_summary
from bot.screens.privacy import forget_question
from bot.screens.status import status_message


async def status_screen(client: AsyncWebClient, deps: Deps, user_id: str) -> dict[str, Any]:
    latest = await deps.store.latest_response(user_id)
    draft = await deps.store.get_draft(user_id)
    matches = None
    if latest is not None and shows_mentors(latest.recommendation.path):
        matches = await matches_for(client, deps, user_id, latest.answers)
    intros = await my_intros(deps, user_id)
    person = await deps.store.person(user_id)
    upcoming = sorted(
        (n for n in await deps.store.nudges_of(user_id) if n.state == "scheduled"),
        key=lambda n: n.due_at,
    )
    nudges = nudges_summary(bool(person.get("stopped")), upcoming, deps.clock())
    coaching = await overview(deps, user_id)
    return status_message(
        deps.content,
        latest,
        draft,
        deps.clock(),
        matches,
        intros,
        nudges,
        status_lines(coaching.requests, coaching.engagements),
        coaching.can_request,
        mentoring_status(await relationships(deps, user_id), user_id, deps.content.mentoring),
    )


log = logging.getLogger(__name__)
EXPORT_FAILED = (
    "Slack would not let me send your data just now. Please try `/devpath export` again."
)
EXPORT_COMING = "I am sending you everything devpath keeps about you, by DM."
OPEN_FAILED = (
    "Slack did not let me open the questionnaire just now. Please type `/devpath` again: "
    "anything you answered before is kept."
)


def register(app: AsyncApp, deps: Deps) -> None:
    @app.command("/devpath")
    async def devpath(
        ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        words = (command.get("text") or "").split()
        subcommand = " ".join(words).lower()
        user_id = command["user_id"]
        if not words:
            await ack()
            try:
                await open_questionnaire(
                    client, deps, command["trigger_id"], user_id, command.get("channel_id")
                )
            except SlackApiError as error:
                log.warning("views.open failed: %s", error.response.get("error"))
                await respond(text=OPEN_FAILED, response_type="ephemeral")
        elif subcommand in ("mentor add", "mentors"):
            await ack()
            if not await is_admin(client, deps, user_id):
                await respond(text=refusal_text(CHANGE_POOL), response_type="ephemeral")
                return
            view = (
                edit_view(deps.content, None)
                if subcommand == "mentor add"
                else await pool_screen(deps)
            )
            await client.views_open(trigger_id=command["trigger_id"], view=view)
        elif subcommand == "round":
            await ack()
            await round_command(client, deps, user_id, command["trigger_id"], respond)
        elif subcommand in ("mentor join", "mentor"):
            await ack()
            await mentor_command(client, deps, user_id, subcommand, command["trigger_id"], respond)
        elif subcommand in ("coach add", "coaches"):
            await ack()
            if not await is_admin(client, deps, user_id):
                await respond(text=refusal_text(CHANGE_ROSTER), response_type="ephemeral")
                return
            view = (
                coach_editor(deps.content)
                if subcommand == "coach add"
                else await roster_screen(deps)
            )
            await client.views_open(trigger_id=command["trigger_id"], view=view)
        elif subcommand in ("nudges off", "nudges on"):
            if subcommand == "nudges off":
                await stop_nudges(deps, user_id)
            else:
                await start_nudges(deps, user_id)
            text = STOPPED if subcommand == "nudges off" else STARTED
            await ack(text=text, response_type="ephemeral")
        elif subcommand == "stats":
            await ack()
            if not await is_admin(client, deps, user_id):
                await respond(
                    text=refusal_text("see the program's figures"), response_type="ephemeral"
                )
                return
            await respond(**await stats_screen(deps))
        elif subcommand == "forget":
            await ack(**forget_question(user_id))
        elif subcommand == "export":
            await ack(
                text="I am sending you everything devpath keeps about you, by DM.",
                response_type="ephemeral",
            )
            if not await send_export(client, deps, user_id):
                await respond(text=EXPORT_FAILED, response_type="ephemeral")
        elif subcommand == "feedback":
            await ack()
            await feedback_command(client, deps, user_id, command["trigger_id"], respond)
        elif subcommand == "help":
            await ack(**help_message())
        elif subcommand == "status":
            await ack()
            await respond(**await status_screen(client, deps, user_id))
        else:
            await ack(**help_message(unknown=" ".join(words)[:100]))
