"""The only code that knows the database and the shape of its documents.

Everything above the store holds a `Store` (bot/store/base.py) and does not know which
backend answers: PostgreSQL at DATABASE_URL when it is set (several instances, ephemeral
disks), else TinyDB at DEVPATH_DB.
"""

from __future__ import annotations

import asyncio

from bot.settings import Settings
from bot.store.base import KINDS, OpenRequest, Store, StoreError, Tables
from bot.store.tinydb_store import TinyDBStore

__all__ = ["KINDS", "OpenRequest", "Store", "StoreError", "Tables", "open_store"]


async def open_store(settings: Settings) -> Store:
    """The database the settings name, created or brought up to date."""
    if settings.database_url:
        from bot.store.postgres_store import PostgresStore

        return await PostgresStore.connect(settings.database_url)
    return await asyncio.to_thread(TinyDBStore.open, settings.db_path)
