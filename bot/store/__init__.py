"""The only code that knows the database and the shape of its documents."""

from bot.store.tinydb_store import Store, StoreError

__all__ = ["Store", "StoreError"]
