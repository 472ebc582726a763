"""/devpath stats: the program's figures, with bars where a picture reads faster."""

from __future__ import annotations

from typing import Any

from bot.domain.stats import ProgramStats
from bot.screens.blocks import context, header, section

WIDTH = 12


def bar(part: int, whole: int) -> str:
    filled = round(WIDTH * part / whole) if whole else 0
    return "█" * filled + "░" * (WIDTH - filled)


def stats_message(stats: ProgramStats) -> dict[str, Any]:
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
            section(
                f"*360 requests answered*\n{fb.requests} requests · {fb.answers} answers · "
                f"{fb.reached_minimum} reached 3 answers",
                "feedback",
            ),
            context("Only you can see this. Figures count each person's latest questionnaire."),
        ],
    }
