"""The coaching path on screen: the request, the program's decision, the coach's offer, the
kickoff, the checkpoints' modals, and the engagement's lines in Home and status.

Everything a person typed (goals, notes, reasons) is escaped before it is echoed in mrkdwn.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.domain.coaching import Coach, CoachingRequest, CoachingRules, Engagement
from bot.screens.blocks import (
    Block,
    actions,
    bullets,
    button,
    context,
    element_state,
    escape,
    option,
    plain,
    section,
)
from bot.screens.feedback import start_button

REQUEST_ACTION = "coaching_request"
WITHDRAW_ACTION = "coaching_withdraw"
APPROVE_ACTION = "coaching_approve"
DECLINE_ACTION = "coaching_decline"
CHOOSE_ACTION = "coaching_choose"
ACCEPT_ACTION = "coaching_accept"
COACH_DECLINE_ACTION = "coaching_coach_decline"
END_ACTION = "coaching_end"
EXTEND_ACTION = "coaching_extend"
PROGRESS_ACTION = "coaching_progress"  # the mid-point nudge's own button
REVIEW_ACTION = "coaching_review"  # the end review nudge's own button

REQUEST_CALLBACK = "coaching_request"
DECLINE_CALLBACK = "coaching_decline"
OVER_BUDGET_CALLBACK = "coaching_over_budget"
END_CALLBACK = "coaching_end"
PROGRESS_CALLBACK = "coaching_progress"
REVIEW_CALLBACK = "coaching_review"

GOAL_FIELDS = ("goal_1", "goal_2", "goal_3")
LANGUAGES = "languages"
GOAL_MOST = 200
NOTE_MOST = 500
REASON_MOST = 500
PENDING_SHOWN = 10  # each takes two blocks of a Home tab's 100
UNDER_WAY_SHOWN = 45  # two blocks each, and a note, in a modal's 100
UNDER_WAY_ACTION = "coaching_under_way"
UNDER_WAY_CALLBACK = "coaching_under_way"
SCORES = ("1", "2", "3", "4", "5")


def _date(moment: datetime | None) -> str:
    return f"{moment:%d %B %Y}".lstrip("0") if moment else "not set"


def _goals(goals: tuple[str, ...] | list[str]) -> str:
    return bullets([escape(g) for g in goals], numbered=True)


def _meta(view: Any) -> dict[str, Any]:
    try:
        found = json.loads((view or {}).get("private_metadata") or "{}")
    except (ValueError, AttributeError):
        return {}
    return found if isinstance(found, dict) else {}


def _value(view: Any, block_id: str) -> str:
    """What a text input or a single choice of a submitted modal holds ("" when nothing)."""
    state = element_state(view, block_id, block_id)
    chosen = state.get("selected_option")
    value = chosen.get("value") if isinstance(chosen, dict) else state.get("value")
    return value.strip() if isinstance(value, str) else ""


def _text_input(block_id: str, label: str, most: int, optional: bool = False, **more: Any) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": block_id,
        "max_length": most,
        **more,
    }
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label),
        "element": element,
    }


def _choice(block_id: str, label: str, choices: list[tuple[str, str]]) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {
            "type": "radio_buttons",
            "action_id": block_id,
            "options": [option(text, value) for value, text in choices],
        },
    }


# The result's offer, and the request.


def request_blocks() -> list[Block]:
    """Under a coaching (or both) result: the way to ask the program for a coach."""
    return [
        actions(
            "coaching", button("Request coaching", REQUEST_ACTION, value="result", style="primary")
        ),
        context(
            "The program team decides requests (coaching is usually paid for by the company); "
            "once approved you choose your coach."
        ),
    ]


def request_view(
    rules: CoachingRules, hints: list[str], languages: list[tuple[str, str]]
) -> dict[str, Any]:
    """Goals (hints from the answers), timeframe, the manager, the languages the person
    would like coaching in (the roster's, optional), a note for the program team."""
    blocks: list[Block] = [
        section(
            "Coaching works toward *2 or 3 goals you can measure*, over a set time. The program "
            "team reads your request and decides; you hear by DM either way."
        )
    ]
    if hints:
        blocks.append(
            section("*From your answers, goals like these:*\n" + bullets(hints[:5]), "hints")
        )
    for number, block_id in enumerate(GOAL_FIELDS, 1):
        placeholder = hints[number - 1] if number <= len(hints) else "A result someone could see"
        blocks.append(
            _text_input(
                block_id,
                f"Goal {number}" + (" (optional)" if number == 3 else ""),
                GOAL_MOST,
                optional=number == 3,
                placeholder=plain(placeholder[:150]),
            )
        )
    blocks.append(
        _choice(
            "timeframe",
            "How long would you like it to run?",
            [(t.value, t.label) for t in rules.timeframes],
        )
    )
    blocks.append(
        _choice("manager", "Does your manager know you are asking?", list(rules.manager_knows))
    )
    if languages:
        blocks.append(
            {
                "type": "input",
                "block_id": LANGUAGES,
                "optional": True,
                "label": plain("Languages you would like coaching in"),
                "element": {
                    "type": "multi_static_select",
                    "action_id": LANGUAGES,
                    "options": [option(text[:75], value) for value, text in languages[:100]],
                },
            }
        )
    note = _text_input(
        "note", "A note for the program team", NOTE_MOST, optional=True, multiline=True
    )
    note["hint"] = plain("Only the program admins see it.")
    blocks.append(note)
    return {
        "type": "modal",
        "callback_id": REQUEST_CALLBACK,
        "title": plain("Request coaching"),
        "submit": plain("Send request"),
        "close": plain("Cancel"),
        "blocks": blocks,
    }


def read_request(view: Any) -> tuple[list[str], str, str, str, list[str]]:
    """The goals typed (empty ones left out), timeframe, manager's answer, the note and the
    languages chosen."""
    goals = [_value(view, block_id) for block_id in GOAL_FIELDS]
    chosen = element_state(view, LANGUAGES, LANGUAGES).get("selected_options") or []
    return (
        [g for g in goals if g],
        _value(view, "timeframe"),
        _value(view, "manager"),
        _value(view, "note"),
        [str(o.get("value")) for o in chosen if isinstance(o, dict)],
    )


def notice_view(title: str, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain(title[:24]),
        "close": plain("Close"),
        "blocks": [section(text)],
    }


WHAT_NEXT = (
    "*What happens next:* the program team reads your request and decides, usually within a "
    "few days. If they approve it, you choose your coach from up to three who fit your goals; "
    "you hear by DM either way."
)


def requested_message(request: CoachingRequest, rules: CoachingRules) -> dict[str, Any]:
    """The person's copy of their request, with what happens next and Withdraw."""
    timeframe = rules.timeframe(request.timeframe)
    text = (
        "Your coaching request is in.\n*Your goals:*\n"
        + _goals(request.goals)
        + f"\n*Timeframe:* {timeframe.label if timeframe else request.timeframe}\n{WHAT_NEXT}"
    )
    return {
        "text": "Your coaching request is in.",
        "blocks": [
            section(text, "request"),
            actions(
                "request_actions", button("Withdraw my request", WITHDRAW_ACTION, value=request.id)
            ),
        ],
    }


def withdrawn_message() -> dict[str, Any]:
    text = "Your coaching request is withdrawn. You can ask again from your result any time."
    return {"text": text, "blocks": [section(text, "request")]}


# The program decides.


def admin_request_message(
    request: CoachingRequest,
    rules: CoachingRules,
    reasons: list[str],
    history: list[str],
    budget_line: str,
    languages: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The DM each admin gets: the goals, timeframe, why coaching, earlier requests, the
    budget, Approve and Decline; `languages` names the languages' values."""
    languages = languages or {}
    timeframe = rules.timeframe(request.timeframe)
    lines = [
        f"<@{request.user_id}> asks for coaching.",
        "*Goals:*\n" + _goals(request.goals),
        f"*Timeframe:* {timeframe.label if timeframe else request.timeframe}",
        f"*Manager knows:* {rules.manager_label(request.manager_knows)}",
    ]
    if request.languages:
        lines.append(f"*Languages:* {', '.join(languages.get(v, v) for v in request.languages)}")
    if reasons:
        lines.append("*Why devpath advised coaching:*\n" + bullets(reasons))
    if request.note:
        quoted = "\n".join(f">{line}" for line in escape(request.note).splitlines())
        lines.append(f"*Their note:*\n{quoted}")
    lines.append("*Earlier requests:* " + ("none" if not history else "\n" + bullets(history)))
    return {
        "text": f"<@{request.user_id}> asks for coaching.",
        "blocks": [
            section("\n".join(lines), "request"),
            context(f"Budget: {budget_line}"),
            actions(
                "decide",
                button("Approve", APPROVE_ACTION, value=request.id, style="primary"),
                button("Decline", DECLINE_ACTION, value=request.id),
            ),
        ],
    }


def history_line(request: CoachingRequest) -> str:
    said = {
        "pending": "waiting",
        "approved": "approved",
        "declined": "declined",
        "withdrawn": "withdrawn",
    }[request.state]
    if request.state == "declined" and request.reason:
        said += f" ({escape(request.reason)})"
    return f"{_date(request.created_at)}: {said}"


def decided_admin_copy(request: CoachingRequest) -> dict[str, Any]:
    """An admin's copy once decided (by anyone) or withdrawn: no buttons left."""
    who = f"<@{request.user_id}>'s coaching request"
    by = f"<@{request.decided_by}>" if request.decided_by else "someone"
    texts = {
        "approved": f"{who} was approved by {by}"
        + (" (over the budget, confirmed)" if request.over_budget else "")
        + ". They choose their coach next.",
        "declined": f"{who} was declined by {by}: {escape(request.reason)}",
        "withdrawn": f"{who} was withdrawn by them.",
        "pending": f"{who} is still waiting for a decision.",
    }
    text = texts[request.state]
    return {"text": text, "blocks": [section(text, "request")]}


def decline_view(request_id: str) -> dict[str, Any]:
    reason = _text_input("reason", "Why, in a sentence they will read", REASON_MOST, multiline=True)
    reason["hint"] = plain("The person sees this, framed kindly: say what would change it.")
    return {
        "type": "modal",
        "callback_id": DECLINE_CALLBACK,
        "title": plain("Decline the request"),
        "submit": plain("Decline"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"request": request_id}),
        "blocks": [reason],
    }


def over_budget_view(request_id: str, user_id: str, budget_line: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": OVER_BUDGET_CALLBACK,
        "title": plain("Over the budget"),
        "submit": plain("Approve anyway"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"request": request_id}),
        "blocks": [
            section(
                f"The coaching budget is used up: {budget_line}. Approving <@{user_id}>'s "
                "request goes beyond it. Approve anyway?"
            )
        ],
    }


