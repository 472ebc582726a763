"""PostgresStore: devpath's records in PostgreSQL, so several instances can share one database.

asyncpg, because it is native asyncio (no thread between the event loop and the server), fast
(binary protocol, prepared statements cached per connection) and has a connection pool built in.

It implements the Store interface (bot/store/base.py), as TinyDBStore does, so the two are
interchangeable; base.py states what each method guarantees. What TinyDB got from running
every call on one thread, this gets from the database, because other processes write too:
each check-then-write is one statement or one transaction holding the locks it depends on.
Claims are a conditional `UPDATE ... WHERE state = 'scheduled' RETURNING`; a partial unique
index keeps one pending or accepted intro per pair; an accept with a capacity and a gap alert
serialise on an advisory lock per mentor or per field.

Real columns (and indexes) hold what the bot looks things up by; JSONB holds the free-shaped
parts (answers, recommendation, messages, person settings, an open request's extra fields).
Times are timestamptz and come back as aware UTC datetimes, as from the TinyDB store.
`seen_events` keeps the event ids handled in the last day, so a retried Slack event is handled
once whichever instance it reaches; `dump()` and `restore()` move everything else to or from
the TinyDB store (bot/store/copy.py).

The schema is versioned in `schema_meta` (its own numbering, not the TinyDB file format's):
`connect()` creates or migrates it under an advisory lock held for one transaction, so
instances starting together migrate once, and refuses a schema written by a newer devpath.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

import asyncpg

from bot.domain.coaching import HOLDS_A_PLACE, Budget, Coach, CoachingRequest, Engagement
from bot.domain.feedback import FeedbackAnswer, FeedbackRequest, shown_after
from bot.domain.intros import Intro, Tombstone, pair_mark, tombstones_of
from bot.domain.matching import Mentor
from bot.domain.nudges import Nudge
from bot.domain.outbox import NOT_BEFORE, NOTHING, Effect, Followups
from bot.domain.records import Draft, Response
from bot.domain.rounds import HAS_A_MENTOR, WAITING_PATHS, Round
from bot.domain.stats import (
    EVER_ACCEPTED,
    REQUESTED,
    CoachingTallies,
    IntroTallies,
    Mean,
    NudgeTallies,
)
from bot.store.base import (
    FORMER_COACH,
    KINDS,
    LATER,
    AnswerKept,
    OpenRequest,
    StoreError,
    Tables,
)
from bot.store.shapes import (
    TOMBSTONE_SECRET,
    answers_doc,
    answers_from,
    audit_about,
    check_tables,
    coaching_request_doc,
    coaching_request_from,
    engagement_doc,
    engagement_from,
    feedback_answer_doc,
    feedback_answer_from,
    feedback_request_doc,
    feedback_request_from,
    given_doc,
    intro_export,
    new_secret,
    not_empty,
    recommendation_doc,
    recommendation_from,
    round_export,
    round_forgotten,
    round_key,
    scrubbed_audit,
    stable_ids,
    tombstone_doc,
    tombstone_from,
    withdrawals,
)

SCHEMA_VERSION = 7
CONNECT_TIMEOUT = 10.0  # seconds, per connection attempt
# Advisory lock keys. The one-key (bigint) and two-key (int, int) spaces do not overlap.
MIGRATION_LOCK = 0x64657670_6174685F  # "devpath_"
MENTOR_LOCK = 1  # (MENTOR_LOCK, hashtext(mentor_id)): accepts that count a mentor's places
GAP_LOCK = 2  # (GAP_LOCK, hashtext(field)): gap alerts for one field
# 3 was the lock for one response per modal submitted: a unique index holds it now.
OPEN_REQUEST_LOCK = 50  # (OPEN_REQUEST_LOCK, hashtext(mentee_id)): one open request reserved
BUDGET_LOCK = 40  # (BUDGET_LOCK, 0): approvals that count against the coaching budget
COACH_LOCK = 41  # (COACH_LOCK, hashtext(coach_id)): engagements that take a coach's place
DUE_BATCH = 500  # due nudges decoded at a time
SEEN_EVENTS_SWEEP = 60.0  # seconds between an instance's deletions of event ids over a day old

# The coaching path's version 4 tables, each in its own constant; MIGRATIONS[3] joins them.
_COACHES_V4 = """
CREATE TABLE IF NOT EXISTS coaches (
    id text PRIMARY KEY,
    kind text NOT NULL,
    name text NOT NULL,
    timezone text,
    areas text[] NOT NULL,
    languages text[] NOT NULL,
    capacity integer NOT NULL,
    credentials text NOT NULL DEFAULT '',
    bio text NOT NULL DEFAULT '',
    active boolean NOT NULL DEFAULT true,
    organisation text NOT NULL DEFAULT '',
    email text NOT NULL DEFAULT '',
    booking_url text NOT NULL DEFAULT ''
);
"""

# 360 feedback: a person's requests (one open at a time) and each colleague's one answer.
_FEEDBACK_V4 = """
CREATE TABLE IF NOT EXISTS feedback_requests (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id text PRIMARY KEY,
    user_id text NOT NULL,
    givers text[] NOT NULL,
    created_at timestamptz NOT NULL,
    closes_at timestamptz NOT NULL,
    remind_at timestamptz NOT NULL,
    state text NOT NULL DEFAULT 'open',
    reminded boolean NOT NULL DEFAULT false,
    shared_with text[] NOT NULL DEFAULT '{}',
    note text NOT NULL DEFAULT '',
    shown integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS feedback_requests_user ON feedback_requests (user_id);
CREATE UNIQUE INDEX IF NOT EXISTS feedback_requests_one_open
    ON feedback_requests (user_id) WHERE state = 'open';

CREATE TABLE IF NOT EXISTS feedback_answers (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    request_id text NOT NULL,
    giver_id text NOT NULL,
    ratings jsonb NOT NULL,
    strength text NOT NULL DEFAULT '',
    change text NOT NULL DEFAULT '',
    answered_at timestamptz NOT NULL,
    PRIMARY KEY (request_id, giver_id)
);
CREATE INDEX IF NOT EXISTS feedback_answers_giver ON feedback_answers (giver_id);
"""

# Coaching requests the program decides, and engagements.
_COACHING_V4 = """
CREATE TABLE IF NOT EXISTS coaching_requests (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id text PRIMARY KEY,
    user_id text NOT NULL,
    goals text[] NOT NULL,
    timeframe text NOT NULL,
    manager_knows text NOT NULL,
    created_at timestamptz NOT NULL,
    state text NOT NULL DEFAULT 'pending',
    note text NOT NULL DEFAULT '',
    response_id text NOT NULL DEFAULT '',
    decided_by text,
    decided_at timestamptz,
    reason text NOT NULL DEFAULT '',
    over_budget boolean NOT NULL DEFAULT false,
    admin_messages jsonb NOT NULL DEFAULT '[]',
    languages text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS coaching_requests_user ON coaching_requests (user_id);
CREATE INDEX IF NOT EXISTS coaching_requests_state ON coaching_requests (state, decided_at);
CREATE UNIQUE INDEX IF NOT EXISTS coaching_requests_one_pending
    ON coaching_requests (user_id) WHERE state = 'pending';

CREATE TABLE IF NOT EXISTS engagements (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id text PRIMARY KEY,
    request_id text NOT NULL,
    user_id text NOT NULL,
    coach_id text NOT NULL,
    goals text[] NOT NULL,
    state text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz,
    started_at timestamptz,
    planned_end timestamptz,
    ended_at timestamptz,
    extended boolean NOT NULL DEFAULT false,
    end_reason text NOT NULL DEFAULT '',
    progress jsonb NOT NULL DEFAULT '{}',
    outcome jsonb NOT NULL DEFAULT '{}',
    would_recommend boolean,
    channel_id text,
    coach_message jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS engagements_user ON engagements (user_id);
CREATE INDEX IF NOT EXISTS engagements_coach_state ON engagements (coach_id, state);
CREATE INDEX IF NOT EXISTS engagements_request ON engagements (request_id);
"""

# Forgetting keeps what others rely on: whom each admin change is about (so a forgotten
# mentor's entries are rewritten by ID), what is left of an erased intro, and the
# database's own key for those tombstones (carried by dump and restore like any record).
_FORGET_V4 = """
ALTER TABLE audit ADD COLUMN IF NOT EXISTS about text[] NOT NULL DEFAULT '{}';

CREATE TABLE IF NOT EXISTS tombstones (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pair text NOT NULL,
    declined boolean NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS tombstones_pair ON tombstones (pair);

CREATE TABLE IF NOT EXISTS secrets (
    name text PRIMARY KEY,
    value text NOT NULL
);
"""

# The mentoring lifecycle: nominations and time away on the mentor; on the intro, the
# mentor's question, the agreement, the close-outs, the at-risk flag and how it ended.
_LIFECYCLE_V5 = """
ALTER TABLE mentors ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT 'pool';
ALTER TABLE mentors ADD COLUMN IF NOT EXISTS away_until timestamptz;
ALTER TABLE mentors ADD COLUMN IF NOT EXISTS nominated_at timestamptz;
CREATE INDEX IF NOT EXISTS mentors_status ON mentors (status);

ALTER TABLE intros ADD COLUMN IF NOT EXISTS question jsonb NOT NULL DEFAULT '{}';
ALTER TABLE intros ADD COLUMN IF NOT EXISTS agreement jsonb NOT NULL DEFAULT '{}';
ALTER TABLE intros ADD COLUMN IF NOT EXISTS closeouts jsonb NOT NULL DEFAULT '{}';
ALTER TABLE intros ADD COLUMN IF NOT EXISTS at_risk jsonb NOT NULL DEFAULT '{}';
ALTER TABLE intros ADD COLUMN IF NOT EXISTS ended_at timestamptz;
ALTER TABLE intros ADD COLUMN IF NOT EXISTS ended_by text NOT NULL DEFAULT '';
ALTER TABLE intros ADD COLUMN IF NOT EXISTS end_reason text NOT NULL DEFAULT '';
"""

# Matching rounds: each round whole as Round.doc(), with what it is found by beside it. The
# unique name key makes two rounds of one name one (the second insert does nothing).
_ROUNDS_V6 = """
CREATE TABLE IF NOT EXISTS rounds (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id text PRIMARY KEY,
    name_key text NOT NULL UNIQUE,
    state text NOT NULL,
    doc jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS rounds_state ON rounds (state, seq);
"""

# Reads by state (the background round's, the admin's) and the figures' groupings, by index;
# each person's newest response and its path in an index alone (no sort, no JSON read).
_STATE_INDEXES_V7 = """
ALTER TABLE responses ADD COLUMN IF NOT EXISTS path text
    GENERATED ALWAYS AS (recommendation->>'path') STORED;
CREATE INDEX IF NOT EXISTS responses_latest ON responses (user_id, created_at DESC, id DESC)
    INCLUDE (path);
CREATE INDEX IF NOT EXISTS nudges_state ON nudges (state, seq);
CREATE INDEX IF NOT EXISTS intros_state ON intros (state, seq);
CREATE INDEX IF NOT EXISTS engagements_state ON engagements (state, seq);
CREATE INDEX IF NOT EXISTS gaps_field ON gaps (field, seq);
"""

# The pool's version, moved on by every statement that changes a mentor (a trigger, so no
# write path can forget it): each instance keeps the pool's Mentors until it moves.
_POOL_VERSION_V7 = """
CREATE TABLE IF NOT EXISTS pool_version (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL
);
INSERT INTO pool_version (one, version) VALUES (true, 0) ON CONFLICT DO NOTHING;
CREATE OR REPLACE FUNCTION devpath_pool_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE pool_version SET version = version + 1;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS mentors_changed ON mentors;
CREATE TRIGGER mentors_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mentors
    FOR EACH STATEMENT EXECUTE FUNCTION devpath_pool_changed();
"""

# One response per modal submitted, held by the index itself: a final submission is one
# insert, not a lock and a look-up first.
_RESPONSE_PER_VIEW_V7 = """
CREATE UNIQUE INDEX IF NOT EXISTS responses_view ON responses (user_id, view_id)
    WHERE view_id IS NOT NULL;
"""

# MIGRATIONS[n] brings a version-n schema to version n + 1 (0: an empty database).
MIGRATIONS: dict[int, str] = {
    0: """
CREATE TABLE IF NOT EXISTS schema_meta (version integer NOT NULL);

CREATE TABLE IF NOT EXISTS drafts (
    user_id text PRIMARY KEY,
    answers jsonb NOT NULL,
    step integer NOT NULL,
    channel_id text,
    updated_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS responses (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id text NOT NULL,
    answers jsonb NOT NULL,
    recommendation jsonb NOT NULL,
    content_version text NOT NULL,
    created_at timestamptz NOT NULL,
    view_id text
);
CREATE INDEX IF NOT EXISTS responses_user ON responses (user_id, created_at, id);

CREATE TABLE IF NOT EXISTS mentors (
    user_id text PRIMARY KEY,
    name text NOT NULL,
    timezone text,
    fields text[] NOT NULL,
    topics text[] NOT NULL,
    seniority text NOT NULL,
    capacity integer NOT NULL,
    bio text NOT NULL DEFAULT '',
    active boolean NOT NULL DEFAULT true
);

CREATE TABLE IF NOT EXISTS audit (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    by_user text NOT NULL,
    what text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by ON audit (by_user);

CREATE TABLE IF NOT EXISTS intros (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id text PRIMARY KEY,
    mentee_id text NOT NULL,
    mentor_id text NOT NULL,
    state text NOT NULL,
    requested_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    note text NOT NULL DEFAULT '',
    shares text[] NOT NULL DEFAULT '{}',
    answered_at timestamptz,
    source text NOT NULL DEFAULT 'match',
    mentor_message jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS intros_mentee ON intros (mentee_id);
CREATE INDEX IF NOT EXISTS intros_mentor_state ON intros (mentor_id, state);
CREATE UNIQUE INDEX IF NOT EXISTS intros_one_open_per_pair
    ON intros (mentee_id, mentor_id) WHERE state IN ('pending', 'accepted');

CREATE TABLE IF NOT EXISTS open_requests (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id text PRIMARY KEY,
    mentee_id text NOT NULL,
    claimed_by text,
    claimed_at timestamptz,
    extra jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS open_requests_mentee ON open_requests (mentee_id);
CREATE INDEX IF NOT EXISTS open_requests_claimed_by ON open_requests (claimed_by);

CREATE TABLE IF NOT EXISTS gaps (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    field text,
    topics text[] NOT NULL,
    at timestamptz NOT NULL,
    alerted boolean NOT NULL
);
CREATE INDEX IF NOT EXISTS gaps_alerted ON gaps (field, at) WHERE alerted;

CREATE TABLE IF NOT EXISTS nudges (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id text PRIMARY KEY,
    user_id text NOT NULL,
    kind text NOT NULL,
    due_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    subject text NOT NULL DEFAULT '',
    state text NOT NULL DEFAULT 'scheduled',
    sent_at timestamptz,
    answered_at timestamptz,
    answer jsonb NOT NULL DEFAULT '{}',
    attempts integer NOT NULL DEFAULT 0,
    last_of_kind boolean NOT NULL DEFAULT false,
    message jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS nudges_user ON nudges (user_id);
CREATE INDEX IF NOT EXISTS nudges_due ON nudges (due_at) WHERE state = 'scheduled';
CREATE INDEX IF NOT EXISTS nudges_subject ON nudges (subject) WHERE state = 'scheduled';

CREATE TABLE IF NOT EXISTS people (
    user_id text PRIMARY KEY,
    settings jsonb NOT NULL DEFAULT '{}'
);
""",
    # Event ids already handled, so an event Slack retries is handled once by all instances.
    1: """
CREATE TABLE IF NOT EXISTS seen_events (
    event_id text PRIMARY KEY,
    seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS seen_events_at ON seen_events (seen_at);
""",
    # The outbox: Slack calls that must follow a stored action, written in its transaction.
    2: """
CREATE TABLE IF NOT EXISTS effects (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id text PRIMARY KEY,
    kind text NOT NULL,
    user_id text NOT NULL,
    data jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    state text NOT NULL DEFAULT 'pending',
    claimed_at timestamptz,
    attempts integer NOT NULL DEFAULT 0
);
""",
    # The coaching path: the coach roster, requests, engagements and 360 feedback.
    3: _COACHES_V4 + _COACHING_V4 + _FEEDBACK_V4 + _FORGET_V4,
    4: _LIFECYCLE_V5,
    5: _ROUNDS_V6,
    6: _STATE_INDEXES_V7 + _POOL_VERSION_V7 + _RESPONSE_PER_VIEW_V7,
}

_DRAFT = "user_id, answers, step, channel_id, updated_at"
_RESPONSE = "id, user_id, answers, recommendation, content_version, created_at, view_id"
_MENTOR = (
    "user_id, name, timezone, fields, topics, seniority, capacity, bio, active, status, "
    "away_until, nominated_at"
)
_MENTOR_VALUES = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12"
# A mentor added, or their profile replaced (each caller says what else it sets).
_UPSERT_MENTOR = (
    f"INSERT INTO mentors ({_MENTOR}) VALUES ({_MENTOR_VALUES}) "
    "ON CONFLICT (user_id) DO UPDATE SET name = EXCLUDED.name, "
    "timezone = EXCLUDED.timezone, fields = EXCLUDED.fields, topics = EXCLUDED.topics, "
    "seniority = EXCLUDED.seniority, capacity = EXCLUDED.capacity, bio = EXCLUDED.bio, "
    "active = EXCLUDED.active"
)
_COACH = (
    "id, kind, name, timezone, areas, languages, capacity, credentials, bio, active, "
    "organisation, email, booking_url"
)
_COACH_VALUES = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13"
_INTRO = (
    "id, mentee_id, mentor_id, state, requested_at, expires_at, note, shares, answered_at, "
    "source, mentor_message, question, agreement, closeouts, at_risk, ended_at, ended_by, "
    "end_reason"
)
_INTRO_VALUES = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18"
_REQUEST = "id, mentee_id, claimed_by, claimed_at, extra"
_EFFECT = "id, kind, user_id, data, created_at, state, claimed_at, attempts"
_FEEDBACK_REQUEST = (
    "id, user_id, givers, created_at, closes_at, remind_at, state, reminded, shared_with, note, "
    "shown"
)
_FEEDBACK_ANSWER = "request_id, giver_id, ratings, strength, change, answered_at"
_COACHING_REQUEST = (
    "id, user_id, goals, timeframe, manager_knows, created_at, state, note, response_id, "
    "decided_by, decided_at, reason, over_budget, admin_messages, languages"
)
_ENGAGEMENT = (
    "id, request_id, user_id, coach_id, goals, state, created_at, expires_at, started_at, "
    "planned_end, ended_at, extended, end_reason, progress, outcome, would_recommend, "
    "channel_id, coach_message"
)
_NUDGE = (
    "id, user_id, kind, due_at, created_at, subject, state, sent_at, answered_at, answer, "
    "attempts, last_of_kind, message"
)
# A round this person is in: joined, giving places, or in a proposed pair.
_ROUND_INVOLVES = (
    "doc->'joined' ? $1 OR doc->'places' ? $1 OR EXISTS (SELECT 1 FROM "
    "jsonb_array_elements(doc->'proposal') AS p WHERE p->>'mentee_id' = $1 "
    "OR p->>'mentor_id' = $1)"
)
_CANCEL = (
    "UPDATE nudges SET state = 'cancelled' "
    "WHERE user_id = $1 AND state = 'scheduled' "
    "AND ($2::text IS NULL OR subject = $2) "
    "AND ($3::text[] IS NULL OR kind = ANY($3))"
)
# Each person's newest response (of a tie, the one given last) with its path, read from the
# responses_latest index alone.
_LATEST = (
    "SELECT DISTINCT ON (user_id) user_id, path FROM responses "
    "ORDER BY user_id, created_at DESC, id DESC"
)
# A rating (bot.domain.stats.rating) is text of ASCII digits: `~ '^[0-9]+$'` below.
# The intros' figures in one pass (bot.domain.stats.intro_tallies says what each is);
# $1: EVER_ACCEPTED, $2: REQUESTED. An agreement is confirmed as agreement_of(...).confirmed.
_INTRO_FIGURES = (
    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY answered_at - requested_at) "
    "FILTER (WHERE state = ANY($1) AND source = ANY($2) AND answered_at IS NOT NULL) "
    "AS to_accept, "
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY ended_at - answered_at) "
    "FILTER (WHERE state = 'ended' AND ended_at IS NOT NULL AND answered_at IS NOT NULL) "
    "AS mentored, "
    "count(*) FILTER (WHERE jsonb_typeof(agreement->'goals') = 'array' "
    "AND agreement->'goals' <> '[]' AND coalesce(agreement->'confirmed_by', '[]') ? mentee_id "
    "AND coalesce(agreement->'confirmed_by', '[]') ? mentor_id) AS confirmed, "
    "count(*) FILTER (WHERE at_risk <> '{}') AS at_risk FROM intros"
)
_CLOSEOUT_GOALS = (
    "SELECT sum((c.value->>'goals')::numeric) AS total, count(*) AS count "
    "FROM intros, jsonb_each(closeouts) AS c "
    "WHERE closeouts <> '{}' AND c.value->>'goals' ~ '^[0-9]+$'"
)
_CLOSEOUT_RECOMMEND = (
    "SELECT c.value->>'recommend' AS answer, count(*) AS n "
    "FROM intros, jsonb_each(closeouts) AS c "
    "WHERE closeouts <> '{}' AND coalesce(c.value->>'recommend', '') <> '' GROUP BY 1"
)
_ENGAGEMENT_RATINGS = (
    "SELECT sum(g.value::numeric) AS total, count(*) AS count "
    "FROM engagements, jsonb_each_text({column}) AS g "
    "WHERE {column} <> '{{}}' AND g.value ~ '^[0-9]+$'"
)
_INSERT_INTRO = f"INSERT INTO intros ({_INTRO}) VALUES ({_INTRO_VALUES})"
# An effect about this person: theirs, or one naming them (a kickoff with their mentee).
_EFFECT_ABOUT = (
    "user_id = $1 OR EXISTS (SELECT 1 FROM jsonb_each_text(data) AS field WHERE value = $1)"
)
_SET_PERSON = (
    "INSERT INTO people (user_id, settings) VALUES ($1, $2) "
    "ON CONFLICT (user_id) DO UPDATE SET settings = people.settings || EXCLUDED.settings"
)
_DATABASE_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError)
_NUDGE_TIMES = frozenset({"due_at", "created_at", "sent_at", "answered_at"})
_INTRO_TIMES = frozenset({"requested_at", "expires_at", "answered_at", "ended_at"})
_INTRO_JSON = frozenset({"mentor_message", "question", "agreement", "closeouts", "at_risk"})


LATER_CONNECTIONS = 4  # of the pool's, at most, for work no request waits on (LATER)
_HOLDING: ContextVar[bool] = ContextVar("devpath_holding_later", default=False)


class _Pool:
    """The asyncpg pool, where work no request waits on (`LATER`: after an ack, a background
    round) uses a few connections at most, so a request still waiting for its ack finds one
    free however much follows the acks before it."""

    def __init__(self, pool: asyncpg.Pool, later_most: int) -> None:
        self._pool = pool
        self._later = asyncio.Semaphore(later_most)

    @contextlib.asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        if not LATER.get() or _HOLDING.get():
            yield  # a request's own, or inside a turn already taken (never two at once)
            return
        async with self._later:
            holding = _HOLDING.set(True)
            try:
                yield
            finally:
                _HOLDING.reset(holding)

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        async with self._turn(), self._pool.acquire() as conn:
            yield conn

    async def execute(self, query: str, *args: Any) -> str:
        async with self._turn():
            return await self._pool.execute(query, *args)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        async with self._turn():
            return await self._pool.fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        async with self._turn():
            return await self._pool.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        async with self._turn():
            return await self._pool.fetchval(query, *args)

    async def close(self) -> None:
        await self._pool.close()


class PostgresStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = _Pool(pool, LATER_CONNECTIONS)
        self._next_sweep = 0.0  # time.monotonic() of the next clear-out of seen_events
        self._pool_cache: tuple[int, list[Mentor]] | None = None  # (pool_version, the pool)

    @classmethod
    async def connect(
        cls, url: str, min_size: int = 1, max_size: int = 10, create: bool = True
    ) -> PostgresStore:
        """A pool on the database at `url`, its schema created or brought up to date; with
        `create` False, a database without devpath's schema is a StoreError instead."""
        shown = shown_url(url)
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=min_size,
                max_size=max_size,
                init=_init_connection,
                reset=_keep_session,
                timeout=CONNECT_TIMEOUT,
                server_settings={"application_name": "devpath"},
            )
        except (OSError, TimeoutError, ValueError, *_DATABASE_ERRORS) as error:
            raise StoreError(
                f"DATABASE_URL: cannot connect to {shown}: {_one_line(error, url)}"
            ) from None
        try:
            await _migrate(pool, shown, create)
        except (OSError, TimeoutError, *_DATABASE_ERRORS) as error:
            await pool.close()
            raise StoreError(
                f"DATABASE_URL: {shown}: cannot set up the schema: {_one_line(error, url)}"
            ) from None
        except BaseException:
            await pool.close()
            raise
        return cls(pool)

    async def aclose(self) -> None:
        await self._pool.close()

    # Drafts: a half-finished questionnaire, one per person.

    async def get_draft(self, user_id: str) -> Draft | None:
        row = await self._pool.fetchrow(f"SELECT {_DRAFT} FROM drafts WHERE user_id = $1", user_id)
        return _draft(row) if row else None

    async def save_draft(self, draft: Draft) -> None:
        await self._pool.execute(
            f"INSERT INTO drafts ({_DRAFT}) VALUES ($1, $2, $3, $4, $5) "
            "ON CONFLICT (user_id) DO UPDATE SET answers = EXCLUDED.answers, "
            "step = EXCLUDED.step, channel_id = EXCLUDED.channel_id, "
            "updated_at = EXCLUDED.updated_at",
            draft.user_id,
            answers_doc(draft.answers),
            draft.step,
            draft.channel_id,
            _utc(draft.updated_at),
        )

    async def delete_draft(self, user_id: str) -> None:
        await self._pool.execute("DELETE FROM drafts WHERE user_id = $1", user_id)

    # Responses: every completed questionnaire, kept as history.

    @property
    def exclusive(self) -> bool:
        return False  # other instances may share the database

    async def add_response(
        self, response: Response, view_id: str | None = None, then: Followups = NOTHING
    ) -> str:
        """Keep a completed questionnaire and what follows it, in one transaction; the same
        modal (`view_id`) sent again, even at the same moment, writes nothing: the unique
        index on (user, modal) makes the second insert wait for the first, then do nothing."""
        rec = response.recommendation
        async with self._pool.acquire() as conn, conn.transaction():
            new_id = await conn.fetchval(
                "INSERT INTO responses (user_id, answers, recommendation, content_version, "
                "created_at, view_id) VALUES ($1, $2, $3, $4, $5, $6) "
                "ON CONFLICT (user_id, view_id) WHERE view_id IS NOT NULL DO NOTHING "
                "RETURNING id",
                response.user_id,
                answers_doc(response.answers),
                recommendation_doc(rec),
                response.content_version,
                _utc(response.created_at),
                view_id,
            )
            if new_id is None:
                known = await conn.fetchval(
                    "SELECT id FROM responses WHERE user_id = $1 AND view_id = $2",
                    response.user_id,
                    view_id,
                )
                return str(known)
            await _follow(conn, then.about_response(str(new_id)))
        return str(new_id)

    async def response_for_view(self, user_id: str, view_id: str | None) -> Response | None:
        """The questionnaire this person already submitted from this modal, if any."""
        if not view_id:
            return None
        row = await self._pool.fetchrow(
            f"SELECT {_RESPONSE} FROM responses WHERE user_id = $1 AND view_id = $2 "
            "ORDER BY id LIMIT 1",
            user_id,
            view_id,
        )
        return _response(row) if row else None

    async def responses(self, user_id: str) -> list[Response]:
        """This person's history, oldest first (ties in the order they were given)."""
        rows = await self._pool.fetch(
            f"SELECT {_RESPONSE} FROM responses WHERE user_id = $1 ORDER BY created_at, id",
            user_id,
        )
        return [_response(r) for r in rows]

    async def latest_response(self, user_id: str) -> Response | None:
        row = await self._pool.fetchrow(
            f"SELECT {_RESPONSE} FROM responses WHERE user_id = $1 "
            "ORDER BY created_at DESC, id DESC LIMIT 1",
            user_id,
        )
        return _response(row) if row else None

    async def all_latest_responses(self) -> list[Response]:
        """Each person's newest response: what the program figures count."""
        rows = await self._pool.fetch(
            f"SELECT {_RESPONSE} FROM ("
            f"  SELECT {_RESPONSE},"
            "   row_number() OVER (PARTITION BY user_id ORDER BY created_at DESC, id DESC) AS nth,"
            "   min(id) OVER (PARTITION BY user_id) AS first_id"
            "  FROM responses) AS ranked "
            "WHERE nth = 1 ORDER BY first_id"
        )
        return [_response(r) for r in rows]

    async def latest_paths(self) -> dict[str, int]:
        rows = await self._pool.fetch(
            f"SELECT path, count(*) AS n FROM ({_LATEST}) AS latest GROUP BY path"
        )
        return {r["path"]: r["n"] for r in rows}

    async def waiting_for_a_mentor(self) -> list[str]:
        rows = await self._pool.fetch(
            f"WITH latest AS ({_LATEST}), first AS "
            "(SELECT user_id, min(id) AS first_id FROM responses GROUP BY user_id) "
            "SELECT latest.user_id FROM latest JOIN first USING (user_id) "
            "WHERE path = ANY($1) AND NOT EXISTS (SELECT 1 FROM intros "
            "WHERE mentee_id = latest.user_id AND state = ANY($2)) ORDER BY first_id",
            list(WAITING_PATHS),
            list(HAS_A_MENTOR),
        )
        return [r["user_id"] for r in rows]

    # Mentors: the pool, one row per mentor, keyed by Slack user ID.

    async def mentors(self) -> list[Mentor]:
        """The pool, by name. Every result ranks it, so the Mentors are kept until the pool's
        version moves (any instance's change to any mentor moves it)."""
        version = await self._pool.fetchval("SELECT version FROM pool_version")
        cached = self._pool_cache
        if cached is not None and cached[0] == version:
            return list(cached[1])
        # Read after the version: a change in between moves it again, so the next call
        # reads the pool again rather than keep an old one.
        rows = await self._pool.fetch(f"SELECT {_MENTOR} FROM mentors WHERE status = 'pool'")
        # Building 10,000 Mentors takes ~60 ms: on the event loop, a stall for every request.
        pool = await asyncio.to_thread(_pool_of, rows)
        self._pool_cache = (version, pool)
        return list(pool)

    async def nominations(self) -> list[Mentor]:
        rows = await self._pool.fetch(
            f"SELECT {_MENTOR} FROM mentors WHERE status = 'nominated' "
            "ORDER BY nominated_at, user_id"
        )
        return [_mentor(r) for r in rows]

    async def get_mentor(self, user_id: str) -> Mentor | None:
        row = await self._pool.fetchrow(
            f"SELECT {_MENTOR} FROM mentors WHERE user_id = $1", user_id
        )
        return _mentor(row) if row else None

    async def save_mentors(self, mentors: list[Mentor], by: str, what: str, now: datetime) -> None:
        """Add or replace mentors and record who did it."""
        async with self._pool.acquire() as conn, conn.transaction():
            if mentors:
                await conn.executemany(
                    f"{_UPSERT_MENTOR}, status = EXCLUDED.status, "
                    "away_until = EXCLUDED.away_until, nominated_at = EXCLUDED.nominated_at",
                    [_mentor_args(m) for m in mentors],
                )
            await _audit(conn, by, what, now, audit_about("mentor", [m.user_id for m in mentors]))

    async def import_mentors(
        self, mentors: Sequence[Mentor], by: str, what: str, now: datetime
    ) -> None:
        """Into the pool, keeping each mentor's own time away and nomination date, with the
        audit entry: one transaction. A failure (the server's disk full, say) is a StoreError."""
        latest = {m.user_id: replace(m, status="pool") for m in mentors}
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                if latest:
                    await conn.executemany(
                        f"{_UPSERT_MENTOR}, status = 'pool'",
                        [_mentor_args(m) for m in latest.values()],
                    )
                await _audit(conn, by, what, now, audit_about("mentor", list(latest)))
        except (OSError, *_DATABASE_ERRORS) as error:
            raise StoreError(
                f"DATABASE_URL: cannot write the mentors: {_one_line(error, '')}"
            ) from None

    async def add_mentor(
        self, mentor: Mentor, by: str, what: str, now: datetime, then: Followups = NOTHING
    ) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            added = await conn.fetchval(
                f"INSERT INTO mentors ({_MENTOR}) VALUES ({_MENTOR_VALUES}) "
                "ON CONFLICT (user_id) DO NOTHING RETURNING user_id",
                *_mentor_args(mentor),
            )
            if added is None:
                return False
            await _audit(conn, by, what, now, audit_about("mentor", [mentor.user_id]))
            await _follow(conn, then)
            return True

    async def remove_mentor(
        self,
        user_id: str,
        by: str,
        what: str,
        now: datetime,
        expect: Mapping[str, Any] | None = None,
        then: Followups = NOTHING,
    ) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                f"SELECT {_MENTOR} FROM mentors WHERE user_id = $1 FOR UPDATE", user_id
            )
            if row is None or not _holds(_mentor(row), expect):
                return False
            await conn.execute("DELETE FROM mentors WHERE user_id = $1", user_id)
            await _audit(conn, by, what, now, audit_about("mentor", [user_id]))
            await _follow(conn, then)
            return True

    async def update_mentor(
        self,
        user_id: str,
        changes: Mapping[str, Any],
        expect: Mapping[str, Any] | None = None,
        audit: tuple[str, str, datetime] | None = None,
        then: Followups = NOTHING,
    ) -> Mentor | None:
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                f"SELECT {_MENTOR} FROM mentors WHERE user_id = $1 FOR UPDATE", user_id
            )
            if row is None or not _holds(_mentor(row), expect):
                return None
            changed = replace(_mentor(row), **changes)
            await conn.execute(
                f"UPDATE mentors SET ({_MENTOR}) = ({_MENTOR_VALUES}) WHERE user_id = $1",
                *_mentor_args(changed),
            )
            if audit is not None:
                by, what, at = audit
                await _audit(conn, by, what, at, audit_about("mentor", [user_id]))
            await _follow(conn, then)
            return changed

    async def audit_log(self, limit: int = 10) -> list[dict[str, str]]:
        """The latest admin changes, newest first."""
        if limit > 0:
            rows = await self._pool.fetch(
                "SELECT by_user, what, at FROM audit ORDER BY seq DESC LIMIT $1", limit
            )
        else:  # as the TinyDB store's slice [-limit:] reads 0 and below
            rows = list(
                reversed(
                    (await self._pool.fetch("SELECT by_user, what, at FROM audit ORDER BY seq"))[
                        -limit:
                    ]
                )
            )
        return [_audit_doc(r) for r in rows]

    # Coaches: the coaching roster, one row per coach, keyed by coach id.

    async def coaches(self) -> list[Coach]:
        rows = await self._pool.fetch(f"SELECT {_COACH} FROM coaches")
        return sorted((_coach(r) for r in rows), key=lambda c: (c.name.casefold(), c.id))

    async def get_coach(self, coach_id: str) -> Coach | None:
        row = await self._pool.fetchrow(f"SELECT {_COACH} FROM coaches WHERE id = $1", coach_id)
        return _coach(row) if row else None

    async def save_coaches(self, coaches: list[Coach], by: str, what: str, now: datetime) -> None:
        """Add or replace coaches and record who did it, in one transaction."""
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _COACH.split(", ")[1:])
        async with self._pool.acquire() as conn, conn.transaction():
            if coaches:
                await conn.executemany(
                    f"INSERT INTO coaches ({_COACH}) VALUES ({_COACH_VALUES}) "
                    f"ON CONFLICT (id) DO UPDATE SET {updates}",
                    [_coach_args(c) for c in coaches],
                )
            await _audit(conn, by, what, now, audit_about("coach", [c.id for c in coaches]))

    async def remove_coach(self, coach_id: str, by: str, what: str, now: datetime) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            gone = await conn.fetchval("DELETE FROM coaches WHERE id = $1 RETURNING id", coach_id)
            if gone is not None:
                await _audit(conn, by, what, now, audit_about("coach", [coach_id]))
            return gone is not None

    # Intros: requests from a mentee to a mentor, and their answers.

    async def add_intro(self, intro: Intro, then: Followups = NOTHING) -> bool:
        """Record a new intro, unless this pair already has one pending or accepted (a double
        submission, or two tabs): then nothing is written and the answer is False."""
        # The NOT EXISTS says what is refused; the partial unique index makes it race-free
        # (a second insert of the pair waits for the first and then does nothing).
        async with self._pool.acquire() as conn, conn.transaction():
            added = await conn.fetchval(
                f"INSERT INTO intros ({_INTRO}) "
                f"SELECT {_INTRO_VALUES} WHERE NOT EXISTS ("
                "  SELECT 1 FROM intros WHERE mentee_id = $2 AND mentor_id = $3"
                "  AND state IN ('pending', 'accepted')) "
                "ON CONFLICT DO NOTHING RETURNING id",
                *_intro_args(intro),
            )
            if added is not None:
                await _follow(conn, then)
        return added is not None

    async def get_intro(self, intro_id: str) -> Intro | None:
        row = await self._pool.fetchrow(f"SELECT {_INTRO} FROM intros WHERE id = $1", intro_id)
        return _intro(row) if row else None

    async def intros(self) -> list[Intro]:
        rows = await self._pool.fetch(f"SELECT {_INTRO} FROM intros ORDER BY seq")
        return [_intro(r) for r in rows]

    async def pending_intros(self) -> list[Intro]:
        """Requests still waiting for the mentor's answer."""
        return await self.intros_in("pending")

    async def intros_in(self, state: str) -> list[Intro]:
        rows = await self._pool.fetch(
            f"SELECT {_INTRO} FROM intros WHERE state = $1 ORDER BY seq", state
        )
        return [_intro(row) for row in rows]

    async def mentees_now(self) -> dict[str, int]:
        """How many mentees each mentor has now (accepted intros)."""
        rows = await self._pool.fetch(
            "SELECT mentor_id, count(*) AS n FROM intros "
            "WHERE state = 'accepted' GROUP BY mentor_id"
        )
        return {row["mentor_id"]: row["n"] for row in rows}

    async def intro_states(self, intro_ids: Sequence[str]) -> dict[str, str]:
        rows = await self._pool.fetch(
            "SELECT id, state FROM intros WHERE id = ANY($1)", list(intro_ids)
        )
        return {r["id"]: r["state"] for r in rows}

    async def intro_tallies(self) -> IntroTallies:
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            by_state = await conn.fetch(
                "SELECT state, source, count(*) AS n FROM intros GROUP BY state, source"
            )
            row = await conn.fetchrow(_INTRO_FIGURES, list(EVER_ACCEPTED), list(REQUESTED))
            closeouts = await conn.fetchrow(_CLOSEOUT_GOALS)
            recommend = await conn.fetch(_CLOSEOUT_RECOMMEND)
        return IntroTallies(
            by_state={(r["state"], r["source"]): r["n"] for r in by_state},
            to_accept=row["to_accept"],
            mentored=row["mentored"],
            agreements_confirmed=row["confirmed"],
            at_risk=row["at_risk"],
            closeout_goals=_mean(closeouts),
            recommend={r["answer"]: r["n"] for r in recommend},
        )

    async def intros_of(self, user_id: str) -> list[Intro]:
        """Intros where this person is the mentee or the mentor."""
        rows = await self._pool.fetch(
            f"SELECT {_INTRO} FROM intros WHERE mentee_id = $1 OR mentor_id = $1 ORDER BY seq",
            user_id,
        )
        return [_intro(r) for r in rows]

    async def move_intro(
        self,
        intro_id: str,
        from_state: str,
        to_state: str,
        now: datetime,
        capacity: int | None = None,
        then: Followups = NOTHING,
    ) -> Intro | None:
        """Move an intro on only if it is still in `from_state`: a second click changes nothing.

        With `capacity`, an accept also checks the mentor still has a free place, in the same
        transaction and under a lock on the mentor, so two accepts at once, from any number
        of processes, cannot overfill a mentor.
        """
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                row = await conn.fetchrow(
                    "SELECT mentor_id, state FROM intros WHERE id = $1 FOR UPDATE", intro_id
                )
                if row is None or row["state"] != from_state:
                    return None
                if capacity is not None:
                    await conn.execute(
                        "SELECT pg_advisory_xact_lock($1, hashtext($2))",
                        MENTOR_LOCK,
                        row["mentor_id"],
                    )
                    taken = await conn.fetchval(
                        "SELECT count(*) FROM intros WHERE mentor_id = $1 AND state = 'accepted'",
                        row["mentor_id"],
                    )
                    if taken >= capacity:
                        return None
                moved = await conn.fetchrow(
                    f"UPDATE intros SET state = $2, answered_at = $3 WHERE id = $1 "
                    f"RETURNING {_INTRO}",
                    intro_id,
                    to_state,
                    _utc(now),
                )
                await _follow(conn, then)
                return _intro(moved)
        except asyncpg.UniqueViolationError:
            # The pair already has another intro pending or accepted: it stays the only one.
            return None

    async def update_intro(
        self,
        intro_id: str,
        from_states: frozenset[str],
        changes: Mapping[str, Any],
        then: Followups = NOTHING,
        expect: Mapping[str, Any] | None = None,
    ) -> Intro | None:
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                f"SELECT {_INTRO} FROM intros WHERE id = $1 FOR UPDATE", intro_id
            )
            if row is None or row["state"] not in from_states or not _holds(_intro(row), expect):
                return None
            changed = replace(_intro(row), **changes)
            try:
                async with conn.transaction():
                    await conn.execute(
                        f"UPDATE intros SET ({_INTRO}) = ({_INTRO_VALUES}) WHERE id = $1",
                        *_intro_args(changed),
                    )
            except asyncpg.UniqueViolationError:
                return None  # the pair has another intro open: it stays the only one
            await _follow(conn, then)
            return changed

    async def mark_intro(self, intro_id: str, **changes: Any) -> None:
        """Record bookkeeping on an intro: where the mentor's message is."""
        await _update(self._pool, "intros", intro_id, changes, _intro_value, Intro)

    # Open requests: a mentee's post in the match channel, until a mentor claims it.

    async def add_open_request(self, request: OpenRequest) -> None:
        extra = {
            k: v
            for k, v in request.items()
            if k not in ("id", "mentee_id", "claimed_by", "claimed_at")
        }
        claimed_at = request.get("claimed_at")
        if isinstance(claimed_at, str):
            claimed_at = datetime.fromisoformat(claimed_at)
        await self._pool.execute(
            f"INSERT INTO open_requests ({_REQUEST}) VALUES ($1, $2, $3, $4, $5) "
            "ON CONFLICT (id) DO NOTHING",
            request["id"],
            request["mentee_id"],
            request.get("claimed_by"),
            _utc(claimed_at) if claimed_at else None,
            extra,
        )

    async def get_open_request(self, request_id: str) -> OpenRequest | None:
        row = await self._pool.fetchrow(
            f"SELECT {_REQUEST} FROM open_requests WHERE id = $1", request_id
        )
        return _request(row) if row else None

    async def claim_open_request(
        self,
        request_id: str,
        mentor_id: str,
        now: datetime,
        then: Followups = NOTHING,
        capacity: int | None = None,
    ) -> OpenRequest | None:
        """Give the request to this mentor unless someone was quicker, or (with `capacity`)
        the mentor has no free place left."""
        # A second claimer's UPDATE waits for the first one's row lock, then no longer
        # matches the WHERE: exactly one claim wins, whichever process it comes from.
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                if capacity is not None:
                    # The lock accepts take too: places are counted by one of them at a time.
                    await conn.execute(
                        "SELECT pg_advisory_xact_lock($1, hashtext($2))", MENTOR_LOCK, mentor_id
                    )
                    taken = await conn.fetchval(
                        "SELECT count(*) FROM intros WHERE mentor_id = $1 AND state = 'accepted'",
                        mentor_id,
                    )
                    if taken >= capacity:
                        return None
                row = await conn.fetchrow(
                    "UPDATE open_requests SET claimed_by = $2, claimed_at = $3 "
                    "WHERE id = $1 AND coalesce(claimed_by, '') = '' "
                    f"RETURNING {_REQUEST}",
                    request_id,
                    mentor_id,
                    _utc(now),
                )
                if row is None:
                    return None
                await _follow(conn, then)
                return _request(row)
        except asyncpg.UniqueViolationError:
            return None  # the pair has an open intro already: nothing is claimed

    async def open_requests_of(self, mentee_id: str) -> list[OpenRequest]:
        rows = await self._pool.fetch(
            f"SELECT {_REQUEST} FROM open_requests WHERE mentee_id = $1 ORDER BY seq", mentee_id
        )
        return [_request(r) for r in rows]

    async def reserve_open_request(self, request: OpenRequest, then: Followups = NOTHING) -> bool:
        extra = {
            k: v
            for k, v in request.items()
            if k not in ("id", "mentee_id", "claimed_by", "claimed_at")
        }
        async with self._pool.acquire() as conn, conn.transaction():
            # One reserver per mentee at a time, from any process: the check then holds.
            await conn.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext($2))",
                OPEN_REQUEST_LOCK,
                request["mentee_id"],
            )
            added = await conn.fetchval(
                f"INSERT INTO open_requests ({_REQUEST}) "
                "SELECT $1, $2, NULL, NULL, $3 WHERE NOT EXISTS ("
                "  SELECT 1 FROM open_requests WHERE mentee_id = $2"
                "  AND coalesce(claimed_by, '') = '') RETURNING id",
                request["id"],
                request["mentee_id"],
                extra,
            )
            if added is not None:
                await _follow(conn, then)
        return added is not None

    async def place_open_request(self, request_id: str, ts: str | None) -> None:
        if ts is None:
            await self._pool.execute("DELETE FROM open_requests WHERE id = $1", request_id)
            return
        await self._pool.execute(
            "UPDATE open_requests SET extra = extra || jsonb_build_object('ts', $2::text) "
            "WHERE id = $1",
            request_id,
            ts,
        )

    # Gaps: a mentee nobody in the pool fits, by field, so admins know what to recruit.

    async def record_gap(
        self, field: str | None, topics: list[str], now: datetime, quiet: timedelta
    ) -> bool:
        """Count the gap; True when admins were not told about this field within `quiet`."""
        same_field = "field IS NULL AND $1::text IS NULL" if field is None else "field = $1"
        async with self._pool.acquire() as conn, conn.transaction():
            # One process at a time decides whether this field's gap is news.
            await conn.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext($2))", GAP_LOCK, field or ""
            )
            told = await conn.fetchval(
                f"SELECT EXISTS (SELECT 1 FROM gaps WHERE {same_field} AND alerted AND at >= $2)",
                field,
                _utc(now - quiet),
            )
            await conn.execute(
                "INSERT INTO gaps (field, topics, at, alerted) VALUES ($1, $2, $3, $4)",
                field,
                list(topics),
                _utc(now),
                not told,
            )
            return not told

    async def gap_counts(self) -> dict[str, int]:
        rows = await self._pool.fetch(
            "SELECT field, count(*) AS n FROM gaps WHERE field <> '' "
            "GROUP BY field ORDER BY min(seq)"
        )
        return {r["field"]: r["n"] for r in rows}

    # Nudges: one row per DM nudge, from planned to sent and answered.

    async def add_nudges(self, nudges: list[Nudge]) -> None:
        if not nudges:
            return
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.executemany(
                f"INSERT INTO nudges ({_NUDGE}) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
                "ON CONFLICT (id) DO NOTHING",
                [_nudge_args(n) for n in nudges],
            )

    async def get_nudge(self, nudge_id: str) -> Nudge | None:
        row = await self._pool.fetchrow(f"SELECT {_NUDGE} FROM nudges WHERE id = $1", nudge_id)
        return _nudge(row) if row else None

    async def nudges(self) -> list[Nudge]:
        rows = await self._pool.fetch(f"SELECT {_NUDGE} FROM nudges ORDER BY seq")
        return [_nudge(r) for r in rows]

    async def nudges_of(self, user_id: str) -> list[Nudge]:
        rows = await self._pool.fetch(
            f"SELECT {_NUDGE} FROM nudges WHERE user_id = $1 ORDER BY seq", user_id
        )
        return [_nudge(r) for r in rows]

    async def nudges_in(self, state: str) -> list[Nudge]:
        rows = await self._pool.fetch(
            f"SELECT {_NUDGE} FROM nudges WHERE state = $1 ORDER BY seq", state
        )
        return [_nudge(r) for r in rows]

    async def nudge_tallies(self) -> NudgeTallies:
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            delivery = await conn.fetch(
                "SELECT sent_at IS NOT NULL AS sent, answered_at IS NOT NULL AS answered, "
                "count(*) AS n FROM nudges GROUP BY 1, 2"
            )
            ratings = await conn.fetch(
                "SELECT kind, a.key AS question, sum(a.value::numeric) AS total, "
                "count(*) AS count FROM nudges, jsonb_each_text(answer) AS a "
                "WHERE answer <> '{}' AND a.value ~ '^[0-9]+$' GROUP BY kind, a.key"
            )
        return NudgeTallies(
            by_delivery={(r["sent"], r["answered"]): r["n"] for r in delivery},
            ratings={(r["kind"], r["question"]): _mean(r) for r in ratings},
        )

    async def due_nudges(self, now: datetime) -> list[Nudge]:
        """Scheduled nudges whose time has come, oldest first. Read a batch at a time: after
        a downtime they can be thousands, and decoding them all at once stalls the loop."""
        found = []
        async with self._pool.acquire() as conn, conn.transaction():
            query = (
                f"SELECT {_NUDGE} FROM nudges WHERE state = 'scheduled' AND due_at <= $1 "
                "ORDER BY due_at, seq"
            )
            async for row in conn.cursor(query, _utc(now), prefetch=DUE_BATCH):
                found.append(_nudge(row))
        return found

    async def claim_nudge(self, nudge_id: str, now: datetime | None = None) -> Nudge | None:
        """Scheduled to sending, only once: the claim is what makes a nudge go out at most once.
        Across processes too: a concurrent claim waits for the row, then no longer matches."""
        row = await self._pool.fetchrow(
            "UPDATE nudges SET state = 'sending', attempts = attempts + 1, "
            "sent_at = COALESCE($2, sent_at) "
            f"WHERE id = $1 AND state = 'scheduled' RETURNING {_NUDGE}",
            nudge_id,
            now,
        )
        return _nudge(row) if row else None

    async def answer_nudge(
        self,
        nudge_id: str,
        from_states: frozenset[str],
        changes: Mapping[str, Any],
        then: Followups = NOTHING,
        answer_was: Mapping[str, str] | None = None,
    ) -> Nudge | None:
        names = _known(changes, Nudge)
        sets = ", ".join(f"{name} = ${n}" for n, name in enumerate(names, start=4))
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                f"UPDATE nudges SET {sets} WHERE id = $1 AND state = ANY($2) "
                f"AND ($3::jsonb IS NULL OR answer = $3::jsonb) RETURNING {_NUDGE}",
                nudge_id,
                sorted(from_states),
                dict(answer_was) if answer_was is not None else None,
                *(_nudge_value(name, changes[name]) for name in names),
            )
            if row is None:
                return None
            await _follow(conn, then)
        return _nudge(row)

    async def update_nudge(self, nudge_id: str, **changes: Any) -> None:
        await _update(self._pool, "nudges", nudge_id, changes, _nudge_value, Nudge)

    async def cancel_nudges(
        self, user_id: str, subject: str | None = None, kinds: set[str] | None = None
    ) -> int:
        """Cancel this person's scheduled nudges (about `subject`, of `kinds`, or all)."""
        return _count(await self._pool.execute(_CANCEL, user_id, subject, _kinds(kinds)))

    # People: what a person chose about devpath itself (reminders stopped, say).

    async def person(self, user_id: str) -> dict[str, Any]:
        settings = await self._pool.fetchval(
            "SELECT settings FROM people WHERE user_id = $1", user_id
        )
        return {"user_id": user_id, **(settings or {})}

    async def set_person(self, user_id: str, **changes: Any) -> None:
        # One statement: two instances changing different settings at once both keep theirs.
        await self._pool.execute(_SET_PERSON, user_id, changes)

    # A person's own data: all of it, to take away or to erase.

    # The outbox: Slack calls that must follow a stored action.

    async def claim_effect(
        self, effect_id: str, now: datetime, stale_before: datetime | None = None
    ) -> Effect | None:
        row = await self._pool.fetchrow(
            "UPDATE effects SET state = 'running', claimed_at = $2, attempts = attempts + 1 "
            "WHERE id = $1 AND (state = 'pending' OR ($3::timestamptz IS NOT NULL "
            "AND state = 'running' AND coalesce(claimed_at, '-infinity') < $3)) "
            f"RETURNING {_EFFECT}",
            effect_id,
            _utc(now),
            _utc(stale_before) if stale_before else None,
        )
        return _effect(row) if row else None

    async def finish_effect(self, effect_id: str) -> None:
        await self._pool.execute("DELETE FROM effects WHERE id = $1", effect_id)

    async def unfinished_effects(self) -> list[Effect]:
        rows = await self._pool.fetch(f"SELECT {_EFFECT} FROM effects ORDER BY created_at, seq")
        return [_effect(r) for r in rows]

    async def release_effect(self, effect_id: str, not_before: datetime) -> None:
        await self._pool.execute(
            "UPDATE effects SET state = 'pending', claimed_at = NULL, "
            "data = data || jsonb_build_object($2::text, $3::text) "
            "WHERE id = $1 AND state = 'running'",
            effect_id,
            NOT_BEFORE,
            _utc(not_before).isoformat(),
        )

    async def export(self, user_id: str) -> dict[str, Any]:
        """Everything stored about this person, in the TinyDB store's document shapes."""
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            drafts = await conn.fetch(f"SELECT {_DRAFT} FROM drafts WHERE user_id = $1", user_id)
            responses = await conn.fetch(
                f"SELECT {_RESPONSE} FROM responses WHERE user_id = $1 ORDER BY id", user_id
            )
            mentors = await conn.fetch(f"SELECT {_MENTOR} FROM mentors WHERE user_id = $1", user_id)
            coaches = await conn.fetch(f"SELECT {_COACH} FROM coaches WHERE id = $1", user_id)
            intros = await conn.fetch(
                f"SELECT {_INTRO} FROM intros WHERE mentee_id = $1 OR mentor_id = $1 "
                "ORDER BY mentee_id <> $1, seq",
                user_id,
            )
            requests = await conn.fetch(
                f"SELECT {_REQUEST} FROM open_requests WHERE mentee_id = $1 OR claimed_by = $1 "
                "ORDER BY mentee_id <> $1, seq",
                user_id,
            )
            nudges = await conn.fetch(
                f"SELECT {_NUDGE} FROM nudges WHERE user_id = $1 ORDER BY seq", user_id
            )
            people = await conn.fetch(
                "SELECT user_id, settings FROM people WHERE user_id = $1", user_id
            )
            effects = await conn.fetch(
                f"SELECT {_EFFECT} FROM effects WHERE {_EFFECT_ABOUT} ORDER BY seq", user_id
            )
            audit = await conn.fetch(
                "SELECT by_user, what, at FROM audit WHERE by_user = $1 ORDER BY seq", user_id
            )
            asked = await conn.fetch(
                f"SELECT {_FEEDBACK_REQUEST}, (SELECT count(*) FROM feedback_answers a "
                "WHERE a.request_id = r.id) AS answered "
                "FROM feedback_requests r WHERE user_id = $1 ORDER BY seq",
                user_id,
            )
            given = await conn.fetch(
                f"SELECT {_FEEDBACK_ANSWER} FROM feedback_answers WHERE giver_id = $1 ORDER BY seq",
                user_id,
            )
            coaching_requests = await conn.fetch(
                f"SELECT {_COACHING_REQUEST} FROM coaching_requests WHERE user_id = $1 "
                "ORDER BY seq",
                user_id,
            )
            engagements = await conn.fetch(
                f"SELECT {_ENGAGEMENT} FROM engagements WHERE user_id = $1 OR coach_id = $1 "
                "ORDER BY seq",
                user_id,
            )
            rounds = await conn.fetch(
                f"SELECT doc FROM rounds WHERE {_ROUND_INVOLVES} ORDER BY seq", user_id
            )
        return {
            "drafts": [_draft_doc(r) for r in drafts],
            "questionnaires": [_response_doc(r) for r in responses],
            "as_mentor": [_mentor_doc(r) for r in mentors],
            "as_coach": [_coach_doc(r) for r in coaches],
            "intros": [intro_export(_intro_doc(r), user_id) for r in intros],
            "open_requests": [_request(r) for r in requests],
            "reminders": [_nudge_doc(r) for r in nudges],
            "messages_to_send": [_effect_doc(r) for r in effects],
            "settings": [{"user_id": r["user_id"], **r["settings"]} for r in people],
            "changes_made_as_admin": [_audit_doc(r) for r in audit],
            "feedback_requests": [
                {**feedback_request_doc(_feedback_request(r)), "answered": r["answered"]}
                for r in asked
            ],
            "feedback_given": [given_doc(_feedback_answer(r)) for r in given],
            "coaching_requests": [_coaching_request_doc(r) for r in coaching_requests],
            "engagements": [_engagement_doc(r) for r in engagements],
            "rounds": [round_export(Round.from_doc(r["doc"]), user_id) for r in rounds],
        }

    async def forget(
        self, user_id: str, name: str | None, now: datetime | None = None
    ) -> dict[str, int]:
        """Erase every trace of this person, in one transaction. `name` (a mentor's, as the
        pool showed it) is scrubbed from the record of admin changes. How many records went,
        by kind. (Old row versions go at the next autovacuum; no journal keeps them.)"""
        async with self._pool.acquire() as conn, conn.transaction():
            about = [
                r["id"]
                for r in await conn.fetch(
                    "SELECT id FROM intros WHERE mentee_id = $1 OR mentor_id = $1 "
                    "UNION ALL SELECT id FROM engagements WHERE user_id = $1",
                    user_id,
                )
            ]
            coach_name = await conn.fetchval("SELECT name FROM coaches WHERE id = $1", user_id)
            theirs = await conn.fetch(
                f"SELECT {_INTRO} FROM intros WHERE mentee_id = $1 OR mentor_id = $1", user_id
            )
            if theirs:
                await conn.execute(
                    "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    TOMBSTONE_SECRET,
                    new_secret(),
                )
                secret = await conn.fetchval(
                    "SELECT value FROM secrets WHERE name = $1", TOMBSTONE_SECRET
                )
                await conn.executemany(
                    _RESTORE["tombstones"],
                    [
                        (t.pair, t.declined, t.at)
                        for t in tombstones_of([_intro(r) for r in theirs], secret)
                    ],
                )
            shared = await conn.fetchval(
                "SELECT COALESCE(settings->'shared', '[]'::jsonb) "
                "|| COALESCE(settings->'nomination_messages', '[]'::jsonb) "
                "FROM people WHERE user_id = $1",
                user_id,
            )
            coached = await conn.fetch(
                "SELECT admin_messages, '{}'::jsonb AS coach_message FROM coaching_requests "
                "WHERE user_id = $1 UNION ALL "
                "SELECT '[]'::jsonb, coach_message FROM engagements WHERE user_id = $1",
                user_id,
            )
            posted = await conn.fetch(
                "SELECT mentee_id, extra->>'channel' AS channel, extra->>'ts' AS ts "
                "FROM open_requests WHERE mentee_id = $1",
                user_id,
            )
            gone: dict[str, int] = {}
            for kind, sql, args in (
                ("drafts", "DELETE FROM drafts WHERE user_id = $1", ()),
                ("questionnaires", "DELETE FROM responses WHERE user_id = $1", ()),
                ("mentor entry", "DELETE FROM mentors WHERE user_id = $1", ()),
                ("coach entry", "DELETE FROM coaches WHERE id = $1", ()),
                ("intros", "DELETE FROM intros WHERE mentee_id = $1 OR mentor_id = $1", ()),
                (
                    "open requests",
                    "DELETE FROM open_requests WHERE mentee_id = $1 OR claimed_by = $1",
                    (),
                ),
                (
                    # Theirs, and the others' still to come about their intros.
                    "reminders",
                    "DELETE FROM nudges WHERE user_id = $1 "
                    "OR (state = 'scheduled' AND subject = ANY($2::text[]))",
                    (about,),
                ),
                ("settings", "DELETE FROM people WHERE user_id = $1", ()),
                ("messages to send", f"DELETE FROM effects WHERE {_EFFECT_ABOUT}", ()),
                ("coaching requests", "DELETE FROM coaching_requests WHERE user_id = $1", ()),
                ("engagements", "DELETE FROM engagements WHERE user_id = $1", ()),
            ):
                gone[kind] = _count(await conn.execute(sql, user_id, *args))
            gone.update(await _forget_feedback(conn, user_id))
            gone["rounds"] = 0
            for row in await conn.fetch(
                f"SELECT doc FROM rounds WHERE {_ROUND_INVOLVES} "
                "OR doc->>'created_by' = $1 ORDER BY seq FOR UPDATE",
                user_id,
            ):
                forgotten = round_forgotten(Round.from_doc(row["doc"]), user_id)
                if forgotten is not None:
                    await _write_round(conn, forgotten)
                    gone["rounds"] += 1
            if now is not None:
                mine = [_intro_doc(r) for r in theirs]
                effects = withdrawals(
                    user_id,
                    mine,
                    [dict(r) for r in posted],
                    now,
                    _shared(shared),
                    [dict(r) for r in coached],
                )
                await conn.executemany(_RESTORE["effects"], [_effect_args(e) for e in effects])
            # As a coach: the engagement is the coachee's record too; only the coach goes.
            await conn.execute(
                "UPDATE engagements SET coach_id = $2, coach_message = '{}', channel_id = NULL "
                "WHERE coach_id = $1",
                user_id,
                FORMER_COACH,
            )
            await conn.execute(
                "UPDATE audit SET by_user = 'a former admin' WHERE by_user = $1", user_id
            )
            # Entries about them, by ID; older ones (no IDs kept) that may name them.
            subject = audit_about("mentor", [user_id]) + audit_about("coach", [user_id])
            names = {"mentor": name, "coach": coach_name}
            candidates = await conn.fetch(
                "SELECT seq, what, about FROM audit WHERE about && $1::text[] "
                "OR (about = '{}' AND ((coalesce($2, '') <> '' AND strpos(what, $2) > 0) "
                "OR (coalesce($3, '') <> '' AND strpos(what, $3) > 0)))",
                subject,
                name,
                coach_name,
            )
            changes = []
            for row in candidates:
                what, about = scrubbed_audit(row["what"], row["about"], user_id, names)
                if (what, about) != (row["what"], list(row["about"])):
                    changes.append((row["seq"], what, about))
            await conn.executemany("UPDATE audit SET what = $2, about = $3 WHERE seq = $1", changes)
            return gone

    async def declined_by_tombstone(self, mentee_id: str, mentor_ids: Sequence[str]) -> set[str]:
        secret = await self._pool.fetchval(
            "SELECT value FROM secrets WHERE name = $1", TOMBSTONE_SECRET
        )
        if secret is None or not mentor_ids:
            return set()
        marks = {pair_mark(secret, mentee_id, m): m for m in mentor_ids}
        rows = await self._pool.fetch(
            "SELECT DISTINCT pair FROM tombstones WHERE declined AND pair = ANY($1::text[])",
            list(marks),
        )
        return {marks[r["pair"]] for r in rows}

    async def pair_tombstones(self, mentee_id: str, mentor_id: str) -> list[Tombstone]:
        secret = await self._pool.fetchval(
            "SELECT value FROM secrets WHERE name = $1", TOMBSTONE_SECRET
        )
        if secret is None:
            return []
        rows = await self._pool.fetch(
            "SELECT pair, declined, at FROM tombstones WHERE pair = $1 ORDER BY seq",
            pair_mark(secret, mentee_id, mentor_id),
        )
        return [Tombstone(r["pair"], r["declined"], r["at"].astimezone(UTC)) for r in rows]

    # The whole database, to copy it to another store (bot/store/copy.py).

    async def dump(self) -> Tables:
        """Every record, by kind, in the TinyDB store's document shapes (responses with their
        "id"), read in one snapshot: the format both stores restore from."""
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            drafts = await conn.fetch(f"SELECT {_DRAFT} FROM drafts")
            responses = await conn.fetch(f"SELECT {_RESPONSE} FROM responses ORDER BY id")
            mentors = await conn.fetch(f"SELECT {_MENTOR} FROM mentors")
            intros = await conn.fetch(f"SELECT {_INTRO} FROM intros ORDER BY seq")
            audit = await conn.fetch("SELECT by_user, what, at, about FROM audit ORDER BY seq")
            tombstones = await conn.fetch("SELECT pair, declined, at FROM tombstones ORDER BY seq")
            kept_secrets = await conn.fetch("SELECT name, value FROM secrets ORDER BY name")
            requests = await conn.fetch(f"SELECT {_REQUEST} FROM open_requests ORDER BY seq")
            gaps = await conn.fetch("SELECT field, topics, at, alerted FROM gaps ORDER BY seq")
            nudges = await conn.fetch(f"SELECT {_NUDGE} FROM nudges ORDER BY seq")
            people = await conn.fetch("SELECT user_id, settings FROM people")
            effects = await conn.fetch(f"SELECT {_EFFECT} FROM effects ORDER BY seq")
            coaches = await conn.fetch(f"SELECT {_COACH} FROM coaches")
            feedback_requests = await conn.fetch(
                f"SELECT {_FEEDBACK_REQUEST} FROM feedback_requests ORDER BY seq"
            )
            feedback_answers = await conn.fetch(
                f"SELECT {_FEEDBACK_ANSWER} FROM feedback_answers ORDER BY seq"
            )
            coaching_requests = await conn.fetch(
                f"SELECT {_COACHING_REQUEST} FROM coaching_requests ORDER BY seq"
            )
            engagements = await conn.fetch(f"SELECT {_ENGAGEMENT} FROM engagements ORDER BY seq")
            rounds = await conn.fetch("SELECT doc FROM rounds ORDER BY seq")

        def by_user(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return sorted(docs, key=lambda doc: doc["user_id"])

        return {
            "drafts": by_user([_draft_doc(r) for r in drafts]),
            "responses": [{"id": str(r["id"]), **_response_doc(r)} for r in responses],
            "mentors": by_user([_mentor_doc(r) for r in mentors]),
            "intros": [_intro_doc(r) for r in intros],
            "audit": [{**_audit_doc(r), "about": list(r["about"])} for r in audit],
            "open_requests": [_request(r) for r in requests],
            "gaps": [
                {
                    "field": r["field"],
                    "topics": list(r["topics"]),
                    "at": _iso(r["at"]),
                    "alerted": r["alerted"],
                }
                for r in gaps
            ],
            "nudges": [_nudge_doc(r) for r in nudges],
            "people": by_user([{"user_id": r["user_id"], **r["settings"]} for r in people]),
            "effects": [_effect_doc(r) for r in effects],
            "coaches": sorted((_coach_doc(r) for r in coaches), key=lambda doc: doc["id"]),
            "feedback_requests": [
                feedback_request_doc(_feedback_request(r)) for r in feedback_requests
            ],
            "feedback_answers": [
                feedback_answer_doc(_feedback_answer(r)) for r in feedback_answers
            ],
            "coaching_requests": [_coaching_request_doc(r) for r in coaching_requests],
            "engagements": [_engagement_doc(r) for r in engagements],
            "rounds": [Round.from_doc(r["doc"]).doc() for r in rounds],
            "tombstones": [
                tombstone_doc(Tombstone(r["pair"], r["declined"], r["at"])) for r in tombstones
            ],
            "secrets": [{"name": r["name"], "value": r["value"]} for r in kept_secrets],
        }

    async def restore(self, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
        """Write a dump (see `dump`) into this database, which must be empty, in one
        transaction. Responses keep their ids where they can (then the id sequence moves past
        them), so the nudges about them still find them."""
        given = check_tables(tables)
        rows = {kind: _restore_rows(kind, given[kind]) for kind in KINDS}
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                # Nobody writes while we look and fill; readers carry on.
                await conn.execute(f"LOCK TABLE {', '.join(KINDS)} IN EXCLUSIVE MODE")
                found = await conn.fetchrow(
                    "SELECT "
                    + ", ".join(f"(SELECT count(*) FROM {kind}) AS {kind}" for kind in KINDS)
                )
                if any(found.values()):
                    raise not_empty(dict(found))
                for kind in KINDS:
                    if rows[kind]:
                        await conn.executemany(_RESTORE[kind], rows[kind])
                await conn.execute(
                    "SELECT setval(pg_get_serial_sequence('responses', 'id'), "
                    "coalesce(max(id), 0) + 1, false) FROM responses"
                )
        except (OSError, *_DATABASE_ERRORS) as error:
            raise StoreError(f"cannot restore: {_one_line(error, '')}") from None

    # Events: Slack retries an event it thinks went unanswered; it is handled once.

    async def first_time(self, event_id: str) -> bool:
        """True the first time any instance sees this event id, False after. Ids are kept a
        day: each instance clears out older ones at most once a minute, by an index."""
        first = await self._pool.fetchval(
            "INSERT INTO seen_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING true",
            event_id,
        )
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SEEN_EVENTS_SWEEP
            await self._pool.execute(
                "DELETE FROM seen_events WHERE seen_at < now() - interval '1 day'"
            )
        return bool(first)

    # 360 feedback: a person's requests to colleagues, and the colleagues' answers.

    async def add_feedback_request(
        self, request: FeedbackRequest, then: Followups = NOTHING
    ) -> bool:
        # The partial unique index keeps one open request per person: a second insert at the
        # same moment waits for the first and then does nothing.
        async with self._pool.acquire() as conn, conn.transaction():
            added = await conn.fetchval(
                f"INSERT INTO feedback_requests ({_FEEDBACK_REQUEST}) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
                "ON CONFLICT DO NOTHING RETURNING id",
                *_feedback_request_args(request),
            )
            if added is not None:
                await _follow(conn, then)
        return added is not None

    # Coaching: requests the program decides, and engagements

    async def add_coaching_request(
        self, request: CoachingRequest, then: Followups = NOTHING
    ) -> bool:
        """Record a new request unless this person has one pending already; the partial
        unique index makes two at once one (the second waits for the first, then does
        nothing)."""
        async with self._pool.acquire() as conn, conn.transaction():
            added = await conn.fetchval(
                f"INSERT INTO coaching_requests ({_COACHING_REQUEST}) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
                "ON CONFLICT DO NOTHING RETURNING id",
                *_coaching_request_args(request),
            )
            if added is not None:
                await _follow(conn, then)
        return added is not None

    async def get_feedback_request(self, request_id: str) -> FeedbackRequest | None:
        row = await self._pool.fetchrow(
            f"SELECT {_FEEDBACK_REQUEST} FROM feedback_requests WHERE id = $1", request_id
        )
        return _feedback_request(row) if row else None

    async def feedback_requests_of(self, user_id: str) -> list[FeedbackRequest]:
        rows = await self._pool.fetch(
            f"SELECT {_FEEDBACK_REQUEST} FROM feedback_requests WHERE user_id = $1 ORDER BY seq",
            user_id,
        )
        return [_feedback_request(r) for r in rows]

    async def feedback_requests(self) -> list[FeedbackRequest]:
        rows = await self._pool.fetch(
            f"SELECT {_FEEDBACK_REQUEST} FROM feedback_requests ORDER BY seq"
        )
        return [_feedback_request(r) for r in rows]

    async def add_feedback_answer(
        self, answer: FeedbackAnswer, minimum: int, then: Followups = NOTHING
    ) -> AnswerKept | None:
        # The request's row is held (FOR UPDATE) while the answer goes in and is counted, so
        # answers at the same moment, and a closing, take turns: each counts the ones before
        # it, and only one of them can make the shown summary jump. The primary key makes a
        # second answer by the same colleague do nothing.
        async with self._pool.acquire() as conn, conn.transaction():
            request = await conn.fetchrow(
                "SELECT state, givers, shown FROM feedback_requests WHERE id = $1 FOR UPDATE",
                answer.request_id,
            )
            if request is None or request["state"] != "open":
                return None
            if answer.giver_id not in request["givers"]:
                return None
            added = await conn.fetchval(
                f"INSERT INTO feedback_answers ({_FEEDBACK_ANSWER}) "
                "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING giver_id",
                *_feedback_answer_args(answer),
            )
            if added is None:
                return None
            answered = await conn.fetchval(
                "SELECT count(*) FROM feedback_answers WHERE request_id = $1", answer.request_id
            )
            shown = shown_after(request["shown"], answered, minimum)
            if shown == request["shown"]:
                return "kept"
            await conn.execute(
                "UPDATE feedback_requests SET shown = $2 WHERE id = $1", answer.request_id, shown
            )
            await _follow(conn, then)
        return "shown"

    async def feedback_answers(self, request_id: str) -> list[FeedbackAnswer]:
        rows = await self._pool.fetch(
            f"SELECT {_FEEDBACK_ANSWER} FROM feedback_answers WHERE request_id = $1 ORDER BY seq",
            request_id,
        )
        return [_feedback_answer(r) for r in rows]

    async def feedback_tallies(self) -> dict[int, int]:
        rows = await self._pool.fetch(
            "SELECT answers, count(*) AS n FROM (SELECT count(a.giver_id) AS answers "
            "FROM feedback_requests AS r LEFT JOIN feedback_answers AS a ON a.request_id = r.id "
            "GROUP BY r.id) AS per_request GROUP BY answers"
        )
        return {r["answers"]: r["n"] for r in rows}

    async def feedback_answer_counts(self) -> dict[str, int]:
        rows = await self._pool.fetch(
            "SELECT request_id, count(*) AS n FROM feedback_answers GROUP BY request_id"
        )
        return {r["request_id"]: r["n"] for r in rows}

    async def due_feedback(self, now: datetime) -> list[FeedbackRequest]:
        rows = await self._pool.fetch(
            f"SELECT {_FEEDBACK_REQUEST} FROM feedback_requests WHERE state = 'open' "
            "AND (closes_at <= $1 OR (NOT reminded AND remind_at <= $1)) ORDER BY seq",
            _utc(now),
        )
        return [_feedback_request(r) for r in rows]

    async def remind_feedback(
        self, request_id: str, then: Followups = NOTHING
    ) -> FeedbackRequest | None:
        return await self._move_feedback(
            "SET reminded = true WHERE id = $1 AND state = 'open' AND NOT reminded",
            (request_id,),
            then,
        )

    async def close_feedback(
        self, request_id: str, then: Followups = NOTHING
    ) -> FeedbackRequest | None:
        return await self._move_feedback(
            "SET state = 'closed' WHERE id = $1 AND state = 'open'", (request_id,), then
        )

    async def share_feedback(
        self, request_id: str, user_id: str, with_user_id: str, then: Followups = NOTHING
    ) -> FeedbackRequest | None:
        return await self._move_feedback(
            "SET shared_with = array_append(shared_with, $3) "
            "WHERE id = $1 AND user_id = $2 AND NOT ($3 = ANY(shared_with))",
            (request_id, user_id, with_user_id),
            then,
        )

    async def _move_feedback(
        self, change: str, args: tuple[Any, ...], then: Followups
    ) -> FeedbackRequest | None:
        """One conditional UPDATE (compare-and-set: a second one waits for the row, then no
        longer matches) and what follows it, in one transaction."""
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                f"UPDATE feedback_requests {change} RETURNING {_FEEDBACK_REQUEST}", *args
            )
            if row is None:
                return None
            await _follow(conn, then)
        return _feedback_request(row)

    async def get_coaching_request(self, request_id: str) -> CoachingRequest | None:
        row = await self._pool.fetchrow(
            f"SELECT {_COACHING_REQUEST} FROM coaching_requests WHERE id = $1", request_id
        )
        return coaching_request_from(row) if row else None

    async def coaching_requests(self, state: str | None = None) -> list[CoachingRequest]:
        rows = await self._pool.fetch(
            f"SELECT {_COACHING_REQUEST} FROM coaching_requests "
            "WHERE $1::text IS NULL OR state = $1 ORDER BY seq",
            state,
        )
        return [coaching_request_from(r) for r in rows]

    async def coaching_requests_of(self, user_id: str) -> list[CoachingRequest]:
        rows = await self._pool.fetch(
            f"SELECT {_COACHING_REQUEST} FROM coaching_requests WHERE user_id = $1 ORDER BY seq",
            user_id,
        )
        return [coaching_request_from(r) for r in rows]

    async def budget_used(self, budget: Budget, now: datetime) -> int:
        async with self._pool.acquire() as conn:
            return await _budget_used(conn, budget, now)

    async def decide_coaching_request(
        self,
        request_id: str,
        from_state: str,
        to_state: str,
        by: str,
        now: datetime,
        reason: str = "",
        budget: Budget | None = None,
        over_budget: bool = False,
        then: Followups = NOTHING,
    ) -> CoachingRequest | None:
        """Move a request on only if it is still in `from_state`. An approval within the
        budget counts approvals under a lock that every approval takes, so two at once, from
        any number of processes, are counted one after the other."""
        async with self._pool.acquire() as conn, conn.transaction():
            if budget is not None and budget.limit is not None:
                await conn.execute("SELECT pg_advisory_xact_lock($1, 0)", BUDGET_LOCK)
            row = await conn.fetchrow(
                "SELECT state FROM coaching_requests WHERE id = $1 FOR UPDATE", request_id
            )
            if row is None or row["state"] != from_state:
                return None
            if (
                budget is not None
                and budget.limit is not None
                and await _budget_used(conn, budget, now) >= budget.limit
            ):
                return None
            if from_state == "approved" and await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM engagements WHERE request_id = $1 "
                "AND state = ANY($2))",
                request_id,
                sorted(HOLDS_A_PLACE),
            ):
                return None
            moved = await conn.fetchrow(
                "UPDATE coaching_requests SET state = $2, decided_by = $3, decided_at = $4, "
                f"reason = $5, over_budget = $6 WHERE id = $1 RETURNING {_COACHING_REQUEST}",
                request_id,
                to_state,
                by,
                _utc(now),
                reason,
                over_budget,
            )
            await _follow(conn, then)
            return coaching_request_from(moved)

    async def mark_coaching_request(self, request_id: str, **changes: Any) -> None:
        def value(name: str, given: Any) -> Any:
            if name == "admin_messages":
                return [dict(m) for m in given]
            if name == "goals":
                return list(given)
            return _utc(given) if isinstance(given, datetime) else given

        await _update(self._pool, "coaching_requests", request_id, changes, value, CoachingRequest)

    async def add_engagement(
        self, engagement: Engagement, capacity: int | None, then: Followups = NOTHING
    ) -> bool:
        """Record an engagement if its request is approved and free of one (its row locked),
        and the coach has a place (counted under a lock on the coach)."""
        async with self._pool.acquire() as conn, conn.transaction():
            state = await conn.fetchval(
                "SELECT state FROM coaching_requests WHERE id = $1 FOR UPDATE",
                engagement.request_id,
            )
            if state != "approved":
                return False
            if await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM engagements WHERE request_id = $1 "
                "AND state = ANY($2))",
                engagement.request_id,
                sorted(HOLDS_A_PLACE | {"ended"}),
            ):
                return False
            if capacity is not None:
                await conn.execute(
                    "SELECT pg_advisory_xact_lock($1, hashtext($2))",
                    COACH_LOCK,
                    engagement.coach_id,
                )
                taken = await conn.fetchval(
                    "SELECT count(*) FROM engagements WHERE coach_id = $1 AND state = ANY($2)",
                    engagement.coach_id,
                    sorted(HOLDS_A_PLACE),
                )
                if taken >= capacity:
                    return False
            await conn.execute(_RESTORE["engagements"], *_engagement_args(engagement))
            await _follow(conn, then)
        return True

    async def move_engagement(
        self,
        engagement_id: str,
        from_states: frozenset[str],
        to_state: str,
        changes: Mapping[str, Any] | None = None,
        then: Followups = NOTHING,
        expect: Mapping[str, Any] | None = None,
    ) -> Engagement | None:
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                f"SELECT {_ENGAGEMENT} FROM engagements WHERE id = $1 FOR UPDATE", engagement_id
            )
            if row is None or row["state"] not in from_states:
                return None
            current = engagement_from(row)
            if any(getattr(current, k) != v for k, v in (expect or {}).items()):
                return None
            moved = replace(current, **{**(changes or {}), "state": to_state})
            await _write_engagement(conn, moved)
            await _follow(conn, then)
            return moved

    async def mark_engagement(self, engagement_id: str, **changes: Any) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                f"SELECT {_ENGAGEMENT} FROM engagements WHERE id = $1 FOR UPDATE", engagement_id
            )
            if row is not None:
                await _write_engagement(conn, replace(engagement_from(row), **changes))

    async def get_engagement(self, engagement_id: str) -> Engagement | None:
        row = await self._pool.fetchrow(
            f"SELECT {_ENGAGEMENT} FROM engagements WHERE id = $1", engagement_id
        )
        return engagement_from(row) if row else None

    async def engagements(self, state: str | None = None) -> list[Engagement]:
        rows = await self._pool.fetch(
            f"SELECT {_ENGAGEMENT} FROM engagements WHERE $1::text IS NULL OR state = $1 "
            "ORDER BY seq",
            state,
        )
        return [engagement_from(r) for r in rows]

    async def engagements_of(self, user_id: str) -> list[Engagement]:
        rows = await self._pool.fetch(
            f"SELECT {_ENGAGEMENT} FROM engagements WHERE user_id = $1 OR coach_id = $1 "
            "ORDER BY seq",
            user_id,
        )
        return [engagement_from(r) for r in rows]

    async def active_engagement(self, user_id: str) -> Engagement | None:
        row = await self._pool.fetchrow(
            f"SELECT {_ENGAGEMENT} FROM engagements WHERE user_id = $1 AND state = 'active' "
            "ORDER BY seq LIMIT 1",
            user_id,
        )
        return engagement_from(row) if row else None

    async def coaching_tallies(self) -> CoachingTallies:
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            requests = await conn.fetch(
                "SELECT state, count(*) AS n FROM coaching_requests GROUP BY state"
            )
            engagements = await conn.fetch(
                "SELECT state, count(*) AS n FROM engagements GROUP BY state"
            )
            to_start = await conn.fetchval(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY e.started_at - r.created_at) "
                "FROM engagements AS e JOIN coaching_requests AS r ON r.id = e.request_id "
                "WHERE e.started_at IS NOT NULL"
            )
            progress = await conn.fetchrow(_ENGAGEMENT_RATINGS.format(column="progress"))
            outcome = await conn.fetchrow(_ENGAGEMENT_RATINGS.format(column="outcome"))
            recommend = await conn.fetch(
                "SELECT would_recommend AS answer, count(*) AS n FROM engagements "
                "WHERE would_recommend IS NOT NULL GROUP BY would_recommend"
            )
        return CoachingTallies(
            requests={r["state"]: r["n"] for r in requests},
            engagements={r["state"]: r["n"] for r in engagements},
            to_start=to_start,
            progress=_mean(progress),
            outcome=_mean(outcome),
            recommend={r["answer"]: r["n"] for r in recommend},
        )

    async def coach_places_taken(self) -> dict[str, int]:
        rows = await self._pool.fetch(
            "SELECT coach_id, count(*) AS n FROM engagements WHERE state = ANY($1) "
            "GROUP BY coach_id",
            sorted(HOLDS_A_PLACE),
        )
        return {r["coach_id"]: r["n"] for r in rows}

    # Matching rounds: a cohort's mentees assigned at once. A change reads the round FOR
    # UPDATE and writes it in the same transaction: joins and confirmations from any number
    # of instances wait for one another, so none is lost.

    async def add_round(self, new: Round, then: Followups = NOTHING) -> bool:
        """Record a new round unless one of the same name (or id) exists; the unique name
        key makes two at once one (the second waits for the first, then does nothing)."""
        async with self._pool.acquire() as conn, conn.transaction():
            added = await conn.fetchval(
                f"{_RESTORE['rounds']} ON CONFLICT DO NOTHING RETURNING id", *_round_args(new)
            )
            if added is not None:
                await _follow(conn, then)
        return added is not None

    async def get_round(self, round_id: str) -> Round | None:
        row = await self._pool.fetchrow("SELECT doc FROM rounds WHERE id = $1", round_id)
        return Round.from_doc(row["doc"]) if row else None

    async def round_named(self, name: str) -> Round | None:
        row = await self._pool.fetchrow(
            "SELECT doc FROM rounds WHERE name_key = $1", round_key(name)
        )
        return Round.from_doc(row["doc"]) if row else None

    async def rounds(self, state: str | None = None) -> list[Round]:
        rows = await self._pool.fetch(
            "SELECT doc FROM rounds WHERE $1::text IS NULL OR state = $1 ORDER BY seq", state
        )
        return [Round.from_doc(r["doc"]) for r in rows]

    async def _change_round(
        self, round_id: str, change: Callable[[Round], Round | None], then: Followups = NOTHING
    ) -> Round | None:
        """Lock the round, let `change` say what it becomes (None: nothing), write it and
        `then`, all in one transaction."""
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow("SELECT doc FROM rounds WHERE id = $1 FOR UPDATE", round_id)
            if row is None:
                return None
            changed = change(Round.from_doc(row["doc"]))
            if changed is None:
                return None
            try:
                async with conn.transaction():
                    await _write_round(conn, changed)
            except asyncpg.UniqueViolationError:
                return None  # renamed to another round's name: that one stays the only one
            await _follow(conn, then)
            return changed

    async def join_round(self, round_id: str, user_id: str) -> Round | None:
        return await self._change_round(round_id, lambda r: r.joined_by(user_id))

    async def set_round_places(self, round_id: str, mentor_id: str, places: int) -> Round | None:
        return await self._change_round(round_id, lambda r: r.with_places(mentor_id, places))

    async def update_round(
        self,
        round_id: str,
        from_states: frozenset[str],
        changes: Mapping[str, Any],
        then: Followups = NOTHING,
        expect: Mapping[str, Any] | None = None,
    ) -> Round | None:
        return await self._change_round(
            round_id, lambda r: r.changed(from_states, changes, expect), then
        )


