"""Matching rounds' screens: the admin's start modal and round card, the preview with its
pairs, the swap, and the DMs to mentees and mentors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.domain.matching import Mentor
from bot.domain.rounds import NAME_MOST, Pair, Round
from bot.screens.blocks import (
    Block,
    actions,
    button,
    context,
    element_state,
    escape,
    header,
    input_block,
    option,
    page_of,
    pager,
    plain,
    section,
)

START_CALLBACK = "round_start"
JOIN_ACTION = "round_join"
PLACES_ACTION = "round_places"  # round_places_0 ... round_places_10; value "<round>:<n>"
MATCH_ACTION = "round_match"
PREVIEW_ACTION = "round_preview"
PUBLISH_ACTION = "round_publish"
PAIR_ACTION = "round_pair"  # an overflow: "swap:<mentee>" or "remove:<mentee>"
PAGE_ACTION = "round_page"
PREVIEW_CALLBACK = "round_preview"
SWAP_CALLBACK = "round_swap"
PAGE_SIZE = 20  # pairs a page: with the summary, the unmatched and the buttons, under 100
UNMATCHED_SHOWN = 15
REASON_SHOWN = 150  # characters of one unmatched reason: fifteen and the rest fit a section
EVERYONE, OPT_IN = "everyone", "opt_in"
REPLACES = "replaces"


def day(moment: datetime) -> str:
    """A date for everyone, in each reader's own timezone (Slack formats it)."""
    fallback = moment.strftime("%A %-d %B %Y")
    return f"<!date^{int(moment.timestamp())}^{{date_long_pretty}}|{fallback}>"


def start_view() -> dict[str, Any]:
    audiences = [
        option("Everyone waiting for a mentor is in it (they are told by DM)", EVERYONE),
        option("Only those who join (they get a DM with Join the round)", OPT_IN),
    ]
    replaces = option(
        "While it is open, its people wait for it instead of asking mentors", REPLACES
    )
    return {
        "type": "modal",
        "callback_id": START_CALLBACK,
        "title": plain("Start a round"),
        "submit": plain("Start"),
        "close": plain("Cancel"),
        "blocks": [
            section(
                "A round collects everyone waiting for a mentor and assigns them all at once, "
                "as well as the mentors' places allow. You preview it before anyone hears."
            ),
            input_block(
                "name",
                "Name",
                {"type": "plain_text_input", "action_id": "name", "max_length": NAME_MOST},
                hint="Like “Spring graduates”. People see it.",
            ),
            input_block(
                "closes",
                "Closes on",
                {"type": "datepicker", "action_id": "closes"},
                hint="Matching runs at the start of this day (UTC), or when you click Match now.",
            ),
            input_block(
                "audience",
                "Who is in it",
                {
                    "type": "radio_buttons",
                    "action_id": "audience",
                    "options": audiences,
                    "initial_option": audiences[1],
                },
            ),
            input_block(
                "replaces",
                "First-come intros",
                {"type": "checkboxes", "action_id": "replaces", "options": [replaces]},
                optional=True,
            ),
        ],
    }


def read_start(view: dict[str, Any]) -> tuple[str, date | None, str, bool]:
    name = element_state(view, "name", "name").get("value")
    picked = element_state(view, "closes", "closes").get("selected_date")
    try:
        closes = date.fromisoformat(picked) if isinstance(picked, str) else None
    except ValueError:
        closes = None
    chosen = element_state(view, "audience", "audience").get("selected_option") or {}
    audience = chosen.get("value") if isinstance(chosen, dict) else None
    ticked = element_state(view, "replaces", "replaces").get("selected_options") or []
    replaces = any(isinstance(o, dict) and o.get("value") == REPLACES for o in ticked)
    return (
        name if isinstance(name, str) else "",
        closes,
        audience if audience in (EVERYONE, OPT_IN) else OPT_IN,
        replaces,
    )


