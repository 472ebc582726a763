"""A round's assignment from plain tables: optimal within every mentor's places, better than
first come where first come goes wrong, deterministic, and equal to an exhaustive search."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.assignment import exhaustive_best, first_come, optimal
from bot.domain.rounds import Pair


def pairs(table: dict[tuple[str, str], float]) -> list[Pair]:
    return [
        Pair(mentee, mentor, score, f"{mentee}-{mentor}")
        for (mentee, mentor), score in table.items()
    ]


# (what it shows, mentees in the order they joined, places, scores, optimal total, first-come)
CASES = [
    (
        "the first mentee takes the mentor the second needs",
        ["A", "B"],
        {"M1": 1, "M2": 1},
        {("A", "M1"): 60, ("A", "M2"): 55, ("B", "M1"): 50},
        105,
        60,
    ),
    (
        "a popular mentor fills while another waits",
        ["A", "B", "C"],
        {"M1": 2, "M2": 1},
        {("A", "M1"): 70, ("B", "M1"): 69, ("A", "M2"): 68, ("C", "M1"): 40},
        177,
        139,
    ),
    (
        "nobody fits one mentee: they stay unmatched, nobody else loses",
        ["A", "B"],
        {"M1": 1},
        {("B", "M1"): 30},
        30,
        30,
    ),
    (
        "fewer places than mentees: the places go where they score most",
        ["A", "B", "C"],
        {"M1": 1, "M2": 1},
        {("A", "M1"): 10, ("B", "M1"): 50, ("B", "M2"): 49, ("C", "M2"): 45},
        95,
        59,
    ),
    (
        "no places at all",
        ["A"],
        {"M1": 0},
        {("A", "M1"): 30},
        0,
        0,
    ),
]


@pytest.mark.parametrize(
    ("mentees", "places", "table", "best", "first"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_optimal_beats_first_come_where_first_come_goes_wrong(mentees, places, table, best, first):
    candidates = pairs(table)
    found = optimal(mentees, places, candidates)
    assert found.total == best == exhaustive_best(mentees, places, candidates)
    assert first_come(mentees, places, candidates).total == first
    assert Counter(p.mentor_id for p in found.pairs) <= Counter(places)
    assert {p.mentee_id for p in found.pairs} | set(found.unmatched) == set(mentees)


def test_only_candidates_are_paired_and_each_mentee_once():
    candidates = pairs({("A", "M1"): 40, ("B", "M1"): 35, ("B", "M2"): 20})
    found = optimal(["A", "B", "C"], {"M1": 2, "M2": 5}, candidates)
    assert [(p.mentee_id, p.mentor_id) for p in found.pairs] == [("A", "M1"), ("B", "M1")]
    assert found.unmatched == ("C",)
    assert found.pairs[0].reason == "A-M1"  # the candidate's own reason and score


def test_a_kept_pair_stays_and_the_rest_is_assigned_around_it():
    candidates = pairs({("A", "M1"): 60, ("A", "M2"): 55, ("B", "M1"): 50, ("B", "M2"): 10})
    free = optimal(["A", "B"], {"M1": 1, "M2": 1}, candidates)
    assert {(p.mentee_id, p.mentor_id) for p in free.pairs} == {("A", "M2"), ("B", "M1")}
    kept = optimal(["A", "B"], {"M1": 1, "M2": 1}, candidates, kept=[("A", "M1")])
    assert {(p.mentee_id, p.mentor_id) for p in kept.pairs} == {("A", "M1"), ("B", "M2")}
    assert kept.total == 70


def test_ties_are_broken_the_same_way_every_time():
    table = {(m, t): 50 for m in "ABCD" for t in ("M1", "M2", "M3")}
    first = optimal(list("ABCD"), {"M1": 1, "M2": 1, "M3": 1}, pairs(table))
    for _ in range(5):
        again = optimal(list("ABCD"), {"M3": 1, "M1": 1, "M2": 1}, list(reversed(pairs(table))))
        assert again == first
    assert first.total == 150 and len(first.unmatched) == 1


small = st.integers(min_value=1, max_value=8).flatmap(
    lambda n: st.tuples(
        st.just([f"E{i}" for i in range(n)]),
        st.dictionaries(st.sampled_from(["M1", "M2", "M3", "M4"]), st.integers(0, 3), min_size=1),
        st.dictionaries(
            st.tuples(
                st.sampled_from([f"E{i}" for i in range(n)]),
                st.sampled_from(["M1", "M2", "M3", "M4"]),
            ),
            st.integers(1, 100).map(lambda s: s / 2),
        ),
    )
)


@settings(max_examples=150, deadline=None)
@given(small)
def test_the_solver_equals_an_exhaustive_search_on_small_cases(case):
    mentees, places, table = case
    candidates = pairs(table)
    found = optimal(mentees, places, candidates)
    assert found.total == exhaustive_best(mentees, places, candidates)
    assert found.total >= first_come(mentees, places, candidates).total
    used = Counter(p.mentor_id for p in found.pairs)
    assert all(used[m] <= places.get(m, 0) for m in used)
    assert all((p.mentee_id, p.mentor_id) in table for p in found.pairs)


def test_candidates_keep_the_interactive_matchings_exclusions(content):
    from datetime import UTC, datetime

    from bot.domain.assignment import candidates
    from bot.domain.matching import Mentee, Mentor

    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    mentors = [
        Mentor("M1", "Ann", None, ("engineering",), ("networking",), "senior", 3),
        Mentor("M2", "Bob", None, ("engineering",), (), "senior", 3),
        Mentor("M3", "Cy", None, ("design",), ("confidence",), "senior", 3),  # fits nobody
        Mentor("M4", "Di", None, ("engineering",), (), "senior", 3, active=False),  # paused
        Mentor("E1", "Eve", None, ("engineering",), (), "senior", 3),  # a mentee herself
    ]
    mentees = [
        Mentee("E1", "engineering", ("networking",), 1, None),
        Mentee("E2", "engineering", (), 1, None),
    ]
    places = {"M1": 1, "M2": 1, "M3": 1, "M4": 1, "E1": 1}
    found = candidates(
        mentees, mentors, places, {"E2": {"M1"}}, content.matching, content.labels, now
    )
    pairs = {(p.mentee_id, p.mentor_id) for p in found}
    # Never oneself, never an excluded (declined, past) pair, a paused mentor, or a misfit.
    assert pairs == {("E1", "M1"), ("E1", "M2"), ("E2", "M2"), ("E2", "E1")}
    assert optimal(["E1", "E2"], places, found).total > 0
