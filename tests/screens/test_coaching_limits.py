"""Every coaching screen stays within Slack's limits at its fullest: the longest goals, notes
and reasons the modals allow, the most requests and coaches shown, every button."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.coaching import Coach, CoachingRequest, Engagement
from bot.domain.intros import Intro
from bot.domain.matching import Match, Mentor
from bot.domain.recommendation import recommend
from bot.domain.records import Draft, Response
from bot.domain.stats import CoachingStats, coaching_stats, program_stats
from bot.screens import coaching as screens
from bot.screens.home import AdminSide, MentorSide, home_view
from bot.screens.mentoring import mentoring_blocks
from bot.screens.stats import stats_message
from bot.screens.status import status_message
from tests.answers import COACHING
from tests.blockkit import assert_valid_message, assert_valid_view
from tests.domain.test_recommendation import answers

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
LONG = "<!channel> & " + "x" * (screens.GOAL_MOST - 13)
NOTE = "<@U2> " + "n" * (screens.NOTE_MOST - 6)
REASON = "r" * screens.REASON_MOST


def request(n: int = 0, **more) -> CoachingRequest:
    goals = (LONG, LONG, LONG)
    return CoachingRequest(f"{n:032x}", f"U{n}", goals, "6m", "rather_not", NOW, note=NOTE, **more)


def engagement(**more) -> Engagement:
    fields = {
        "state": "active",
        "started_at": NOW,
        "planned_end": NOW + timedelta(weeks=26),
        "expires_at": NOW + timedelta(days=7),
    }
    goals = (LONG, LONG, LONG)
    return Engagement("e" * 32, "r" * 32, "U1", "U2", goals, created_at=NOW, **{**fields, **more})


def coach(n: int, kind: str = "internal") -> Coach:
    return Coach(
        f"x-{n:020d}" if kind == "external" else f"U{n:010d}",
        kind,  # type: ignore[arg-type]
        "N" * 100,
        "Europe/Paris",
        ("leadership",),
        ("en",),
        3,
        credentials="c" * 200,
        organisation="o & <co>" * 10,
        email="kim@example.com",
        booking_url="https://book.example.com/" + "k" * 400,
    )


def test_the_request_and_the_decision_fit(content):
    rules = content.coaching
    hints = rules.hints_for({"all": tuple(rules.goal_hints)})
    languages = [(str(n), f"Language {n} " * 10) for n in range(120)]
    assert_valid_view(screens.request_view(rules, hints, languages))
    assert_valid_view(screens.request_view(rules, [], []))
    asked = request()
    assert_valid_message(screens.requested_message(asked, rules))
    history = [screens.history_line(replace(asked, state="declined", reason=REASON))] * 20
    asked = replace(asked, languages=tuple(str(n) for n in range(100)))
    message = screens.admin_request_message(asked, rules, ["a reason " * 50] * 6, history, "x")
    assert_valid_message(message)
    for state in ("pending", "approved", "declined", "withdrawn"):
        decided = replace(asked, state=state, decided_by="UADMIN", reason=REASON, over_budget=True)
        assert_valid_message(screens.decided_admin_copy(decided))
    assert_valid_view(screens.decline_view(asked.id))
    assert_valid_view(screens.over_budget_view(asked.id, "U1", "6 of 6 approved this quarter"))
    assert_valid_message(screens.declined_message(rules, REASON))
    assert_valid_message(screens.withdrawn_message())


def test_the_coach_choice_the_offer_and_the_kickoff_fit(content):
    rules = content.coaching
    choices = [
        (coach(n, kind), "Coaches leadership · " + "y" * 200)
        for n, kind in enumerate(["internal", "internal", "external"] * 3)
    ]
    assert_valid_message(screens.approved_message("r" * 32, choices))
    assert_valid_message(screens.approved_message("r" * 32, []))
    assert_valid_message(screens.no_coach_message(request()))
    assert_valid_message(screens.coach_declined_message("N" * 100, "lapsed", "r" * 32, choices))
    held = engagement()
    assert_valid_message(screens.offer_message(held, rules, "in 7 days"))
    for outcome in ("active", "declined", "lapsed"):
        assert_valid_message(screens.offer_answered(held, outcome))
    for kind in ("internal", "external"):
        assert_valid_view(screens.offer_sent_view(coach(1, kind), "in 7 days"))
        assert_valid_message(screens.kickoff_message(held, rules, "N" * 100, kind == "internal"))
    assert_valid_message(screens.booking_message(coach(1, "external")))
    assert_valid_message(screens.arrange_message(held, coach(1, "external")))
    assert_valid_message(screens.arranged_copy(held))


def test_the_engagement_screens_fit(content):
    held = engagement()
    assert_valid_view(screens.end_view(held.id))
    assert_valid_view(screens.progress_view(held, "n" * 32))
    assert_valid_view(screens.review_view(held, "n" * 32))
    ended = replace(held, state="ended", end_reason=REASON, ended_at=NOW)
    assert_valid_message(screens.ended_message(ended, True))
    assert_valid_message(screens.ended_message(replace(ended, outcome={"0": 5}), False))
    assert_valid_message(screens.extended_message(replace(held, extended=True)))


def test_the_stats_with_coaching_fit():
    full = CoachingStats(
        {"pending": 10**6, "approved": 10**6, "declined": 10**6, "withdrawn": 10**6},
        {"active": 10**6, "closed": 10**6},
        123.5,
        3.3,
        4.5,
        (10**6, 10**6),
    )
    stats = program_stats([], [], [], [])
    assert_valid_message(stats_message(stats, full, "6 of 6 engagements approved this quarter"))
    assert_valid_message(stats_message(stats, coaching_stats([], []), "no budget limit set"))


def test_the_fullest_home_and_status_fit(content):
    rec = recommend(content.questionnaire, answers(COACHING), content.thresholds)
    latest = Response("U1", answers(COACHING), rec, content.version, NOW)
    draft = Draft("U1", answers(COACHING), 2, None, NOW)
    mentors = [
        Mentor(f"U9{n}", "M" * 80, "Europe/Paris", ("engineering",), ("leadership",), "senior", 3)
        for n in range(3)
    ]
    matches = [Match(m, 1.0, 1, "r" * 200) for m in mentors]
    intros = [
        Intro(f"{n:032x}", "U1", "U9", "pending", NOW, NOW + timedelta(days=7)) for n in range(20)
    ]
    pending = [request(n) for n in range(30)]
    mine = [
        (replace(engagement(state=s), id=f"{n:032x}"), "N" * 100)
        for n, s in enumerate(("ended", "lapsed", "active"))
    ]
    offers = [replace(engagement(state="offered"), id=f"o{n:031x}") for n in range(12)]
    person = screens.person_blocks(True, [pending[0]], mine, offers)
    admin = screens.admin_pending_blocks(pending, "6 of 6 engagements approved this quarter")
    admin += screens.admin_engagement_blocks(40)
    under_way = [
        (replace(engagement(state="active"), id=f"a{n:031x}"), "N" * 100) for n in range(60)
    ]
    assert_valid_view(screens.under_way_view(under_way))
    assert_valid_view(screens.under_way_view([]))
    view = home_view(
        content,
        NOW,
        latest,
        draft,
        matches,
        [(intro, "M" * 80) for intro in intros[:10]],
        MentorSide(3, intros, ["U2"] * 3),
        AdminSide(10, 9, 30, 12, [("Field", 3, 1)] * 5),
        person,
        admin,
        mentoring_blocks(
            [
                (replace(i, mentor_id=f"U8{n}", state="accepted"), None)
                for n, i in enumerate(intros)
            ],
            "U1",
            content.mentoring,
        ),
        [replace(mentors[0], status="nominated", nominated_at=NOW)] * 20,
    )
    assert_valid_view(view)
    assert "With <@U80>" in str(view)  # some room is left for the pair's buttons
    lines = screens.status_lines([pending[0]] * 5, mine)
    assert_valid_message(
        status_message(content, latest, draft, NOW, matches, None, None, lines, True)
    )