def read_request_id(view: Any) -> str:
    found = _meta(view).get("request")
    return found if isinstance(found, str) else ""


def declined_message(rules: CoachingRules, reason: str) -> dict[str, Any]:
    text = rules.decline_frame.replace("{reason}", escape(reason.rstrip(".")) + ".")
    return {"text": text, "blocks": [section(text, "decision")]}


# The person chooses a coach.


def coach_line(coach: Coach, reason: str) -> str:
    where = (
        "internal coach"
        if coach.kind == "internal"
        else escape(coach.organisation or "external coach")
    )
    text = f"*{escape(coach.name)}* · {where}\n{reason}"
    if coach.credentials:
        text += f"\n_{escape(coach.credentials)}_"
    return text


def choose_blocks(request_id: str, choices: list[tuple[Coach, str]]) -> list[Block]:
    if not choices:
        return [
            section(
                "No coach on the roster fits you with a free place right now. The program team "
                "has been told and will get back to you; your approval stands.",
                "no_coach",
            )
        ]
    blocks: list[Block] = [section("*Choose your coach:*", "coaches")]
    for coach, reason in choices:
        line = section(coach_line(coach, reason), f"coach_{coach.id}"[:255])
        line["accessory"] = button("Choose", CHOOSE_ACTION, value=f"{request_id}:{coach.id}")
        blocks.append(line)
    return blocks


