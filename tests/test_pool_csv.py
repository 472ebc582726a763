"""The mentor pool as CSV: every bad cell named by line and column, and a safe round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import Content
from bot.domain.matching import Mentor
from bot.pool_csv import HEADER, HEADER_PROBLEM, bad_row_count, read_pool, write_pool

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mentors.csv"
HEADER_LINE = ",".join(HEADER)
GOOD = "U0GOOD001,Ana Silva,Europe/Lisbon,engineering,networking,mid,2,Hello there.,yes"


def mentor(**changes: object) -> Mentor:
    base = {
        "user_id": "U0GOOD001",
        "name": "Ana Silva",
        "timezone": "Europe/Lisbon",
        "fields": ("engineering",),
        "topics": ("networking",),
        "seniority": "mid",
        "capacity": 2,
        "bio": "Hello there.",
        "active": True,
    }
    return Mentor(**{**base, **changes})  # type: ignore[arg-type]


def pool(*rows: str) -> str:
    return "\n".join([HEADER_LINE, *rows]) + "\n"


def with_cell(column: str, value: str) -> str:
    """GOOD with one cell replaced, quoted so commas and newlines stay inside it."""
    cells = GOOD.split(",")
    cells[HEADER.index(column)] = '"' + value.replace('"', '""') + '"'
    return ",".join(cells)


def test_a_good_row_reads_into_a_mentor(content: Content) -> None:
    assert read_pool(pool(GOOD), content) == ([mentor()], [])


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("slack_user_id", "", "is missing"),
        ("slack_user_id", "X123", "'X123' is not a Slack user ID (like U0123ABCD)"),
        ("slack_user_id", "u0good001", "'u0good001' is not a Slack user ID (like U0123ABCD)"),
        ("name", "  ", "is missing"),
        ("name", "A" * 81, "is 81 characters; at most 80"),
        ("timezone", "Mars/Olympus", "'Mars/Olympus' is not a timezone name (like Europe/London)"),
        ("timezone", "localtime", "'localtime' is not a timezone name (like Europe/London)"),
        (
            "fields",
            "",
            "is missing; pick at least one of engineering, product, design, data, sales, "
            "marketing, customer, operations, finance, people, legal, other",
        ),
        (
            "fields",
            "engineering;enginering",
            "'enginering' is not one of engineering, product, design, data, sales, marketing, "
            "customer, operations, finance, people, legal, other",
        ),
        (
            "topics",
            "networking, leadership",
            "'networking, leadership' is not one of leadership, performance_goals, "
            "communication, career_transition, industry_insight, company_culture, confidence, "
            "networking; separate several with ;",
        ),
        ("seniority", "junior", "'junior' is not one of early, mid, senior, leader"),
        ("seniority", "", "is missing; pick one of early, mid, senior, leader"),
        ("capacity", "0", "should be a whole number from 1 to 10, not '0'"),
        ("capacity", "11", "should be a whole number from 1 to 10, not '11'"),
        ("capacity", "2.5", "should be a whole number from 1 to 10, not '2.5'"),
        ("capacity", "", "should be a whole number from 1 to 10, not ''"),
        ("bio", "b" * 501, "is 501 characters; at most 500"),
        ("active", "maybe", "should be yes or no, not 'maybe'"),
    ],
)
def test_a_bad_cell_is_named_by_line_and_column(
    content: Content, column: str, value: str, problem: str
) -> None:
    text = pool(GOOD.replace("U0GOOD001", "U0GOOD000"), with_cell(column, value))

    mentors, problems = read_pool(text, content)

    assert problems == [f"line 3: {column}: {problem}"]
    assert [m.user_id for m in mentors] == ["U0GOOD000"]


@pytest.mark.parametrize(
    ("rows", "problems"),
    [
        pytest.param(
            [GOOD, GOOD.replace("Ana Silva", "Ana Again")],
            ["line 3: slack_user_id: U0GOOD001 is also on line 2"],
            id="duplicate-id",
        ),
        pytest.param(
            [GOOD + ",extra"], ["line 2: row: has 10 cells; expected 9"], id="too-many-cells"
        ),
        pytest.param(
            ['U0GOOD001,"Ana "Silva",Europe/Lisbon'],
            ["line 2: row: cannot be read as CSV (',' expected after '\"')"],
            id="stray-quote",
        ),
        pytest.param(
            [GOOD.replace(",Hello", ',"Hello')],
            ["line 2: row: cannot be read as CSV (a quoted cell is never closed)"],
            id="unclosed-quote",
        ),
        pytest.param(
            [with_cell("capacity", "x").replace("mid", "boss")],
            [
                "line 2: seniority: 'boss' is not one of early, mid, senior, leader",
                "line 2: capacity: should be a whole number from 1 to 10, not 'x'",
            ],
            id="two-problems-one-row",
        ),
    ],
)
def test_bad_rows(content: Content, rows: list[str], problems: list[str]) -> None:
    assert read_pool(pool(*rows), content)[1] == problems


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        GOOD + "\n",
        HEADER_LINE.replace("bio,active", "active,bio") + "\n" + GOOD,
        HEADER_LINE.removesuffix(",active") + "\n",
    ],
    ids=["empty", "blank", "no-header", "columns-swapped", "column-missing"],
)
def test_a_wrong_header_is_one_problem_and_no_mentors(content: Content, text: str) -> None:
    problem = f"line 1: header: expected {HEADER_LINE}"
    assert problem == HEADER_PROBLEM
    assert read_pool(text, content) == ([], [problem])


def test_quoted_multi_line_bio_keeps_line_numbers_right(content: Content) -> None:
    text = (
        f"{HEADER_LINE}\r\n"
        "U0GOOD001,Ana Silva,,engineering,networking,mid,2,"
        '"Line one\r\nline two\n\tline three",\r\n'
        "\r\n"
        'U0GOOD002,Bo Chen,,design,confidence,early,1,"one\ntwo",no\r\n'
        "U0GOOD003,Cy,,design,confidence,early,99,,\r\n"
    )

    mentors, problems = read_pool(text, content)

    assert problems == ["line 8: capacity: should be a whole number from 1 to 10, not '99'"]
    assert [(m.bio, m.active) for m in mentors] == [
        ("Line one line two  line three", True),
        ("one two", False),
    ]
    assert bad_row_count(problems) == 1


def test_labels_and_other_spellings_are_accepted(content: Content) -> None:
    text = pool(
        "U0GOOD001, Ana Silva ,europe/lisbon,"
        "ENGINEERING; Data and analytics ;engineering,"
        "building a network;Career Transition,"
        "More than 10 years of experience,3,,Paused",
    )

    mentors, problems = read_pool("\ufeff" + text, content)

    assert problems == []
    assert mentors == [
        mentor(
            timezone="Europe/Lisbon",
            fields=("engineering", "data"),
            topics=("networking", "career_transition"),
            seniority="senior",
            capacity=3,
            bio="",
            active=False,
        )
    ]


@pytest.mark.parametrize(
    ("given", "active"),
    [
        *[(given, True) for given in ("yes", "", "TRUE", "1", "active", " Yes ")],
        *[(given, False) for given in ("no", "false", "0", "paused", "PAUSED")],
    ],
)
def test_active_spellings(content: Content, given: str, active: bool) -> None:
    mentors, problems = read_pool(pool(with_cell("active", given)), content)
    assert problems == []
    assert mentors[0].active is active


def test_control_characters_leave_the_bio(content: Content) -> None:
    mentors, _ = read_pool(pool(with_cell("bio", "a\x00b\x07c\x1bd")), content)
    assert mentors[0].bio == "abcd"


def test_export_then_import_round_trips_unchanged(content: Content) -> None:
    mentors = [
        mentor(user_id="U0RISK001", name="Zed", bio="=cmd|' /C calc'!A0"),
        mentor(user_id="U0RISK002", name="@here Ann", bio="@here come and talk"),
        mentor(user_id="W0RISK003", name="ann", bio="-1 +1 'quoted' ''=twice", timezone=None),
        mentor(user_id="U0RISK004", name="Bo, Jr.", bio='Says "hi"', active=False),
        mentor(user_id="U0RISK005", name="Cy", bio="'=already quoted", capacity=10),
    ]

    text = write_pool(mentors)

    assert text.splitlines()[0] == HEADER_LINE
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == [
        "U0RISK002",
        "W0RISK003",
        "U0RISK004",
        "U0RISK005",
        "U0RISK001",
    ]
    assert "U0RISK001,Zed,Europe/Lisbon,engineering,networking,mid,2,'=cmd|" in text
    assert "U0RISK002,'@here Ann," in text
    assert ",'@here come and talk,yes" in text
    assert ",'-1 +1 'quoted' ''=twice,yes" in text
    assert ",'''=already quoted,yes" not in text
    assert ",''=already quoted,yes" in text
    assert '"Bo, Jr."' in text
    back, problems = read_pool(text, content)
    assert problems == []
    assert sorted(back, key=lambda m: m.user_id) == sorted(mentors, key=lambda m: m.user_id)
    assert write_pool(back) == text


def test_several_fields_and_topics_are_joined_with_semicolons() -> None:
    text = write_pool([mentor(fields=("product", "design"), topics=("networking", "confidence"))])
    assert text.splitlines()[1].split(",")[3:5] == ["product;design", "networking;confidence"]


def test_the_shipped_example_pool_reads_cleanly(content: Content) -> None:
    mentors, problems = read_pool(EXAMPLE.read_text(encoding="utf-8"), content)

    assert problems == []
    assert len(mentors) == 12
    assert len({m.user_id for m in mentors}) == 12
    assert [m.name for m in mentors if not m.active] == ["Jonas Berg"]
    assert {m.seniority for m in mentors} == {s.value for s in content.matching.seniority}
    assert {m.capacity for m in mentors} == {1, 2, 3, 4}
    assert all(m.bio and m.timezone for m in mentors)
