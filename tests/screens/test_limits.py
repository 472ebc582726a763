"""Every screen the bot can build stays within Slack's limits, for every path and step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.coaching import Coach
from bot.domain.intros import Intro
from bot.domain.matching import Match, Mentor
from bot.domain.recommendation import recommend
from bot.domain.records import Draft, Response
from bot.domain.stats import MentoringStats, ProgramStats, mentoring_stats, program_stats
from bot.screens.coaches import edit_view, read_edit, remove_view, roster_view, saved_view
from bot.screens.help import help_message
from bot.screens.home import AdminSide, MentorSide, home_view
from bot.screens.questionnaire import step_view
from bot.screens.result import result_message, result_view, share_failed_message, share_message
from bot.screens.stats import stats_message
from bot.screens.status import status_message
from tests.answers import COACHING, MENTORING
from tests.blockkit import assert_valid_message, assert_valid_view
from tests.domain.test_recommendation import TANDEM, UNDECIDED, answers

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
CASES = {
    "coaching": answers(COACHING),
    "mentoring": answers(MENTORING),
    "both": TANDEM,
    "not_sure": UNDECIDED,
}


@pytest.mark.parametrize("path", CASES)
def test_result_screens_fit(content, path):
    rec = recommend(content.questionnaire, CASES[path], content.thresholds)
    assert rec.path == path
    assert_valid_view(result_view(content, rec))
    assert_valid_message(result_message(content, rec, NOW))
    assert_valid_message(share_message("U1", rec))
    response = Response("U1", CASES[path], rec, content.version, NOW)
    draft = Draft("U1", CASES[path], 2, None, NOW)
    assert_valid_message(status_message(content, response, draft, NOW))
    assert_valid_view(home_view(content, NOW, response, draft))


@pytest.mark.parametrize("channel", [None, "C1", "D1"])
def test_every_step_fits_empty_and_filled(content, channel):
    for number in range(1, len(content.questionnaire.steps) + 1):
        assert_valid_view(step_view(content.questionnaire, number, {}, channel))
        view = step_view(content.questionnaire, number, answers(MENTORING), channel, note="Hi")
        assert_valid_view(view)
        assert view["title"]["text"].endswith(f"{number} of {len(content.questionnaire.steps)}")


def test_the_share_box_only_shows_in_channels(content):
    last = len(content.questionnaire.steps)
    in_channel = step_view(content.questionnaire, last, {}, "C1")
    in_dm = step_view(content.questionnaire, last, {}, "D1")
    assert any(b.get("block_id") == "share" for b in in_channel["blocks"])
    assert not any(b.get("block_id") == "share" for b in in_dm["blocks"])


def test_messages_without_a_result_fit(content):
    assert_valid_message(help_message())
    assert_valid_message(help_message(unknown="x" * 100))
    assert_valid_message(status_message(content, None, None, NOW))
    assert_valid_message(share_failed_message("C1"))
    assert_valid_view(home_view(content, NOW, None, None))


def test_a_full_home_fits(content):
    """A mentee with matches and intros, who also mentors ten people and runs the pool."""
    rec = recommend(content.questionnaire, CASES["mentoring"], content.thresholds)
    response = Response("U1", CASES["mentoring"], rec, content.version, NOW)
    mentors = [
        Mentor(
            f"U{i}",
            f"Mentor {i} <b>",
            "Europe/London",
            ("engineering",),
            ("networking",),
            "senior",
            3,
            "x" * 500,
        )
        for i in range(3)
    ]
    matches = [Match(m, 50.0, 2, "Both in Engineering · 2 of 3 places free") for m in mentors]
    intros = [
        (Intro(f"I{i}", "U1", f"U{i}", state, NOW, NOW + timedelta(days=7)), f"Mentor {i}")
        for i, state in enumerate(["pending", "accepted", "declined", "expired"] * 4)
    ]
    pending = [
        Intro(f"P{i}", f"UM{i}", "U1", "pending", NOW, NOW + timedelta(days=7)) for i in range(30)
    ]
    mentor = MentorSide(10, pending, [f"UM{i}" for i in range(10)])
    admin = AdminSide(300, 280, 900, 420, [(f"Field {i}", 10 - i, i) for i in range(12)])
    assert_valid_view(home_view(content, NOW, response, None, matches, intros, mentor, admin))
    assert_valid_view(home_view(content, NOW, response, None, [], intros, mentor, admin))


def test_the_stats_message_fits_empty_and_full():
    empty = program_stats([], [], [], [])
    assert_valid_message(stats_message(empty))
    full = ProgramStats(
        people=5000,
        paths={"coaching": 1200, "mentoring": 3000, "both": 800, "not_sure": 400},
        intros={
            "requested": 2000,
            "accepted": 1500,
            "declined": 300,
            "expired": 150,
            "pending": 50,
        },
        median_hours_to_accept=20.5,
        places_used=900,
        places_free=100,
        nudges_sent=10000,
        nudges_answered=6000,
        check_ins=4000,
        average_score=4.2,
    )
    message = stats_message(full)
    assert_valid_message(message)
    assert "`███████░░░░░` 6000 of 10000 answered" in str(message)


def test_a_result_stored_under_earlier_content_still_displays(content):
    from bot.store.shapes import recommendation_from
    from tests.store.test_contract import EARLIER_RECOMMENDATION

    rec = recommendation_from(EARLIER_RECOMMENDATION)
    assert_valid_view(result_view(content, rec))
    assert_valid_message(result_message(content, rec, NOW))
    response = Response("U1", {"field": ("engineering",)}, rec, "2026.11+0d029f46", NOW)
    status = status_message(content, response, None, NOW)
    assert "Mentoring fits you now" in status["text"] and "how sure: clear" in status["text"]
    assert_valid_view(home_view(content, NOW, response, None))
    share = share_message("U1", rec)["text"]
    assert share == (
        "<@U1> took /devpath: *Mentoring* fits them now, mostly because of their situation."
    )


@pytest.mark.parametrize("path", CASES)
def test_the_share_reads_as_a_sentence(content, path):
    rec = recommend(content.questionnaire, CASES[path], content.thresholds)
    text = share_message("U1", rec)["text"]
    assert text.startswith("<@U1> took /devpath: ") and text.endswith(".")
    assert "their your" not in text and "  " not in text


def test_both_shows_coaching_and_mentoring_steps_side_by_side_and_how_they_combine(content):
    rec = recommend(content.questionnaire, CASES["both"], content.thresholds)
    blocks = {b.get("block_id"): b for b in result_view(content, rec)["blocks"]}
    headings = [f["text"].splitlines()[0] for f in blocks["next"]["fields"]]
    assert headings == ["*With a coach*", "*With a mentor*"]
    assert "How they work together" in blocks["together"]["text"]["text"]


def test_the_coach_screens_fit_full(content):
    """Every field at its longest, every area and language, 100 coaches on the roster."""
    rules = content.coaches
    coaches = [
        Coach(
            f"x-c{i:04d}" if i % 2 else f"U{i:05d}",
            "external" if i % 2 else "internal",
            f"<!channel> {'n' * 70} {i}",
            rules.timezones[0],
            tuple(a.value for a in rules.areas),
            tuple(c.value for c in rules.languages),
            10,
            credentials="c" * 200,
            bio="b" * 500,
            active=i % 3 != 0,
            organisation="o" * 100,
            email="e" * 240 + "@example.com",
            booking_url="https://example.com/" + "u" * 480,
        )
        for i in range(100)
    ]
    changes = [{"by": "UADMIN", "what": "w" * 300, "at": NOW.isoformat()}] * 10
    for page in range(1, 6):
        view = roster_view(content, coaches, {c.id: 9 for c in coaches}, page, changes, NOW)
        assert_valid_view(view)
        assert "<!channel>" not in str(view["blocks"])
    for coach in coaches[:2]:
        assert_valid_view(edit_view(content, coach))
        assert_valid_view(remove_view(coach, "V1"))
        assert_valid_view(saved_view(content, coach, added=True))
    for kind in ("internal", "external"):
        typed = read_edit(edit_view(content, coaches[1]))  # nothing in state: all empty
        assert_valid_view(edit_view(content, kind=kind, typed=typed))
    assert_valid_view(roster_view(content, [], {}, 1, [], NOW))


def test_the_stats_with_mentoring_relationships_fit():
    empty = program_stats([], [], [], [])
    full = MentoringStats(
        nominations=(120, 3400),
        mentors_away=55,
        agreements_confirmed=2800,
        relationships={"active": 2500, "closed": 9000},
        median_days=181.5,
        average_goal_progress=3.7,
        average_closeout=4.1,
        would_recommend=(7000, 8000),
        at_risk=230,
    )
    message = stats_message(empty, mentoring=full)
    assert_valid_message(message)
    shown = str(message)
    assert "120 waiting · 3400 approved" in shown and "Pairs flagged at risk: 230" in shown
    assert_valid_message(stats_message(empty, mentoring=mentoring_stats([], [], [], [])))
