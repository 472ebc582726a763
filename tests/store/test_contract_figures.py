"""What the figures count, on both stores."""

from __future__ import annotations

import asyncpg

from bot.store.postgres_store import MIGRATIONS, SCHEMA_VERSION, PostgresStore
from tests.store.test_contract import schema_versions


async def test_a_version_6_database_gains_the_figures_indexes(pg_url: str) -> None:
    conn = await asyncpg.connect(pg_url)
    try:
        for version in range(6):
            await conn.execute(MIGRATIONS[version])
        await conn.execute("INSERT INTO schema_meta (version) VALUES (6)")
        await conn.execute(
            "INSERT INTO responses (user_id, answers, recommendation, content_version, "
            """created_at) VALUES ('U1', '{}', '{"path": "both"}', 'v1', now())"""
        )
    finally:
        await conn.close()
    store = await PostgresStore.connect(pg_url)
    await store.aclose()
    assert await schema_versions(pg_url) == [SCHEMA_VERSION] == [7]
    conn = await asyncpg.connect(pg_url)
    try:
        # A response from before has its path beside it, in the index that finds the newest.
        assert await conn.fetchval("SELECT path FROM responses") == "both"
        names = {r["indexname"] for r in await conn.fetch("SELECT indexname FROM pg_indexes")}
    finally:
        await conn.close()
    indexes = {"responses_latest", "nudges_state", "intros_state", "engagements_state"}
    assert indexes | {"gaps_field"} <= names
