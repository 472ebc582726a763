"""The only code that knows the database and the shape of its documents."""

from __future__ import annotations

import asyncio

from bot.settings import Settings
from bot.store.tinydb_store import Store, StoreError

__all__ = ["Store", "StoreError", "open_store"]


async def open_store(settings: Settings) -> Store:
    """The database the settings name: PostgreSQL at DATABASE_URL when it is set (several
    instances, ephemeral disks), else TinyDB at DEVPATH_DB."""
    if settings.database_url:
        from bot.store.postgres_store import PostgresStore

        return await PostgresStore.connect(settings.database_url)  # type: ignore[return-value]
    return await asyncio.to_thread(Store.open, settings.db_path)