def _round_args(found: Round) -> tuple[Any, ...]:
    return (found.id, round_key(found.name), found.state, found.doc())


async def _write_round(conn: Any, found: Round) -> None:
    await conn.execute(
        "UPDATE rounds SET name_key = $2, state = $3, doc = $4 WHERE id = $1", *_round_args(found)
    )


async def _budget_used(conn: Any, budget: Budget, now: datetime) -> int:
    since = budget.window_start(now)
    if since is not None:
        return await conn.fetchval(
            "SELECT count(*) FROM coaching_requests WHERE state = 'approved' AND decided_at >= $1",
            _utc(since),
        )
    return await conn.fetchval(
        "SELECT count(*) FROM coaching_requests AS r WHERE state = 'approved' AND NOT EXISTS "
        "(SELECT 1 FROM engagements AS e WHERE e.request_id = r.id AND e.state = 'ended')"
    )


async def _write_engagement(conn: Any, engagement: Engagement) -> None:
    """Every field but the id, as the engagement now is."""
    names = _ENGAGEMENT.split(", ")
    sets = ", ".join(f"{name} = ${n}" for n, name in enumerate(names[1:], start=2))
    await conn.execute(
        f"UPDATE engagements SET {sets} WHERE id = $1", *_engagement_args(engagement)
    )


