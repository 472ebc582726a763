"""The coach roster as CSV: every bad cell named by line and column, and a safe round trip."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.content import Content
from bot.domain.coaching import Coach
from bot.roster_csv import HEADER, HEADER_PROBLEM, read_roster, write_roster

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "coaches.csv"
HEADER_LINE = ",".join(HEADER)
AREAS = (
    "leadership, executive_presence, communication_influence, performance_goals, "
    "managing_people, career_transition"
)
INTERNAL = "U0GOOD001,internal,Ana Silva,Europe/Lisbon,leadership,en,2,ICF ACC,Hello.,,,,yes"
EXTERNAL = (
    "x-ab12cd,external,Zoe Park,Europe/London,leadership;executive_presence,en;fr,3,ICF PCC,,"
    "Park & Co,zoe@park.example,https://park.example/book,yes"
)
ANA = Coach("U0GOOD001", "internal", "Ana Silva", "Europe/Lisbon", ("leadership",), ("en",), 2)
ANA = replace(ANA, credentials="ICF ACC", bio="Hello.")
ZOE = Coach(
    "x-ab12cd",
    "external",
    "Zoe Park",
    "Europe/London",
    ("leadership", "executive_presence"),
    ("en", "fr"),
    3,
    credentials="ICF PCC",
    organisation="Park & Co",
    email="zoe@park.example",
    booking_url="https://park.example/book",
)


def roster(*rows: str) -> str:
    return "\n".join([HEADER_LINE, *rows]) + "\n"


def with_cell(row: str, column: str, value: str) -> str:
    cells = row.split(",")
    cells[HEADER.index(column)] = '"' + value.replace('"', '""') + '"'
    return ",".join(cells)


def read(text: str, content: Content) -> tuple[list[Coach], list[str]]:
    return read_roster(text, content, new_id=lambda: "x-new001")


def test_good_rows_read_into_coaches(content: Content) -> None:
    assert read(roster(INTERNAL, EXTERNAL), content) == ([ANA, ZOE], [])


def test_an_external_row_without_an_id_gets_one(content: Content) -> None:
    coaches, problems = read(roster(with_cell(EXTERNAL, "id", "")), content)
    assert problems == [] and coaches == [replace(ZOE, id="x-new001")]


@pytest.mark.parametrize(
    ("row", "column", "value", "problem"),
    [
        (INTERNAL, "kind", "", "is missing; internal (a Slack user) or external"),
        (INTERNAL, "kind", "freelance", "should be internal or external, not 'freelance'"),
        (INTERNAL, "id", "", "is missing; an internal coach's is their Slack user ID"),
        (INTERNAL, "id", "x-ab12cd", "'x-ab12cd' is not a Slack user ID (like U0123ABCD)"),
        (EXTERNAL, "id", "U0GOOD001", "'U0GOOD001' is not an external coach's id (like x-k3v9qa)"),
        (INTERNAL, "name", " ", "is missing"),
        (
            INTERNAL,
            "timezone",
            "Mars/Olympus",
            "'Mars/Olympus' is not a timezone name (like Europe/London)",
        ),
        (EXTERNAL, "timezone", "", "pick their timezone"),
        (INTERNAL, "areas", "", f"is missing; pick at least one of {AREAS}"),
        (
            INTERNAL,
            "areas",
            "leadership, yoga",
            f"'leadership, yoga' is not one of {AREAS}; separate several with ;",
        ),
        (INTERNAL, "languages", "klingon", "'klingon' is not one of en, de, fr, es, hi, zh"),
        (INTERNAL, "capacity", "11", "should be a whole number from 1 to 10, not '11'"),
        (INTERNAL, "credentials", "x" * 201, "is 201 characters; at most 200"),
        (INTERNAL, "bio", "x" * 501, "is 501 characters; at most 500"),
        (EXTERNAL, "organisation", "", "is missing"),
        (EXTERNAL, "email", "", "is missing"),
        (
            EXTERNAL,
            "email",
            "zoe at park",
            "'zoe at park' is not an email address (like name@example.com)",
        ),
        (
            INTERNAL,
            "email",
            "<!channel>",
            "'<!channel>' is not an email address (like name@example.com)",
        ),
        (
            EXTERNAL,
            "booking_url",
            "javascript:alert(1)",
            "'javascript:alert(1)' is not a web address (like https://example.com/book)",
        ),
        (EXTERNAL, "active", "maybe", "should be yes or no, not 'maybe'"),
    ],
)
def test_a_bad_cell_is_named_by_line_and_column(
    content: Content, row: str, column: str, value: str, problem: str
) -> None:
    coaches, problems = read(
        roster(INTERNAL if row is EXTERNAL else EXTERNAL, with_cell(row, column, value)), content
    )
    assert problems == [f"line 3: {column}: {problem}"]
    assert len(coaches) == 1


def test_bad_rows_and_a_second_row_for_one_coach(content: Content) -> None:
    text = roster(INTERNAL, "U0X,internal,Bo", "", EXTERNAL, INTERNAL.replace("Ana", "Anne"))
    coaches, problems = read(text, content)
    assert coaches == [ANA, ZOE]
    assert problems == [
        "line 3: row: has 3 cells; expected 13",
        "line 6: id: U0GOOD001 is also on line 2",
    ]


@pytest.mark.parametrize("text", ["", "id,name\nU1,Ann\n", HEADER_LINE.replace("email", "mail")])
def test_a_wrong_header_is_one_problem_and_no_coaches(content: Content, text: str) -> None:
    assert read(text, content) == ([], [HEADER_PROBLEM])


def test_labels_and_other_spellings_are_accepted(content: Content) -> None:
    row = with_cell(EXTERNAL, "areas", "Leadership; EXECUTIVE PRESENCE")
    row = with_cell(row, "languages", "English;french")
    row = with_cell(row, "kind", " External ")
    row = with_cell(row, "timezone", "europe/london")
    assert read(roster(row), content) == ([ZOE], [])


def test_export_then_import_round_trips_unchanged(content: Content) -> None:
    coaches = [
        replace(ZOE, name='=HYPERLINK("http://evil")', bio="@here book me"),
        replace(ANA, id="U0RISK002", name="+Ann", credentials="-PCC", timezone=None),
        replace(ANA, id="W0RISK003", name="ann", bio="'=already quoted", active=False),
        replace(ZOE, id="x-zz99zz", name="Bo, Jr.", organisation='Says "hi"', booking_url=""),
    ]

    text = write_roster(coaches)

    assert text.splitlines()[0] == HEADER_LINE
    assert 'x-ab12cd,external,"\'=HYPERLINK(""http' in text
    assert "U0RISK002,internal,'+Ann," in text
    assert ",'-PCC," in text and ",'@here book me," in text
    assert ",''=already quoted," in text
    back, problems = read(text, content)
    assert problems == []
    assert sorted(back, key=lambda c: c.id) == sorted(coaches, key=lambda c: c.id)
    assert write_roster(back) == text


def test_the_shipped_example_roster_reads_cleanly_and_is_its_own_export(content: Content) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    coaches, problems = read(text, content)

    assert problems == []
    assert {c.kind for c in coaches} == {"internal", "external"}
    assert all(c.booking_url for c in coaches if c.kind == "external" and c.name != "Julia Wagner")
    assert [c.name for c in coaches if not c.active] == ["Daniel Cohen"]
    assert write_roster(coaches) == text
