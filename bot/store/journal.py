"""TinyDB storage whose writes cost one small append, whatever the size of the database.

The database is two files: the snapshot at DEVPATH_DB (a plain TinyDB JSON file) and a
journal beside it (`<name>.journal`), one JSON line per committed write holding the documents
it changed. Opening reads the snapshot and replays the journal; writing appends a line and
fsyncs it before returning, so an acknowledged write survives a crash and a torn last line
(a crash mid-append, never acknowledged) is dropped. Once the journal outgrows the snapshot,
the snapshot is rewritten atomically (temporary file, fsync, os.replace, fsync of the folder)
and the journal emptied; replaying a journal twice is harmless, as each line holds whole
documents, so a crash between those two steps loses nothing.

`JournaledTable` replaces TinyDB's table write path, which rebuilds the whole table on every
write, with one that records just the documents touched, and keeps indexes on the fields the
store looks things up by, so reads need not scan either.

A write that fails (a full disk, say) is cut back: the journal is truncated to its length
before the write and memory is read again from the disk, so what is served is what the disk
holds and nothing of the failed write is glued to the next one. If even the cut-back fails,
the storage reads and writes nothing, each attempt a StoreError, until a cut-back succeeds.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from bot.store.base import StoreError

TEMP_SUFFIX = ".tmp"
JOURNAL_SUFFIX = ".journal"
LOCK_SUFFIX = ".lock"
COMPACT_FLOOR = 4 * 1024 * 1024  # never compact for a journal smaller than this
COMPACT_CHUNK = 500  # documents encoded at a time while compacting
ENTRY_OPENING = re.compile(rb'\{"[tb]"')  # how each journal line starts (_encode's keys)

log = logging.getLogger("devpath.store")


class DatabaseLocked(Exception):
    """Another process has the database open."""


class JournalStorage(Storage):
    def __init__(self, path: str | os.PathLike[str], compact_floor: int = COMPACT_FLOOR) -> None:
        self.path = Path(path)
        self.journal_path = self.path.with_name(self.path.name + JOURNAL_SUFFIX)
        self.compact_floor = compact_floor
        self._batch: list[dict[str, Any]] | None = None
        self._deferring = False  # inside `deferred()`: appends wait for `sync()`
        self._unsynced_from: int | None = None  # the journal's length before unsynced lines
        self._cut_back_to: int | None = None  # set while a failed write could not be undone
        self._reloaded: list[Callable[[], None]] = []  # each table's: rebuild indexes, caches
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(self.path.with_name(self.path.name + LOCK_SUFFIX))
        try:
            self._remove_leftover_temp_files()
            salvaged: list[str] = []
            self._data, self.replayed = read_database(self.path, self.journal_path, salvaged)
            self._snapshot_bytes = self.path.stat().st_size if self.path.exists() else 0
            # Unbuffered: a failed write must leave nothing behind to be flushed later.
            self._journal = open(self.journal_path, "ab", buffering=0)  # noqa: SIM115
            self._journal_bytes = self._journal.seek(0, os.SEEK_END)
            self._cut_torn_tail()
        except BaseException:
            self._lock.close()
            raise
        if salvaged:
            self._fold_salvaged(salvaged)

    # TinyDB's Storage interface: the whole database. Only TinyDB's own table-wide operations
    # (drop_tables, say) write through it; JournaledTable commits documents instead.

    def read(self) -> dict[str, dict[str, Any]]:
        self._usable()
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._usable()
        self._data = data
        self.compact()

    def close(self) -> None:
        with contextlib.suppress(StoreError):
            self._usable()  # a last try at cutting back a failed write; else the next open does
        self._journal.close()
        self._lock.close()

    def table(self, name: str) -> dict[str, Any]:
        self._usable()
        return self._data.setdefault(name, {})

    def on_reload(self, rebuild: Callable[[], None]) -> None:
        """Call `rebuild` whenever memory is read again from the disk (after a failed write),
        so what a table derived from its documents (indexes, caches) stays true."""
        self._reloaded.append(rebuild)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """The writes made within reach the disk as one journal line: after a crash, all of
        them are there or none is (an action and what must follow it, say)."""
        if self._batch is not None:
            yield  # part of the batch already open
            return
        self._usable()
        self._batch = []
        try:
            yield
        except BaseException:
            self._batch = None
            self._reload()  # nothing of it was written: back to the disk's
            raise
        entries, self._batch = self._batch, None
        if entries:
            self._append(entries[0] if len(entries) == 1 else {"b": entries})

    def commit(self, table: str, changed: Mapping[str, Any]) -> None:
        """Make these documents (None: removed) durable: one journal line, then fsync (or
        part of the batch's line)."""
        if not changed:
            return
        entry = {"t": table, "d": changed}
        if self._batch is not None:
            self._batch.append(entry)
        else:
            self._append(entry)

    def _append(self, entry: dict[str, Any]) -> None:
        self._usable()
        line = _encode(entry) + b"\n"
        before = self._journal_bytes
        try:
            _write_all(self._journal.fileno(), line)
            if not self._deferring:
                os.fdatasync(self._journal.fileno())
        except BaseException as error:
            # The change is in memory and maybe part of it on disk: back to where both were.
            # Lines of the group before this one stay, still waiting for `sync()`.
            self._cut_back_to = before
            if self._unsynced_from is not None and self._unsynced_from >= before:
                self._unsynced_from = None
            self._usable(error)
            if not isinstance(error, OSError):
                raise
            raise StoreError(f"DEVPATH_DB: {self.path}: {_reason(error)}") from error
        self._journal_bytes += len(line)
        if self._deferring:
            if self._unsynced_from is None:
                self._unsynced_from = before
        else:
            self.compact_when_due()

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Writes within are appended at once but made durable only by `sync()`, one
        fdatasync for all of them (group commit: the store's thread runs the calls that
        arrived together, then syncs once). Nobody may be told that such a write is done
        before `sync()` returns."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False

    @property
    def unsynced(self) -> bool:
        """Lines appended in `deferred()` that no `sync()` has made durable yet."""
        return self._unsynced_from is not None

    def sync(self) -> None:
        """Make every line appended in `deferred()` durable. If that fails, they are all cut
        back, on disk and in memory (none was acknowledged), and a StoreError says why."""
        if self._unsynced_from is None:
            return
        try:
            os.fdatasync(self._journal.fileno())
        except BaseException as error:
            self._cut_back_to, self._unsynced_from = self._unsynced_from, None
            self._usable(error)
            if not isinstance(error, OSError):
                raise
            raise StoreError(f"DEVPATH_DB: {self.path}: {_reason(error)}") from error
        self._unsynced_from = None

    def compact_when_due(self) -> None:
        """Compact if the journal has outgrown the snapshot (after each write, or after a
        group's `sync()` once its callers have their answers: they need not wait for it)."""
        if self._journal_bytes > max(self.compact_floor, self._snapshot_bytes):
            try:
                self._compact()
            except OSError as error:  # the write is on disk: compaction can wait for space
                log.warning("DEVPATH_DB: %s: compaction postponed: %s", self.path, error)

    def compact(self) -> None:
        """Fold the journal into a fresh snapshot, replaced atomically. If that fails, the
        old snapshot and journal still hold everything, and memory is read again from them."""
        self._usable()
        try:
            self._compact()
        except OSError as error:
            self._reload()
            raise StoreError(
                f"DEVPATH_DB: {self.path}: could not write a new snapshot: {_reason(error)}"
            ) from error

    def _compact(self) -> None:
        self._snapshot_bytes = replace_atomically(self.path, _encode_in_chunks(self._data))
        os.ftruncate(self._journal.fileno(), 0)
        os.fsync(self._journal.fileno())
        self._journal_bytes = 0
        self._unsynced_from = None  # the new snapshot holds what those lines held, durably

    def _usable(self, error: BaseException | None = None) -> None:
        """Refuse to read or write while a failed write may still be in the journal or in
        memory; first try once more to cut it back (the disk may have room again)."""
        if self._cut_back_to is None:
            return
        try:
            os.ftruncate(self._journal.fileno(), self._cut_back_to)
            os.fsync(self._journal.fileno())
            self._journal_bytes, self._cut_back_to = self._cut_back_to, None
            self._reload()
        except OSError as failed:
            cause = error or failed
            raise StoreError(
                f"DEVPATH_DB: {self.path}: a failed write could not be undone ({_reason(failed)}); "
                "nothing is read or written until it can be: free some space"
            ) from cause

    def _reload(self) -> None:
        self._data, _ = self._load()
        for rebuild in self._reloaded:
            rebuild()

    def _cut_torn_tail(self) -> None:
        """A crash mid-append leaves a last line without its newline, never acknowledged (and
        dropped when read). Cut it off, or the next append would glue onto it and turn it
        into a broken line in the middle of the journal."""
        if not self._journal_bytes:
            return
        raw = self.journal_path.read_bytes()
        whole = raw.rfind(b"\n") + 1
        if whole < len(raw):
            os.ftruncate(self._journal.fileno(), whole)
            os.fsync(self._journal.fileno())
            self._journal_bytes = whole
            log.warning(
                "DEVPATH_DB: %s: dropped a torn last line of %d bytes "
                "(a write cut short, never acknowledged)",
                self.journal_path,
                len(raw) - whole,
            )

    def _fold_salvaged(self, salvaged: list[str]) -> None:
        """Say what was dropped, and fold the journal into a snapshot so it is said once."""
        for note in salvaged:
            log.warning("DEVPATH_DB: %s: %s", self.journal_path, note)
        try:
            self._compact()
        except OSError as error:
            log.warning("DEVPATH_DB: %s: compaction postponed: %s", self.path, error)

    def _load(self) -> tuple[dict[str, dict[str, Any]], int]:
        return read_database(self.path, self.journal_path)

    def _remove_leftover_temp_files(self) -> None:
        for leftover in self.path.parent.glob(f".{self.path.name}.*{TEMP_SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


class _Touched(MutableMapping[int, Any]):
    """A table's raw documents as TinyDB's updaters expect them (int ids), noting each one an
    updater reads or writes: the only documents that can have changed."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.touched: set[str] = set()

    def __getitem__(self, doc_id: int) -> Any:
        key = str(doc_id)
        doc = self.raw[key]
        self.touched.add(key)
        return doc

    def __setitem__(self, doc_id: int, doc: Any) -> None:
        key = str(doc_id)
        self.raw[key] = doc
        self.touched.add(key)

    def __delitem__(self, doc_id: int) -> None:
        key = str(doc_id)
        del self.raw[key]
        self.touched.add(key)

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self.raw

    def __iter__(self) -> Iterator[int]:
        return (int(key) for key in list(self.raw))

    def __len__(self) -> int:
        return len(self.raw)


class JournaledTable(Table):
    """A TinyDB table that commits only the documents a write touched, with field indexes."""

    _storage: JournalStorage

    def __init__(
        self,
        storage: Storage,
        name: str,
        cache_size: int = Table.default_query_cache_capacity,
        persist_empty: bool = False,
    ) -> None:
        # TinyDB makes each table with the database's storage, which must be ours.
        if not isinstance(storage, JournalStorage):
            raise TypeError(f"a JournaledTable needs a JournalStorage, not {type(storage)}")
        super().__init__(storage, name, cache_size, persist_empty)
        self.version = 0  # counts this table's writes, so readers can keep what they derived
        self._indexes: dict[str, dict[Any, set[str]]] = {}
        self._indexed: dict[str, dict[str, Any]] = {}  # field -> doc id -> value indexed
        storage.on_reload(self._reloaded)

    def index_on(self, *fields: str) -> JournaledTable:
        raw = self._storage.table(self.name)
        for field in fields:
            if field in self._indexes:
                continue
            self._index(field, raw)
        return self

    def _index(self, field: str, raw: Mapping[str, Any]) -> None:
        self._indexes[field], self._indexed[field] = {}, {}
        for key, doc in raw.items():
            self._reindex(field, key, doc)

    def _reloaded(self) -> None:
        """The documents were read again from the disk: derive everything again."""
        raw = self._storage.read().get(self.name, {})
        for field in self._indexes:
            self._index(field, raw)
        self._next_id = None
        self.version += 1
        self.clear_cache()

    def find(self, field: str, value: Any) -> list[Document]:
        """The documents whose `field` equals `value`, by index: no scan."""
        raw = self._storage.table(self.name)
        keys = sorted(self._indexes[field].get(_hashable(value), ()), key=int)
        return [Document(raw[key], int(key)) for key in keys]

    def first(self, field: str, value: Any) -> Document | None:
        found = self.find(field, value)
        return found[0] if found else None

    def _update_table(self, updater: Callable[[dict[int, Mapping]], None]) -> None:
        raw = self._storage.table(self.name)
        touched = _Touched(raw)
        try:
            updater(touched)  # type: ignore[arg-type]
        finally:
            changed = {key: raw.get(key) for key in touched.touched}
            for field in self._indexes:
                for key, doc in changed.items():
                    self._reindex(field, key, doc)
            self.version += 1
            self.clear_cache()
            self._storage.commit(self.name, changed)

    def _reindex(self, field: str, key: str, doc: Mapping[str, Any] | None) -> None:
        index, indexed = self._indexes[field], self._indexed[field]
        if key in indexed:
            old = indexed.pop(key)
            keys = index.get(old)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del index[old]
        if doc is not None and field in doc:
            value = _hashable(doc[field])
            index.setdefault(value, set()).add(key)
            indexed[key] = value


class JournaledTinyDB(TinyDB):
    table_class = JournaledTable

    @property
    def storage(self) -> JournalStorage:
        storage = super().storage
        if not isinstance(storage, JournalStorage):
            raise TypeError(f"a JournaledTinyDB needs a JournalStorage, not {type(storage)}")
        return storage


def read_database(
    path: Path, journal_path: Path | None = None, salvaged: list[str] | None = None
) -> tuple[dict[str, dict[str, Any]], int]:
    """The database as the snapshot and journal hold it, and how many journal lines were
    replayed. Reads only: no lock, so tools and tests can look while the bot runs.

    Before failed writes were cut back, a write that failed half-way (a full disk) left its
    remains in the journal and the next line was glued onto them. Such a line keeps the
    entry at its end, and `salvaged` is told what was dropped before it."""
    journal_path = journal_path or path.with_name(path.name + JOURNAL_SUFFIX)
    data: dict[str, dict[str, Any]] = {}
    try:
        # As text: parsing bytes would hold them and their decoded copy at once, the size of
        # the snapshot twice over, at the moment memory peaks.
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raw = ""
    if raw and not raw.isspace():
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            problem = f"line {error.lineno}: not valid JSON ({error.msg})"
            raise ValueError(f"{path}: {problem}") from None
    del raw
    try:
        journal = journal_path.read_bytes()
    except FileNotFoundError:
        journal = b""
    # A write is acknowledged once its line and newline are on disk: what follows the last
    # newline is the torn tail of one that never was, even if it happens to parse.
    lines = journal.split(b"\n")[:-1]
    replayed = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        writes = _journal_entry(line)
        if writes is None:
            start, writes = _glued_entry(line)
            if writes is None:
                raise ValueError(f"{journal_path}: line {number}: not a journal entry")
            if salvaged is not None:
                salvaged.append(f"line {number}: dropped {start} bytes of a write cut short")
        for name, changes in writes:
            table = data.setdefault(name, {})
            for doc_id, doc in changes.items():
                if doc is None:
                    table.pop(doc_id, None)
                else:
                    table[doc_id] = doc
        replayed += 1
    return data, replayed


def _journal_entry(line: bytes) -> list[tuple[str, dict[str, Any]]] | None:
    """The (table, documents) pairs of one journal line; None if it is not a journal entry."""
    try:
        entry = json.loads(line)
        # One table's documents, or a batch of such entries written as one.
        entries = entry.get("b", [entry])
        writes = [(e["t"], e["d"]) for e in entries]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return None
    if all(isinstance(t, str) and isinstance(d, dict) for t, d in writes):
        return writes
    return None


def _glued_entry(line: bytes) -> tuple[int, list[tuple[str, dict[str, Any]]] | None]:
    """The first entry that runs to the end of the line, after the remains of a failed
    write, and where it starts."""
    for opening in ENTRY_OPENING.finditer(line, 1):
        writes = _journal_entry(line[opening.start() :])
        if writes is not None:
            return opening.start(), writes
    return 0, None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return "the disk is full"
    return str(error) or type(error).__name__


def _hashable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else value


def _encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _encode_in_chunks(data: dict[str, dict[str, Any]]) -> Iterator[bytes]:
    """The database as JSON, a few hundred documents at a time. One json.dumps of the whole
    database holds the interpreter lock for half a second at 50,000 documents, stalling the
    event loop on the other thread; small pieces let it run in between."""
    yield b"{"
    for number, (name, table) in enumerate(data.items()):
        yield (b"," if number else b"") + _encode(name) + b":{"
        items = list(table.items())
        for start in range(0, len(items), COMPACT_CHUNK):
            piece = _encode(dict(items[start : start + COMPACT_CHUNK]))[1:-1]
            yield (b"," if start and piece else b"") + piece
        yield b"}"
    yield b"}"


def replace_atomically(path: Path, data: bytes | Iterable[bytes]) -> int:
    """Write `data` to a temporary file beside `path`, flush it to disk, put it in place of
    `path` and flush the folder; the bytes written."""
    pieces = [data] if isinstance(data, bytes) else data
    written = 0
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        try:
            for piece in pieces:
                _write_all(fd, piece)
                written += len(piece)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return written


class _Lock:
    def __init__(self, file: Any) -> None:
        self.file = file

    def close(self) -> None:
        self.file.close()  # closing the file releases the lock


def _lock(path: Path) -> _Lock:
    """One process per database: a second one is refused, not left to corrupt it."""
    file = open(path, "a+")  # noqa: SIM115  (held open for as long as the lock)
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        file.seek(0)
        holder = file.read().strip()
        file.close()
        raise DatabaseLocked(holder or "another process") from None
    file.seek(0)
    file.truncate()
    file.write(f"devpath process {os.getpid()}")
    file.flush()
    return _Lock(file)
