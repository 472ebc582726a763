"""The store's backends side by side: `any_store` runs a test on TinyDB and on PostgreSQL.

PostgreSQL comes from DEVPATH_TEST_DATABASE_URL (default: the local server's `test`
database), used only to make empty databases for the tests and drop them afterwards. Without a
reachable server, the PostgreSQL cases are skipped, saying so; with DEVPATH_REQUIRE_POSTGRES=1
(as CI sets it) they fail instead, so a missing server cannot pass unnoticed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.store import Store
from bot.store.postgres_store import PostgresStore, shown_url
from bot.store.tinydb_store import TinyDBStore

DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
_unreachable: list[str] = []  # the skip reason, once the server was found missing


def postgres_required() -> bool:
    return os.environ.get("DEVPATH_REQUIRE_POSTGRES", "") == "1"


def no_server(reason: str) -> NoReturn:
    """Skip this test for want of a server, or fail it when the server is required."""
    if postgres_required():
        pytest.fail(f"{reason} (and DEVPATH_REQUIRE_POSTGRES=1)", pytrace=False)
    pytest.skip(reason)


def server_url() -> str:
    return os.environ.get("DEVPATH_TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)


def with_database(url: str, name: str) -> str:
    """The same server and credentials, another database."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


# Databases this run made, free for the next test. Making one costs a third of a second and
# emptying one a hundredth, so each is made once and emptied between tests (no schema, no
# rows: as new); they are dropped when the run ends (tests/conftest.py).
_free: list[str] = []
made: list[str] = []


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """An empty database for one test (its URL): nothing in it, not even devpath's schema."""
    url = server_url()
    if not _unreachable:
        try:
            admin = await asyncpg.connect(url, timeout=5)
        except (OSError, TimeoutError, ValueError, asyncpg.PostgresError, asyncpg.InterfaceError):
            _unreachable.append(
                f"PostgreSQL not reachable at {shown_url(url)}: set DEVPATH_TEST_DATABASE_URL"
            )
    if _unreachable:
        no_server(_unreachable[0])
    try:
        if _free:
            name = _free.pop()
        else:
            name = f"devpath_test_{uuid.uuid4().hex[:16]}"
            await admin.execute(f'CREATE DATABASE "{name}"')
            made.append(name)
        try:
            yield with_database(url, name)
        finally:
            # Whatever the test left connected (a killed bot's session, say) goes first.
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            inside = await asyncpg.connect(with_database(url, name), timeout=5)
            try:
                await inside.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            finally:
                await inside.close()
            _free.append(name)
    finally:
        await admin.close()


async def drop_made() -> None:
    """Drop every database this run made."""
    if not made:
        return
    admin = await asyncpg.connect(server_url(), timeout=5)
    try:
        for name in made:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
    made.clear()
    _free.clear()


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with fresh_database() as url:
        yield url


@asynccontextmanager
async def empty_store(backend: str, path: Path) -> AsyncIterator[Store]:
    """A new store of this backend: TinyDB at `path`, or PostgreSQL in a fresh database."""
    if backend == "tinydb":
        store = TinyDBStore.open(path)
        try:
            yield store
        finally:
            await store.aclose()
        return
    async with fresh_database() as url:
        pg_store = await PostgresStore.connect(url, max_size=4)
        try:
            yield pg_store
        finally:
            await pg_store.aclose()


@pytest.fixture(params=["tinydb", "postgres"])
async def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with empty_store(request.param, tmp_path / "devpath.json") as store:
        yield store


@pytest.fixture(params=["to_tinydb", "to_postgres"])
async def other_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A second, empty store (of either backend) beside `any_store`: a copy's target."""
    backend = request.param.removeprefix("to_")
    async with empty_store(backend, tmp_path / "other.json") as store:
        yield store