def invite_message(found: Round, user_id: str) -> dict[str, Any]:
    name = escape(found.name)
    if user_id in found.joined:
        text = (
            f"You are in the *{name}* round: devpath will match everyone waiting for a mentor "
            f"at once when it closes, {day(found.closes_at)}, and tell you then."
        )
        return {"text": text, "blocks": [section(text, "round")]}
    text = (
        f"The *{name}* round matches everyone waiting for a mentor at once, as well as the "
        f"mentors' places allow. It closes {day(found.closes_at)}. Join, and you will hear then."
    )
    return {
        "text": f"Join the {escape(found.name)} mentoring round?",
        "blocks": [
            section(text, "round"),
            actions(
                "round_join", button("Join the round", JOIN_ACTION, value=found.id, style="primary")
            ),
        ],
    }


def joined_message(found: Round) -> dict[str, Any]:
    text = (
        f"You are in the *{escape(found.name)}* round. devpath matches everyone at once when "
        f"it closes, {day(found.closes_at)}, and tells you by DM then."
    )
    return {"text": text, "blocks": [section(text, "round")]}


def places_message(found: Round, mentor: Mentor, free: int) -> dict[str, Any]:
    """How many places a mentor gives the round: one click, their free places proposed."""
    most = max(mentor.capacity, free, 1)
    text = (
        f"The *{escape(found.name)}* round matches mentees at once when it closes, "
        f"{day(found.closes_at)}. How many new mentees can you take in it? "
        f"You have {free} free place{'s' if free != 1 else ''} now."
    )
    buttons = [
        button(
            str(n),
            f"{PLACES_ACTION}_{n}",
            value=f"{found.id}:{n}",
            style="primary" if n == free else None,
        )
        for n in range(0, min(most, 10) + 1)
    ]
    return {
        "text": f"How many mentees can you take in the {escape(found.name)} round?",
        "blocks": [
            section(text, "round"),
            actions("round_places", *buttons),
            context(
                "Without an answer, your free places count. You can change it until it closes."
            ),
        ],
    }


def places_confirmed(found: Round, places: int) -> dict[str, Any]:
    given = "no places" if places == 0 else f"{places} place{'s' if places != 1 else ''}"
    text = f"Thank you: you give the *{escape(found.name)}* round {given}."
    return {"text": text, "blocks": [section(text, "round")]}


def _gain(found: Round) -> str:
    base = found.first_come_total
    if base <= 0:
        return f"first come would give {base:g}"
    more = 100 * (found.total - base) / base
    return f"first come would give {base:g} ({more:+.1f}%)"


def admin_round_message(found: Round) -> dict[str, Any]:
    """The round's card for the admin who started it, updated as it moves on."""
    name = escape(found.name)
    if found.state == "open":
        text = (
            f"*{name}* round: {len(found.joined)} joined · {len(found.places)} mentors confirmed "
            f"places · closes {day(found.closes_at)}."
        )
        buttons = [button("Match now", MATCH_ACTION, value=found.id, style="primary")]
    elif found.state == "matched":
        text = (
            f"*{name}* round matched: {len(found.proposal)} pairs, {len(found.unmatched)} "
            f"unmatched. Total score {found.total:g}; {_gain(found)}. Nobody has been told yet."
        )
        buttons = [
            button("Preview", PREVIEW_ACTION, value=found.id, style="primary"),
            button("Publish", PUBLISH_ACTION, value=found.id),
        ]
    else:
        text = (
            f"*{name}* round {found.state}: {len(found.intro_ids)} intro requests sent, "
            f"{len(found.unmatched)} people told nobody fitted this time."
        )
        buttons = []
    blocks: list[Block] = [section(text, "round")]
    if buttons:
        blocks.append(actions("round_actions", *buttons))
    return {"text": text, "blocks": blocks}


def pair_line(pair: Pair) -> str:
    reason = escape(pair.reason[:1000])
    return f"<@{pair.mentee_id}> → <@{pair.mentor_id}> · *{pair.score:g}*\n{reason}"