def no_coach_message(request: CoachingRequest) -> dict[str, Any]:
    text = (
        f"<@{request.user_id}>'s approved coaching request found no coach on the roster with "
        "a free place in the areas they need. Adding a coach would help: `/devpath coach add`."
    )
    return {"text": text, "blocks": [section(text)]}


def approved_message(request_id: str, choices: list[tuple[Coach, str]]) -> dict[str, Any]:
    text = "Good news: the program approved your coaching request."
    return {
        "text": text,
        "blocks": [section(f":tada: {text}", "decision"), *choose_blocks(request_id, choices)],
    }


def read_choice(value: str) -> tuple[str, str]:
    request_id, _, coach_id = value.partition(":")
    return request_id, coach_id


def offer_message(engagement: Engagement, rules: CoachingRules, expires: str) -> dict[str, Any]:
    """The DM an internal coach gets: who asks, their goals, Accept and Decline."""
    timeframe_end = _date(engagement.planned_end) if engagement.planned_end else ""
    lines = [
        f"<@{engagement.user_id}> would like you as their coach.",
        "*Their goals:*\n" + _goals(engagement.goals),
    ]
    if timeframe_end:
        lines.append(f"*Planned until:* {timeframe_end}")
    return {
        "text": f"<@{engagement.user_id}> would like you as their coach.",
        "blocks": [
            section("\n".join(lines), "offer"),
            actions(
                "answer",
                button("Accept", ACCEPT_ACTION, value=engagement.id, style="primary"),
                button("Decline", COACH_DECLINE_ACTION, value=engagement.id),
            ),
            context(f"Please answer by {expires}. Accepting opens a group DM with the two of you."),
        ],
    }


