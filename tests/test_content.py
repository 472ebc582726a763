"""The content admins edit: the shipped files load, and a broken copy fails with one clear line."""

from __future__ import annotations

import importlib.resources
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from bot.content import (
    COACHES_FILE,
    COACHING_FILE,
    FEEDBACK_FILE,
    QUESTIONNAIRE_FILE,
    RESULTS_FILE,
    Content,
    ContentError,
    load_content,
)

SHIPPED = Path(__file__).resolve().parent.parent / "conversations"
AXES = {"focus", "structure", "expertise", "goals", "relationship"}
SITUATION = {"career_stage", "new_here", "challenge", "transition", "field", "topics"}


def test_shipped_content_has_3_or_4_steps_and_8_to_12_questions(content: Content) -> None:
    assert len(content.questionnaire.steps) in (3, 4)
    assert 8 <= len(content.questionnaire.questions) <= 12


def test_shipped_content_covers_every_axis_and_situation_question(content: Content) -> None:
    questions = content.questionnaire.questions
    assert {q.axis for q in questions} >= AXES
    assert {q.id for q in questions} >= SITUATION


def test_shipped_content_has_a_text_for_every_path(content: Content) -> None:
    assert set(content.paths) == {"coaching", "mentoring", "both", "not_sure"}
    assert content.paths["coaching"].title == "Executive coaching fits you now"
    both = content.paths["both"]
    assert both.with_a_coach and both.with_a_mentor and both.together
    assert content.paths["not_sure"].decide and content.paths["not_sure"].next_steps
    # The placeholder is filled in, never shown to a person as is.
    steps = [
        s
        for text in content.paths.values()
        for s in (*text.next_steps, *text.with_a_coach, *text.with_a_mentor)
    ]
    assert not any("{how_to_request_coach}" in s for s in steps)


def test_shipped_feedback_content_shows_nothing_under_three_answers(content: Content) -> None:
    rules = content.feedback.rules
    assert rules.minimum >= 3
    assert sorted(rules.scale) == [1, 2, 3, 4, 5]
    assert 1 <= len(rules.behaviours) <= 10
    assert rules.remind_after < rules.closes_after


def test_content_ships_as_the_bot_conversations_package() -> None:
    package = importlib.resources.files("bot.conversations")
    assert package.joinpath(QUESTIONNAIRE_FILE).is_file()
    assert package.joinpath(FEEDBACK_FILE).is_file()
    assert package.joinpath(RESULTS_FILE).is_file()


