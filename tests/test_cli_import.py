"""A large `devpath mentors import`: progress on stderr that stays short, the file written in
parts that each land whole, and a failure half-way that says how far it got."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import cli
from bot.domain.matching import Mentor
from bot.pool_csv import HEADER
from bot.progress import Progress
from bot.roster_csv import HEADER as ROSTER_HEADER
from bot.store import Store
from tests.conftest import CliDatabase
from tests.full_disk import fill_disk
from tests.test_cli_mentors import POOL, in_store, run


def pool_file(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "company.csv"
    rows = [
        f"U{n:07d},Mentor {n:04d},Europe/London,engineering;data,leadership,senior,2,,yes"
        for n in range(count)
    ]
    path.write_text("\n".join([",".join(HEADER), *rows]) + "\n", encoding="utf-8")
    return path


def test_a_large_import_shows_a_few_progress_lines_and_lands_every_row_once(
    tmp_path: Path, database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    path = pool_file(tmp_path, 1_234)

    assert run("mentors", "import", path) == 0

    captured = capsys.readouterr()
    summary = "imported 1234 mentors from company.csv: 1234 added, 0 updated, 0 unchanged"
    assert captured.out == summary + "\n"
    progress = captured.err.splitlines()
    assert len(progress) <= 12
    assert progress[0].startswith("checking company.csv: ")
    assert progress[-2:] == ["importing mentors: 1,000 / 1,234", "importing mentors: 1,234 / 1,234"]
    mentors, audit = in_store(database)
    assert sorted(m.user_id for m in mentors) == [f"U{n:07d}" for n in range(1_234)]
    assert [a["what"] for a in audit] == [f"{summary} (part {n} of 3)" for n in (3, 2, 1)]

    assert run("mentors", "import", path) == 0

    again = capsys.readouterr()
    assert again.out.endswith("1234 mentors from company.csv: 0 added, 0 updated, 1234 unchanged\n")
    assert "importing" not in again.err  # nothing to write
    assert in_store(database) == (mentors, audit)


def test_a_large_coach_roster_goes_in_parts_too(
    tmp_path: Path, database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "roster.csv"
    rows = [
        f"U{n:07d},internal,Coach {n:04d},Europe/London,managing_people,en,2,,,,,,yes"
        for n in range(1_001)
    ]
    path.write_text("\n".join([",".join(ROSTER_HEADER), *rows]) + "\n", encoding="utf-8")

    assert run("coaches", "import", path) == 0

    captured = capsys.readouterr()
    assert (
        captured.out
        == "imported 1001 coaches from roster.csv: 1001 added, 0 updated, 0 unchanged\n"
    )
    assert captured.err.splitlines()[-1] == "importing coaches: 1,001 / 1,001"

    async def roster_and_audit(store: Store) -> tuple[int, list[str]]:
        return len(await store.coaches()), [a["what"] for a in await store.audit_log()]

    count, audit = database.read(roster_and_audit)
    assert count == 1_001
    assert [what.rpartition(" (")[2] for what in audit] == [f"part {n} of 3)" for n in (3, 2, 1)]


def test_a_mentor_away_is_unchanged_by_the_same_row(
    database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("mentors", "import", POOL) == 0
    back = datetime(2030, 1, 6, 9, 0, tzinfo=UTC)

    async def away(store: Store) -> None:
        assert await store.update_mentor("U0DEMO002", {"away_until": back}) is not None

    database.read(away)
    capsys.readouterr()

    assert run("mentors", "import", POOL) == 0

    assert capsys.readouterr().out.endswith(": 0 added, 0 updated, 12 unchanged\n")
    tom = next(m for m in in_store(database)[0] if m.user_id == "U0DEMO002")
    assert tom.away_until == back


def test_an_import_that_fails_half_way_says_how_far_it_got(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / "devpath.json"
    monkeypatch.setenv("DEVPATH_DB", str(db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert run("mentors", "import", POOL) == 0
    path = pool_file(tmp_path, 1_234)
    disk = fill_disk(monkeypatch)
    disk.full.add("fdatasync")
    disk.skip = 2  # two parts land, the third finds the disk full
    capsys.readouterr()

    assert run("mentors", "import", path) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[-1] == (
        f"devpath: DEVPATH_DB: {db}: the disk is full; the import stopped after writing 1,000 "
        "of the 1,234 mentors to add or update, in file order; the rest are not in: import the "
        "file again once that is fixed"
    )
    disk.full.clear()
    assert run("mentors", "import", path) == 0
    assert capsys.readouterr().out == (
        "imported 1234 mentors from company.csv: 234 added, 0 updated, 1000 unchanged\n"
    )


def test_an_import_interrupted_says_how_far_it_got(
    tmp_path: Path,
    database: CliDatabase,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    parts: list[int] = []

    async def stopped_at_the_second(
        store: Store, mentors: list[Mentor], by: str, what: str, now: datetime
    ) -> None:
        parts.append(len(mentors))
        if len(parts) == 2:
            raise KeyboardInterrupt
        await store.import_mentors(mentors, by, what, now)

    monkeypatch.setattr(cli, "MENTOR_CSV", replace(cli.MENTOR_CSV, save=stopped_at_the_second))

    assert run("mentors", "import", pool_file(tmp_path, 1_234)) == 130

    assert capsys.readouterr().err.splitlines()[-1] == (
        "devpath: the import stopped after writing 500 of the 1,234 mentors to add or update, "
        "in file order; the rest are not in: import the file again once that is fixed"
    )
    assert len(in_store(database)[0]) == 500


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_is_one_line_drawn_again() -> None:
    out = Terminal()
    progress = Progress("importing mentors", 10_000, out=out)
    for done in range(1, 10_001):
        progress(done)
    assert "\n" not in out.getvalue()
    progress.end()
    drawn = out.getvalue().split("\r")[1:]
    assert len(drawn) == 100
    assert drawn[39] == "importing mentors: 4,000 / 10,000\x1b[K"
    assert drawn[-1] == "importing mentors: 10,000 / 10,000\x1b[K\n"


def test_progress_in_a_log_is_a_line_a_tenth_at_most() -> None:
    out = io.StringIO()
    progress = Progress("checking pool.csv", 1_001, "lines", out=out)
    for done in range(2, 1_002):
        progress(done)
    progress.end()
    lines = out.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0] == "checking pool.csv: 101 / 1,001 lines"
    assert lines[-1] == "checking pool.csv: 1,001 / 1,001 lines"


def test_quiet_progress_shows_nothing() -> None:
    out = Terminal()
    progress = Progress("importing mentors", 12, quiet=True, out=out)
    for done in range(13):
        progress(done)
    progress.end()
    assert out.getvalue() == ""
