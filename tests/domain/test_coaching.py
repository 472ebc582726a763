"""The coach roster's rules: what an entry may hold, and ranking coaches for one person."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.content import Content
from bot.domain.coaching import Coach, coach_problems, is_external_id, new_external_id
from bot.domain.matching import CoachingSeeker, rank_coaches

WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)


def coach(coach_id: str, name: str, **changes) -> Coach:
    base = Coach(coach_id, "internal", name, "Europe/London", ("leadership",), ("en",), 3)
    return replace(base, **changes)


SEEKER = CoachingSeeker("U1", ("leadership",), (), ("en",), "Europe/London")


def rank(content, coaches, taken=None, excluded=None, seeker=SEEKER, rules=None, count=None):
    return rank_coaches(
        seeker,
        coaches,
        taken or {},
        excluded or set(),
        rules or content.coaches,
        content.coaches.labels,
        WINTER,
        count,
    )


@pytest.mark.parametrize(
    ("roster", "taken", "seeker", "expected"),
    [
        # More of the person's areas first: managing people also serves leadership.
        (
            [coach("U2", "Ann"), coach("U3", "Bob", areas=("leadership", "managing_people"))],
            {},
            SEEKER,
            ["Bob", "Ann"],
        ),
        # Same areas: the one who speaks the person's language first.
        (
            [coach("U2", "Ann", languages=("de",)), coach("U3", "Bob")],
            {},
            SEEKER,
            ["Bob", "Ann"],
        ),
        # Then the nearer timezone.
        (
            [
                coach("U2", "Ann", timezone="Asia/Tokyo"),
                coach("U3", "Bob", timezone="Europe/Paris"),
            ],
            {},
            SEEKER,
            ["Bob", "Ann"],
        ),
        # Then more free places.
        ([coach("U2", "Ann"), coach("U3", "Bob")], {"U2": 2}, SEEKER, ["Bob", "Ann"]),
        # A perfect tie goes by name, then id: the same answer every run.
        (
            [coach("U3", "Bob"), coach("U2", "Ann"), coach("x-aaaa", "ann")],
            {},
            SEEKER,
            ["Ann", "ann", "Bob"],
        ),
        # Paused, full, the person themself: never offered.
        (
            [coach("U2", "Ann", active=False), coach("U3", "Bob"), coach("U1", "Me")],
            {"U3": 3},
            SEEKER,
            [],
        ),
        # No area in common: not offered, however free.
        ([coach("U2", "Ann", areas=("career_transition",))], {}, SEEKER, []),
        # Typed goals find an area the topics did not.
        (
            [coach("U2", "Ann", areas=("communication_influence",))],
            {},
            replace(SEEKER, topics=(), goals=("Influence senior stakeholders",)),
            ["Ann"],
        ),
        # An external coach is ranked like an internal one.
        (
            [coach("x-ab12cd", "Zoe", kind="external", organisation="Acme"), coach("U2", "Ann")],
            {"U2": 1},
            SEEKER,
            ["Zoe", "Ann"],
        ),
    ],
)
def test_rank_coaches(content: Content, roster, taken, seeker, expected) -> None:
    assert [m.coach.name for m in rank(content, roster, taken, seeker=seeker)] == expected


def test_excluded_coaches_are_not_offered(content: Content) -> None:
    assert [m.coach.id for m in rank(content, [coach("U2", "Ann")], excluded={"U2"})] == []


def test_coaches_without_an_area_in_common_when_the_content_says_so(content: Content) -> None:
    rules = replace(content.coaches, show_without_area=True)
    roster = [coach("U2", "Ann", areas=("career_transition",)), coach("U3", "Bob")]
    matches = rank(content, roster, rules=rules)
    assert [m.coach.name for m in matches] == ["Bob", "Ann"]
    assert matches[1].reason == "Speaks English · same timezone · 3 of 3 places free"


def test_the_reason_is_in_the_persons_words(content: Content) -> None:
    roster = [
        coach(
            "U2",
            "Ann",
            areas=("leadership", "communication_influence", "career_transition"),
            languages=("de", "en"),
            timezone="Europe/Paris",
            capacity=4,
        )
    ]
    seeker = replace(SEEKER, topics=("leadership", "communication"))
    [match] = rank(content, roster, taken={"U2": 2}, seeker=seeker)
    assert match.reason == (
        "Coaches leadership, communication and influence · speaks English · 1 h apart · "
        "2 of 4 places free"
    )
    assert match.free == 2


def test_how_many_are_shown(content: Content) -> None:
    roster = [coach(f"U{n}", f"Coach {n}") for n in range(2, 12)]
    assert len(rank(content, roster)) == content.coaches.coaches_shown == 3
    assert len(rank(content, roster, count=5)) == 5


# What a coach entry may hold.

KNOWN = {"known_areas": {"leadership"}, "known_languages": {"en"}}
GOOD = {
    "kind": "external",
    "name": "Zoe Park",
    "timezone": "Europe/London",
    "areas": ("leadership",),
    "languages": ("en",),
    "capacity": "3",
    "credentials": "ICF PCC",
    "bio": "",
    "organisation": "Park Coaching",
    "email": "zoe@park.example",
    "booking_url": "https://park.example/book",
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, {}),
        ({"kind": "internal", "organisation": "", "email": "", "timezone": None}, {}),
        ({"booking_url": ""}, {}),
        ({"name": "  "}, {"name": "is missing"}),
        ({"areas": ()}, {"areas": "pick at least one area"}),
        ({"areas": ("yoga",)}, {"areas": "'yoga' is not one of the areas"}),
        ({"languages": ("xx",)}, {"languages": "'xx' is not one of the languages"}),
        ({"capacity": "0"}, {"capacity": "should be a whole number from 1 to 10, not '0'"}),
        ({"timezone": None}, {"timezone": "pick their timezone"}),
        ({"organisation": ""}, {"organisation": "is missing"}),
        ({"email": "zoe"}, {"email": "'zoe' is not an email address (like name@example.com)"}),
        (
            {"email": "<!channel>@x.io"},
            {"email": "'<!channel>@x.io' is not an email address (like name@example.com)"},
        ),
        (
            {"booking_url": "ftp://x.example"},
            {
                "booking_url": "'ftp://x.example' is not a web address (like https://example.com/book)"
            },
        ),
        (
            {"booking_url": "https://x.example/<!here>"},
            {
                "booking_url": "'https://x.example/<!here>' is not a web address (like https://example.com/book)"
            },
        ),
        ({"credentials": "x" * 201}, {"credentials": "is 201 characters; at most 200"}),
        ({"bio": "x" * 501}, {"bio": "is 501 characters; at most 500"}),
    ],
)
def test_coach_problems(changes: dict, expected: dict) -> None:
    assert coach_problems(**{**GOOD, **changes}, **KNOWN) == expected


def test_external_ids() -> None:
    made = {new_external_id() for _ in range(50)}
    assert len(made) == 50 and all(is_external_id(i) for i in made)
    assert not is_external_id("U0123") and not is_external_id("x-AB")