def test_a_copy_of_the_shipped_files_loads_from_any_directory(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    assert len(load_content(copy).questionnaire.questions) == len(
        load_content().questionnaire.questions
    )


# How to break a copy: each case edits one file and names what the error must mention.


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, f"the shipped file no longer contains {old!r}"
        return text.replace(old, new, 1)

    return edit


def _question(data: dict, question_id: str) -> dict:
    return next(q for s in data["steps"] for q in s["questions"] if q["id"] == question_id)


def _long_label(data: dict) -> None:
    _question(data, "focus")["options"][0]["label"] = "x" * 80


def _weight_nine(data: dict) -> None:
    _question(data, "results")["options"][0]["coaching"] = 9


def _unknown_axis(data: dict) -> None:
    _question(data, "structure")["axis"] = "fokus"


def _duplicate_question(data: dict) -> None:
    data["steps"][1]["questions"].append(dict(_question(data, "field")))


def _duplicate_option(data: dict) -> None:
    options = _question(data, "expertise")["options"]
    options.append({**options[0], "label": "Another label"})


def _without_both(data: dict) -> None:
    del data["paths"]["both"]


def _threshold(data: dict) -> None:
    data["thresholds"]["need"] = 1.5


def _weight_without_reason(data: dict) -> None:
    communication = next(
        o for o in _question(data, "topics")["options"] if o["value"] == "communication"
    )
    communication["coaching"] = 1


def _one_reason_for_two_sides(data: dict) -> None:
    _question(data, "career_stage")["options"][2]["mentoring"] = 1


def _bad_weighs(data: dict) -> None:
    _question(data, "structure")["weighs"] = "taste"


def _area_topic_unknown(data: dict) -> None:
    data["areas"][0]["topics"] = ["leadership", "charisma"]


def _language_twice(data: dict) -> None:
    data["languages"].append(dict(data["languages"][0]))


def _timezone_unknown(data: dict) -> None:
    data["timezones"].append("Mars/Olympus_Mons")


def _yaml(change: Callable[[dict], None]) -> Callable[[str], str]:
    def edit(text: str) -> str:
        data = yaml.safe_load(text)
        change(data)
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

    return edit


BROKEN = [
    pytest.param(
        QUESTIONNAIRE_FILE,
        _replace("- {value: design, label: Design}", "- {value: design, label: Design"),
        ["line "],
        id="yaml-syntax",
    ),
    pytest.param(
        QUESTIONNAIRE_FILE,
        _replace("            mentoring: 2\n", "            mentorng: 2\n"),
        ["question 'career_stage'", "option 1", "unknown key 'mentorng'"],
        id="unknown-key",
    ),
    pytest.param(
        QUESTIONNAIRE_FILE,
        _yaml(_long_label),
        ["question 'focus'", "'performance' label", "80 characters", "at most 75"],
        id="label-too-long",
    ),
    pytest.param(
        QUESTIONNAIRE_FILE,
        _yaml(_weight_nine),
        ["question 'results'", "'within_three' coaching", "0 to 5", "not 9"],
        id="weight-out-of-range",
    ),
    pytest.param(
        QUESTIONNAIRE_FILE,
        _yaml(_unknown_axis),
        ["question 'structure'", "axis 'fokus' is not one of"],
        id="unknown-axis",
    ),
    pytest.param(
        QUESTIONNAIRE_FILE,
        _yaml(_duplicate_question),
        ["question 'field'", "used twice"],
        id="duplicate-question-id",
    ),
    pytest.param(
        QUESTIONNAIRE_FILE,
        _yaml(_duplicate_option),
        ["question 'expertise'", "option value 'field_expert' is used twice"],
        id="duplicate-option-value",
    ),
    pytest.param(
        RESULTS_FILE,
        _yaml(_without_both),
        ["paths", "'both' is missing"],
        id="missing-path-both",
    ),
    pytest.param(
        RESULTS_FILE,
        _yaml(_threshold),
        ["thresholds need", "a whole number from 1 to 100", "not 1.5"],
        id="threshold-not-whole",
    ),
    pytest.param(
        QUESTIONNAIRE_FILE,
        _yaml(_weight_without_reason),
        ["question 'topics'", "'communication'", "needs a reason for coaching"],
        id="weight-without-reason",
    ),
    pytest.param(
        QUESTIONNAIRE_FILE,
        _yaml(_one_reason_for_two_sides),
        ["question 'career_stage'", "'manager'", "give coaching_reason and mentoring_reason"],
        id="one-reason-for-two-sides",
    ),
    pytest.param(
        QUESTIONNAIRE_FILE,
        _yaml(_bad_weighs),
        ["question 'structure'", "weighs should be need or preference"],
        id="bad-weighs",
    ),
    pytest.param(
        COACHES_FILE,
        _yaml(_area_topic_unknown),
        ["area 'leadership'", "topic 'charisma' is not a value of the topics question"],
        id="coach-area-unknown-topic",
    ),
    pytest.param(
        COACHES_FILE,
        _yaml(_language_twice),
        ["languages", "language value 'en' is used twice"],
        id="coach-language-twice",
    ),
    pytest.param(
        COACHES_FILE,
        _yaml(_timezone_unknown),
        ["timezones", "'Mars/Olympus_Mons' is not a timezone name"],
        id="coach-timezone-unknown",
    ),
    pytest.param(
        FEEDBACK_FILE,
        _replace("minimum_answers: 3", "minimum_answers: 2"),
        ["minimum_answers", "at least 3", "tell who said what"],
        id="feedback-shown-under-three",
    ),
    pytest.param(
        FEEDBACK_FILE,
        _replace("remind_after: 3d", "remind_after: 3w"),
        ["remind_after", "shorter than closes_after"],
        id="feedback-reminder-after-closing",
    ),
    pytest.param(
        FEEDBACK_FILE,
        _replace("  5: Almost always\n", ""),
        ["scale", "'5' is missing"],
        id="feedback-scale-short",
    ),
    pytest.param(
        FEEDBACK_FILE,
        _replace("value: stays_calm", "value: listens"),
        ["behaviour 5", "'listens' is used twice"],
        id="feedback-behaviour-twice",
    ),
    pytest.param(
        COACHING_FILE,
        _replace("  per_quarter: 6", "  per_quarter: 6\n  seats: 4"),
        ["budget", "give per_quarter or seats, not both"],
        id="coaching-budget-both",
    ),
    pytest.param(
        COACHING_FILE,
        _replace("  remind_before: 2d", "  remind_before: 8d"),
        ["offer", "remind_before should be shorter than expires_after"],
        id="coaching-reminder-after-lapse",
    ),
    pytest.param(
        COACHING_FILE,
        _replace("cannot fund it right now: {reason}", "cannot fund it right now."),
        ["decline_frame", "{reason}"],
        id="coaching-decline-without-reason",
    ),
    pytest.param(
        COACHING_FILE,
        _replace("  high_stakes:", "  sky_high:"),
        ["goal_hints 'sky_high'", "is not an answer in questionnaire.yml"],
        id="coaching-hint-unknown-answer",
    ),
    pytest.param(
        COACHING_FILE,
        _replace("duration: 13w", "duration: 3 months"),
        ["timeframe '3m'", "is not a duration like"],
        id="coaching-timeframe-duration",
    ),
]


@pytest.mark.parametrize(("name", "edit", "expected"), BROKEN)
def test_broken_content_fails_with_one_line_naming_file_and_problem(
    tmp_path: Path, name: str, edit: Callable[[str], str], expected: list[str]
) -> None:
    copy = _copy(tmp_path)
    path = copy / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")

    with pytest.raises(ContentError) as caught:
        load_content(copy)

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    for fragment in expected:
        assert fragment in message


def test_yaml_syntax_error_names_the_line_of_the_mistake(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    path = copy / QUESTIONNAIRE_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = next(i for i, line in enumerate(lines) if "{value: design" in line)
    lines[broken] = lines[broken].replace("Design}", "Design")
    path.write_text("".join(lines), encoding="utf-8")

    with pytest.raises(ContentError) as caught:
        load_content(copy)

    # PyYAML notices an unclosed flow mapping on the line after it, at the latest.
    assert any(f"line {n}:" in str(caught.value) for n in (broken + 1, broken + 2))


def test_shipped_coaching_rules(content: Content) -> None:
    rules = content.coaching
    assert [t.value for t in rules.timeframes] == ["3m", "6m"]
    assert rules.timeframe("6m").duration == timedelta(weeks=26)  # type: ignore[union-attr]
    assert rules.budget.per_quarter == 6 and rules.budget.seats is None
    assert rules.offer_expires_after == timedelta(days=7)
    assert rules.hints_for({"challenge": ("high_stakes",)})[0].startswith("Lead the change")


def test_shipped_coach_areas_serve_the_coaching_topics(content: Content) -> None:
    served = {t for area in content.coaches.areas for t in area.topics}
    assert {"leadership", "performance_goals", "communication"} <= served
    assert content.coaches.labels["communication_influence"] == "Communication and influence"
    assert content.coaches.labels["en"] == "English"
    assert not content.coaches.show_without_area


@pytest.mark.parametrize(
    "name", [QUESTIONNAIRE_FILE, RESULTS_FILE, COACHES_FILE, FEEDBACK_FILE, COACHING_FILE]
)
def test_missing_file_fails_with_one_line_naming_it(tmp_path: Path, name: str) -> None:
    copy = _copy(tmp_path)
    (copy / name).unlink()

    with pytest.raises(ContentError) as caught:
        load_content(copy)

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{copy / name}: cannot read it")


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "conversations"
    target.mkdir()
    for source in SHIPPED.glob("*.yml"):
        shutil.copy(source, target / source.name)
    return target


def test_access_refuses_guests_unless_the_file_allows_them(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    assert not load_content(copy).access.guests_allowed
    (copy / "access.yml").write_text("guests: allowed\ntexts:\n  guest: Welcome, guest.\n")
    access = load_content(copy).access
    assert access.guests_allowed and access.texts["guest"] == "Welcome, guest."
    assert "another organisation" in access.texts["external"]  # the texts left out: defaults
    (copy / "access.yml").unlink()  # a content folder from before access.yml: guests refused
    assert not load_content(copy).access.guests_allowed


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("guests: yes\n", "guests: should be 'refused' or 'allowed', not True"),
        ("guests: refused\ntexts:\n  stranger: Hi\n", "texts: unknown key 'stranger'"),
        ("texts: {}\n", "'guests' is missing"),
    ],
)
def test_a_bad_access_file_fails_with_one_line(tmp_path: Path, text: str, problem: str) -> None:
    copy = _copy(tmp_path)
    (copy / "access.yml").write_text(text)
    with pytest.raises(ContentError) as caught:
        load_content(copy)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{copy / 'access.yml'}: ")
    assert problem in message
