"""Every matching-round screen stays within Slack's limits at its fullest: a long name, a
cohort of hundreds, the longest reasons, every mentor a swap could offer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.matching import Mentor
from bot.domain.rounds import NAME_MOST, Pair, Round
from bot.screens.rounds import (
    admin_round_message,
    invite_message,
    joined_message,
    places_confirmed,
    places_message,
    preview_view,
    start_view,
    swap_view,
    unmatched_message,
)
from tests.blockkit import assert_valid_message, assert_valid_view

NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)
NAME = "<!channel> & " + "N" * (NAME_MOST - 12)
REASON = "Both in Engineering · shares " + "career transition, " * 12 + "1 h apart"
PAIRS = tuple(Pair(f"UE{n:05d}", f"UM{n % 300:05d}", 71.25, REASON) for n in range(700))
FULL = Round(
    "r" * 32,
    NAME,
    "UADMIN",
    NOW,
    NOW + timedelta(days=7),
    joined=tuple(f"UE{n:05d}" for n in range(1000)),
    places={f"UM{n:05d}": 4 for n in range(300)},
    proposal=PAIRS,
    unmatched={f"UE{n:05d}": "nobody in the round works in " + "Design " * 30 for n in range(300)},
    first_come_total=40000.0,
    state="matched",
)


def test_the_start_modal_fits():
    assert_valid_view(start_view())


def test_the_preview_fits_on_every_page_and_escapes_the_name():
    for page in (1, 2, 35, 99):
        view = preview_view(FULL, page)
        assert_valid_view(view)
        assert "<!channel>" not in str(view["blocks"][1:])
    assert "and 285 more" in str(preview_view(FULL))
    assert_valid_view(preview_view(replace(FULL, proposal=(), unmatched={})))
    assert_valid_view(preview_view(replace(FULL, state="published")))


def test_the_swap_offers_at_most_a_select_full():
    options = [Pair("UE00001", f"UM{n:05d}", 50.0, REASON) for n in range(300)]
    names = {p.mentor_id: "M" * 80 for p in options}
    assert_valid_view(swap_view(FULL, "UE00001", options, names, 3, root="V1"))


def test_the_dms_fit():
    mentor = Mentor("UM1", "M" * 80, None, ("engineering",), (), "senior", 10)
    for message in (
        invite_message(FULL, "UE00001"),
        invite_message(FULL, "UX"),
        joined_message(FULL),
        places_message(FULL, mentor, 10),
        places_message(FULL, replace(mentor, capacity=1), 0),
        places_confirmed(FULL, 0),
        unmatched_message(FULL),
        *(admin_round_message(replace(FULL, state=s)) for s in ("open", "matched", "published")),
    ):
        assert_valid_message(message)
        assert "<!channel>" not in str(message)
