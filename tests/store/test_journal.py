"""The journaled storage: durable appends, torn tails, compaction, the lock, versions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.coaching import Coach
from bot.store import StoreError
from bot.store.journal import JournaledTinyDB, JournalStorage, read_database
from bot.store.migrations import SCHEMA_VERSION
from bot.store.tinydb_store import TinyDBStore

OPEN_TINYDB = "from bot.store.tinydb_store import TinyDBStore; TinyDBStore.open"


def open_db(path: Path, compact_floor: int = 1 << 30) -> JournaledTinyDB:
    return JournaledTinyDB(path, storage=JournalStorage, compact_floor=compact_floor)


def test_a_write_is_one_journal_line_and_survives_reopening(tmp_path):
    path = tmp_path / "db.json"
    db = open_db(path)
    table = db.table("things").index_on("kind")
    first = table.insert({"kind": "a", "n": 1})
    table.insert({"kind": "b", "n": 2})
    table.update({"n": 3}, doc_ids=[first])
    table.remove(doc_ids=[first])
    db.close()
    lines = (tmp_path / "db.json.journal").read_bytes().splitlines()
    assert len(lines) == 4  # one line per write, holding only what it touched
    assert json.loads(lines[2]) == {"t": "things", "d": {"1": {"kind": "a", "n": 3}}}

    db = open_db(path)
    table = db.table("things").index_on("kind")
    assert [dict(d) for d in table.all()] == [{"kind": "b", "n": 2}]
    assert [d.doc_id for d in table.find("kind", "b")] == [2]
    assert table.find("kind", "a") == []
    db.close()


def test_a_batch_is_one_line_all_there_after_a_crash_or_none_of_it(tmp_path):
    path = tmp_path / "db.json"
    db = open_db(path)
    answers, effects = db.table("answers"), db.table("effects")
    with db.storage.batch():
        answers.insert({"n": 1})
        effects.insert({"say": "hello"})
        answers.update({"n": 2}, doc_ids=[1])
    db.close()
    journal = tmp_path / "db.json.journal"
    (line,) = journal.read_bytes().splitlines()
    assert read_database(path)[0] == {
        "answers": {"1": {"n": 2}},
        "effects": {"1": {"say": "hello"}},
    }

    journal.write_bytes(line[: len(line) // 2])  # the crash came mid-append: none of it
    assert read_database(path)[0] == {}


def test_a_failed_batch_writes_nothing(tmp_path):
    path = tmp_path / "db.json"
    db = open_db(path)
    with pytest.raises(RuntimeError), db.storage.batch():
        db.table("answers").insert({"n": 1})
        raise RuntimeError("the action failed half-way")
    assert db.storage.read().get("answers", {}) == {}
    db.close()
    assert read_database(path)[0].get("answers", {}) == {}


def test_a_write_after_a_torn_tail_starts_a_line_of_its_own(tmp_path):
    path = tmp_path / "db.json"
    db = open_db(path)
    db.table("things").insert({"n": 1})
    db.close()
    with (tmp_path / "db.json.journal").open("ab") as file:
        file.write(b'{"t": "things", "d": {"2": {"n"')  # the crash came mid-append
    db = open_db(path)  # the next start writes on
    db.table("things").insert({"n": 3})
    db.table("things").insert({"n": 4})
    db.close()
    assert read_database(path)[0]["things"] == {"1": {"n": 1}, "2": {"n": 3}, "3": {"n": 4}}


def test_a_torn_last_line_is_dropped_but_a_broken_middle_is_reported(tmp_path):
    path = tmp_path / "db.json"
    db = open_db(path)
    db.table("things").insert({"n": 1})
    db.close()
    journal = tmp_path / "db.json.journal"
    with journal.open("ab") as file:
        file.write(b'{"t": "things", "d": {"2": {"n"')  # the crash came mid-append
    assert read_database(path)[0]["things"] == {"1": {"n": 1}}

    journal.write_bytes(b'garbage\n{"t": "things", "d": {"2": {"n": 2}}}\n')
    with pytest.raises(StoreError) as caught:
        TinyDBStore.open(path)
    assert "db.json.journal: line 1: not a journal entry" in str(caught.value)


def test_compaction_folds_the_journal_into_the_snapshot(tmp_path):
    path = tmp_path / "db.json"
    db = open_db(path, compact_floor=2000)
    table = db.table("things")
    for n in range(100):
        table.insert({"n": n, "pad": "x" * 50})
    db.close()
    snapshot = json.loads(path.read_text())
    journal_lines = (tmp_path / "db.json.journal").read_bytes().count(b"\n")
    assert len(snapshot["things"]) + journal_lines >= 100
    assert journal_lines < 100  # compacted at least once
    assert len(read_database(path)[0]["things"]) == 100


def test_replaying_a_journal_already_in_the_snapshot_changes_nothing(tmp_path):
    """A crash between writing the new snapshot and emptying the journal loses nothing."""
    path = tmp_path / "db.json"
    db = open_db(path)
    table = db.table("things")
    table.insert({"n": 1})
    table.update({"n": 2}, doc_ids=[1])
    table.insert({"n": 3})
    table.remove(doc_ids=[2])
    journal = (tmp_path / "db.json.journal").read_bytes()
    db.storage.compact()
    db.close()
    (tmp_path / "db.json.journal").write_bytes(journal)  # as if the truncate never happened
    assert read_database(path)[0]["things"] == {"1": {"n": 2}}


def test_a_second_process_is_refused_with_one_line(tmp_path):
    path = tmp_path / "db.json"
    store = TinyDBStore.open(path)
    try:
        probe = subprocess.run(
            [sys.executable, "-c", f"{OPEN_TINYDB}({str(path)!r})"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parents[2],
        )
        assert probe.returncode != 0
        assert f"is in use by devpath process {os.getpid()}" in probe.stderr
        cli = subprocess.run(
            [Path(sys.executable).parent / "devpath", "nudges", "list"],
            capture_output=True,
            text=True,
            env={**os.environ, "DEVPATH_DB": str(path)},
        )
        assert cli.returncode == 2
        assert cli.stderr.count("\n") == 1 and "one process per database" in cli.stderr
    finally:
        store.close()
    TinyDBStore.open(path).close()  # free again once the first one stops


def test_an_old_database_is_backed_up_and_migrated(tmp_path):
    path = tmp_path / "db.json"
    old = {
        "meta": {"1": {"schema_version": 1}},
        "intros": {
            "1": {
                "id": "i1",
                "mentee_id": "U1",
                "mentor_id": "U2",
                "state": "pending",
                "requested_at": "2026-11-01T10:00:00+00:00",
                "expires_at": "2026-11-08T10:00:00+00:00",
                "reminded": True,
            }
        },
    }
    path.write_text(json.dumps(old))
    TinyDBStore.open(path).close()
    backup = json.loads((tmp_path / "db.json.v1.bak").read_text())
    assert backup == old
    data = read_database(path)[0]
    assert data["meta"] == {"1": {"schema_version": SCHEMA_VERSION}}
    assert "reminded" not in data["intros"]["1"] and data["intros"]["1"]["source"] == "match"


async def test_a_version_3_database_gains_the_coach_roster(tmp_path):
    path = tmp_path / "db.json"
    mentor = {
        "user_id": "U2",
        "name": "Grace",
        "timezone": None,
        "fields": ["engineering"],
        "topics": ["leadership"],
        "seniority": "senior",
        "capacity": 2,
        "bio": "",
        "active": True,
    }
    old = {"meta": {"1": {"schema_version": 3}}, "mentors": {"1": mentor}}
    path.write_text(json.dumps(old))
    store = TinyDBStore.open(path)
    try:
        assert json.loads((tmp_path / "db.json.v3.bak").read_text()) == old
        assert [m.name for m in await store.mentors()] == ["Grace"]  # nothing else changed
        assert await store.coaches() == []
        zoe = Coach("x-ab12cd", "external", "Zoe", "Europe/London", ("leadership",), ("en",), 2)
        await store.save_coaches([zoe], "UADMIN", "added coach Zoe", datetime.now(UTC))
        assert await store.get_coach("x-ab12cd") == zoe
    finally:
        store.close()
    data = read_database(path)[0]
    assert data["meta"] == {"1": {"schema_version": SCHEMA_VERSION}} == {"1": {"schema_version": 6}}
    assert data["mentors"] == {"1": mentor}


def test_a_newer_database_is_refused(tmp_path):
    path = tmp_path / "db.json"
    path.write_text(json.dumps({"meta": {"1": {"schema_version": SCHEMA_VERSION + 1}}}))
    with pytest.raises(StoreError) as caught:
        TinyDBStore.open(path)
    assert "written by a newer devpath" in str(caught.value)
    assert json.loads(path.read_text())["meta"]["1"]["schema_version"] == SCHEMA_VERSION + 1