# Connecting and migrating.

NO_SCHEMA = "no devpath database there (no schema_meta table)"


async def schema_exists(url: str) -> bool:
    """Whether the database at `url` holds devpath's schema (its schema_meta table). Looking
    creates nothing; a server that cannot be reached is a StoreError, as in `connect`."""
    shown = shown_url(url)
    try:
        conn = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError, *_DATABASE_ERRORS) as error:
        raise StoreError(
            f"DATABASE_URL: cannot connect to {shown}: {_one_line(error, url)}"
        ) from None
    try:
        return await _version(conn) > 0
    except (OSError, TimeoutError, *_DATABASE_ERRORS) as error:
        raise StoreError(f"DATABASE_URL: {shown}: {_one_line(error, url)}") from None
    finally:
        await conn.close()


def shown_url(url: str) -> str:
    """The URL as it may be printed: without its password."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        userinfo, _, host = rest.rpartition("@")
        rest = f"{userinfo.split(':', 1)[0]}@{host}"
    return re.sub(r"(?i)(password=)[^&]*", r"\1***", scheme + sep + rest)


def _one_line(error: BaseException, url: str) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    for secret in {password, unquote(password or "")} - {None, ""}:
        assert secret is not None
        text = text.replace(secret, "***")
    return text


async def _keep_session(conn: asyncpg.Connection) -> None:
    """What a connection needs before going back to the pool, beyond asyncpg's own rollback
    of a transaction left open: nothing. The store sets no session state (no SET, no LISTEN,
    no cursor, advisory locks only for a transaction), so asyncpg's default reset (`RESET
    ALL`, `UNLISTEN *` and more) would be one more round trip after every query for nothing."""


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda value: json.dumps(value, ensure_ascii=False),
        decoder=json.loads,
        schema="pg_catalog",
    )


async def _migrate(pool: asyncpg.Pool, shown: str, create: bool = True) -> int:
    """Bring the schema to SCHEMA_VERSION under a lock; the version it was at."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        found = await _version(conn)
        if found == 0 and not create:
            raise StoreError(f"DATABASE_URL: {shown}: {NO_SCHEMA}")
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"DATABASE_URL: {shown}: written by a newer devpath (schema {found}; this one "
                f"reads up to {SCHEMA_VERSION}): upgrade devpath instead"
            )
        if found == SCHEMA_VERSION:
            return found
        for version in range(found, SCHEMA_VERSION):
            await conn.execute(MIGRATIONS[version])
        await conn.execute("DELETE FROM schema_meta")
        await conn.execute("INSERT INTO schema_meta (version) VALUES ($1)", SCHEMA_VERSION)
        return found


async def _version(conn: asyncpg.Connection) -> int:
    if not await conn.fetchval("SELECT to_regclass('schema_meta') IS NOT NULL"):
        return 0
    return await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_meta")


# Rows in and out.


def _count(status: str) -> int:
    """The row count in a command tag such as 'UPDATE 3'."""
    return int(status.rsplit(" ", 1)[-1])


async def _audit(
    conn: asyncpg.Connection, by: str, what: str, now: datetime, about: list[str]
) -> None:
    await conn.execute(_RESTORE["audit"], by, what, _utc(now), about)


def _known(changes: Mapping[str, Any], shape: type) -> list[str]:
    """The names of these changes, each a field of the dataclass, else a TypeError."""
    unknown = sorted(set(changes) - {f.name for f in fields(shape)})
    if unknown:
        raise TypeError(f"{shape.__name__} has no field {', '.join(unknown)}")
    return list(changes)


async def _update(
    pool: _Pool,
    table: str,
    row_id: str,
    changes: Mapping[str, Any],
    convert: Any,
    shape: type,
) -> None:
    """Set these fields of the row with this id; the names are the dataclass's fields."""
    if not changes:
        return
    names = _known(changes, shape)
    sets = ", ".join(f"{name} = ${n}" for n, name in enumerate(names, start=2))
    await pool.execute(
        f"UPDATE {table} SET {sets} WHERE id = $1",
        row_id,
        *(convert(name, changes[name]) for name in names),
    )


def _nudge_value(name: str, value: Any) -> Any:
    if name in _NUDGE_TIMES and isinstance(value, datetime):
        return _utc(value)
    if name in ("answer", "message") and isinstance(value, Mapping):
        return dict(value)
    return value


def _holds(record: Any, expect: Mapping[str, Any] | None) -> bool:
    """Whether the record's fields hold these values (a compare-and-set's condition)."""
    return all(getattr(record, key) == value for key, value in (expect or {}).items())


def _intro_value(name: str, value: Any) -> Any:
    if name in _INTRO_TIMES and isinstance(value, datetime):
        return _utc(value)
    if name in _INTRO_JSON and isinstance(value, Mapping):
        return _plain(value)
    if name == "shares":
        return list(value)
    return value


def _mean(row: asyncpg.Record | None) -> Mean:
    """A row's "total" (a sum, None when nothing was summed) and "count" as a Mean."""
    if row is None or not row["count"]:
        return Mean()
    return Mean(int(row["total"]), row["count"])


def _utc(moment: datetime) -> datetime:
    """Aware and in UTC, as the TinyDB store reads its times back (a naive one is local)."""
    return moment.astimezone(UTC)


def _iso(moment: datetime | None) -> str | None:
    """A time as the TinyDB store keeps it in its documents."""
    return moment.astimezone(UTC).isoformat() if moment else None


def _draft(row: asyncpg.Record) -> Draft:
    return Draft(
        user_id=row["user_id"],
        answers=answers_from(row["answers"]),
        step=row["step"],
        channel_id=row["channel_id"],
        updated_at=_utc(row["updated_at"]),
    )


def _draft_doc(row: asyncpg.Record) -> dict[str, Any]:
    return {**dict(row), "updated_at": _iso(row["updated_at"])}


def _response(row: asyncpg.Record) -> Response:
    rec = row["recommendation"]
    return Response(
        user_id=row["user_id"],
        answers=answers_from(row["answers"]),
        recommendation=recommendation_from(rec),
        content_version=row["content_version"],
        created_at=_utc(row["created_at"]),
        id=str(row["id"]),
    )


def _response_doc(row: asyncpg.Record) -> dict[str, Any]:
    doc = {k: v for k, v in dict(row).items() if k != "id"}
    return {**doc, "created_at": _iso(row["created_at"])}


_MENTOR_TIMES = ("away_until", "nominated_at")


def _mentor(row: Mapping[str, Any]) -> Mentor:
    times = {k: _utc(row[k]) if row[k] else None for k in _MENTOR_TIMES}
    return Mentor(
        **{**dict(row), **times, "fields": tuple(row["fields"]), "topics": tuple(row["topics"])}
    )


def _pool_of(rows: list[asyncpg.Record]) -> list[Mentor]:
    return sorted((_mentor(r) for r in rows), key=lambda m: (m.name.casefold(), m.user_id))


def _mentor_doc(row: asyncpg.Record) -> dict[str, Any]:
    times = {k: _iso(row[k]) for k in _MENTOR_TIMES}
    return {**dict(row), **times, "fields": list(row["fields"]), "topics": list(row["topics"])}


def _plain(value: Any) -> Any:
    """A record's nested mapping as plain JSON-ready dicts and lists."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _audit_doc(row: asyncpg.Record) -> dict[str, str]:
    return {"by": row["by_user"], "what": row["what"], "at": _iso(row["at"]) or ""}


def _intro_args(intro: Intro) -> tuple[Any, ...]:
    return (
        intro.id,
        intro.mentee_id,
        intro.mentor_id,
        intro.state,
        _utc(intro.requested_at),
        _utc(intro.expires_at),
        intro.note,
        list(intro.shares),
        _utc(intro.answered_at) if intro.answered_at else None,
        intro.source,
        dict(intro.mentor_message),
        _plain(intro.question),
        _plain(intro.agreement),
        _plain(intro.closeouts),
        _plain(intro.at_risk),
        _utc(intro.ended_at) if intro.ended_at else None,
        intro.ended_by,
        intro.end_reason,
    )


def _intro(row: asyncpg.Record) -> Intro:
    doc = dict(row)
    for key in _INTRO_TIMES:
        doc[key] = _utc(doc[key]) if doc[key] else None
    doc["shares"] = tuple(doc["shares"])
    return Intro(**doc)


def _intro_doc(row: asyncpg.Record) -> dict[str, Any]:
    doc = dict(row)
    for key in _INTRO_TIMES:
        doc[key] = _iso(doc[key])
    doc["shares"] = list(doc["shares"])
    return doc


def _shared(value: Any) -> list[Mapping[str, Any]]:
    """A person's shared posts as the settings keep them (jsonb: decoded, or its text)."""
    found = json.loads(value) if isinstance(value, str) else value
    return list(found) if isinstance(found, list) else []


def _request(row: asyncpg.Record) -> OpenRequest:
    doc = {"id": row["id"], "mentee_id": row["mentee_id"], **row["extra"]}
    doc["claimed_by"] = row["claimed_by"]
    if row["claimed_at"] is not None:
        doc["claimed_at"] = _iso(row["claimed_at"])
    return doc


def _nudge_args(nudge: Nudge) -> tuple[Any, ...]:
    return (
        nudge.id,
        nudge.user_id,
        nudge.kind,
        _utc(nudge.due_at),
        _utc(nudge.created_at),
        nudge.subject,
        nudge.state,
        _utc(nudge.sent_at) if nudge.sent_at else None,
        _utc(nudge.answered_at) if nudge.answered_at else None,
        dict(nudge.answer),
        nudge.attempts,
        nudge.last_of_kind,
        dict(nudge.message),
    )


def _nudge(row: asyncpg.Record) -> Nudge:
    doc = dict(row)
    for key in _NUDGE_TIMES:
        doc[key] = _utc(doc[key]) if doc[key] else None
    return Nudge(**doc)


def _nudge_doc(row: asyncpg.Record) -> dict[str, Any]:
    doc = dict(row)
    for key in _NUDGE_TIMES:
        doc[key] = _iso(doc[key])
    return doc


# A dump's documents as rows to insert.

_RESTORE = {
    "drafts": f"INSERT INTO drafts ({_DRAFT}) VALUES ($1, $2, $3, $4, $5)",
    "responses": f"INSERT INTO responses ({_RESPONSE}) OVERRIDING SYSTEM VALUE "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)",
    "mentors": f"INSERT INTO mentors ({_MENTOR}) VALUES ({_MENTOR_VALUES})",
    "intros": _INSERT_INTRO,
    "audit": "INSERT INTO audit (by_user, what, at, about) VALUES ($1, $2, $3, $4)",
    "tombstones": "INSERT INTO tombstones (pair, declined, at) VALUES ($1, $2, $3)",
    "secrets": "INSERT INTO secrets (name, value) VALUES ($1, $2)",
    "open_requests": f"INSERT INTO open_requests ({_REQUEST}) VALUES ($1, $2, $3, $4, $5)",
    "gaps": "INSERT INTO gaps (field, topics, at, alerted) VALUES ($1, $2, $3, $4)",
    "nudges": f"INSERT INTO nudges ({_NUDGE}) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    "people": "INSERT INTO people (user_id, settings) VALUES ($1, $2)",
    "effects": f"INSERT INTO effects ({_EFFECT}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    "coaches": f"INSERT INTO coaches ({_COACH}) VALUES ({_COACH_VALUES})",
    "feedback_requests": f"INSERT INTO feedback_requests ({_FEEDBACK_REQUEST}) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    "feedback_answers": f"INSERT INTO feedback_answers ({_FEEDBACK_ANSWER}) "
    "VALUES ($1, $2, $3, $4, $5, $6)",
    "coaching_requests": f"INSERT INTO coaching_requests ({_COACHING_REQUEST}) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    "engagements": f"INSERT INTO engagements ({_ENGAGEMENT}) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    "rounds": "INSERT INTO rounds (id, name_key, state, doc) VALUES ($1, $2, $3, $4)",
}


def _restore_rows(kind: str, docs: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The rows for these documents of a dump, or a StoreError naming the first bad one."""
    ids = stable_ids([doc.get("id") for doc in docs]) if kind == "responses" else []
    rows = []
    for number, doc in enumerate(docs, start=1):
        try:
            rows.append(_restore_row(kind, doc, ids[number - 1] if ids else 0))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise StoreError(
                f"cannot restore {kind}: document {number} is not one ({error!r})"
            ) from None
    return rows


def _restore_row(kind: str, doc: dict[str, Any], response_id: int) -> tuple[Any, ...]:
    if kind == "drafts":
        draft = _draft({**doc, "updated_at": _time(doc["updated_at"])})
        return (
            draft.user_id,
            answers_doc(draft.answers),
            draft.step,
            draft.channel_id,
            draft.updated_at,
        )
    if kind == "responses":
        created_at = _time(doc["created_at"])
        _response({**doc, "id": response_id, "created_at": created_at})  # readable back
        return (
            response_id,
            doc["user_id"],
            answers_doc(answers_from(doc["answers"])),
            dict(doc["recommendation"]),
            doc["content_version"],
            created_at,
            doc.get("view_id"),
        )
    if kind == "mentors":
        times = {key: _time(doc[key]) if doc.get(key) else None for key in _MENTOR_TIMES}
        return _mentor_args(
            Mentor(
                **{**doc, **times, "fields": tuple(doc["fields"]), "topics": tuple(doc["topics"])}
            )
        )
    if kind == "intros":
        times = {key: _time(doc[key]) if doc.get(key) else None for key in _INTRO_TIMES}
        return _intro_args(Intro(**{**doc, **times, "shares": tuple(doc.get("shares", ()))}))
    if kind == "audit":
        return (doc["by"], doc["what"], _time(doc["at"]), [str(a) for a in doc.get("about", [])])
    if kind == "tombstones":
        tombstone = tombstone_from(doc)
        return (tombstone.pair, tombstone.declined, tombstone.at)
    if kind == "secrets":
        bytes.fromhex(doc["value"])
        return (str(doc["name"]), doc["value"])
    if kind == "open_requests":
        extra = {
            k: v for k, v in doc.items() if k not in ("id", "mentee_id", "claimed_by", "claimed_at")
        }
        claimed_at = doc.get("claimed_at")
        return (
            doc["id"],
            doc["mentee_id"],
            doc.get("claimed_by"),
            _time(claimed_at) if claimed_at else None,
            extra,
        )
    if kind == "gaps":
        return (doc["field"], list(doc["topics"]), _time(doc["at"]), bool(doc["alerted"]))
    if kind == "nudges":
        times = {key: _time(doc[key]) if doc.get(key) else None for key in _NUDGE_TIMES}
        return _nudge_args(Nudge(**{**doc, **times}))
    if kind == "people":
        return (doc["user_id"], {k: v for k, v in doc.items() if k != "user_id"})
    if kind == "effects":
        times = {k: _time(doc[k]) if doc.get(k) else None for k in ("created_at", "claimed_at")}
        return _effect_args(Effect(**{**doc, **times, "data": dict(doc["data"])}))
    if kind == "coaches":
        return _coach_args(
            Coach(**{**doc, "areas": tuple(doc["areas"]), "languages": tuple(doc["languages"])})
        )
    if kind == "feedback_requests":
        return _feedback_request_args(feedback_request_from(doc))
    if kind == "feedback_answers":
        return _feedback_answer_args(feedback_answer_from(doc))
    if kind == "coaching_requests":
        return _coaching_request_args(coaching_request_from(doc))
    if kind == "engagements":
        return _engagement_args(engagement_from(doc))
    if kind == "rounds":
        return _round_args(Round.from_doc(doc))
    raise ValueError(f"unknown kind {kind}")


async def _follow(conn: Any, then: Followups) -> None:
    """Write what follows an action, in the action's transaction: all of it or none."""
    for cancel in then.cancel:
        await conn.execute(_CANCEL, cancel.user_id, cancel.subject, _kinds(cancel.kinds))
    if then.drafts_ended:
        await conn.execute(
            "DELETE FROM drafts WHERE user_id = ANY($1::text[])", list(then.drafts_ended)
        )
    if then.intros:
        await conn.executemany(_INSERT_INTRO, [_intro_args(i) for i in then.intros])
    for user_id, changes in then.settings:
        await conn.execute(_SET_PERSON, user_id, dict(changes))
    if then.nudges:
        await conn.executemany(_RESTORE["nudges"], [_nudge_args(n) for n in then.nudges])
    if then.effects:
        await conn.executemany(_RESTORE["effects"], [_effect_args(e) for e in then.effects])


def _kinds(kinds: set[str] | frozenset[str] | None) -> list[str] | None:
    return sorted(kinds) if kinds is not None else None


def _effect_args(effect: Effect) -> tuple[Any, ...]:
    return (
        effect.id,
        effect.kind,
        effect.user_id,
        dict(effect.data),
        _utc(effect.created_at),
        effect.state,
        _utc(effect.claimed_at) if effect.claimed_at else None,
        effect.attempts,
    )


def _effect(row: asyncpg.Record) -> Effect:
    return Effect(**{**dict(row), "data": dict(row["data"])})


def _effect_doc(row: asyncpg.Record) -> dict[str, Any]:
    effect = _effect(row)
    return {
        **vars(effect),
        "data": dict(effect.data),
        "created_at": _iso(effect.created_at),
        "claimed_at": _iso(effect.claimed_at),
    }


def _time(value: str | datetime) -> datetime:
    """A dump's time (UTC ISO text) as an aware UTC datetime."""
    return _utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _mentor_args(m: Mentor) -> tuple[Any, ...]:
    return (
        m.user_id,
        m.name,
        m.timezone,
        list(m.fields),
        list(m.topics),
        m.seniority,
        m.capacity,
        m.bio,
        m.active,
        m.status,
        _utc(m.away_until) if m.away_until else None,
        _utc(m.nominated_at) if m.nominated_at else None,
    )


def _coach_args(c: Coach) -> tuple[Any, ...]:
    return (
        c.id,
        c.kind,
        c.name,
        c.timezone,
        list(c.areas),
        list(c.languages),
        c.capacity,
        c.credentials,
        c.bio,
        c.active,
        c.organisation,
        c.email,
        c.booking_url,
    )


def _coach(row: asyncpg.Record) -> Coach:
    return Coach(
        **{**dict(row), "areas": tuple(row["areas"]), "languages": tuple(row["languages"])}
    )


def _coach_doc(row: asyncpg.Record) -> dict[str, Any]:
    return {**dict(row), "areas": list(row["areas"]), "languages": list(row["languages"])}


async def _forget_feedback(conn: asyncpg.Connection, user_id: str) -> dict[str, int]:
    """Their requests and every answer to them; the answers they gave (a request that
    showed one shows one fewer); their ID among the colleagues asked, or shared with, in
    others' requests."""
    # What stays shown is what was shown, without theirs: never a later answer.
    await conn.execute(
        "UPDATE feedback_requests r SET shown = r.shown - 1 FROM feedback_answers a "
        "WHERE a.request_id = r.id AND a.giver_id = $1 AND r.user_id <> $1 AND r.shown > "
        "(SELECT count(*) FROM feedback_answers b WHERE b.request_id = r.id AND b.seq < a.seq)",
        user_id,
    )
    answers = _count(
        await conn.execute(
            "DELETE FROM feedback_answers WHERE giver_id = $1 OR request_id IN "
            "(SELECT id FROM feedback_requests WHERE user_id = $1)",
            user_id,
        )
    )
    requests = _count(
        await conn.execute("DELETE FROM feedback_requests WHERE user_id = $1", user_id)
    )
    await conn.execute(
        "UPDATE feedback_requests SET givers = array_remove(givers, $1), "
        "shared_with = array_remove(shared_with, $1) "
        "WHERE $1 = ANY(givers) OR $1 = ANY(shared_with)",
        user_id,
    )
    return {"feedback requests": requests, "feedback answers": answers}


def _feedback_request_args(request: FeedbackRequest) -> tuple[Any, ...]:
    return (
        request.id,
        request.user_id,
        list(request.givers),
        _utc(request.created_at),
        _utc(request.closes_at),
        _utc(request.remind_at),
        request.state,
        request.reminded,
        list(request.shared_with),
        request.note,
        request.shown,
    )


def _feedback_request(row: asyncpg.Record) -> FeedbackRequest:
    return FeedbackRequest(
        id=row["id"],
        user_id=row["user_id"],
        givers=tuple(row["givers"]),
        created_at=_utc(row["created_at"]),
        closes_at=_utc(row["closes_at"]),
        remind_at=_utc(row["remind_at"]),
        state=row["state"],
        reminded=row["reminded"],
        shared_with=tuple(row["shared_with"]),
        note=row["note"],
        shown=row["shown"],
    )


def _feedback_answer_args(answer: FeedbackAnswer) -> tuple[Any, ...]:
    return (
        answer.request_id,
        answer.giver_id,
        dict(answer.ratings),
        answer.strength,
        answer.change,
        _utc(answer.answered_at),
    )


def _feedback_answer(row: asyncpg.Record) -> FeedbackAnswer:
    return FeedbackAnswer(
        request_id=row["request_id"],
        giver_id=row["giver_id"],
        ratings={str(k): int(v) for k, v in row["ratings"].items()},
        strength=row["strength"],
        change=row["change"],
        answered_at=_utc(row["answered_at"]),
    )


def _coaching_request_args(request: CoachingRequest) -> tuple[Any, ...]:
    doc = coaching_request_doc(request)
    return tuple(
        _time(doc[name]) if name in ("created_at", "decided_at") and doc[name] else doc[name]
        for name in _COACHING_REQUEST.split(", ")
    )


def _coaching_request_doc(row: asyncpg.Record) -> dict[str, Any]:
    return coaching_request_doc(coaching_request_from(row))


_ENGAGEMENT_TIMES = frozenset({"created_at", "expires_at", "started_at", "planned_end", "ended_at"})


def _engagement_args(engagement: Engagement) -> tuple[Any, ...]:
    doc = engagement_doc(engagement)
    return tuple(
        _time(doc[name]) if name in _ENGAGEMENT_TIMES and doc[name] else doc[name]
        for name in _ENGAGEMENT.split(", ")
    )


def _engagement_doc(row: asyncpg.Record) -> dict[str, Any]:
    return engagement_doc(engagement_from(row))
