"""The App Home tab, published whenever someone opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.intros import free_in_field
from bot.domain.recommendation import shows_mentors
from bot.flows.coaching import overview, pending_for_admins
from bot.flows.matching import matches_for, my_intros
from bot.flows.mentoring_start import relationships
from bot.flows.slack import is_admin
from bot.screens.coaching import admin_engagement_blocks, admin_pending_blocks, person_blocks
from bot.screens.home import AdminSide, MentorSide, home_view
from bot.screens.mentoring import mentoring_blocks


async def home_screen(client: AsyncWebClient, deps: Deps, user_id: str) -> dict[str, Any]:
    store = deps.store
    latest = await store.latest_response(user_id)
    draft = await store.get_draft(user_id)
    matches = None
    if latest is not None and shows_mentors(latest.recommendation.path):
        matches = await matches_for(client, deps, user_id, latest.answers)
    mentors = {m.user_id: m for m in await store.mentors()}
    mine = await my_intros(deps, user_id)
    mentor_side = None
    if user_id in mentors:
        intros = await store.intros_of(user_id)
        mentor_side = MentorSide(
            capacity=mentors[user_id].capacity,
            pending=[i for i in intros if i.mentor_id == user_id and i.state == "pending"],
            mentees=[
                i.mentee_id for i in intros if i.mentor_id == user_id and i.state == "accepted"
            ],
        )
    admin_side = None
    coaching_admin = None
    nominations = None
    coaching = await overview(deps, user_id)
    if await is_admin(client, deps, user_id):
        nominations = await store.nominations()
        coaching_admin = admin_pending_blocks(*await pending_for_admins(deps))
        coaching_admin += admin_engagement_blocks(len(await deps.store.engagements("active")))
        taken = await store.mentees_now()
        active = [m for m in mentors.values() if m.active]
        labels = deps.content.labels
        gaps = sorted((await store.gap_counts()).items(), key=lambda item: (-item[1], item[0]))
        admin_side = AdminSide(
            mentors=len(mentors),
            active=len(active),
            places=sum(m.capacity for m in active),
            used=sum(taken.get(m.user_id, 0) for m in active),
            gaps=[
                (
                    labels.get(field, field),
                    asked,
                    free_in_field(active, taken, field),
                )
                for field, asked in gaps
            ],
        )
    return home_view(
        deps.content,
        deps.clock(),
        latest,
        draft,
        matches,
        mine,
        mentor_side,
        admin_side,
        person_blocks(
            coaching.can_request, coaching.requests, coaching.engagements, coaching.offers
        ),
        coaching_admin,
        mentoring_blocks(await relationships(deps, user_id), user_id, deps.content.mentoring),
        nominations,
    )


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event("app_home_opened")
    async def show_home(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = event["user"]
        await client.views_publish(user_id=user_id, view=await home_screen(client, deps, user_id))
