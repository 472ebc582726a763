"""The mentor pool as CSV: one row per mentor, checked row by row, safe to open in a spreadsheet.

Every problem reads `line N: column: problem`, where N is the row's first line in the file
(the header is line 1; a quoted cell may run over several lines). Fields and topics are the
options of the questionnaire's `field` and `topics` questions; seniority is from matching.yml.

The machinery (`read_rows`, `write_rows`, `pick_values`, the spreadsheet-safe cells) is
shared with the coach roster's CSV (bot/roster_csv.py).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.domain.matching import Mentor
from bot.domain.pool import BIO_MOST, NAME_MOST, capacity_problem, clean_text

if TYPE_CHECKING:
    from bot.content import Content

HEADER = (
    "slack_user_id",
    "name",
    "timezone",
    "fields",
    "topics",
    "seniority",
    "capacity",
    "bio",
    "active",
)
SEPARATOR = ";"
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_YES = frozenset({"yes", "y", "true", "1", "active", ""})
_NO = frozenset({"no", "n", "false", "0", "paused"})
# A spreadsheet runs a cell starting with one of these as a formula.
_RISKY = ("=", "+", "-", "@", "\t", "\r")
# Export adds one ' before a risky start, and before any run of ' that comes before one;
# import takes exactly one away again, so every text survives the round trip unchanged.
_EXPORT_RISKY = re.compile(r"^'*[=+\-@\t\r]")
_IMPORTED_QUOTE = re.compile(r"^'(?='*[=+\-@\t\r])")
_LINE = re.compile(r"^line (\d+): ")
# Files in the tz database that are not places: the host's own setting, and placeholders.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})

T = TypeVar("T")
# A row's checker: from the cells by column, the record (None when the row has no usable key),
# its key (what must not be on two rows) and the problems by column.
RowCheck = Callable[[dict[str, str]], tuple[T | None, str, list[tuple[str, str]]]]


def header_problem(header: Sequence[str]) -> str:
    return f"line 1: header: expected {','.join(header)}"


HEADER_PROBLEM = header_problem(HEADER)


def read_pool(
    text: str, content: Content, progress: Callable[[int], None] | None = None
) -> tuple[list[Mentor], list[str]]:
    """The good mentors in file order, and a problem per bad cell: `line N: column: problem`.

    A wrong or missing header gives one problem and no mentors: the columns cannot be trusted.
    `progress`, if given, is told after each row the number of the last line read.
    """
    checker = _RowChecker(content)
    return read_rows(text, HEADER, checker.row, "slack_user_id", progress)


def read_rows(
    text: str,
    header: Sequence[str],
    check: RowCheck[T],
    key_column: str,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[T], list[str]]:
    """The good records in file order, and the problems, as `read_pool` says; a key on two
    rows is a problem of the second, in `key_column`."""
    text = text.removeprefix("\ufeff")  # spreadsheets often save UTF-8 with a byte-order mark
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        found = next(reader, None)
    except csv.Error:
        found = None
    if found is None or tuple(h.strip().lower() for h in found) != tuple(header):
        return [], [header_problem(header)]
    records: list[T] = []
    problems: list[str] = []
    first_line_of: dict[str, int] = {}
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader, None)
        except csv.Error as error:
            problem = "a quoted cell is never closed" if "end of data" in str(error) else error
            problems.append(f"line {start}: row: cannot be read as CSV ({problem})")
            start = reader.line_num + 1
            continue
        if row is None:
            break
        line, start = start, reader.line_num + 1
        if progress is not None:
            progress(reader.line_num)
        if not any(cell.strip() for cell in row):
            continue  # blank lines, or a row of empty cells a spreadsheet left behind
        if len(row) != len(header):
            problems.append(f"line {line}: row: has {len(row)} cells; expected {len(header)}")
            continue
        record, key, row_problems = check(
            dict(zip(header, (_from_cell(cell) for cell in row), strict=True))
        )
        if record is not None and key in first_line_of:
            row_problems.append((key_column, f"{key} is also on line {first_line_of[key]}"))
        problems.extend(f"line {line}: {column}: {problem}" for column, problem in row_problems)
        if record is not None:
            first_line_of.setdefault(key, line)
            if not row_problems:
                records.append(record)
    return records, problems


def write_rows(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV text, every cell safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_to_cell(cell) for cell in row])
    return out.getvalue()


def pick_values(cell: str, choices: Mapping[str, str]) -> tuple[tuple[str, ...], str | None]:
    """Values (of value -> label `choices`) from `a;b;c`, each given as its value or its
    label, in any case; a problem when one is unknown or none is given."""
    lookup = {v.lower(): v for v in choices} | {label.lower(): v for v, label in choices.items()}
    picked: list[str] = []
    for piece in (p.strip() for p in cell.split(SEPARATOR)):
        if not piece:
            continue
        value = lookup.get(piece.lower())
        if value is None:
            hint = "; separate several with ;" if "," in piece else ""
            return (), f"'{piece}' is not one of {', '.join(choices)}{hint}"
        if value not in picked:
            picked.append(value)
    if not picked:
        return (), f"is missing; pick at least one of {', '.join(choices)}"
    return tuple(picked), None


def active_problem(cell: str) -> str | None:
    if cell.strip().lower() not in _YES | _NO:
        return f"should be yes or no, not '{cell.strip()}'"
    return None


def is_active(cell: str) -> bool:
    return cell.strip().lower() not in _NO


def write_pool(mentors: Iterable[Mentor]) -> str:
    """The pool as CSV text, by name then user ID, every cell safe to open in a spreadsheet."""
    return write_rows(
        HEADER,
        (
            (
                m.user_id,
                m.name,
                m.timezone or "",
                SEPARATOR.join(m.fields),
                SEPARATOR.join(m.topics),
                m.seniority,
                str(m.capacity),
                m.bio,
                "yes" if m.active else "no",
            )
            for m in sorted(mentors, key=lambda m: (m.name.casefold(), m.user_id))
        ),
    )


def bad_row_count(problems: Sequence[str]) -> int:
    """How many rows the problems from read_pool are about."""
    return len({match.group(1) for p in problems if (match := _LINE.match(p))})


def iana_timezone(name: str) -> str | None:
    """The IANA timezone name as spelled in the tz database (any case accepted), else None."""
    name = name.strip()
    known = _timezones()
    if name in known:
        return name
    canonical = {zone.lower(): zone for zone in known}.get(name.lower())
    if canonical is not None or known or name in _NOT_ZONES:
        return canonical
    try:  # no tz database to list: let zoneinfo decide
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return name


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_ZONES


def _to_cell(text: str) -> str:
    return "'" + text if _EXPORT_RISKY.match(text) else text


def _from_cell(cell: str) -> str:
    return _IMPORTED_QUOTE.sub("", cell, count=1)


class _RowChecker:
    def __init__(self, content: Content) -> None:
        self.choices = {
            column: {o.value: o.label for o in content.options_of(question)}
            for column, question in (("fields", "field"), ("topics", "topics"))
        }
        self.seniority = {s.value: s.label for s in content.matching.seniority}

    def row(self, raw: dict[str, str]) -> tuple[Mentor | None, str, list[tuple[str, str]]]:
        """The mentor in these cells (None without a usable user ID), its ID and its problems."""
        problems: list[tuple[str, str]] = []

        def check(column: str, problem: str | None) -> None:
            if problem is not None:
                problems.append((column, problem))

        user_id = raw["slack_user_id"].strip()
        if not user_id:
            check("slack_user_id", "is missing")
        elif not USER_ID.match(user_id):
            check("slack_user_id", f"'{user_id}' is not a Slack user ID (like U0123ABCD)")
        name = clean_text(raw["name"])
        if not name:
            check("name", "is missing")
        elif len(name) > NAME_MOST:
            check("name", f"is {len(name)} characters; at most {NAME_MOST}")
        timezone = raw["timezone"].strip() or None
        if timezone is not None:
            known = iana_timezone(timezone)
            if known is None:
                check("timezone", f"'{timezone}' is not a timezone name (like Europe/London)")
            timezone = known
        fields, problem = self.values("fields", raw["fields"])
        check("fields", problem)
        topics, problem = self.values("topics", raw["topics"])
        check("topics", problem)
        seniority, problem = self.one_of(raw["seniority"])
        check("seniority", problem)
        capacity_text = raw["capacity"].strip()
        check("capacity", capacity_problem(capacity_text))
        capacity = int(capacity_text) if capacity_problem(capacity_text) is None else 0
        bio = clean_text(raw["bio"])
        if len(bio) > BIO_MOST:
            check("bio", f"is {len(bio)} characters; at most {BIO_MOST}")
        check("active", active_problem(raw["active"]))
        if not USER_ID.match(user_id):
            return None, user_id, problems
        mentor = Mentor(
            user_id=user_id,
            name=name,
            timezone=timezone,
            fields=fields,
            topics=topics,
            seniority=seniority or "",
            capacity=capacity,
            bio=bio,
            active=is_active(raw["active"]),
        )
        return mentor, user_id, problems

    def values(self, column: str, cell: str) -> tuple[tuple[str, ...], str | None]:
        return pick_values(cell, self.choices[column])

    def one_of(self, cell: str) -> tuple[str | None, str | None]:
        text = cell.strip()
        lookup = {v.lower(): v for v in self.seniority} | {
            label.lower(): v for v, label in self.seniority.items()
        }
        value = lookup.get(text.lower())
        if value is None:
            choices = ", ".join(self.seniority)
            if not text:
                return None, f"is missing; pick one of {choices}"
            return None, f"'{text}' is not one of {choices}"
        return value, None
