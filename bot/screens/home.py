"""The App Home tab: my path and matches, my intros; for mentors their requests and mentees;
for admins the pool at a glance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.content import Content
from bot.domain.intros import Intro
from bot.domain.matching import Match, Mentor
from bot.domain.mentoring import waiting_on_mentee
from bot.domain.records import Draft, Response
from bot.screens.blocks import (
    Block,
    actions,
    ago,
    bullets,
    button,
    context,
    divider,
    header,
    section,
    when,
)
from bot.screens.intros import ACCEPT_ACTION, DECLINE_ACTION, intro_line, match_blocks
from bot.screens.mentor_side import HOME_MOST, nomination_home_blocks
from bot.screens.mentors import ADD_ACTION
from bot.screens.result import OPEN_QUESTIONNAIRE_ACTION

POOL_OPEN_ACTION = "pool_open"
PENDING_SHOWN = 10  # each takes two blocks; a Home tab holds 100


@dataclass(frozen=True)
class MentorSide:
    capacity: int
    pending: list[Intro] = field(default_factory=list)
    mentees: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AdminSide:
    mentors: int
    active: int
    places: int
    used: int
    gaps: list[tuple[str, int, int]]  # field, mentees nobody fitted, active mentors in it


def home_view(
    content: Content,
    now: datetime,
    latest: Response | None,
    draft: Draft | None,
    matches: list[Match] | None = None,
    intros: list[tuple[Intro, str]] | None = None,
    mentor: MentorSide | None = None,
    admin: AdminSide | None = None,
    coaching: list[Block] | None = None,
    coaching_admin: list[Block] | None = None,
    relationships: list[Block] | None = None,
    nominations: list[Mentor] | None = None,
) -> dict[str, Any]:
    """`coaching` and `coaching_admin` are the coaching path's own blocks
    (bot/screens/coaching.py): the person's side, and requests waiting for admins;
    `relationships` the mentoring under way, either side (bot/screens/mentoring.py);
    `nominations` the mentor nominations waiting for admins, in the room the rest leaves."""
    blocks: list[Block] = [
        header("Coaching or mentoring?"),
        section(
            "devpath asks a few questions about where you are and what you want, then tells you "
            "whether *executive coaching*, *mentoring* or both fit you now, and why."
        ),
    ]
    if latest is not None:
        rec = latest.recommendation
        path = content.paths[rec.path]
        reasons = bullets([r.text for r in rec.reasons])
        blocks.append(section(f"*Your path:* {path.title}\n{reasons}", "path"))
        blocks.append(
            context(
                f"From your answers {ago(latest.created_at, now)} · "
                f"how sure: {rec.confidence_label}"
            )
        )
    if draft is not None:
        label = "Continue where you left off"
    elif latest is not None:
        label = "Retake the questionnaire"
    else:
        label = "Take the questionnaire"
    blocks.append(
        actions("home_actions", button(label, OPEN_QUESTIONNAIRE_ACTION, style="primary"))
    )
    if coaching:
        blocks += [divider(), *coaching]
    if matches is not None:
        blocks += [divider(), *match_blocks(matches, False)]
    if intros:
        lines = [intro_line(intro, name, now) for intro, name in intros[:10]]
        blocks += [divider(), section("*Your intros*\n" + bullets(lines), "intros")]
    tail: list[Block] = []
    if mentor is not None:
        tail += _mentor_blocks(mentor, now)
    if admin is not None:
        tail += _admin_blocks(admin)
    if coaching_admin:
        tail += [divider(), header("Coaching requests"), *coaching_admin]
    # A heading, then each relationship's line and buttons: as many whole ones as there is
    # room for.
    room = HOME_MOST - len(blocks) - len(tail) - 1
    if relationships and room >= 3:
        blocks += [divider(), *relationships[: 1 + 2 * ((room - 1) // 2)]]
    blocks += tail
    waiting = nomination_home_blocks(content, nominations or [], HOME_MOST - len(blocks) - 2)
    if waiting:
        blocks += [divider(), header("Mentor nominations"), *waiting]
    return {"type": "home", "blocks": blocks}


def _mentor_blocks(mentor: MentorSide, now: datetime) -> list[Block]:
    load = f"{len(mentor.mentees)} of {mentor.capacity} mentee places taken"
    mentees = ", ".join(f"<@{m}>" for m in mentor.mentees) or "none yet"
    blocks: list[Block] = [
        divider(),
        header("As a mentor"),
        section(f"*Your mentees:* {mentees}\n{load}", "mentees"),
    ]
    for intro in mentor.pending[:PENDING_SHOWN]:
        lapses = (
            "you are waiting for their answer to your question"
            if waiting_on_mentee(intro)
            else f"the request lapses {when(intro.expires_at, now)}"
        )
        blocks.append(
            section(
                f"<@{intro.mentee_id}> asked you to be their mentor; {lapses}.", f"req_{intro.id}"
            )
        )
        blocks.append(
            actions(
                f"answer_{intro.id}",
                button("Accept", ACCEPT_ACTION, value=intro.id, style="primary"),
                button("Decline", DECLINE_ACTION, value=intro.id),
            )
        )
    return blocks


def _admin_blocks(admin: AdminSide) -> list[Block]:
    summary = (
        f"*{admin.mentors} mentors*, {admin.active} active · "
        f"{admin.used} of {admin.places} places taken · {admin.places - admin.used} free"
    )
    blocks: list[Block] = [divider(), header("The mentor pool"), section(summary, "pool")]
    if admin.gaps:
        lines = [
            f"{name}: {asked} {'person' if asked == 1 else 'people'} found nobody · "
            f"{mentors} active {'mentor' if mentors == 1 else 'mentors'} with free places"
            for name, asked, mentors in admin.gaps[:5]
        ]
        blocks.append(
            section("*Most requested fields with too few mentors*\n" + bullets(lines), "gaps")
        )
    blocks.append(
        actions(
            "admin_actions",
            button("Add mentor", ADD_ACTION, style="primary"),
            button("Manage the pool", POOL_OPEN_ACTION),
        )
    )
    return blocks