def offer_answered(engagement: Engagement, outcome: str) -> dict[str, Any]:
    who = f"<@{engagement.user_id}>'s request"
    texts = {
        "active": f"You accepted {who}. Your group DM is open: the kickoff is there.",
        "declined": f"You declined {who}. Thank you for answering; we offer them the next coach.",
        "lapsed": f"{who} lapsed without an answer.",
    }
    return {"text": texts[outcome], "blocks": [section(texts[outcome], "offer")]}


def offer_sent_view(coach: Coach, expires: str) -> dict[str, Any]:
    if coach.kind == "internal":
        text = (
            f"I asked *{escape(coach.name)}* for you. You will hear by DM when they answer; "
            f"the offer lapses {expires} if they do not."
        )
    else:
        text = (
            f"You chose *{escape(coach.name)}*. Their contact is in your DMs; the program team "
            "arranges the contract and tells you when you can start."
        )
    return notice_view("Coach chosen", text)


def coach_declined_message(
    name: str, why: str, request_id: str, choices: list[tuple[Coach, str]]
) -> dict[str, Any]:
    if why == "lapsed":
        text = f"{escape(name)} has not answered in time, so the offer has lapsed."
    else:
        text = (
            f"{escape(name)} cannot take you on right now. It is about their time, not about you."
        )
    return {"text": text, "blocks": [section(text, "offer"), *choose_blocks(request_id, choices)]}


def coach_accepted_message(name: str) -> dict[str, Any]:
    text = f"*{escape(name)}* accepted: your coaching starts now. The kickoff is in your group DM."
    return {"text": text, "blocks": [section(text)]}


