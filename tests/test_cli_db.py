"""`devpath db copy`: a whole database from TinyDB to PostgreSQL and back, checked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.cli import main
from bot.content import Content
from bot.store import database_exists, open_database, shown_place
from bot.store.postgres_store import shown_url
from bot.store.tinydb_store import TinyDBStore
from tests.store.conftest import fresh_database
from tests.store.test_contract import COUNTS, fill


def run(*argv: str) -> int:
    with pytest.raises(SystemExit) as caught:
        main(list(argv))
    code = caught.value.code
    assert isinstance(code, int)
    return code


async def filled(where: str | Path, content: Content) -> dict:
    """A database with a record of every kind; its dump."""
    store = await open_database(where)
    try:
        await fill(store, content)
        return await store.dump()
    finally:
        await store.aclose()


async def dumped(where: str | Path) -> dict:
    store = await open_database(where, create=False)
    try:
        return await store.dump()
    finally:
        await store.aclose()


def summary(source: str, target: str) -> str:
    each = ", ".join(f"{kind} {n}" for kind, n in COUNTS.items())
    return (
        f"copied {sum(COUNTS.values())} documents from {source} to {target} ({each}); "
        "counts and a sample of 20 per kind match\n"
    )


async def test_tinydb_to_postgresql_and_back(
    tmp_path: Path, content: Content, capsys: pytest.CaptureFixture[str]
) -> None:
    original = tmp_path / "devpath.json"
    back = tmp_path / "back" / "devpath.json"
    before = await filled(original, content)
    async with fresh_database() as url:
        # The command runs its own event loop: in a thread, as from a terminal.
        assert await asyncio.to_thread(run, "db", "copy", "--from", str(original), "--to", url) == 0
        assert await asyncio.to_thread(run, "db", "copy", "--from", url, "--to", str(back)) == 0
    out = capsys.readouterr()
    assert out.err == ""
    assert out.out == summary(str(original), shown_url(url)) + summary(shown_url(url), str(back))
    password = urlsplit(url).password
    assert not password or f":{password}@" not in out.out  # the user name may equal it
    assert await dumped(back) == before
    assert await dumped(original) == before  # the source is only read


@asynccontextmanager
async def place(backend: str, path: Path) -> AsyncIterator[str]:
    """A place for a database that does not exist yet: a TinyDB file, or a fresh PostgreSQL
    database (dropped afterwards)."""
    if backend == "tinydb":
        yield str(path)
        return
    async with fresh_database() as url:
        yield url


@pytest.mark.parametrize(
    ("source_backend", "target_backend"),
    [
        ("tinydb", "tinydb"),
        ("tinydb", "postgres"),
        ("postgres", "tinydb"),
        ("postgres", "postgres"),
    ],
)
async def test_copy_then_refused_into_a_database_not_empty(
    tmp_path: Path,
    content: Content,
    capsys: pytest.CaptureFixture[str],
    source_backend: str,
    target_backend: str,
) -> None:
    async with (
        place(source_backend, tmp_path / "a.json") as source,
        place(target_backend, tmp_path / "b.json") as target,
    ):
        before = await filled(source, content)
        # The command runs its own event loop: in a thread, as from a terminal.
        assert await asyncio.to_thread(run, "db", "copy", "--from", source, "--to", target) == 0
        assert capsys.readouterr().out == summary(shown_place(source), shown_place(target))
        assert await dumped(target) == before

        assert await asyncio.to_thread(run, "db", "copy", "--from", source, "--to", target) == 2
        err = capsys.readouterr().err
        assert err.startswith("devpath: the target database is not empty (drafts 2, responses 3,")
        assert err.count("\n") == 1
        assert await dumped(target) == before
        assert await dumped(source) == before  # the source is only read


async def test_from_a_postgresql_database_devpath_never_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with fresh_database() as url:
        copy = tmp_path / "copy.json"
        assert await asyncio.to_thread(run, "db", "copy", "--from", url, "--to", str(copy)) == 2
        assert capsys.readouterr().err == (
            f"devpath: --from: {shown_url(url)}: no devpath database there (no schema_meta table)\n"
        )
        assert not await database_exists(url)  # nothing was made there
    assert not copy.exists()


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        (
            "{db}",
            "mysql://devpath:s3cret-pw@127.0.0.1/devpath",
            "devpath: --to: mysql://devpath@127.0.0.1/devpath: "
            "not a TinyDB file or a postgresql:// URL",
        ),
        (
            "{db}",
            "postgresql://devpath:s3cret-pw@127.0.0.1:1/devpath",  # nothing listens on port 1
            "devpath: --to: cannot connect to postgresql://devpath@127.0.0.1:1/devpath: ",
        ),
        (
            "{db}",
            "postgresql://devpath:s3cret-pw@127.0.0.1:notaport/devpath",
            "devpath: --to: postgresql://devpath@127.0.0.1:notaport/devpath: not a valid URL",
        ),
        (
            "{db}",
            "{tmp}/./devpath.json",
            "devpath: --from and --to are the same database ({tmp}/./devpath.json)",
        ),
        (
            "postgresql://devpath:s3cret-pw@db.example/devpath",
            "postgres://devpath@db.example:5432/devpath",
            "devpath: --from and --to are the same database (postgres://devpath@db.example:5432/",
        ),
        (
            "{tmp}/missing.json",
            "{tmp}/copy.json",
            "devpath: --from: {tmp}/missing.json: no such database file",
        ),
    ],
)
def test_bad_places_give_one_line_and_status_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    source: str,
    target: str,
    message: str,
) -> None:
    db = tmp_path / "devpath.json"
    TinyDBStore.open(db).close()
    given = {"db": str(db), "tmp": str(tmp_path)}
    assert run("db", "copy", "--from", source.format(**given), "--to", target.format(**given)) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.startswith(message.format(**given))
    assert out.err.count("\n") == 1
    assert "s3cret-pw" not in out.err
    assert not (tmp_path / "copy.json").exists()  # nothing made for a copy that cannot be
