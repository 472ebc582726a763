"""The Store interface: every question the bot asks its database, whichever backend answers.

`TinyDBStore` (bot/store/tinydb_store.py: one process, a file) and `PostgresStore`
(bot/store/postgres_store.py: several instances, one server) both implement it, and nothing
above bot/store knows which one it holds. The guarantees below are what both keep and what
tests/store/test_contract.py checks on each: a state change that says "only if" is
compare-and-set, so a double click, a retried request or a second instance changes nothing
twice.

Records come back as the domain's own types (bot/domain/*.py), with times aware and in UTC.
This module imports nothing else of the store, so the backends and everything above can
import it without a cycle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from bot.domain.coaching import Budget, Coach, CoachingRequest, Engagement
from bot.domain.feedback import FeedbackAnswer, FeedbackRequest
from bot.domain.intros import Intro, Tombstone
from bot.domain.matching import Mentor
from bot.domain.nudges import Nudge
from bot.domain.outbox import NOTHING, Effect, Followups
from bot.domain.records import Draft, Response
from bot.domain.rounds import Round
from bot.domain.stats import CoachingTallies, IntroTallies, NudgeTallies

# The kinds of record a database holds, in the order a dump lists them.
AnswerKept = Literal["kept", "shown"]  # kept, and whether it made the shown summary grow
KINDS = (
    "drafts",
    "responses",
    "mentors",
    "intros",
    "audit",
    "open_requests",
    "gaps",
    "nudges",
    "people",
    "effects",
    "coaches",
    "feedback_requests",
    "feedback_answers",
    "coaching_requests",
    "engagements",
    "rounds",
    "tombstones",
    "secrets",
)

# A whole database in the canonical format both backends dump and restore: for each kind,
# its documents as the TinyDB store keeps them (times as UTC ISO text; responses with "id").
Tables = dict[str, list[dict[str, Any]]]

# A mentee's post in the match channel, as the listener made it: at least "id" and
# "mentee_id"; "claimed_by" (and "claimed_at", UTC ISO text) once a mentor claimed it.
OpenRequest = dict[str, Any]


# What a forgotten internal coach's engagements name instead of them.
FORMER_COACH = "a former coach"

# Set for work no request is waiting on: what follows a listener's ack, a background round.
# A store may serve the requests still waiting for their ack before it.
LATER: ContextVar[bool] = ContextVar("devpath_later", default=False)


class StoreError(Exception):
    """The database cannot be opened, or cannot do what was asked of it as a whole (a copy,
    a restore); the message is one line for the operator."""


class Store(Protocol):
    @property
    def exclusive(self) -> bool:
        """True when no other process can use this database while this store has it open
        (the TinyDB file's lock): then anything found half-done at start was left by a crash."""
        ...

    async def aclose(self) -> None:
        """Let go of the database (the file and its lock, or the connection pool)."""
        ...

    # Drafts: a half-finished questionnaire, one per person.

    async def get_draft(self, user_id: str) -> Draft | None: ...

    async def save_draft(self, draft: Draft) -> None:
        """Keep this person's draft, replacing the one they had."""
        ...

    async def delete_draft(self, user_id: str) -> None: ...

    # Responses: every completed questionnaire, kept as history.

    async def add_response(
        self, response: Response, view_id: str | None = None, then: Followups = NOTHING
    ) -> str:
        """Keep a completed questionnaire; its id, for what refers to it (its nudges).
        `view_id` is the modal it was submitted from, so a second submission is known: the
        same modal sent again, even at the same moment, writes nothing (its id comes back).

        `then` is written in the same write, all or nothing (see `Followups`): its nudges
        without a subject, and its effects, are about this response (the nudge's subject and
        the effect's data["response_id"] are its id)."""
        ...

    async def response_for_view(self, user_id: str, view_id: str | None) -> Response | None:
        """The questionnaire this person already submitted from this modal, if any (none
        without a `view_id`)."""
        ...

    async def responses(self, user_id: str) -> list[Response]:
        """This person's history, oldest first (ties in the order they were given)."""
        ...

    async def latest_response(self, user_id: str) -> Response | None:
        """This person's newest response (of a tie, the one given last)."""
        ...

    async def all_latest_responses(self) -> list[Response]:
        """Each person's newest response, in the order of their first one."""
        ...

    async def latest_paths(self) -> dict[str, int]:
        """How many people's newest response recommends each path (paths nobody has absent):
        what the program figures count, without reading the responses."""
        ...

    async def waiting_for_a_mentor(self) -> list[str]:
        """Everyone who waits for a mentor now (`bot.domain.rounds.waiting_for_a_mentor`:
        their newest response's path is one of WAITING_PATHS and no intro of theirs as the
        mentee is in HAS_A_MENTOR), in the order of their first response."""
        ...

    # Mentors: the pool, keyed by Slack user ID.

    async def mentors(self) -> list[Mentor]:
        """The pool (status "pool": nominations not yet approved are not in it), by name
        (case-insensitive), then by user ID."""
        ...

    async def nominations(self) -> list[Mentor]:
        """People who nominated themselves and wait for an admin (status "nominated"), in the
        order they nominated themselves."""
        ...

    async def get_mentor(self, user_id: str) -> Mentor | None:
        """This person's entry, in the pool or nominated."""
        ...

    async def save_mentors(self, mentors: list[Mentor], by: str, what: str, now: datetime) -> None:
        """Add or replace these mentors and record who did it (one audit entry), together."""
        ...

    async def import_mentors(
        self, mentors: Sequence[Mentor], by: str, what: str, now: datetime
    ) -> None:
        """Put these mentors in the pool and record who did it (one audit entry), together:
        one durable write, all of it or none. A new mentor is added as given; an entry already
        there (in the pool, or a nomination, which this approves) is replaced, except what is
        the mentor's own: their time away and when they nominated themselves. Of two entries
        with one user ID, the later wins. A large import is several of these, a few hundred
        mentors each, so each write stays small and a failure loses at most the one under way."""
        ...

    async def add_mentor(
        self, mentor: Mentor, by: str, what: str, now: datetime, then: Followups = NOTHING
    ) -> bool:
        """Add this person (to the pool, or nominated) and record who did it, with `then`,
        only if they have no entry yet; False and nothing written when they have one: a
        nomination sent twice is one nomination, and its admins are told once."""
        ...

    async def remove_mentor(
        self,
        user_id: str,
        by: str,
        what: str,
        now: datetime,
        expect: Mapping[str, Any] | None = None,
        then: Followups = NOTHING,
    ) -> bool:
        """Take a mentor out of the pool and record who did it, with `then`; False (and
        nothing recorded) when there was no such mentor, or (with `expect`) one whose fields
        do not hold these values any more: declining a nomination twice declines it once."""
        ...

    async def update_mentor(
        self,
        user_id: str,
        changes: Mapping[str, Any],
        expect: Mapping[str, Any] | None = None,
        audit: tuple[str, str, datetime] | None = None,
        then: Followups = NOTHING,
    ) -> Mentor | None:
        """Compare-and-set: set `changes` (Mentor's field names) only if the mentor exists and
        (with `expect`) its fields hold these values; the mentor as changed, or None and
        nothing written. `audit` (by, what, at) is recorded with it, and `then`."""
        ...

    async def audit_log(self, limit: int = 10) -> list[dict[str, str]]:
        """The latest `limit` changes to the pool and the roster, newest first:
        {"by", "what", "at"}. Each entry keeps, besides, whom it is about (the mentors' or
        coaches' IDs given to the call), so forgetting one rewrites their entries by ID."""
        ...

    # Coaches: the coaching roster, keyed by coach id (an internal coach's Slack user ID).

    async def coaches(self) -> list[Coach]:
        """The roster, by name (case-insensitive), then by id."""
        ...

    async def get_coach(self, coach_id: str) -> Coach | None: ...

    async def save_coaches(self, coaches: list[Coach], by: str, what: str, now: datetime) -> None:
        """Add or replace these coaches and record who did it (one audit entry), together."""
        ...

    async def remove_coach(self, coach_id: str, by: str, what: str, now: datetime) -> bool:
        """Take a coach off the roster and record who did it; False (and nothing recorded)
        when there was no such coach."""
        ...

    # Intros: requests from a mentee to a mentor, and their answers.

    async def add_intro(self, intro: Intro, then: Followups = NOTHING) -> bool:
        """Record a new intro, unless this pair already has one pending or accepted (a double
        submission, two tabs, two instances): then nothing is written and the answer is
        False. A pair never has two open intros at once. `then` goes in the same write."""
        ...

    async def get_intro(self, intro_id: str) -> Intro | None: ...

    async def intros(self) -> list[Intro]:
        """Every intro, in the order they were made."""
        ...

    async def pending_intros(self) -> list[Intro]:
        """Requests still waiting for the mentor's answer, in the order they were made."""
        ...

    async def intros_in(self, state: str) -> list[Intro]:
        """The intros in this state (read by index, never the whole table), in the order
        they were made: "accepted" is every mentoring under way."""
        ...

    async def mentees_now(self) -> dict[str, int]:
        """How many mentees each mentor has now (accepted intros); mentors with none absent."""
        ...

    async def intros_of(self, user_id: str) -> list[Intro]:
        """Intros where this person is the mentee or the mentor, in the order they were made."""
        ...

    async def intro_states(self, intro_ids: Sequence[str]) -> dict[str, str]:
        """The state of each of these intros that exists, by id (read by id, one read)."""
        ...

    async def move_intro(
        self,
        intro_id: str,
        from_state: str,
        to_state: str,
        now: datetime,
        capacity: int | None = None,
        then: Followups = NOTHING,
    ) -> Intro | None:
        """Compare-and-set: move the intro to `to_state` (answered at `now`) only if it is
        still in `from_state`; the moved intro, or None and nothing changed (a second click,
        a lost race, no such intro).

        With `capacity`, the move also needs the mentor to have fewer than `capacity`
        accepted intros, checked in the same step: two accepts at once cannot overfill a
        mentor. `then` is written with the move, and only if the intro moved.
        """
        ...

    async def update_intro(
        self,
        intro_id: str,
        from_states: frozenset[str],
        changes: Mapping[str, Any],
        then: Followups = NOTHING,
        expect: Mapping[str, Any] | None = None,
    ) -> Intro | None:
        """Compare-and-set: set `changes` (Intro's field names, the state among them) only if
        the intro is in one of `from_states` and (with `expect`) its fields hold these values;
        the intro as changed, or None and nothing written (a second click, a lost race, no
        such intro). `then` goes with it."""
        ...

    async def mark_intro(self, intro_id: str, **changes: Any) -> None:
        """Set bookkeeping fields (Intro's own field names) on an intro: where the mentor's
        message is. No such intro: nothing happens."""
        ...

    # Open requests: a mentee's post in the match channel, until a mentor claims it.

    async def add_open_request(self, request: OpenRequest) -> None: ...

    async def get_open_request(self, request_id: str) -> OpenRequest | None: ...

    async def claim_open_request(
        self,
        request_id: str,
        mentor_id: str,
        now: datetime,
        then: Followups = NOTHING,
        capacity: int | None = None,
    ) -> OpenRequest | None:
        """Compare-and-set: give the request to this mentor only if nobody claimed it yet;
        the claimed request, or None when someone was quicker (or there is no such request).
        Of any number of claims at once, exactly one wins; `then` is written with it. An
        intro in `then` whose pair already has one open refuses the claim (None).

        With `capacity`, the claim also needs the mentor to have fewer than `capacity`
        accepted intros, checked in the same step as in `move_intro`: a mentor with one place
        claiming two requests at once (or claiming while accepting) gets one."""
        ...

    async def open_requests_of(self, mentee_id: str) -> list[OpenRequest]:
        """This mentee's requests, in the order they were made."""
        ...

    async def reserve_open_request(self, request: OpenRequest, then: Followups = NOTHING) -> bool:
        """Record a mentee's open request before it is posted, unless they have one not yet
        claimed (a double click, two tabs, two instances): then nothing is written and the
        answer is False. `then` (the post, as an effect) goes in the same write."""
        ...

    async def place_open_request(self, request_id: str, ts: str | None) -> None:
        """Where the reserved request's post landed (`ts`), or None: Slack refused the post,
        and the reservation goes, so the mentee may try again."""
        ...

    # Gaps: a mentee nobody in the pool fits, by field, so admins know what to recruit.

    async def record_gap(
        self, field: str | None, topics: list[str], now: datetime, quiet: timedelta
    ) -> bool:
        """Count the gap; True when admins were not told about this field within `quiet`
        (then this gap is the one they are told about). Of gaps recorded at once for one
        field, at most one answers True."""
        ...

    async def gap_counts(self) -> dict[str, int]:
        """How many gaps each field had (gaps with no field not counted)."""
        ...

    # Nudges: one record per DM nudge, from planned to sent and answered.

    async def add_nudges(self, nudges: list[Nudge]) -> None: ...

    async def get_nudge(self, nudge_id: str) -> Nudge | None: ...

    async def nudges(self) -> list[Nudge]:
        """Every nudge, in the order they were planned."""
        ...

    async def nudges_of(self, user_id: str) -> list[Nudge]:
        """This person's nudges, in the order they were planned."""
        ...

    async def nudges_in(self, state: str) -> list[Nudge]:
        """The nudges in this state (read by index, never the whole table), in the order
        they were planned: "sending" is those claimed and not yet marked sent."""
        ...

    async def due_nudges(self, now: datetime) -> list[Nudge]:
        """Scheduled nudges whose time has come by `now`, oldest due first."""
        ...

    async def claim_nudge(self, nudge_id: str, now: datetime | None = None) -> Nudge | None:
        """Compare-and-set: scheduled to sending, one attempt more, `sent_at` set to `now`
        when given; the claimed nudge, or None when it was not scheduled any more. Of any
        number of claims, from any number of processes, exactly one wins: the claim is what
        makes a nudge go out at most once."""
        ...

    async def answer_nudge(
        self,
        nudge_id: str,
        from_states: frozenset[str],
        changes: Mapping[str, Any],
        then: Followups = NOTHING,
        answer_was: Mapping[str, str] | None = None,
    ) -> Nudge | None:
        """Compare-and-set: set `changes` (Nudge's field names) only if the nudge's state is
        one of `from_states` (and, with `answer_was`, its answer is still that), with `then`
        in the same write; the nudge as changed, or None and nothing written (a second click,
        an old copy of the DM, another instance first, two additions to an answer at once)."""
        ...

    async def update_nudge(self, nudge_id: str, **changes: Any) -> None:
        """Set these fields (Nudge's own field names) on a nudge. No such nudge: nothing."""
        ...

    async def cancel_nudges(
        self, user_id: str, subject: str | None = None, kinds: set[str] | None = None
    ) -> int:
        """Cancel this person's scheduled nudges (about `subject`, of `kinds`, or all); how
        many were cancelled. Nudges already sending, sent or answered stay as they are."""
        ...

    # People: what a person chose about devpath itself (reminders stopped, say).

    async def person(self, user_id: str) -> dict[str, Any]:
        """This person's settings with their "user_id"; just the "user_id" when they chose
        nothing yet."""
        ...

    async def set_person(self, user_id: str, **changes: Any) -> None:
        """Change these settings and keep the others."""
        ...

    # The outbox: Slack calls that must follow a stored action (bot/domain/outbox.py).

    async def claim_effect(
        self, effect_id: str, now: datetime, stale_before: datetime | None = None
    ) -> Effect | None:
        """Compare-and-set: pending to running (claimed at `now`, one more attempt), or, with
        `stale_before`, a running one claimed before then (its deliverer died). The claimed
        effect, or None: someone else has it, or it is done."""
        ...

    async def finish_effect(self, effect_id: str) -> None:
        """The effect is made (or given up): it goes."""
        ...

    async def unfinished_effects(self) -> list[Effect]:
        """Effects not yet made, pending or running, oldest first."""
        ...

    async def release_effect(self, effect_id: str, not_before: datetime) -> None:
        """A claimed effect whose call met a passing fault (a dropped connection, a 5xx): back
        to pending, waiting until `not_before` (its attempts kept). Not running: nothing."""
        ...

    # A person's own data: all of it, to take away or to erase.

    async def export(self, user_id: str) -> dict[str, Any]:
        """Everything stored about this person, by kind, in the TinyDB store's document
        shapes: what `/devpath export` sends them. Their 360 requests come with how many
        answered, never the answers (each answer is its giver's, and answers alone, with
        their times, could tell who said what); the answers they gave come without the
        request or whom it was about (that person's own business). Each matching round
        they are in (`Round.involves`), in the order made, comes as a summary in their own
        terms (`round_export`): {"name", "state", "joined", "places" (theirs, or None),
        "pair" (theirs, as mentee or else as mentor, as Pair.doc(), or None)}, with no one
        else's ID but the other person of their own pair."""
        ...

    async def forget(
        self, user_id: str, name: str | None, now: datetime | None = None
    ) -> dict[str, int]:
        """Erase every trace of this person: their records, intros on both sides and the
        nudges about those, open requests they made or claimed, their 360 requests and every
        answer to them, the 360 answers they gave, their ID among the colleagues asked (or
        shared with) in others' requests, their coaching requests and engagements (and the
        coach's reminders about those). As an internal coach, their engagements stay, as the
        coachee's own record, with the coach's ID replaced by FORMER_COACH and the coach's
        message and group DM cleared; their coach entry goes, its name becoming "a former
        coach". Their ID in the record of admin changes becomes "a former admin"; entries
        about them are rewritten whole (`scrubbed_audit`: by ID, or for older entries by
        `name`, a mentor's as the pool showed it, and their coach name, as whole words).
        Each of their intros, on either side, leaves a Tombstone (a keyed hash of the pair,
        made with the database's own secret, created here the first time), so a decline
        still holds and erased asks still count. With `now`, the same write stores the
        effects (`withdrawals`) that rewrite the messages still quoting them where the bot
        knows they are, carrying only channel and ts. Every matching round they are in is
        rewritten without them (`Round.without`: not among those who joined, their places
        and pairs gone), and one they made as admin names "a former admin" instead; those
        rounds count as "rounds". How many records went, by kind. Nothing of
        them is left where the backend keeps old versions (the TinyDB journal is
        rewritten)."""
        ...

    async def pair_tombstones(self, mentee_id: str, mentor_id: str) -> list[Tombstone]:
        """What is left of this pair's erased intros (none while nobody was forgotten)."""
        ...

    async def declined_by_tombstone(self, mentee_id: str, mentor_ids: Sequence[str]) -> set[str]:
        """Of these mentors, those whose erased intro with this mentee was declined: not to
        be offered to them again, as a decline on record is not (one read, whatever the pool)."""
        ...

    # The whole database, to copy it to another store (bot/store/copy.py).

    async def dump(self) -> Tables:
        """Every record, by kind (all of KINDS), in the canonical format both backends share
        (see Tables), in the order the TinyDB store would list them: plain JSON."""
        ...

    async def restore(self, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
        """Write a dump into this database, which must be empty (else a StoreError and
        nothing written). Responses keep their ids where they can, so the nudges about them
        still find them; a response added later gets an id after all of them. A kind not in
        KINDS, or a document that is not one of its kind, is a StoreError."""
        ...

    # Events: Slack retries an event it thinks went unanswered; it is handled once.

    async def first_time(self, event_id: str) -> bool:
        """True the first time this event id is seen, False when it comes again within a day
        (the TinyDB store, one process, remembers the latest 10,000 ids of that day)."""
        ...

    # 360 feedback: a person's requests to colleagues, and the colleagues' answers.

    async def add_feedback_request(
        self, request: FeedbackRequest, then: Followups = NOTHING
    ) -> bool:
        """Record a new request with `then` (the DMs to the colleagues), unless this person
        already has one open (a double submission, two instances): then nothing is written
        and the answer is False. A person never has two open at once."""
        ...

    async def get_feedback_request(self, request_id: str) -> FeedbackRequest | None: ...

    async def feedback_requests_of(self, user_id: str) -> list[FeedbackRequest]:
        """This person's requests, in the order they were made."""
        ...

    async def feedback_requests(self) -> list[FeedbackRequest]:
        """Every request, in the order they were made: what the program figures count."""
        ...

    async def add_feedback_answer(
        self, answer: FeedbackAnswer, minimum: int, then: Followups = NOTHING
    ) -> AnswerKept | None:
        """Compare-and-set: keep a colleague's answer only if the request is open, they were
        asked, and they have not answered it yet; None and nothing written otherwise (a second
        submission, even at the same moment, or a closed request). In the same write the
        request's `shown` moves on by `shown_after(shown, answers, minimum)`; only when it
        grows is `then` (the new summary's DM) written too, and the answer is "shown" rather
        than "kept". Answers at the same moment are counted one after the other, so only one
        of them makes a jump."""
        ...

    async def feedback_answers(self, request_id: str) -> list[FeedbackAnswer]:
        """The answers to this request, in the order they came."""
        ...

    async def feedback_answer_counts(self) -> dict[str, int]:
        """How many answers each request has; requests with none absent."""
        ...

    async def due_feedback(self, now: datetime) -> list[FeedbackRequest]:
        """Open requests with something due by `now`: their reminder (not sent yet) or their
        closing, in the order they were made."""
        ...

    async def remind_feedback(
        self, request_id: str, then: Followups = NOTHING
    ) -> FeedbackRequest | None:
        """Compare-and-set: mark the request reminded, with `then` (the reminders), only if it
        is open and was not reminded yet; the request as changed, or None (another round or
        instance got there first)."""
        ...

    async def close_feedback(
        self, request_id: str, then: Followups = NOTHING
    ) -> FeedbackRequest | None:
        """Compare-and-set: open to closed, with `then` (the final summary); the closed
        request, or None when it was not open. No answer is kept after it closes."""
        ...

    async def share_feedback(
        self, request_id: str, user_id: str, with_user_id: str, then: Followups = NOTHING
    ) -> FeedbackRequest | None:
        """Compare-and-set: add `with_user_id` to whom this person's request is shared with,
        with `then`, only if the request is theirs and not shared with them yet; the request
        as changed, or None."""

    # Coaching: requests the program decides, and engagements

    async def add_coaching_request(
        self, request: CoachingRequest, then: Followups = NOTHING
    ) -> bool:
        """Record a new request, unless this person has one pending already (a double
        submission, two tabs, two instances): then nothing is written and the answer is
        False. `then` goes in the same write."""
        ...

    async def get_coaching_request(self, request_id: str) -> CoachingRequest | None: ...

    async def coaching_requests(self, state: str | None = None) -> list[CoachingRequest]:
        """Every request (in `state`, if given), in the order they were made."""
        ...

    async def coaching_requests_of(self, user_id: str) -> list[CoachingRequest]:
        """This person's requests, in the order they were made."""
        ...

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
        """Compare-and-set: move the request to `to_state` (decided by `by` at `now`, with
        `reason` and `over_budget`) only if it is still in `from_state`; the moved request, or
        None and nothing changed (a second click, a lost race, no such request).

        With a `budget` that has a limit, the move also needs fewer approvals counting against
        it than the limit (approved this calendar quarter, or seats: approved and their
        engagement not ended), checked in the same step: two approvals at once cannot pass
        the budget. Leaving "approved" (a withdrawal) needs no engagement of the request to
        hold a coach's place, checked in the same step too. `then` is written with the move.
        """
        ...

    async def budget_used(self, budget: Budget, now: datetime) -> int:
        """The approvals counting against this budget at `now` (see decide_coaching_request)."""
        ...

    async def mark_coaching_request(self, request_id: str, **changes: Any) -> None:
        """Set bookkeeping fields (CoachingRequest's own names) on a request: where the
        admins' copies are. No such request: nothing happens."""
        ...

    async def add_engagement(
        self, engagement: Engagement, capacity: int | None, then: Followups = NOTHING
    ) -> bool:
        """Record a new engagement (a coach offered or chosen) only if, in the same step: its
        request is approved, no other engagement of that request holds a place or has ended,
        and (with `capacity`) the coach has fewer engagements holding a place (HOLDS_A_PLACE)
        than `capacity`. Two people choosing one coach's last place at once: one gets it.
        False, and nothing written, otherwise. `then` goes in the same write."""
        ...

    async def move_engagement(
        self,
        engagement_id: str,
        from_states: frozenset[str],
        to_state: str,
        changes: Mapping[str, Any] | None = None,
        then: Followups = NOTHING,
        expect: Mapping[str, Any] | None = None,
    ) -> Engagement | None:
        """Compare-and-set: set the state and `changes` (Engagement's field names) only if
        the engagement is in one of `from_states` (and, with `expect`, its fields hold these
        values: a move that keeps the state, an extension, is compare-and-set too); the moved
        engagement, or None and nothing written. `then` goes with it."""
        ...

    async def mark_engagement(self, engagement_id: str, **changes: Any) -> None:
        """Set bookkeeping fields on an engagement (where the coach's offer is, the group DM).
        No such engagement: nothing happens."""
        ...

    async def get_engagement(self, engagement_id: str) -> Engagement | None: ...

    async def engagements(self, state: str | None = None) -> list[Engagement]:
        """Every engagement (in `state`, if given), in the order they were made."""
        ...

    async def engagements_of(self, user_id: str) -> list[Engagement]:
        """Engagements where this person is the coachee or the coach, in the order made."""
        ...

    async def active_engagement(self, user_id: str) -> Engagement | None:
        """This person's coaching under way (as the coachee, state "active"), if any."""
        ...

    async def coach_places_taken(self) -> dict[str, int]:
        """How many engagements hold a place of each coach now (HOLDS_A_PLACE); coaches with
        none absent."""
        ...

    # The program's figures: counts and sums that bot/domain/stats.py turns into figures.
    # Each equals that module's function of the same name over every record of its kind,
    # worked out where the records are (SQL, or the TinyDB store's thread), never by
    # handing every record over.

    async def intro_tallies(self) -> IntroTallies:
        """`stats.intro_tallies` of every intro."""
        ...

    async def nudge_tallies(self) -> NudgeTallies:
        """`stats.nudge_tallies` of every nudge."""
        ...

    async def coaching_tallies(self) -> CoachingTallies:
        """`stats.coaching_tallies` of every coaching request and engagement."""
        ...

    async def feedback_tallies(self) -> dict[int, int]:
        """How many 360 requests have each number of answers (those with none under 0;
        numbers no request has absent): what `feedback.answered_figures` takes."""
        ...

    # Matching rounds: a cohort's mentees assigned at once (bot/domain/rounds.py).

    async def add_round(self, new: Round, then: Followups = NOTHING) -> bool:
        """Record a new round with `then`, unless a round of the same name (case-insensitive,
        surrounding spaces ignored) exists already: then nothing is written and the answer is
        False (a double submission, two admins, two instances)."""
        ...

    async def get_round(self, round_id: str) -> Round | None: ...

    async def round_named(self, name: str) -> Round | None:
        """The round of this name (case-insensitive, surrounding spaces ignored), if any."""
        ...

    async def rounds(self, state: str | None = None) -> list[Round]:
        """Every round (in `state`, if given), in the order they were made."""
        ...

    async def join_round(self, round_id: str, user_id: str) -> Round | None:
        """Add this mentee to the round's `joined`, at the end, only if the round is open and
        they are not in it yet; the round as changed, or None and nothing written. Of any
        number of joins at once, each person is added once and nobody's join is lost."""
        ...

    async def set_round_places(self, round_id: str, mentor_id: str, places: int) -> Round | None:
        """This mentor gives the round `places` places (0: none), only while it is open; the
        round as changed, or None. Confirmations at once by several mentors all count."""
        ...

    async def update_round(
        self,
        round_id: str,
        from_states: frozenset[str],
        changes: Mapping[str, Any],
        then: Followups = NOTHING,
        expect: Mapping[str, Any] | None = None,
    ) -> Round | None:
        """Compare-and-set: set `changes` (Round's field names, the state among them) only if
        the round is in one of `from_states` and (with `expect`) its fields hold these values;
        the round as changed, or None and nothing written. `then` goes with it: publishing
        writes the round's intros (`then.intros`) and their DMs in the same write."""
        ...
