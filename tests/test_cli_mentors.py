"""`devpath mentors import/export`, and the mentors `devpath try` suggests."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from bot.cli import main
from bot.content import Content
from bot.domain.matching import Mentor
from bot.pool_csv import HEADER, read_pool
from bot.store import Store
from tests.conftest import CliDatabase

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
POOL = EXAMPLES / "mentors.csv"
MENTORING = EXAMPLES / "answers-mentoring.json"
COACHING = EXAMPLES / "answers-coaching.json"
ENGINEERS = {"Priya Raman", "Tom Whitaker", "Aisha Okafor"}


def run(*argv: str | Path) -> int:
    with pytest.raises(SystemExit) as caught:
        main([str(a) for a in argv])
    code = caught.value.code
    assert isinstance(code, int)
    return code


def in_store(database: CliDatabase) -> tuple[list[Mentor], list[dict[str, str]]]:
    async def pool_and_audit(store: Store) -> tuple[list[Mentor], list[dict[str, str]]]:
        return await store.mentors(), await store.audit_log(limit=100)

    return database.read(pool_and_audit)


def example_lines() -> list[str]:
    return POOL.read_text(encoding="utf-8").splitlines()


def write_csv(tmp_path: Path, lines: list[str], name: str = "pool.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_writes_the_pool_and_says_what_changed(
    database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("mentors", "import", POOL) == 0

    captured = capsys.readouterr()
    summary = "imported 12 mentors from mentors.csv: 12 added, 0 updated, 0 unchanged"
    assert captured.out == summary + "\n"
    assert captured.err == ""
    mentors, audit = in_store(database)
    assert len(mentors) == 12
    assert [(a["by"], a["what"]) for a in audit] == [(f"cli:{getpass.getuser()}", summary)]


def test_importing_again_changes_nothing(
    database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("mentors", "import", POOL) == 0
    before = in_store(database)

    assert run("mentors", "import", POOL) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "imported 12 mentors from mentors.csv: 0 added, 0 updated, 12 unchanged"
    assert in_store(database) == before


def test_one_bad_row_writes_nothing_and_exits_2(
    tmp_path: Path, database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = example_lines()
    lines[4] = lines[4].replace(",leader,4,", ",leader,many,")
    bad = write_csv(tmp_path, lines)

    assert run("mentors", "import", bad) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "line 5: capacity: should be a whole number from 1 to 10, not 'many'",
        f"devpath: 1 bad row in {bad}; nothing was imported (fix it, or use --skip-invalid)",
    ]
    assert not database.exists()


def test_skip_invalid_lists_the_bad_rows_and_imports_the_rest(
    tmp_path: Path, database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = example_lines()
    lines[4] = lines[4].replace(",leader,4,", ",leader,many,")
    lines[7] = lines[7].replace("Europe/Berlin", "Europe/Berlim")
    bad = write_csv(tmp_path, lines)

    assert run("mentors", "import", bad, "--skip-invalid") == 0

    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "line 5: capacity: should be a whole number from 1 to 10, not 'many'",
        "line 8: timezone: 'Europe/Berlim' is not a timezone name (like Europe/London)",
        f"devpath: skipped 2 bad rows in {bad}",
    ]
    assert captured.out == "imported 10 mentors from pool.csv: 10 added, 0 updated, 0 unchanged\n"
    names = {m.name for m in in_store(database)[0]}
    assert len(names) == 10
    assert not names & {"Marcus Bell", "Sofia Marino"}


def test_dry_run_shows_the_changes_and_writes_nothing(
    tmp_path: Path, database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("mentors", "import", POOL, "--dry-run") == 0
    assert capsys.readouterr().out.startswith("would add 12, update 0, leave 0 unchanged\n")
    assert not database.exists()

    assert run("mentors", "import", POOL) == 0
    saved = database.read(lambda store: store.dump())
    lines = example_lines()
    lines[2] = lines[2].replace(",mid,2,", ",mid,3,")
    lines.append("U0DEMO013,Nadia Haddad,Europe/London,legal,communication,senior,1,,yes")
    capsys.readouterr()

    assert run("mentors", "import", write_csv(tmp_path, lines), "--dry-run") == 0

    assert capsys.readouterr().out.splitlines() == [
        "would add 1, update 1, leave 11 unchanged",
        "  add: Nadia Haddad (U0DEMO013)",
        "  update: Tom Whitaker (U0DEMO002)",
    ]
    assert database.read(lambda store: store.dump()) == saved


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\xff\xfeU\x00", "line 1: not UTF-8 text; save it as CSV UTF-8 and try again"),
        (b"id,name\nU1,Ann\n", "line 1: header: expected " + ",".join(HEADER)),
        (",".join(HEADER).encode() + b"\n", "no mentors to import"),
    ],
    ids=["not-utf8", "wrong-header", "no-rows"],
)
def test_a_file_that_cannot_be_used_is_one_line(
    tmp_path: Path,
    database: CliDatabase,
    capsys: pytest.CaptureFixture[str],
    data: bytes,
    problem: str,
) -> None:
    path = tmp_path / "pool.csv"
    path.write_bytes(data)

    assert run("mentors", "import", path) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"devpath: {path}: {problem}")
    assert not database.exists()


def test_a_missing_file_is_one_line(
    tmp_path: Path, database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("mentors", "import", tmp_path / "nope.csv") == 2
    err = capsys.readouterr().err
    assert err == f"devpath: {tmp_path / 'nope.csv'}: cannot read it (No such file or directory)\n"


def test_export_prints_the_pool_and_round_trips(
    tmp_path: Path, database: CliDatabase, content: Content, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("mentors", "import", POOL) == 0
    capsys.readouterr()

    assert run("mentors", "export") == 0

    out = capsys.readouterr().out
    assert out.splitlines()[0] == ",".join(HEADER)
    mentors, problems = read_pool(out, content)
    assert problems == []
    assert mentors == in_store(database)[0]
    assert "U0DEMO011,Jonas Berg," in out
    assert out.splitlines()[-1].endswith(",yes")

    exported = tmp_path / "exported.csv"
    assert run("mentors", "export", "--output", exported) == 0
    assert capsys.readouterr().out == f"exported 12 mentors to {exported}\n"
    assert exported.read_text(encoding="utf-8") == out
    assert run("mentors", "import", exported) == 0
    assert capsys.readouterr().out.endswith("0 added, 0 updated, 12 unchanged\n")


def test_export_of_no_database_is_the_header_alone(
    database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("mentors", "export") == 0
    assert capsys.readouterr().out == ",".join(HEADER) + "\n"
    assert not database.exists()


def listed(out: str, heading: str) -> list[str]:
    """The numbered lines under `heading` in what `devpath try` printed."""
    section = out.split(f"{heading}\n", 1)[1].split("\n\nSaved in", 1)[0]
    return [line for line in section.splitlines() if line.startswith("  ") and ". " in line[:6]]


def mentor_lines(out: str) -> list[str]:
    return listed(out, "Mentors who fit:")


def test_try_shows_the_mentors_who_fit(
    database: CliDatabase, content: Content, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("mentors", "import", POOL) == 0
    capsys.readouterr()

    assert run("try", "--answers", MENTORING, "--user", "newbie") == 0

    out = capsys.readouterr().out
    assert "Mentors who fit:" in out
    shown = mentor_lines(out)
    assert len(shown) == content.matching.matches_shown
    first = shown[0]
    assert first.startswith("  1. ")
    assert first.split(" (", 1)[0].removeprefix("  1. ") in ENGINEERS
    assert "— Both in Engineering · shares " in first
    assert "h apart" not in out and "same timezone" not in out  # no timezone known
    assert "Jonas Berg" not in out  # paused
    bio_line = out.split(first + "\n", 1)[1].splitlines()[0]
    assert bio_line.startswith("     ") and bio_line.strip()


@pytest.mark.parametrize(
    ("argv", "tz", "expected"),
    [
        (["--timezone", "asia/kolkata"], None, "Priya Raman"),
        ([], "Europe/London", "Tom Whitaker"),
        ([], ":Europe/London", "Tom Whitaker"),
    ],
)
def test_try_reads_the_timezone_from_the_option_or_tz(
    database: CliDatabase,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    tz: str | None,
    expected: str,
) -> None:
    assert run("mentors", "import", POOL) == 0
    if tz is not None:
        monkeypatch.setenv("TZ", tz)
    capsys.readouterr()

    assert run("try", "--answers", MENTORING, *argv) == 0

    same = [line for line in mentor_lines(capsys.readouterr().out) if "same timezone" in line]
    assert [line.split(" (", 1)[0][5:] for line in same] == [expected]


def test_a_tz_that_is_not_a_place_is_ignored(
    database: CliDatabase, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("mentors", "import", POOL) == 0
    monkeypatch.setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")

    assert run("try", "--answers", MENTORING) == 0

    out = capsys.readouterr().out
    assert "Mentors who fit:" in out
    assert "h apart" not in out and "same timezone" not in out


def test_try_refuses_an_unknown_timezone(
    database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("try", "--answers", MENTORING, "--timezone", "Mars/Olympus") == 2
    assert capsys.readouterr().err == (
        "devpath: --timezone: 'Mars/Olympus' is not an IANA timezone name (like Europe/London)\n"
    )
    assert not database.exists()


def test_try_with_an_empty_pool_says_how_to_fill_it(
    database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("try", "--answers", MENTORING) == 0

    out = capsys.readouterr().out
    assert "Mentors who fit:" not in out
    assert "\nNo mentor in the pool fits yet.\n" in out
    assert "devpath mentors import examples/mentors.csv" in out


def test_try_when_nobody_fits_does_not_suggest_the_example(
    tmp_path: Path, database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    paused = [example_lines()[0], example_lines()[11]]  # Jonas Berg, paused
    assert run("mentors", "import", write_csv(tmp_path, paused)) == 0
    capsys.readouterr()

    assert run("try", "--answers", MENTORING) == 0

    out = capsys.readouterr().out
    assert "No mentor in the pool fits yet." in out
    assert "mentors import" not in out


def test_try_suggests_no_mentors_for_coaching(
    database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("mentors", "import", POOL) == 0

    assert run("try", "--answers", COACHING) == 0

    out = capsys.readouterr().out
    assert "Executive coaching fits you now" in out
    assert "Mentors who fit:" not in out
    assert "No mentor in the pool" not in out