def kickoff_message(
    engagement: Engagement, rules: CoachingRules, coach_name: str, internal: bool
) -> dict[str, Any]:
    """The start: goals, the planned end, a first-session agenda, and 360 feedback."""
    if internal:
        hello = (
            f"<@{engagement.coach_id}>, meet <@{engagement.user_id}>: "
            "your coaching engagement starts today. :tada:"
        )
    else:
        hello = f"Your coaching with *{escape(coach_name)}* starts today. :tada:"
    lines = [
        hello,
        "*The goals:*\n" + _goals(engagement.goals),
        f"*Planned end:* {_date(engagement.planned_end)} (a mid-point check on the way)",
    ]
    return {
        "text": hello,
        "blocks": [
            section("\n".join(lines), "hello"),
            section(rules.kickoff, "agenda"),
            context(
                "Start from how others see you: type `/devpath feedback` to ask colleagues for "
                "anonymous 360 feedback, shown once 3 have answered."
            ),
            engagement_actions(engagement),
        ],
    }


def engagement_actions(engagement: Engagement, feedback: bool = False) -> Block:
    """End early and Extend once; with `feedback` (where only the coachee sees it), Ask for
    360 feedback too."""
    elements = [button("End early", END_ACTION, value=engagement.id)]
    if not engagement.extended:
        elements.append(button("Extend once", EXTEND_ACTION, value=engagement.id))
    if feedback:
        elements.append(start_button())
    return actions(f"engagement_{engagement.id}"[:255], *elements)


def booking_message(coach: Coach) -> dict[str, Any]:
    lines = [
        f"You chose *{escape(coach.name)}*"
        + (f" ({escape(coach.organisation)})" if coach.organisation else "")
        + "."
    ]
    if coach.booking_url:
        lines.append(f"*Book a first session:* {escape(coach.booking_url)}")
    if coach.email:
        lines.append(f"*Contact:* {escape(coach.email)}")
    lines.append("The program team arranges the contract and tells you when it starts.")
    text = "\n".join(lines)
    gather = "Start from how others see you: ask colleagues for anonymous 360 feedback."
    return {
        "text": lines[0],
        "blocks": [
            section(text, "booking"),
            {**section(gather, "feedback"), "accessory": start_button()},
        ],
    }


def arrange_message(engagement: Engagement, coach: Coach) -> dict[str, Any]:
    """To admins: an external coach was chosen; the contract is theirs to arrange."""
    text = (
        f"<@{engagement.user_id}> chose *{escape(coach.name)}*"
        + (f" ({escape(coach.organisation)})" if coach.organisation else "")
        + ", an external coach. Please arrange the contract"
        + (f" ({escape(coach.email)})" if coach.email else "")
        + ", then press *Contract arranged* to start the engagement."
    )
    return {
        "text": text,
        "blocks": [
            section(text, "arrange"),
            actions(
                "arrange_actions",
                button("Contract arranged", ACCEPT_ACTION, value=engagement.id, style="primary"),
            ),
        ],
    }


def arranged_copy(engagement: Engagement) -> dict[str, Any]:
    text = f"The engagement of <@{engagement.user_id}> has started."
    return {"text": text, "blocks": [section(text, "arrange")]}


# The engagement: ending early, extending, the checkpoints.


def end_view(engagement_id: str) -> dict[str, Any]:
    reason = _text_input("reason", "Why end it now?", REASON_MOST, multiline=True)
    return {
        "type": "modal",
        "callback_id": END_CALLBACK,
        "title": plain("End the coaching"),
        "submit": plain("End it"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"engagement": engagement_id}),
        "blocks": [
            section(
                "Ending early frees the coach's place. The other side is told, with your reason."
            ),
            reason,
        ],
    }


def read_engagement_id(view: Any) -> str:
    found = _meta(view).get("engagement")
    return found if isinstance(found, str) else ""


def _score(block_id: str, label: str, given: int | None = None) -> Block:
    names = {"1": "1: not started", "2": "2", "3": "3: half-way", "4": "4", "5": "5: reached"}
    element: Block = {
        "type": "static_select",
        "action_id": block_id,
        "options": [option(names[s], s) for s in SCORES],
    }
    if given is not None and str(given) in names:
        element["initial_option"] = option(names[str(given)], str(given))
    return {"type": "input", "block_id": block_id, "label": plain(label[:2000]), "element": element}