def preview_view(found: Round, page: int = 1) -> dict[str, Any]:
    """The proposal, a page of pairs at a time, each with Swap… and Remove; the unmatched
    with what the pool lacks; Publish."""
    shown, page, pages = page_of(list(found.proposal), page, PAGE_SIZE)
    summary = (
        f"*{len(found.proposal)} pairs* · total score *{found.total:g}* · {_gain(found)}\n"
        f"{len(found.unmatched)} unmatched · nobody hears anything before you publish."
    )
    blocks: list[Block] = [header(found.name[:150]), section(summary, "summary")]
    for pair in shown:
        line = section(pair_line(pair), f"pair_{pair.mentee_id}")
        line["accessory"] = {
            "type": "overflow",
            "action_id": PAIR_ACTION,
            "options": [
                option("Swap the mentor…", f"swap:{pair.mentee_id}"),
                option("Remove this pair", f"remove:{pair.mentee_id}"),
            ],
        }
        blocks.append(line)
    blocks += pager(page, pages, PAGE_ACTION)
    if found.unmatched:
        lines = [
            f"<@{mentee}>: {escape(why[:REASON_SHOWN])}"
            for mentee, why in list(found.unmatched.items())[:UNMATCHED_SHOWN]
        ]
        more = len(found.unmatched) - UNMATCHED_SHOWN
        if more > 0:
            lines.append(f"… and {more} more (`devpath round preview` lists them all)")
        blocks.append(section("*Unmatched*\n" + "\n".join(lines), "unmatched"))
    if found.state == "matched":
        blocks.append(
            actions("publish", button("Publish", PUBLISH_ACTION, value=found.id, style="primary"))
        )
    else:
        blocks.append(context(f"This round is {found.state}."))
    return {
        "type": "modal",
        "callback_id": PREVIEW_CALLBACK,
        "title": plain("Round preview"),
        "close": plain("Close"),
        "private_metadata": json.dumps({"round": found.id, "page": page}),
        "blocks": blocks,
    }


def swap_view(
    found: Round,
    mentee_id: str,
    options: list[Pair],
    names: Mapping[str, str],
    page: int,
    root: str = "",
) -> dict[str, Any]:
    """Another mentor for this mentee, from those who fit them (best first); `root` is the
    preview beneath, drawn again once swapped."""
    choices = [
        option(f"{names.get(p.mentor_id, p.mentor_id)[:60]} · {p.score:g}", p.mentor_id)
        for p in options[:100]
    ]
    lines = [f"<@{p.mentor_id}> · {p.score:g} · {escape(p.reason[:200])}" for p in options[:10]]
    return {
        "type": "modal",
        "callback_id": SWAP_CALLBACK,
        "title": plain("Swap the mentor"),
        "submit": plain("Swap"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(
            {"round": found.id, "mentee": mentee_id, "page": page, "root": root}
        ),
        "blocks": [
            section(f"Who fits <@{mentee_id}>, best first:\n" + "\n".join(lines), "fits"),
            input_block(
                "mentor",
                "Their mentor",
                {"type": "static_select", "action_id": "mentor", "options": choices},
                hint="The pair you set stays; everyone else is assigned again around it.",
            ),
        ],
    }


def read_swap(view: dict[str, Any]) -> tuple[str, str, str, int, str]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    chosen = element_state(view, "mentor", "mentor").get("selected_option") or {}
    mentor = chosen.get("value") if isinstance(chosen, dict) else ""
    return (
        str(meta.get("round", "")),
        str(meta.get("mentee", "")),
        str(mentor or ""),
        int(meta.get("page", 1) or 1),
        str(meta.get("root", "")),
    )


def unmatched_message(found: Round) -> dict[str, Any]:
    text = (
        f"The *{escape(found.name)}* round could not pair you with a mentor this time: nobody "
        "in it with a free place fit what you are looking for. The program admins know what "
        "is missing. `/devpath status` lists the mentors who fit you as they free up."
    )
    return {"text": text, "blocks": [section(text, "round")]}
