"""A mentor's own side: joining the pool (a nomination the program admins decide, or at once
when the content says so), their own profile and capacity, time away and coming back by
themselves, and "I'm full" from a request.

Each step is compare-and-set in the store and carries what must follow it in the same write
(bot/domain/outbox.py): a double click, a second admin or a second instance changes nothing
twice. Requests waiting for a mentor who stops taking them (away, paused, full) go back to
their mentees through one effect, `mentor_released`, made after the change is stored, so a
crash between the two cannot leave a mentee waiting on someone who is away.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.matching import Mentor
from bot.domain.mentor_side import (
    away_problem,
    away_until,
    back_on,
    fingerprint,
    full_changes,
    read_day,
    read_nomination_key,
    still_taking,
)
from bot.domain.outbox import Cancel, Effect, Followups, new_effect
from bot.domain.pool import clean_text, mentor_problems
from bot.flows.outbox import Delivery, deliver, makes
from bot.flows.slack import display_name, is_admin, send_dm, update_message
from bot.screens.mentor_side import (
    already_decided,
    already_in_pool_message,
    back_message,
    full_reply,
    join_view,
    nomination_decided_copy,
    nomination_declined_message,
    nomination_message,
    not_in_pool_message,
    profile_view,
    welcome_message,
)

NOT_ADMIN = "Only program admins can decide nominations to the mentor pool."
NOT_YOURS = "This request is not one I can find for you."
CHANGED = (
    "Your profile changed since you opened it (an admin, or another window). "
    "Type `/devpath mentor` to see it as it is now."
)
ANSWER_REQUEST = frozenset({"answer_request"})
PROFILE_FIELDS = ("fields", "topics", "seniority", "capacity", "bio")


@dataclass(frozen=True)
class Outcome:
    """What a step did (`mentor`, `told`), or why not: `refused` (in the person's words) or
    `errors` (by the modal's block id). `effects` are still to deliver."""

    mentor: Mentor | None = None
    refused: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    effects: tuple[Effect, ...] = ()
    told: str = ""
    away_day: date | None = None


def entry_problems(deps: Deps, entry: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a profile as typed, by block id, in sentences."""
    content = deps.content
    problems = mentor_problems(
        fields=entry["fields"],
        topics=entry["topics"],
        seniority=entry["seniority"],
        capacity=entry["capacity"],
        bio=entry["bio"],
        known_fields={o.value for o in content.options_of("field")},
        known_topics={o.value for o in content.options_of("topics")},
        known_seniority={s.value for s in content.matching.seniority},
    )
    return {block: problem[0].upper() + problem[1:] + "." for block, problem in problems.items()}


def _profile(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "fields": tuple(entry["fields"]),
        "topics": tuple(entry["topics"]),
        "seniority": entry["seniority"],
        "capacity": int(entry["capacity"]),
        "bio": clean_text(entry["bio"]),
    }


# Joining.


async def join_screen(
    deps: Deps, user_id: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The modal to open for `/devpath mentor join`, or what to tell them instead."""
    found = await deps.store.get_mentor(user_id)
    if found is not None and found.status == "pool":
        return None, already_in_pool_message()
    needs = deps.content.mentoring.join_needs_approval
    return join_view(deps.content, found, needs), None


async def nominate(
    deps: Deps, user_id: str, entry: dict[str, Any], person: dict[str, Any]
) -> Outcome:
    """Nominate yourself (the admins get a DM to decide), change the nomination still
    waiting, or, when joining needs no approval, join at once (the admins hear of it)."""
    if errors := entry_problems(deps, entry):
        return Outcome(errors=errors)
    store, now = deps.store, deps.clock()
    found = await store.get_mentor(user_id)
    if found is not None and found.status == "pool":
        return Outcome(refused=already_in_pool_message()["text"])
    name = display_name(person)
    profile = {**_profile(entry), "name": name, "timezone": person.get("tz")}
    if found is not None:
        then = Followups(effects=(new_effect("nomination_copies", user_id, now, outcome=""),))
        expect = {"status": "nominated", "nominated_at": found.nominated_at}
        changed = await store.update_mentor(user_id, profile, expect=expect, then=then)
        if changed is None:
            return Outcome(refused=await decided_already(deps, user_id))
        return Outcome(changed, effects=then.effects)
    needs = deps.content.mentoring.join_needs_approval
    joined = Mentor(
        user_id=user_id,
        **profile,
        status="nominated" if needs else "pool",
        nominated_at=now,
    )
    if needs:
        what = f"{name} nominated themselves"
        then = Followups(effects=(new_effect("nomination_admins", user_id, now),))
    else:
        what = f"{name} joined the pool"
        then = Followups(
            effects=(
                new_effect("nomination_welcome", user_id, now),
                new_effect("joined_fyi", user_id, now),
            )
        )
    if not await store.add_mentor(joined, user_id, what, now, then):
        # The same modal sent twice at once: the other submission stored it.
        return Outcome(await store.get_mentor(user_id))
    return Outcome(joined, effects=then.effects)


async def decided_already(deps: Deps, user_id: str) -> str:
    """What a late click on a nomination is told: how, and by whom, it was decided."""
    decided = (await deps.store.person(user_id)).get("nomination_decided") or {}
    found = await deps.store.get_mentor(user_id)
    if found is not None and found.status == "pool":
        if decided.get("outcome") == "approved":
            return already_decided("approved", decided.get("by"))
        return "They are in the mentor pool already."
    if decided.get("outcome"):
        return already_decided(str(decided["outcome"]), decided.get("by"))
    return already_decided(None, None)


async def pending_nomination(deps: Deps, key: str) -> tuple[Mentor | None, str | None]:
    """The nomination this button is about, while it waits; else why not."""
    user_id, made = read_nomination_key(key)
    found = await deps.store.get_mentor(user_id) if user_id else None
    if found is None or found.status != "nominated" or made != found.nominated_at:
        return None, await decided_already(deps, user_id)
    return found, None


async def decide_nomination(
    client: AsyncWebClient, deps: Deps, admin_id: str, key: str, approve: bool, reason: str = ""
) -> Outcome:
    """An admin approves a nomination (into the pool, with a welcome) or declines it with a
    reason the person reads, once: a second click or a second admin is told who decided."""
    if not await is_admin(client, deps, admin_id):
        return Outcome(refused=NOT_ADMIN)
    nominee, why = await pending_nomination(deps, key)
    if nominee is None:
        return Outcome(refused=why)
    store, now, user_id = deps.store, deps.clock(), nominee.user_id
    expect = {"status": "nominated", "nominated_at": nominee.nominated_at}
    outcome = "approved" if approve else "declined"
    reason = clean_text(reason)
    copies = new_effect(
        "nomination_copies",
        user_id,
        now,
        outcome=outcome,
        by=admin_id,
        name=nominee.name,
        reason=reason,
    )
    what = f"{outcome} {nominee.name}'s nomination"
    # Who decided, for a late click's answer: stored with the decision itself.
    decided = (
        (
            user_id,
            {"nomination_decided": {"outcome": outcome, "by": admin_id, "at": now.isoformat()}},
        ),
    )
    if approve:
        then = Followups(
            settings=decided,
            effects=(copies, new_effect("nomination_welcome", user_id, now)),
        )
        approved = await store.update_mentor(
            user_id, {"status": "pool"}, expect, audit=(admin_id, what, now), then=then
        )
        done = approved is not None
    else:
        told = new_effect("nomination_declined", user_id, now, reason=reason)
        then = Followups(settings=decided, effects=(copies, told))
        done = await store.remove_mentor(user_id, admin_id, what, now, expect, then)
    if not done:
        return Outcome(refused=await decided_already(deps, user_id))
    return Outcome(nominee, effects=then.effects)


# Their own profile, time away, and "I'm full".


async def profile_screen(
    deps: Deps, user_id: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The modal to open for `/devpath mentor`, or what to tell someone not in the pool."""
    mentor = await deps.store.get_mentor(user_id)
    if mentor is None or mentor.status != "pool":
        return None, not_in_pool_message(nominated=mentor is not None)
    mentees = (await deps.store.mentees_now()).get(user_id, 0)
    day = back_on(mentor.away_until, mentor.timezone) if mentor.away_until else None
    return profile_view(deps.content, mentor, mentees, day, fingerprint(mentor)), None


def _release(user_id: str, now: Any, why: str, intro_id: str = "", **pressed: str) -> Effect:
    return new_effect("mentor_released", user_id, now, why=why, intro_id=intro_id, **pressed)


async def save_profile(
    deps: Deps,
    user_id: str,
    entry: dict[str, Any],
    raw_day: Any,
    seen: str,
    person: dict[str, Any] | None,
) -> Outcome:
    """A mentor's own edit, from the modal they opened (`seen`: what it held): their profile,
    capacity, status and time away. Away or paused, their waiting requests go back."""
    store, now = deps.store, deps.clock()
    mentor = await store.get_mentor(user_id)
    if mentor is None or mentor.status != "pool":
        return Outcome(refused=not_in_pool_message(mentor is not None)["text"])
    errors = entry_problems(deps, entry)
    timezone = (person or {}).get("tz") or mentor.timezone
    day = read_day(raw_day)
    if problem := away_problem(day, now, timezone):
        errors["away"] = problem
    if errors:
        return Outcome(errors=errors)
    changes: dict[str, Any] = {
        **_profile(entry),
        "active": bool(entry["active"]),
        "away_until": away_until(day, timezone) if day else None,
        "timezone": timezone,
    }
    if person is not None:
        changes["name"] = display_name(person)
    if all(getattr(mentor, k) == v for k, v in changes.items()):
        return Outcome(mentor, away_day=day)  # nothing changed, or the same save sent twice
    if fingerprint(mentor) != seen:
        return Outcome(refused=CHANGED)
    changed = replace(mentor, **changes)
    mentees = (await store.mentees_now()).get(user_id, 0)
    why = "away" if changed.away_until else "full"
    releases = () if still_taking(changed, mentees) else (_release(user_id, now, why),)
    then = Followups(effects=releases)
    expect = {"status": "pool", **{k: getattr(mentor, k) for k in changes}}
    audit = (user_id, f"{changed.name} edited their own profile", now)
    done = await store.update_mentor(user_id, changes, expect, audit=audit, then=then)
    if done is None:
        return Outcome(refused=CHANGED)
    return Outcome(done, effects=then.effects, away_day=day)


async def may_answer(deps: Deps, mentor_id: str, intro_id: str) -> str | None:
    """None when this request is theirs and still waits for them; else what to tell them."""
    intro = await deps.store.get_intro(intro_id) if intro_id else None
    if intro is None or intro.mentor_id != mentor_id:
        return NOT_YOURS
    if intro.state != "pending":
        return f"You already answered this request ({intro.state})."
    return None


async def set_away(
    deps: Deps,
    user_id: str,
    raw_day: Any,
    intro_id: str,
    pressed: dict[str, str],
    person: dict[str, Any] | None,
) -> Outcome:
    """Away until a day (from a request's Away until… button): not offered until then, and
    the requests waiting for them go back to their mentees with a kind word."""
    store, now = deps.store, deps.clock()
    mentor = await store.get_mentor(user_id)
    if mentor is None or mentor.status != "pool":
        return Outcome(refused=not_in_pool_message(mentor is not None)["text"])
    intro = await store.get_intro(intro_id) if intro_id else None
    if intro_id and (intro is None or intro.mentor_id != user_id):
        return Outcome(refused=NOT_YOURS)
    timezone = (person or {}).get("tz") or mentor.timezone
    day = read_day(raw_day)
    if day is None:
        return Outcome(errors={"away": "Pick the day you are back."})
    if problem := away_problem(day, now, timezone):
        return Outcome(errors={"away": problem})
    until = away_until(day, timezone)
    if mentor.away_until == until:
        return Outcome(mentor, away_day=day)  # the same submission, twice
    then = Followups(effects=(_release(user_id, now, "away", intro_id, **pressed),))
    audit = (user_id, f"{mentor.name} is away until {day:%d %b %Y}", now)
    done = await store.update_mentor(
        user_id,
        {"away_until": until, "timezone": timezone},
        expect={"status": "pool", "away_until": mentor.away_until},
        audit=audit,
        then=then,
    )
    if done is None:
        current = await store.get_mentor(user_id)
        if current is not None and current.away_until == until:
            return Outcome(current, away_day=day)
        return Outcome(refused=CHANGED)
    return Outcome(done, effects=then.effects, away_day=day)


async def full(deps: Deps, mentor_id: str, intro_id: str, pressed: dict[str, str]) -> Outcome:
    """I'm full, from a request: that request goes back to its mentee (compare-and-set, so a
    double click acts once), their capacity becomes the mentees they have (or, with none,
    they pause), and their other waiting requests go back too."""
    store, now = deps.store, deps.clock()
    if why := await may_answer(deps, mentor_id, intro_id):
        return Outcome(refused=why)
    intro = await store.get_intro(intro_id)
    mentor = await store.get_mentor(mentor_id)
    if intro is None or mentor is None or mentor.status != "pool":
        return Outcome(refused=NOT_YOURS)
    changes = full_changes((await store.mentees_now()).get(mentor_id, 0))
    places = {"capacity": str(changes["capacity"])} if "capacity" in changes else {}
    then = Followups(
        cancel=(Cancel(mentor_id, subject=intro.id, kinds=ANSWER_REQUEST),),
        effects=(
            # First: their capacity, so the mentee's next matches no longer offer them.
            new_effect("mentor_full", mentor_id, now, **places),
            new_effect(
                "mentor_copies",
                mentor_id,
                now,
                intro_id=intro.id,
                outcome="full_released",
                **pressed,
            ),
            new_effect(
                "mentee_declined", intro.mentee_id, now, mentor_name=mentor.name, why="full"
            ),
        ),
    )
    if await store.move_intro(intro.id, "pending", "expired", now, then=then) is None:
        return Outcome(refused=await may_answer(deps, mentor_id, intro_id) or NOT_YOURS)
    return Outcome(mentor, effects=then.effects, told=full_reply(changes))


async def release_requests(
    deps: Deps, mentor_id: str, why: str, intro_id: str = "", pressed: dict[str, str] | None = None
) -> list[Effect]:
    """Every request still waiting for a mentor who no longer takes them goes back to its
    mentee: lapsed compare-and-set, the mentor's reminder cancelled, their copy updated, and
    the mentee told kindly, with their next matches. Nothing when they take requests again."""
    store, now = deps.store, deps.clock()
    mentor = await store.get_mentor(mentor_id)
    if still_taking(mentor, (await store.mentees_now()).get(mentor_id, 0)):
        return []
    name = mentor.name if mentor else "Your mentor"
    outcome = "away" if why == "away" else "full_released"
    effects: list[Effect] = []
    for intro in await store.intros_of(mentor_id):
        if intro.mentor_id != mentor_id or intro.state != "pending":
            continue
        where = (pressed or {}) if intro.id == intro_id else {}
        then = Followups(
            cancel=(Cancel(mentor_id, subject=intro.id, kinds=ANSWER_REQUEST),),
            effects=(
                new_effect(
                    "mentor_copies", mentor_id, now, intro_id=intro.id, outcome=outcome, **where
                ),
                new_effect("mentee_declined", intro.mentee_id, now, mentor_name=name, why=why),
            ),
        )
        if await store.move_intro(intro.id, "pending", "expired", now, then=then):
            effects += then.effects
    return effects


async def mentors_back(deps: Deps) -> list[Effect]:
    """Mentors whose time away is over are offered again, each once (compare-and-set on the
    moment they were away until), and told so. The effects still to deliver."""
    store, now = deps.store, deps.clock()
    effects: list[Effect] = []
    for mentor in await store.mentors():
        if mentor.away_until is None or mentor.away_until > now:
            continue
        then = Followups(effects=(new_effect("mentor_back", mentor.user_id, now),))
        expect = {"status": "pool", "away_until": mentor.away_until}
        if await store.update_mentor(mentor.user_id, {"away_until": None}, expect, then=then):
            effects += then.effects
    return effects


# What follows each step, made after the ack (bot/flows/outbox.py).


@makes("nomination_admins")
async def _nomination_admins(d: Delivery, effect: Effect) -> None:
    """Each configured admin gets the nomination; where each copy landed is kept with the
    person, so every copy shows the outcome once someone decides."""
    deps = d.deps
    nominee = await deps.store.get_mentor(effect.user_id)
    if nominee is None or nominee.status != "nominated":
        return
    message = nomination_message(deps.content, nominee)
    landed = []
    for admin in sorted(deps.settings.admins):
        place = await send_dm(d.client, admin, message)
        if place is not None:
            landed.append(place)
    await deps.store.set_person(effect.user_id, nomination_messages=landed)


@makes("nomination_copies")
async def _nomination_copies(d: Delivery, effect: Effect) -> None:
    """The admins' copies: the outcome in place of the buttons, or (no outcome: the nominee
    changed their nomination) the nomination as it is now, buttons kept."""
    deps, data = d.deps, effect.data
    if data.get("outcome"):
        message = nomination_decided_copy(
            effect.user_id, data["name"], data["outcome"], data["by"], data.get("reason", "")
        )
    else:
        nominee = await deps.store.get_mentor(effect.user_id)
        if nominee is None or nominee.status != "nominated":
            return  # decided meanwhile: that decision's own effect shows it
        message = nomination_message(deps.content, nominee)
    for place in (await deps.store.person(effect.user_id)).get("nomination_messages") or []:
        await update_message(d.client, dict(place), message)


@makes("nomination_welcome")
async def _welcome(d: Delivery, effect: Effect) -> None:
    await send_dm(d.client, effect.user_id, welcome_message())


@makes("nomination_declined")
async def _nomination_declined(d: Delivery, effect: Effect) -> None:
    await send_dm(d.client, effect.user_id, nomination_declined_message(effect.data["reason"]))


@makes("joined_fyi")
async def _joined_fyi(d: Delivery, effect: Effect) -> None:
    """Joining needs no approval: the admins hear who joined, with no buttons."""
    mentor = await d.deps.store.get_mentor(effect.user_id)
    if mentor is None:
        return
    message = nomination_message(d.deps.content, mentor, decided=True)
    for admin in sorted(d.deps.settings.admins):
        await send_dm(d.client, admin, message)


@makes("mentor_full")
async def _mentor_full(d: Delivery, effect: Effect) -> None:
    """I'm full: their capacity (or a pause), once, then their other waiting requests."""
    deps, user_id = d.deps, effect.user_id
    mentor = await deps.store.get_mentor(user_id)
    if mentor is None or mentor.status != "pool":
        return
    places = effect.data.get("capacity")
    changes: dict[str, Any] = {"capacity": int(places)} if places else {"active": False}
    if any(getattr(mentor, k) != v for k, v in changes.items()):
        said = f"capacity {places}" if places else "paused"
        await deps.store.update_mentor(
            user_id,
            changes,
            expect={"status": "pool", **{k: getattr(mentor, k) for k in changes}},
            audit=(user_id, f"{mentor.name} is full: {said}", deps.clock()),
        )
    await deliver(deps, d.client, await release_requests(deps, user_id, "full"))


@makes("mentor_released")
async def _released(d: Delivery, effect: Effect) -> None:
    data = effect.data
    pressed = {"channel": data.get("channel", ""), "ts": data.get("ts", "")}
    released = await release_requests(
        d.deps, effect.user_id, data["why"], data.get("intro_id", ""), pressed
    )
    await deliver(d.deps, d.client, released)


@makes("mentor_back")
async def _back(d: Delivery, effect: Effect) -> None:
    mentor = await d.deps.store.get_mentor(effect.user_id)
    if mentor is not None and mentor.away_until is None:
        await send_dm(d.client, effect.user_id, back_message())