def progress_view(engagement: Engagement, nudge_id: str) -> dict[str, Any]:
    """Each goal's progress; opened again, it shows what was rated, to correct it."""
    blocks: list[Block] = [section("How far is each goal, from 1 (not started) to 5 (reached)?")]
    blocks += [
        _score(f"goal_{n}", f"Goal {n + 1}: {g}", engagement.progress.get(str(n)))
        for n, g in enumerate(engagement.goals)
    ]
    return {
        "type": "modal",
        "callback_id": PROGRESS_CALLBACK,
        "title": plain("Mid-point check"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"engagement": engagement.id, "nudge": nudge_id}),
        "blocks": blocks,
    }


def review_view(engagement: Engagement, nudge_id: str) -> dict[str, Any]:
    blocks: list[Block] = [
        section("The end review closes the engagement and frees the coach's place.")
    ]
    blocks += [
        _score(f"goal_{n}", f"Outcome of goal {n + 1}: {g}") for n, g in enumerate(engagement.goals)
    ]
    blocks.append(
        _choice("recommend", "Would you recommend your coach?", [("yes", "Yes"), ("no", "No")])
    )
    return {
        "type": "modal",
        "callback_id": REVIEW_CALLBACK,
        "title": plain("End review"),
        "submit": plain("Close the engagement"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"engagement": engagement.id, "nudge": nudge_id}),
        "blocks": blocks,
    }


def read_scores(view: Any, goals: int) -> dict[str, int] | None:
    """Each goal's score, "0" to its index; None when one is missing or not 1 to 5."""
    scores = {str(n): _value(view, f"goal_{n}") for n in range(goals)}
    if any(s not in SCORES for s in scores.values()):
        return None
    return {k: int(v) for k, v in scores.items()}


def read_nudge_id(view: Any) -> str:
    found = _meta(view).get("nudge")
    return found if isinstance(found, str) else ""


def checkpoint_action(kind: str, nudge_id: str) -> list[Block]:
    """The mid-point's and the end review's own button, in their nudge."""
    if kind == "coaching_midpoint":
        return [
            actions(
                "nudge_action",
                button("Rate my goals", PROGRESS_ACTION, value=nudge_id, style="primary"),
            )
        ]
    return [
        actions(
            "nudge_action",
            button("Do the end review", REVIEW_ACTION, value=nudge_id, style="primary"),
        )
    ]


def ended_message(engagement: Engagement, by_coachee: bool) -> dict[str, Any]:
    if engagement.outcome:
        text = f"<@{engagement.user_id}>'s coaching engagement is closed with its end review."
    else:
        who = "the coachee" if by_coachee else "a program admin"
        text = (
            f"<@{engagement.user_id}>'s coaching engagement was ended early by {who}: "
            f"{escape(engagement.end_reason)}"
        )
    return {"text": text, "blocks": [section(text)]}


def extended_message(engagement: Engagement) -> dict[str, Any]:
    text = (
        f"<@{engagement.user_id}>'s coaching engagement is extended once, to "
        f"{_date(engagement.planned_end)}. The end review moves with it."
    )
    return {"text": text, "blocks": [section(text)]}


def engagement_line(engagement: Engagement, coach_name: str) -> str:
    said = {
        "offered": "waiting for the coach's answer",
        "arranging": "the program is arranging the contract",
        "active": f"under way until {_date(engagement.planned_end)}",
        "declined": "the coach declined",
        "lapsed": "the offer lapsed",
        "ended": f"ended {_date(engagement.ended_at)}",
    }[engagement.state]
    return f"Coaching with {escape(coach_name)}: {said}"


def request_line(request: CoachingRequest) -> str:
    said = {
        "pending": "waiting for the program's decision",
        "approved": "approved",
        "declined": "declined",
        "withdrawn": "withdrawn",
    }[request.state]
    return f"Coaching request of {_date(request.created_at)}: {said}"


