"""A round's assignment: every mentee to at most one mentor, so that the sum of the pairs'
match scores is the highest possible while no mentor gets more than the places they gave.

The matches and their scores come from the interactive matching (bot/domain/matching.py
`rank_mentors`, with its exclusions): only fitting pairs are candidates. The optimum is
solved exactly as an assignment problem by scipy's `linear_sum_assignment` (a well-kept
implementation of the shortest augmenting path method): one column per free place of each
mentor, and one "no mentor" column per mentee costing nothing, so nobody is forced onto a
pair that lowers the total. `first_come` is what matching one mentee after another would
give on the same people (the baseline the preview compares with); `exhaustive_best` is the
plain search the tests and the benchmark check the solver against on small cases.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.matching import MatchingRules, Mentee, Mentor, rank_mentors
from bot.domain.rounds import Pair

NOT_A_PAIR = 1e12  # the cost of a pair that is no candidate: never chosen over "no mentor"


@dataclass(frozen=True)
class Assignment:
    pairs: tuple[Pair, ...]  # in the order the mentees joined
    unmatched: tuple[str, ...]  # mentees with no mentor, in the order they joined

    @property
    def total(self) -> float:
        return round(sum(p.score for p in self.pairs), 3)


def candidates(
    mentees: Sequence[Mentee],
    mentors: Iterable[Mentor],
    places: Mapping[str, int],
    excluded: Mapping[str, set[str]],
    rules: MatchingRules,
    labels: Mapping[str, str],
    now: datetime,
) -> list[Pair]:
    """Every fitting pair with its score, as the interactive matching ranks them
    (`rank_mentors`: mentors taking mentees, sharing a field or a topic, not `excluded` for
    that mentee, never oneself), each mentor counted with the places they give the round.
    Without their reasons, which `explained` adds to the few pairs that are shown."""
    pool = [replace(m, capacity=places[m.user_id]) for m in mentors if places.get(m.user_id, 0)]
    offsets: dict[str | None, float | None] = {}
    found = []
    for mentee in mentees:
        ranked = rank_mentors(
            mentee,
            pool,
            {},
            excluded.get(mentee.user_id, set()),
            rules,
            labels,
            now,
            len(pool),
            offsets=offsets,
            reasons=False,
        )
        found += [Pair(mentee.user_id, m.mentor.user_id, m.score, "") for m in ranked]
    return found


def explained(
    pairs: Iterable[Pair],
    mentees: Mapping[str, Mentee],
    mentors: Mapping[str, Mentor],
    places: Mapping[str, int],
    rules: MatchingRules,
    labels: Mapping[str, str],
    now: datetime,
) -> list[Pair]:
    """These pairs with the one-line reason the interactive matching gives ("Both in
    Engineering · shares networking · 1 h apart · 2 of 2 places free")."""
    offsets: dict[str | None, float | None] = {}
    shown = []
    for pair in pairs:
        mentee, mentor = mentees.get(pair.mentee_id), mentors.get(pair.mentor_id)
        ranked = (
            rank_mentors(
                mentee,
                [replace(mentor, capacity=max(1, places.get(mentor.user_id, 1)))],
                {},
                set(),
                rules,
                labels,
                now,
                1,
                offsets=offsets,
            )
            if mentee is not None and mentor is not None
            else []
        )
        shown.append(replace(pair, reason=ranked[0].reason if ranked else pair.reason))
    return shown


def lacking(mentee: Mentee, fitted: bool, labels: Mapping[str, str]) -> str:
    """Why nobody was assigned to this mentee, for the admin: what the pool lacks."""
    if fitted:
        return "every mentor who fits gave their places to others who fit them better"
    wants = [labels.get(t, t).lower() for t in mentee.topics]
    field = labels.get(mentee.field, mentee.field) if mentee.field else None
    if field and wants:
        return f"nobody in the round works in {field} or helps with {', '.join(wants)}"
    if field:
        return f"nobody in the round works in {field}"
    if wants:
        return f"nobody in the round helps with {', '.join(wants)}"
    return "they gave no field or topic to match on"


def optimal(
    mentees: Sequence[str],
    places: Mapping[str, int],
    candidates: Iterable[Pair],
    kept: Sequence[tuple[str, str]] = (),
) -> Assignment:
    """The assignment with the highest total score. `candidates` are the fitting pairs with
    their scores; `kept` are pairs an admin set, kept as they are (each takes one of its
    mentor's places) while the rest is assigned around them. Deterministic: the same people
    and scores give the same pairs, ties included."""
    by_pair = {(c.mentee_id, c.mentor_id): c for c in candidates}
    fixed = [by_pair[k] for k in kept if k in by_pair]
    left = dict(places)
    for pair in fixed:
        left[pair.mentor_id] = left.get(pair.mentor_id, 0) - 1
    taken = {p.mentee_id for p in fixed}
    rows = [m for m in dict.fromkeys(mentees) if m not in taken]
    columns = [mentor for mentor in sorted(left) for _ in range(max(0, left[mentor]))]
    chosen: dict[str, Pair] = {p.mentee_id: p for p in fixed}
    if rows and columns:
        # Imported here: they cost the bot a third of a second and 60 MB at start-up, and
        # only an admin's Match now needs them.
        import numpy as np
        from scipy.optimize import linear_sum_assignment

        width = len(columns)
        cost = np.full((len(rows), width + len(rows)), NOT_A_PAIR)
        cost[:, width:][np.diag_indices(len(rows))] = 0.0  # each mentee's own "no mentor"
        first_column: dict[str, int] = {}
        for index, mentor in enumerate(columns):
            first_column.setdefault(mentor, index)
        for i, mentee in enumerate(rows):
            for mentor, start in first_column.items():
                fits = by_pair.get((mentee, mentor))
                if fits is not None:
                    cost[i, start : start + left[mentor]] = -fits.score
        for i, j in zip(*linear_sum_assignment(cost), strict=True):
            if j < width and cost[i, j] < 0:
                chosen[rows[i]] = by_pair[(rows[i], columns[j])]
    return _in_order(mentees, chosen)


def first_come(
    mentees: Sequence[str], places: Mapping[str, int], candidates: Iterable[Pair]
) -> Assignment:
    """One mentee after another, in the order they joined, each taking their best fitting
    mentor with a place left (ties by mentor ID): what first-come intros would give."""
    best_first: dict[str, list[Pair]] = {}
    for pair in sorted(candidates, key=lambda p: (-p.score, p.mentor_id)):
        best_first.setdefault(pair.mentee_id, []).append(pair)
    left = dict(places)
    chosen: dict[str, Pair] = {}
    for mentee in dict.fromkeys(mentees):
        for pair in best_first.get(mentee, []):
            if left.get(pair.mentor_id, 0) > 0:
                left[pair.mentor_id] -= 1
                chosen[mentee] = pair
                break
    return _in_order(mentees, chosen)


def exhaustive_best(
    mentees: Sequence[str], places: Mapping[str, int], candidates: Iterable[Pair]
) -> float:
    """The highest total any assignment reaches, found by trying them all: only for a few
    mentees (the check of `optimal` in the tests and the benchmark)."""
    options: dict[str, list[Pair]] = {}
    for pair in candidates:
        options.setdefault(pair.mentee_id, []).append(pair)
    order = list(dict.fromkeys(mentees))
    left = dict(places)

    def search(index: int) -> float:
        if index == len(order):
            return 0.0
        best = search(index + 1)  # this mentee without a mentor
        for pair in options.get(order[index], []):
            if left.get(pair.mentor_id, 0) > 0:
                left[pair.mentor_id] -= 1
                best = max(best, pair.score + search(index + 1))
                left[pair.mentor_id] += 1
        return best

    return round(search(0), 3)


def _in_order(mentees: Sequence[str], chosen: Mapping[str, Pair]) -> Assignment:
    order = list(dict.fromkeys(mentees))
    return Assignment(
        pairs=tuple(chosen[m] for m in order if m in chosen),
        unmatched=tuple(m for m in order if m not in chosen),
    )
