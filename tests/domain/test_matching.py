"""Ranking mentors for a mentee, case by case."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.domain.intros import Intro, excluded_mentors, mentees_now, why_not_request
from bot.domain.matching import Mentee, Mentor, rank_mentors

WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, tzinfo=UTC)
LABELS = {
    "engineering": "Engineering",
    "product": "Product management",
    "career_transition": "Career transition",
    "networking": "Building a network",
    "leadership": "Leadership skills",
}


def mentor(user_id: str, name: str, **changes) -> Mentor:
    base = Mentor(user_id, name, "Europe/London", ("engineering",), ("networking",), "senior", 3)
    return replace(base, **changes)


MENTEE = Mentee("U1", "engineering", ("career_transition", "networking"), 1, "Europe/London")


def rank(content, mentors, now=WINTER, taken=None, excluded=None, mentee=MENTEE, count=None):
    return rank_mentors(
        mentee, mentors, taken or {}, excluded or set(), content.matching, LABELS, now, count
    )


def names(matches) -> list[str]:
    return [m.mentor.name for m in matches]


@pytest.mark.parametrize(
    ("pool", "taken", "expected"),
    [
        # Field weighs most: a product mentor sharing both topics ranks below an engineer.
        (
            [
                mentor(
                    "U2", "Pat", fields=("product",), topics=("career_transition", "networking")
                ),
                mentor("U3", "Eve"),
            ],
            {},
            ["Eve", "Pat"],
        ),
        # Same field: more shared topics first.
        (
            [mentor("U2", "Ann"), mentor("U3", "Bob", topics=("networking", "career_transition"))],
            {},
            ["Bob", "Ann"],
        ),
        # Same field and topics: the mentor further along first.
        (
            [mentor("U2", "Ann", seniority="early"), mentor("U3", "Bob", seniority="leader")],
            {},
            ["Bob", "Ann"],
        ),
        # Then the nearer timezone.
        (
            [
                mentor("U2", "Ann", timezone="Asia/Kolkata"),
                mentor("U3", "Bob", timezone="Europe/Paris"),
            ],
            {},
            ["Bob", "Ann"],
        ),
        # Then more free places: Ann already has two mentees.
        ([mentor("U2", "Ann"), mentor("U3", "Bob")], {"U2": 2}, ["Bob", "Ann"]),
        # A perfect tie goes by name, so the answer never changes between runs.
        (
            [mentor("U3", "Zoe"), mentor("U2", "Amy"), mentor("U4", "amy")],
            {},
            ["Amy", "amy", "Zoe"],
        ),
    ],
    ids=["field first", "topics", "seniority", "timezone", "capacity", "ties by name"],
)
def test_ranking_order(content, pool, taken, expected):
    assert names(rank(content, pool, taken=taken)) == expected


@pytest.mark.parametrize(
    ("pool", "taken", "excluded"),
    [
        ([mentor("U1", "Me")], {}, set()),  # never the mentee themselves
        ([mentor("U2", "Off", active=False)], {}, set()),  # paused
        ([mentor("U2", "Full", capacity=2)], {"U2": 2}, set()),  # no free place
        ([mentor("U2", "Declined")], {}, {"U2"}),  # declined, or already asked
        ([mentor("U2", "Far", fields=("product",), topics=("leadership",))], {}, set()),
    ],
    ids=["self", "paused", "full", "excluded", "nothing in common"],
)
def test_who_is_never_offered(content, pool, taken, excluded):
    assert rank(content, pool, taken=taken, excluded=excluded) == []


def test_top_three_only_and_each_with_a_reason(content):
    pool = [mentor(f"U{i}", f"Mentor {i}") for i in range(2, 9)]
    matches = rank(content, pool)
    assert len(matches) == 3
    assert all(m.reason for m in matches)


def test_the_reason_reads_like_the_product_says(content):
    pat = mentor("U2", "Pat", timezone="Europe/Berlin", topics=("career_transition", "networking"))
    (match,) = rank(content, [pat], taken={"U2": 1})
    assert match.reason == (
        "Both in Engineering · shares career transition, building a network · 1 h apart · "
        "2 of 3 places free"
    )


def test_timezone_distance_follows_daylight_saving(content):
    # London and New York change on (almost) the same dates: 5 h apart all year.
    ny = mentor("U2", "Ny", timezone="America/New_York")
    (winter,) = rank(content, [ny], now=WINTER)
    (summer,) = rank(content, [ny], now=SUMMER)
    assert "5 h apart" in winter.reason and "5 h apart" in summer.reason
    # Arizona keeps no summer time, so it is an hour further from London in July.
    phoenix = mentor("U3", "Px", timezone="America/Phoenix")
    (winter,) = rank(content, [phoenix], now=WINTER)
    (summer,) = rank(content, [phoenix], now=SUMMER)
    assert "7 h apart" in winter.reason and "8 h apart" in summer.reason


def test_an_unknown_timezone_is_neutral_not_an_error(content):
    odd = mentor("U2", "Odd", timezone="Mars/Olympus")
    (match,) = rank(content, [odd])
    assert "apart" not in match.reason and "same timezone" not in match.reason


def intro(mentor_id: str, state: str, mentee_id: str = "U1") -> Intro:
    return Intro(f"I-{mentor_id}-{state}", mentee_id, mentor_id, state, WINTER, WINTER)


def test_intro_rules():
    intros = [
        intro("U2", "pending"),
        intro("U3", "declined"),
        intro("U4", "accepted"),
        intro("U5", "expired"),
        intro("U6", "accepted", mentee_id="U9"),
    ]
    assert excluded_mentors("U1", intros) == {"U2", "U3", "U4"}
    assert mentees_now(intros) == {"U4": 1, "U6": 1}
    assert why_not_request("U1", "U1", intros) is not None
    assert "already asked" in why_not_request("U1", "U2", intros)
    assert why_not_request("U1", "U5", intros) is None  # an expired request may be asked again