def admin_pending_blocks(pending: list[CoachingRequest], budget_line: str) -> list[Block]:
    """The admin Home's list of requests waiting for a decision."""
    if not pending:
        return [section("*Coaching requests:* none waiting.", "coaching_pending")]
    blocks: list[Block] = [
        section(f"*Coaching requests waiting:* {len(pending)}", "coaching_pending"),
        context(f"Budget: {budget_line}"),
    ]
    for request in pending[:PENDING_SHOWN]:
        blocks.append(
            section(
                f"<@{request.user_id}>: " + "; ".join(escape(g) for g in request.goals),
                f"creq_{request.id}"[:255],
            )
        )
        blocks.append(
            actions(
                f"cdecide_{request.id}"[:255],
                button("Approve", APPROVE_ACTION, value=request.id, style="primary"),
                button("Decline", DECLINE_ACTION, value=request.id),
            )
        )
    return blocks


def admin_engagement_blocks(under_way: int) -> list[Block]:
    """The admin Home's count of engagements under way, and the way to their list: one
    block, however many there are."""
    if not under_way:
        return []
    summary = section(f"*Engagements under way:* {under_way}", "coaching_active")
    summary["accessory"] = button("See them", UNDER_WAY_ACTION)
    return [summary]


def under_way_view(under_way: list[tuple[Engagement, str]]) -> dict[str, Any]:
    """For admins: engagements under way, the oldest first, each with End early and Extend
    once (two blocks each, so the oldest UNDER_WAY_SHOWN fit a modal)."""
    blocks: list[Block] = []
    for engagement, name in under_way[:UNDER_WAY_SHOWN]:
        line = f"<@{engagement.user_id}>: " + engagement_line(engagement, name)
        blocks.append(section(line, f"cactive_{engagement.id}"[:255]))
        blocks.append(engagement_actions(engagement))
    if len(under_way) > UNDER_WAY_SHOWN:
        blocks.append(context(f"The oldest {UNDER_WAY_SHOWN} of {len(under_way)} are shown."))
    if not blocks:
        blocks.append(section("No coaching engagement is under way."))
    return {
        "type": "modal",
        "callback_id": UNDER_WAY_CALLBACK,
        "title": plain("Coaching under way"),
        "close": plain("Close"),
        "blocks": blocks,
    }


def person_blocks(
    can_request: bool,
    requests: list[CoachingRequest],
    engagements: list[tuple[Engagement, str]],
    offers: list[Engagement] | None = None,
) -> list[Block]:
    """The person's side of coaching in Home: Request coaching, or where their request and
    engagement are, with what they can do about them; as an internal coach, the offers
    waiting for their answer."""
    blocks: list[Block] = []
    for offer in (offers or [])[:PENDING_SHOWN]:
        blocks.append(
            section(f"<@{offer.user_id}> would like you as their coach.", f"offer_{offer.id}"[:255])
        )
        blocks.append(
            actions(
                f"offer_answer_{offer.id}"[:255],
                button("Accept", ACCEPT_ACTION, value=offer.id, style="primary"),
                button("Decline", COACH_DECLINE_ACTION, value=offer.id),
            )
        )
    if can_request:
        blocks += request_blocks()
    latest = requests[-1] if requests else None
    if latest is not None and latest.state == "pending":
        blocks.append(section(request_line(latest), "coaching_request"))
        blocks.append(
            actions(
                "coaching_request_actions",
                button("Withdraw my request", WITHDRAW_ACTION, value=latest.id),
            )
        )
    for engagement, coach_name in engagements[-3:]:
        block_id = f"coaching_{engagement.id}"[:255]
        blocks.append(section(engagement_line(engagement, coach_name), block_id))
        if engagement.state == "active":
            blocks.append(engagement_actions(engagement, feedback=True))
    return [section("*Your coaching*", "coaching_home"), *blocks] if blocks else []


def status_lines(
    requests: list[CoachingRequest], engagements: list[tuple[Engagement, str]]
) -> list[str]:
    lines = [request_line(r) for r in requests[-3:]]
    lines += [engagement_line(e, name) for e, name in engagements[-3:]]
    return ["*Your coaching:*\n" + bullets(lines)] if lines else []
