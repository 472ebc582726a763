"""The only code that knows the database and the shape of its documents.

Everything above the store holds a `Store` (bot/store/base.py) and does not know which
backend answers. A database is named by its place: a postgresql:// URL (several instances,
ephemeral disks) or a TinyDB file; the settings name one with DATABASE_URL, else DEVPATH_DB.
Everything that opens a database, the bot and each `devpath` command, goes through
`open_database` (or `open_store`, for the settings' one), so all of them agree on where it is
and whether it exists yet.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.settings import Settings
from bot.store.base import KINDS, OpenRequest, Store, StoreError, Tables
from bot.store.tinydb_store import TinyDBStore

__all__ = [
    "KINDS",
    "OpenRequest",
    "Store",
    "StoreError",
    "Tables",
    "database_exists",
    "database_place",
    "open_database",
    "open_store",
    "shown_place",
]

Place = str | Path  # a postgresql:// URL, or the path of a TinyDB file


def database_place(settings: Settings) -> Place:
    """Where the settings' database is: DATABASE_URL when it is set, else DEVPATH_DB."""
    return settings.database_url or settings.db_path


def shown_place(place: Place) -> str:
    """The place as it may be printed: a URL without its password, or the file's path."""
    if _is_url(place):
        from bot.store.postgres_store import shown_url

        return shown_url(str(place))
    return str(place)


async def database_exists(place: Place) -> bool:
    """Whether devpath has a database there: the TinyDB file, or devpath's schema (its
    schema_meta table) in the PostgreSQL database. Looking makes nothing."""
    if _is_url(place):
        from bot.store.postgres_store import schema_exists

        return await schema_exists(str(place))
    return await asyncio.to_thread(Path(place).exists)


async def open_database(place: Place, *, create: bool = True) -> Store:
    """The database at this place, brought up to date, and made first if there is none yet;
    with `create` False, a place without a database is a StoreError and nothing is made."""
    if _is_url(place):
        from bot.store.postgres_store import PostgresStore

        return await PostgresStore.connect(str(place), create=create)
    return await asyncio.to_thread(TinyDBStore.open, place, create=create)


async def open_store(settings: Settings, *, create: bool = True) -> Store:
    """The database the settings name (see `open_database`)."""
    return await open_database(database_place(settings), create=create)


def _is_url(place: Place) -> bool:
    scheme, sep, _ = str(place).partition("://") if isinstance(place, str) else ("", "", "")
    return bool(sep) and scheme.lower() in ("postgres", "postgresql")
