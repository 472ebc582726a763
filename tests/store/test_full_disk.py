"""A full disk: each step of a write fails in turn, and nothing acknowledged is lost.

The journal module's `os` is swapped for one whose chosen call raises ENOSPC, as a full
disk would, at each step of a write: the append itself (whole, or after half the line went
through), its fdatasync, and compaction's temporary file, its fsync and its rename.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.store import StoreError
from bot.store.journal import JournaledTable, JournaledTinyDB, JournalStorage, read_database
from tests.full_disk import FullDisk, fill_disk


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> FullDisk:
    return fill_disk(monkeypatch)


def open_db(path: Path, compact_floor: int = 1 << 30) -> JournaledTinyDB:
    return JournaledTinyDB(path, storage=JournalStorage, compact_floor=compact_floor)


def things(db: JournaledTinyDB) -> JournaledTable:
    table = db.table("things")
    assert isinstance(table, JournaledTable)
    return table.index_on("kind")


def served_is_stored(db: JournaledTinyDB, path: Path) -> None:
    """Memory holds what the disk holds, and the index finds each document, no other."""
    on_disk = read_database(path)[0].get("things", {})
    table = things(db)
    assert {str(d.doc_id): dict(d) for d in table.all()} == on_disk
    for kind in {"a", "b", "c", "new"}:
        expected = sorted(int(k) for k, d in on_disk.items() if d.get("kind") == kind)
        assert [d.doc_id for d in table.find("kind", kind)] == expected


WRITE_STEPS = {
    "append": ("write", False),
    "append, half of it through": ("write", True),
    "fdatasync": ("fdatasync", False),
}


@pytest.mark.parametrize("step", list(WRITE_STEPS))
def test_a_write_that_fails_is_cut_back_and_the_next_one_succeeds(tmp_path, disk, step):
    path = tmp_path / "db.json"
    db = open_db(path)
    table = things(db)
    first = table.insert({"kind": "a", "n": 1})
    table.insert({"kind": "b", "n": 2})
    journal = tmp_path / "db.json.journal"
    before = journal.read_bytes()

    disk.full, disk.torn = {WRITE_STEPS[step][0]}, WRITE_STEPS[step][1]
    for write in (
        lambda: table.insert({"kind": "new", "n": 3}),
        lambda: table.update({"kind": "c"}, doc_ids=[first]),
        lambda: table.remove(doc_ids=[first]),
    ):
        with pytest.raises(StoreError, match="the disk is full"):
            write()
        assert journal.read_bytes() == before  # nothing of it left to glue onto
        served_is_stored(db, path)  # nothing unsaved is served, and no KeyError

    disk.full = set()  # space returns
    table.insert({"kind": "new", "n": 4})
    table.update({"kind": "c"}, doc_ids=[first])
    served_is_stored(db, path)
    db.close()

    db = open_db(path)
    assert {d["n"]: d["kind"] for d in things(db).all()} == {1: "c", 2: "b", 4: "new"}
    db.close()


def test_a_batch_that_fails_to_reach_the_disk_leaves_every_table_as_it_was(tmp_path, disk):
    path = tmp_path / "db.json"
    db = open_db(path)
    table, effects = things(db), db.table("effects")
    table.insert({"kind": "a"})
    disk.full = {"write"}
    with pytest.raises(StoreError), db.storage.batch():
        table.insert({"kind": "new"})
        effects.insert({"say": "saved"})
    assert effects.all() == []
    served_is_stored(db, path)
    disk.full = set()
    with db.storage.batch():
        table.insert({"kind": "new"})
        effects.insert({"say": "saved"})
    served_is_stored(db, path)
    db.close()
    assert read_database(path)[0]["effects"] == {"1": {"say": "saved"}}


COMPACTION_STEPS = {
    "temporary file": ("write", 1),  # the journal's append goes through, the snapshot's not
    "its fsync": ("fsync", 0),
    "its rename": ("replace", 0),
}


@pytest.mark.parametrize("step", list(COMPACTION_STEPS))
def test_a_compaction_that_fails_keeps_the_write_and_tries_again_later(
    tmp_path, disk, step, caplog
):
    path = tmp_path / "db.json"
    db = open_db(path, compact_floor=1)  # every write compacts
    table = things(db)
    table.insert({"kind": "a", "n": 1})
    snapshot = path.read_bytes()

    disk.full, disk.skip = {COMPACTION_STEPS[step][0]}, COMPACTION_STEPS[step][1]
    with caplog.at_level(logging.WARNING, logger="devpath.store"):
        table.insert({"kind": "b", "n": 2})  # on disk in the journal: acknowledged
    assert "compaction postponed" in caplog.text
    assert path.read_bytes() == snapshot
    assert not list(tmp_path.glob(".db.json.*.tmp"))  # the temporary file is gone
    served_is_stored(db, path)

    disk.full = set()
    table.insert({"kind": "c", "n": 3})
    assert (tmp_path / "db.json.journal").read_bytes() == b""  # compacted this time
    db.close()
    db = open_db(path)
    assert [d["n"] for d in things(db).all()] == [1, 2, 3]
    db.close()


def test_an_explicit_compaction_that_fails_says_so_and_serves_what_is_stored(tmp_path, disk):
    path = tmp_path / "db.json"
    db = open_db(path)
    things(db).insert({"kind": "a"})
    disk.full = {"replace"}
    with pytest.raises(StoreError, match="could not write a new snapshot: the disk is full"):
        db.storage.compact()
    served_is_stored(db, path)
    disk.full = set()
    db.storage.compact()
    db.close()
    assert read_database(path)[0]["things"] == {"1": {"kind": "a"}}


def test_when_the_cut_back_fails_too_nothing_is_served_until_it_succeeds(tmp_path, disk):
    path = tmp_path / "db.json"
    db = open_db(path)
    table = things(db)
    table.insert({"kind": "a"})
    disk.full, disk.torn = {"write", "ftruncate"}, True
    with pytest.raises(StoreError, match="could not be undone"):
        table.insert({"kind": "new"})
    for attempt in (
        table.all,
        lambda: table.find("kind", "new"),
        lambda: table.insert({"kind": "b"}),
    ):
        with pytest.raises(StoreError, match="nothing is read or written until it can be"):
            attempt()

    disk.full = set()  # space returns: the next attempt cuts the torn line back first
    served_is_stored(db, path)
    table.insert({"kind": "b"})
    db.close()
    assert read_database(path)[0]["things"] == {"1": {"kind": "a"}, "2": {"kind": "b"}}


def test_a_restart_while_the_cut_back_is_still_pending_drops_the_torn_line(tmp_path, disk, caplog):
    path = tmp_path / "db.json"
    db = open_db(path)
    things(db).insert({"kind": "a"})
    disk.full, disk.torn = {"write", "ftruncate"}, True
    with pytest.raises(StoreError):
        things(db).insert({"kind": "new", "pad": "x" * 100})
    db.close()  # still full: the torn line stays for the next open
    torn = len((tmp_path / "db.json.journal").read_bytes().rsplit(b"\n", 1)[1])
    assert torn > 50

    disk.full = set()
    with caplog.at_level(logging.WARNING, logger="devpath.store"):
        db = open_db(path)
    assert f"dropped a torn last line of {torn} bytes" in caplog.text
    assert [dict(d) for d in things(db).all()] == [{"kind": "a"}]
    served_is_stored(db, path)
    db.close()


def test_a_last_line_without_its_newline_was_never_acknowledged_even_if_it_parses(tmp_path):
    path = tmp_path / "db.json"
    db = open_db(path)
    things(db).insert({"kind": "a"})
    db.close()
    with (tmp_path / "db.json.journal").open("ab") as file:
        file.write(b'{"t":"things","d":{"2":{"kind":"b"}}}')  # its newline never came
    assert read_database(path)[0]["things"] == {"1": {"kind": "a"}}
    db = open_db(path)  # the same, now and after the torn tail is cut
    assert [dict(d) for d in things(db).all()] == [{"kind": "a"}]
    db.close()


def test_a_journal_glued_by_an_older_devpath_opens_with_every_complete_entry(tmp_path, caplog):
    """Before writes were cut back, one failed half-way on a full disk and the next, which
    was acknowledged, was glued onto its remains: that start refused the file."""
    path = tmp_path / "db.json"
    journal = tmp_path / "db.json.journal"
    journal.write_bytes(
        b'{"t":"things","d":{"1":{"kind":"a"}}}\n'
        b'{"t":"things","d":{"2":{"ki'  # the failed write's remains
        b'{"t":"things","d":{"2":{"kind":"b"}}}\n'  # acknowledged, glued on
        b'{"b":[{"t":"things","d":{"3":{"kind":"c"}}}]}\n'
    )
    with caplog.at_level(logging.WARNING, logger="devpath.store"):
        db = open_db(path)
    assert [dict(d) for d in things(db).all()] == [{"kind": "a"}, {"kind": "b"}, {"kind": "c"}]
    assert "line 2: dropped 27 bytes of a write cut short" in caplog.text
    served_is_stored(db, path)
    db.close()

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="devpath.store"):
        db = open_db(path)  # folded into the snapshot at the first open: nothing to report
    assert caplog.text == ""
    assert len(things(db).all()) == 3
    db.close()


def test_a_broken_line_with_no_entry_in_it_is_still_refused(tmp_path):
    (tmp_path / "db.json.journal").write_bytes(b'{"t":"things","d":{"1":{}}}\ngarbage\n{}\n')
    with pytest.raises(ValueError, match="line 2: not a journal entry"):
        open_db(tmp_path / "db.json")
