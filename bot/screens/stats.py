"""/devpath stats: the program's figures, with bars where a picture reads faster."""

from __future__ import annotations

from typing import Any

from bot.domain.stats import CoachingStats, MentoringStats, ProgramStats, RoundFigures
from bot.screens.blocks import context, escape, header, section

WIDTH = 12


def bar(part: int, whole: int) -> str:
    filled = round(WIDTH * part / whole) if whole else 0
    return "█" * filled + "░" * (WIDTH - filled)


def coaching_section(coaching: CoachingStats, budget: str) -> dict[str, Any]:
    """What the coaching budget bought: requests, engagements, progress and outcomes."""
    asked = coaching.requests
    requests = (
        f"{asked['pending']} waiting · {asked['approved']} approved · "
        f"{asked['declined']} declined · {asked['withdrawn']} withdrawn"
    )
    going = coaching.engagements
    lines = [
        f"*Coaching*\nRequests: {requests}\nBudget: {budget}",
        f"Engagements: {going['active']} under way, {going['closed']} closed",
    ]
    if coaching.median_days_to_start is not None:
        lines.append(f"Median time from request to start: {coaching.median_days_to_start:g} days")
    if coaching.average_progress is not None:
        lines.append(f"Mid-point progress: {coaching.average_progress:g} / 5")
    if coaching.average_outcome is not None:
        lines.append(f"End review outcomes: {coaching.average_outcome:g} / 5")
    yes, answered = coaching.would_recommend
    if answered:
        lines.append(f"Would recommend their coach: {yes} of {answered}")
    return section("\n".join(lines), "coaching")


def mentoring_section(mentoring: MentoringStats) -> dict[str, Any]:
    """The mentoring relationships from nomination to close-out."""
    waiting, approved = mentoring.nominations
    going = mentoring.relationships
    lines = [
        f"*Mentoring relationships*\nNominations: {waiting} waiting · {approved} approved"
        f" · Mentors away: {mentoring.mentors_away}",
        f"Relationships: {going['active']} active, {going['closed']} closed"
        f" · Agreements confirmed: {mentoring.agreements_confirmed}",
    ]
    if mentoring.median_days is not None:
        lines.append(f"Median length of closed ones: {mentoring.median_days:g} days")
    if mentoring.average_goal_progress is not None:
        lines.append(f"Goal progress in check-ins: {mentoring.average_goal_progress:g} / 5")
    if mentoring.average_closeout is not None:
        lines.append(f"Goals reached at close-out: {mentoring.average_closeout:g} / 5")
    yes, answered = mentoring.would_recommend
    if answered:
        lines.append(f"Would recommend their mentoring: {yes} of {answered}")
    lines.append(f"Pairs flagged at risk: {mentoring.at_risk}")
    return section("\n".join(lines), "mentoring")


ROUNDS_SHOWN = 5


def rounds_section(rounds: list[RoundFigures]) -> dict[str, Any]:
    """The latest matching rounds: joined, matched, unmatched, accepted, average score."""
    lines = ["*Matching rounds*"]
    for figures in rounds[:ROUNDS_SHOWN]:
        score = f"{figures.average_score:g}" if figures.average_score is not None else "none yet"
        lines.append(
            f"{escape(figures.name)} ({figures.state}): {figures.joined} joined · "
            f"{figures.matched} matched · {figures.unmatched} unmatched · "
            f"{figures.accepted} accepted · average match score {score}"
        )
    return section("\n".join(lines), "rounds")


def stats_message(
    stats: ProgramStats,
    coaching: CoachingStats | None = None,
    budget: str = "",
    mentoring: MentoringStats | None = None,
    rounds: list[RoundFigures] | None = None,
) -> dict[str, Any]:
    people = stats.people
    paths = "\n".join(
        f"`{bar(count, people)}` {name}: {count}"
        for name, count in (
            ("Coaching", stats.paths["coaching"]),
            ("Mentoring", stats.paths["mentoring"]),
            ("Both", stats.paths["both"]),
            ("Not sure yet", stats.paths["not_sure"]),
        )
    )
    intros = stats.intros
    wait = (
        f"median time to accept: {stats.median_hours_to_accept:g} h"
        if stats.median_hours_to_accept is not None
        else "none accepted yet"
    )
    places = stats.places_used + stats.places_free
    score = (
        f"{stats.average_score:g} / 5 over {stats.check_ins} check-ins"
        if stats.average_score is not None
        else "no check-ins yet"
    )
    text = (
        f"devpath: {people} people took the questionnaire; {intros['requested']} intros requested, "
        f"{intros['accepted']} accepted; {stats.places_used} of {places} mentor places used."
    )
    counts = (
        f"{intros['requested']} requested · {intros['accepted']} accepted · "
        f"{intros['declined']} declined · {intros['expired']} lapsed · {intros['pending']} waiting"
    )
    used, free = stats.places_used, stats.places_free
    sent, answered = stats.nudges_sent, stats.nudges_answered
    fb = stats.feedback
    return {
        "response_type": "ephemeral",
        "text": text,
        "blocks": [
            header("devpath in numbers"),
            section(f"*{people} people took the questionnaire*\n{paths}", "paths"),
            section(f"*Intros*\n{counts}\n{wait}", "intros"),
            section(f"*Mentor places*\n`{bar(used, places)}` {used} used, {free} free", "places"),
            section(
                f"*Nudges*\n`{bar(answered, sent)}` {answered} of {sent} answered\n"
                f"*How mentoring is going:* {score}",
                "nudges",
            ),
            *([mentoring_section(mentoring)] if mentoring is not None else []),
            *([rounds_section(rounds)] if rounds else []),
            *([coaching_section(coaching, budget)] if coaching is not None else []),
            section(
                f"*360 requests answered*\n{fb.requests} requests · {fb.answers} answers · "
                f"{fb.reached_minimum} reached 3 answers",
                "feedback",
            ),
            context("Only you can see this. Figures count each person's latest questionnaire."),
        ],
    }
