"""`devpath coaches import/export`, and the coaches `devpath try` suggests."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from bot.content import Content
from bot.domain.coaching import Coach, is_external_id
from bot.roster_csv import HEADER, read_roster
from tests.conftest import CliDatabase
from tests.test_cli_mentors import listed, run

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ROSTER = EXAMPLES / "coaches.csv"
COACHING = EXAMPLES / "answers-coaching.json"
MENTORING = EXAMPLES / "answers-mentoring.json"


def coaches(database: CliDatabase) -> list[Coach]:
    return database.read(lambda store: store.coaches())


def example_lines() -> list[str]:
    return ROSTER.read_text(encoding="utf-8").splitlines()


def write_csv(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_then_export_is_the_same_file(
    tmp_path: Path, database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("coaches", "import", ROSTER) == 0
    summary = "imported 6 coaches from coaches.csv: 6 added, 0 updated, 0 unchanged"
    assert capsys.readouterr().out == summary + "\n"
    audit = database.read(lambda store: store.audit_log())
    assert [(a["by"], a["what"]) for a in audit] == [(f"cli:{getpass.getuser()}", summary)]

    assert run("coaches", "export") == 0
    assert capsys.readouterr().out == ROSTER.read_text(encoding="utf-8")

    exported = tmp_path / "exported.csv"
    assert run("coaches", "export", "--output", exported) == 0
    assert capsys.readouterr().out == f"exported 6 coaches to {exported}\n"
    assert run("coaches", "import", exported) == 0
    assert capsys.readouterr().out.endswith("0 added, 0 updated, 6 unchanged\n")


def test_dry_run_shows_the_changes_and_writes_nothing(
    tmp_path: Path, database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("coaches", "import", ROSTER, "--dry-run") == 0
    assert capsys.readouterr().out.startswith("would add 6, update 0, leave 0 unchanged\n")
    assert not database.exists()

    assert run("coaches", "import", ROSTER) == 0
    saved = database.read(lambda store: store.dump())
    lines = example_lines()
    helen = next(i for i, line in enumerate(lines) if "Helen Brooks" in line)
    lines[helen] = lines[helen].replace(",4,ICF PCC,", ",3,ICF PCC,")
    lines.append(
        "U0DEMO003,internal,Lena Fischer,Europe/Berlin,communication_influence,de,1,,,,,,yes"
    )
    capsys.readouterr()

    assert run("coaches", "import", write_csv(tmp_path, lines), "--dry-run") == 0

    assert capsys.readouterr().out.splitlines() == [
        "would add 1, update 1, leave 5 unchanged",
        "  add: Lena Fischer (U0DEMO003)",
        "  update: Helen Brooks (x-k3v9qa)",
    ]
    assert database.read(lambda store: store.dump()) == saved


def test_bad_rows_are_listed_by_line_and_nothing_is_imported(
    tmp_path: Path, database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = example_lines()
    lines[1] = lines[1].replace(",en;es,", ",en;xx,")  # Aisha Okafor
    lines.append(",external,Nobody,Europe/London,leadership,en,2,,,Acme,not-an-email,,yes")

    assert run("coaches", "import", write_csv(tmp_path, lines)) == 2

    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("line 2: languages: 'xx' is not one of en, de,")
    assert err[1] == (
        "line 8: email: 'not-an-email' is not an email address (like name@example.com)"
    )
    assert err[2].startswith("devpath: 2 bad rows in ")
    assert not database.exists()

    assert run("coaches", "import", write_csv(tmp_path, lines), "--skip-invalid") == 0
    assert len(coaches(database)) == 5


def test_an_external_row_without_an_id_is_given_one(
    tmp_path: Path, database: CliDatabase, content: Content, capsys: pytest.CaptureFixture[str]
) -> None:
    row = ",external,Sam Lee,Asia/Tokyo,leadership,en,2,,,Lee Coaching,sam@lee.example,,yes"
    assert run("coaches", "import", write_csv(tmp_path, [",".join(HEADER), row])) == 0
    [sam] = coaches(database)
    assert is_external_id(sam.id) and sam.organisation == "Lee Coaching"

    capsys.readouterr()
    assert run("coaches", "export") == 0
    assert capsys.readouterr().out.splitlines()[1].startswith(f"{sam.id},external,Sam Lee,")


def test_a_wrong_header_is_one_line(
    tmp_path: Path, database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("coaches", "import", write_csv(tmp_path, ["id,name", "U1,Ann"])) == 2
    err = capsys.readouterr().err
    assert err == (
        f"devpath: {tmp_path / 'roster.csv'}: line 1: header: expected {','.join(HEADER)}; "
        "nothing was imported\n"
    )


def test_try_shows_the_coaches_who_fit_a_coaching_result(
    database: CliDatabase, content: Content, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("coaches", "import", ROSTER) == 0
    capsys.readouterr()

    assert run("try", "--answers", COACHING, "--timezone", "Europe/London") == 0

    out = capsys.readouterr().out
    assert "Executive coaching fits you now" in out
    shown = listed(out, "Coaches who fit:")
    assert len(shown) == content.coaches.coaches_shown == 3
    assert shown[0] == (
        "  1. Grace Mensah (internal coach) — Coaches leadership, managing people · "
        "same timezone · 2 of 2 places free"
    )
    assert "  2. Helen Brooks (Brooks Leadership Ltd) — Coaches leadership" in out
    assert "     Book: https://brooks-leadership.example/book" in out
    assert "Daniel Cohen" not in out  # paused
    assert read_roster(ROSTER.read_text(encoding="utf-8"), content)[1] == []


def test_try_with_an_empty_roster_says_how_to_fill_it(
    database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("try", "--answers", COACHING) == 0
    out = capsys.readouterr().out
    assert "\nNo coach on the roster fits yet.\n" in out
    assert "devpath coaches import examples/coaches.csv" in out


def test_try_suggests_no_coaches_for_mentoring(
    database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("coaches", "import", ROSTER) == 0
    assert run("try", "--answers", MENTORING) == 0
    out = capsys.readouterr().out
    assert "Coaches who fit:" not in out and "No coach on the roster" not in out
