"""The devpath command: serve the bot, try the questionnaire in the terminal, manage the pool
and the coach roster."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import math
import os
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TextIO, TypeVar

from bot.content import Content, ContentError, load_content
from bot.deps import Deps, utc_now
from bot.domain.coaching import Coach
from bot.domain.matching import CoachingSeeker, CoachMatch, Match, Mentor, rank_coaches
from bot.domain.questionnaire import Answers, Question, check_step, in_current_terms
from bot.domain.recommendation import Recommendation, recommend, shows_mentors
from bot.domain.records import Response
from bot.domain.rounds import Round
from bot.flows.matching import matches_for
from bot.logs import configure_logging
from bot.pool_csv import (
    HEADER_PROBLEM,
    bad_row_count,
    iana_timezone,
    read_pool,
    write_pool,
    write_rows,
)
from bot.progress import Progress
from bot.roster_csv import HEADER_PROBLEM as ROSTER_HEADER_PROBLEM
from bot.roster_csv import read_roster, write_roster
from bot.screens.result import PULLS, advice
from bot.settings import Settings, SettingsError, load_settings
from bot.store import (
    Store,
    StoreError,
    database_exists,
    database_place,
    open_database,
    open_store,
    shown_place,
)

EXAMPLE_POOL = "examples/mentors.csv"
EXAMPLE_ROSTER = "examples/coaches.csv"
# Mentors (or coaches) per store write on import: one journal line or one transaction each,
# small enough that a failure loses little and memory stays flat, large enough to be quick.
IMPORT_PART = 500

T = TypeVar("T")


class UsageError(Exception):
    """Bad input to the command: one readable line, exit status 2."""


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        status = args.run(args)
    except (UsageError, SettingsError, ContentError, StoreError) as error:
        print(f"devpath: {error}", file=sys.stderr)
        status = 2
    except KeyboardInterrupt:
        status = 130
    raise SystemExit(status)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="devpath", description="Coaching or mentoring? devpath helps people choose."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the Slack bot (Socket Mode or HTTP)")
    serve.set_defaults(run=_serve)
    trial = commands.add_parser(
        "try", help="answer the questionnaire in the terminal and see your recommendation"
    )
    trial.add_argument("--answers", type=Path, metavar="FILE.json", help="answers from a file")
    trial.add_argument("--user", default=None, help="whose answers these are (default: you)")
    trial.add_argument(
        "--timezone",
        metavar="NAME",
        help="your IANA timezone for mentor matching, like Europe/London (default: $TZ)",
    )
    trial.set_defaults(run=_try)
    _csv_commands(commands, MENTOR_CSV, "the mentor pool")
    _csv_commands(commands, COACH_CSV, "the coach roster")
    nudges = commands.add_parser("nudges", help="the DM nudges: list them, or send what is due")
    nudging = nudges.add_subparsers(dest="nudges_command", required=True, metavar="COMMAND")
    listing = nudging.add_parser("list", help="the nudges coming up (and, with --all, the rest)")
    listing.add_argument("--all", action="store_true", help="also sent, answered and cancelled")
    listing.set_defaults(run=_list_nudges)
    due = nudging.add_parser(
        "run-due",
        help="send the nudges that are due now, once (while the bot is stopped: it does this "
        "itself every 30 seconds)",
    )
    due.set_defaults(run=_run_due_nudges)
    rounds = commands.add_parser("round", help="matching rounds: preview one's assignment")
    rounding = rounds.add_subparsers(dest="round_command", required=True, metavar="COMMAND")
    preview = rounding.add_parser(
        "preview",
        help="the round's assignment: its pairs with scores and reasons, the total against "
        "first-come matching on the same people, and who is unmatched (an open round: what "
        "matching now would give, nothing stored)",
    )
    preview.add_argument("name", metavar="NAME", help="the round's name (any case)")
    preview.add_argument("--csv", action="store_true", help="write it as CSV instead")
    preview.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    preview.set_defaults(run=_preview_round)
    db = commands.add_parser("db", help="the database as a whole: copy it to another")
    database = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    copying = database.add_parser(
        "copy",
        help="copy every record into a new, empty database (TinyDB to PostgreSQL or back), "
        "then check the copy; stop the bot first",
    )
    copying.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="SRC",
        help="a TinyDB file (like data/devpath.json) or a postgresql:// URL",
    )
    copying.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="DST",
        help="a TinyDB file or a postgresql:// URL, empty (a new TinyDB file is made)",
    )
    copying.set_defaults(run=_copy_database)
    return parser


def _copy_database(args: argparse.Namespace) -> int:
    """`devpath db copy --from SRC --to DST`: everything, then counts and a sample checked."""
    from urllib.parse import urlsplit

    from bot.store.copy import KINDS, SAMPLE, copy_database
    from bot.store.postgres_store import shown_url

    def place(given: str, flag: str) -> tuple[str, Any]:
        """("postgres", url) or ("tinydb", path), and what the place is the same as."""
        scheme = given.partition("://")[0].lower() if "://" in given else ""
        if scheme in ("postgres", "postgresql"):
            try:
                parts = urlsplit(given)
                same = (parts.hostname or "", parts.port or 5432, parts.path.strip("/"))
            except ValueError as error:
                raise UsageError(f"{flag}: {shown_url(given)}: not a valid URL ({error})") from None
            return "postgres", same
        if scheme:
            raise UsageError(
                f"{flag}: {shown_url(given)}: not a TinyDB file or a postgresql:// URL"
            )
        if not given.strip():
            raise UsageError(f"{flag}: give a TinyDB file or a postgresql:// URL")
        return "tinydb", Path(given).resolve()

    source_kind, source_same = place(args.source, "--from")
    target_kind, target_same = place(args.target, "--to")
    shown = {"--from": shown_url(args.source), "--to": shown_url(args.target)}
    if (source_kind, source_same) == (target_kind, target_same):
        raise UsageError(f"--from and --to are the same database ({shown['--to']})")
    if source_kind == "tinydb" and not source_same.is_file():
        raise UsageError(f"--from: {args.source}: no such database file")

    async def open_one(given: str, flag: str) -> Store:
        try:
            return await open_database(given, create=flag == "--to")
        except StoreError as error:
            reason = str(error).removeprefix("DATABASE_URL: ").removeprefix("DEVPATH_DB: ")
            raise StoreError(f"{flag}: {reason}") from None

    async def run() -> dict[str, int]:
        source = await open_one(args.source, "--from")
        try:
            target = await open_one(args.target, "--to")
            try:
                return await copy_database(source, target)
            finally:
                await target.aclose()
        finally:
            await source.aclose()

    counts = asyncio.run(run())
    each = ", ".join(f"{kind} {counts[kind]}" for kind in KINDS)
    print(
        f"copied {_count(sum(counts.values()), 'document')} from {shown['--from']} to "
        f"{shown['--to']} ({each}); counts and a sample of {SAMPLE} per kind match"
    )
    return 0


def _list_nudges(args: argparse.Namespace) -> int:
    settings = load_settings(slack=False)
    nudges = _with_existing_store(settings, lambda store: store.nudges())
    if nudges is None:
        print(f"no nudges: there is no database at {shown_place(database_place(settings))} yet")
        return 0
    shown = sorted(
        (n for n in nudges if args.all or n.state in ("scheduled", "sending")),
        key=lambda n: n.due_at,
    )
    print(f"{'due (UTC)':<17}  {'user':<12}  {'kind':<17}  {'state':<9}  tries")
    for n in shown:
        print(
            f"{n.due_at.astimezone(UTC):%Y-%m-%d %H:%M}  {n.user_id:<12}  {n.kind:<17}  "
            f"{n.state:<9}  {n.attempts}"
        )
    print(f"{_count(len(shown), 'nudge')}" + ("" if args.all else " coming up"))
    return 0


ROUND_HEADER = ("mentee_id", "mentor_id", "mentor_name", "score", "reason")


def _preview_round(args: argparse.Namespace) -> int:
    from bot.flows.rounds import propose

    settings = load_settings(slack=False)
    content = load_content(settings.content_dir)

    async def work(store: Store) -> tuple[Round, dict[str, str]] | None:
        found = await store.round_named(args.name)
        if found is None:
            return None
        if found.state == "open":
            proposal = await propose(Deps(settings, content, store), found)
            found = replace(
                found,
                proposal=proposal.pairs,
                unmatched=proposal.unmatched,
                first_come_total=proposal.first_come_total,
            )
        return found, {m.user_id: m.name for m in await store.mentors()}

    got = _with_existing_store(settings, work)
    if got is None:
        raise UsageError(f"no round called {args.name!r}: `/devpath round` starts one")
    found, names = got
    if args.csv:
        rows = [
            (p.mentee_id, p.mentor_id, names.get(p.mentor_id, ""), f"{p.score:g}", p.reason)
            for p in found.proposal
        ]
        rows += [(mentee, "", "", "", why) for mentee, why in found.unmatched.items()]
        text = write_rows(ROUND_HEADER, rows)
    else:
        text = _round_text(found, names)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise UsageError(f"{args.output}: cannot write it ({error.strerror})") from None
    print(f"wrote the {found.name} round ({_count(len(found.proposal), 'pair')}) to {args.output}")
    return 0


def _round_text(found: Round, names: Mapping[str, str]) -> str:
    state = (
        "not matched yet: this is what matching now would give"
        if found.state == "open"
        else found.state
    )
    base = found.first_come_total
    gain = f" ({100 * (found.total - base) / base:+.1f}%)" if base > 0 else ""
    lines = [
        f"{found.name}: {state}",
        f"{_count(len(found.proposal), 'pair')}, total score {found.total:g}; "
        f"first come on the same people: {base:g}{gain}",
        "",
    ]
    for pair in found.proposal:
        mentor = names.get(pair.mentor_id, pair.mentor_id)
        lines.append(f"  {pair.mentee_id:<12} -> {mentor} ({pair.mentor_id})  {pair.score:g}")
        lines.append(f"  {'':<12}    {pair.reason}")
    if found.unmatched:
        lines += ["", f"unmatched ({len(found.unmatched)}):"]
        lines += [f"  {mentee:<12} {why}" for mentee, why in found.unmatched.items()]
    return "\n".join(lines) + "\n"


def _run_due_nudges(_: argparse.Namespace) -> int:
    from bot.app import web_client
    from bot.background import Background

    settings = load_settings(slack=False)
    if settings.bot_token is None:
        raise UsageError("SLACK_BOT_TOKEN: missing; nudges are sent through Slack")
    content = load_content(settings.content_dir)

    async def once(store: Store) -> Any:
        background = Background(Deps(settings, content, store), web_client(settings))
        await background.recover(at_start=True)
        return await background.run_due()

    done = _with_existing_store(settings, once)
    if done is None:
        print(f"sent 0: there is no database at {shown_place(database_place(settings))} yet")
        return 0
    print(
        f"sent {len(done.sent)}, skipped {len(done.skipped)}, waiting for working hours "
        f"{len(done.deferred)}, cancelled {len(done.cancelled)}, retrying {len(done.retrying)}"
    )
    return 0


def _serve(_: argparse.Namespace) -> int:
    from bot.app import build_app
    from bot.server import PortUnavailable, serve

    configure_logging()
    settings = load_settings()
    content = load_content(settings.content_dir)

    async def run(store: Store) -> None:
        deps = Deps(settings, content, store)
        await serve(build_app(deps), deps)

    try:
        _with_store(settings, run)
    except PortUnavailable as error:
        raise UsageError(str(error)) from None
    return 0


def _try(args: argparse.Namespace) -> int:
    settings = load_settings(slack=False)
    content = load_content(settings.content_dir)
    timezone = _mentee_timezone(args.timezone)
    if args.answers is not None:
        answers = read_answers_file(args.answers, content)
    else:
        answers = ask(content, input_fn=input, out=sys.stdout)
    rec = recommend(content.questionnaire, answers, content.thresholds)
    user_id = f"cli:{args.user or getpass.getuser()}"
    now = utc_now()

    async def work(
        store: Store,
    ) -> tuple[tuple[list[Match], bool] | None, tuple[list[CoachMatch], bool] | None]:
        await store.add_response(Response(user_id, answers, rec, content.version, now))
        mentors = coaches = None
        if shows_mentors(rec.path):
            # The same ranking as in Slack, with the timezone the terminal was given.
            deps = Deps(settings, content, store, lambda: now)
            matches = await matches_for(None, deps, user_id, answers, person={"tz": timezone})
            mentors = matches, not await store.mentors()
        if rec.path in ("coaching", "both"):
            roster = await store.coaches()
            seeker = CoachingSeeker(user_id, answers.get("topics", ()), (), (), timezone)
            # The same ranking as in Slack: places taken by engagements in this database.
            taken = await store.coach_places_taken()
            fits = rank_coaches(
                seeker, roster, taken, set(), content.coaches, content.coaches.labels, now
            )
            coaches = fits, not roster
        return mentors, coaches

    mentors, coaches = _with_store(settings, work)
    print(render_recommendation(content, rec))
    if mentors is not None:
        print(render_matches(content, *mentors))
    if coaches is not None:
        print(render_coaches(*coaches))
    print(f"\nSaved in {shown_place(database_place(settings))} as {user_id}.")
    return 0


def _with_store(settings: Settings, work: Callable[[Store], Awaitable[T]]) -> T:
    """Open the database (made if there is none yet), do the work, close it, all in one
    event loop."""

    async def run() -> T:
        store = await open_store(settings)
        try:
            return await work(store)
        finally:
            await store.aclose()

    return asyncio.run(run())


def _with_existing_store(settings: Settings, work: Callable[[Store], Awaitable[T]]) -> T | None:
    """As `_with_store`, but None when there is no database yet, and none is made: reading
    an empty pool or listing nudges should not leave a database behind."""

    async def run() -> T | None:
        if not await database_exists(database_place(settings)):
            return None
        store = await open_store(settings, create=False)
        try:
            return await work(store)
        finally:
            await store.aclose()

    return asyncio.run(run())


def _mentee_timezone(given: str | None) -> str | None:
    """--timezone when given (it must be a real name), else $TZ when it is one, else None."""
    if given is not None:
        timezone = iana_timezone(given)
        if timezone is None:
            raise UsageError(
                f"--timezone: '{given}' is not an IANA timezone name (like Europe/London)"
            )
        return timezone
    from_env = os.environ.get("TZ", "").strip().removeprefix(":")
    return iana_timezone(from_env) if from_env else None


def render_matches(content: Content, matches: Sequence[Match], pool_empty: bool) -> str:
    """The mentors who fit, best first, or plainly why there are none."""
    if not matches:
        lines = ["", "No mentor in the pool fits yet."]
        if pool_empty:
            lines.append(f"The pool is empty; load one with: devpath mentors import {EXAMPLE_POOL}")
        return "\n".join(lines)
    seniority = {s.value: s.label for s in content.matching.seniority}
    lines = ["", "Mentors who fit:"]
    for number, match in enumerate(matches, start=1):
        mentor = match.mentor
        level = seniority.get(mentor.seniority, mentor.seniority)
        lines.append(f"  {number}. {mentor.name} ({level}) — {match.reason}")
        if mentor.bio:
            lines.append(f"     {mentor.bio}")
    return "\n".join(lines)


def render_coaches(matches: Sequence[CoachMatch], roster_empty: bool) -> str:
    """The coaches who fit, best first, with how to reach an external one."""
    if not matches:
        lines = ["", "No coach on the roster fits yet."]
        if roster_empty:
            lines.append(
                f"The roster is empty; load one with: devpath coaches import {EXAMPLE_ROSTER}"
            )
        return "\n".join(lines)
    lines = ["", "Coaches who fit:"]
    for number, match in enumerate(matches, start=1):
        coach = match.coach
        where = f" ({coach.organisation})" if coach.organisation else " (internal coach)"
        lines.append(f"  {number}. {coach.name}{where} — {match.reason}")
        if coach.credentials:
            lines.append(f"     {coach.credentials}")
        if coach.booking_url:
            lines.append(f"     Book: {coach.booking_url}")
    return "\n".join(lines)


@dataclass(frozen=True)
class _Sheet(Generic[T]):
    """One kind of record as CSV: the mentor pool, or the coach roster."""

    thing: str  # "mentor", "coach": in messages ...
    things: str  # ... and the command's name
    header_problem: str
    read: Callable[[str, Content, Callable[[int], None]], tuple[list[T], list[str]]]
    write: Callable[[Iterable[T]], str]
    key: Callable[[T], str]
    name: Callable[[T], str]
    load: Callable[[Store], Awaitable[list[T]]]
    # One part of an import, written whole or not at all, with its audit entry.
    save: Callable[[Store, list[T], str, str, datetime], Awaitable[None]]
    # A record from the file as the store keeps it over the one already there.
    as_stored: Callable[[T, T], T]


MENTOR_CSV: _Sheet[Mentor] = _Sheet(
    "mentor",
    "mentors",
    HEADER_PROBLEM,
    read_pool,
    write_pool,
    lambda m: m.user_id,
    lambda m: m.name,
    lambda store: store.mentors(),
    lambda store, mentors, by, what, now: store.import_mentors(mentors, by, what, now),
    # A mentor's own time away and nomination date are not in the file; the store keeps them.
    lambda new, old: replace(new, away_until=old.away_until, nominated_at=old.nominated_at),
)
COACH_CSV: _Sheet[Coach] = _Sheet(
    "coach",
    "coaches",
    ROSTER_HEADER_PROBLEM,
    lambda text, content, progress: read_roster(text, content, progress=progress),
    write_roster,
    lambda c: c.id,
    lambda c: c.name,
    lambda store: store.coaches(),
    lambda store, coaches, by, what, now: store.save_coaches(coaches, by, what, now),
    lambda new, old: new,
)


def _csv_commands(commands: Any, sheet: _Sheet[T], what: str) -> None:
    """`devpath mentors import|export` or `devpath coaches import|export`."""
    things = sheet.things
    group = commands.add_parser(things, help=f"{what} as CSV: import or export")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    importing = actions.add_parser(
        "import",
        help=f"add or update {things} from a CSV file ({things} not in it stay as they are)",
    )
    importing.add_argument("file", type=Path, metavar="FILE.csv")
    importing.add_argument(
        "--dry-run", action="store_true", help="show what would change and write nothing"
    )
    importing.add_argument(
        "--skip-invalid", action="store_true", help="import the good rows and list the bad ones"
    )
    importing.set_defaults(run=lambda args: _import(sheet, args))
    exporting = actions.add_parser("export", help=f"write {what} as CSV")
    exporting.add_argument(
        "--output", type=Path, metavar="FILE", help="write to this file (default: stdout)"
    )
    exporting.set_defaults(run=lambda args: _export(sheet, args))


def _import(sheet: _Sheet[T], args: argparse.Namespace) -> int:
    """Check every row first, and write nothing if one is bad (unless --skip-invalid); then
    write the new and changed records in parts of IMPORT_PART, each whole or not at all,
    showing progress on stderr when there is more than one part's worth."""
    settings = load_settings(slack=False)
    content = load_content(settings.content_dir)
    path: Path = args.file
    text = _read_text(path)
    lines = text.count("\n") + (not text.endswith("\n"))
    checking = Progress(
        f"checking {path.name}", lines, "lines", quiet=lines - 1 <= IMPORT_PART, steps=4
    )
    try:
        records, problems = sheet.read(text, content, checking)
    finally:
        checking.end()
    if sheet.header_problem in problems:
        raise UsageError(f"{path}: {sheet.header_problem}; nothing was imported")
    bad = bad_row_count(problems)
    rows = "row" if bad == 1 else "rows"
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems and not args.skip_invalid:
        them = "it" if bad == 1 else "them"
        raise UsageError(
            f"{bad} bad {rows} in {path}; nothing was imported (fix {them}, or use --skip-invalid)"
        )
    if problems:
        print(f"devpath: skipped {bad} bad {rows} in {path}", file=sys.stderr)
    if not records:
        raise UsageError(f"{path}: no {sheet.things} to import; nothing was imported")
    if args.dry_run:
        added, updated, unchanged = _changes(sheet, records, _stored(settings, sheet))
        shown = [f"would add {len(added)}, update {len(updated)}, leave {unchanged} unchanged"]
        shown += [f"  add: {sheet.name(r)} ({sheet.key(r)})" for r in added]
        shown += [f"  update: {sheet.name(r)} ({sheet.key(r)})" for r in updated]
        print("\n".join(shown))
        return 0
    by = f"cli:{getpass.getuser()}"
    print(_with_store(settings, lambda store: _save_in_parts(sheet, store, records, path, by)))
    return 0


def _changes(sheet: _Sheet[T], records: list[T], stored: list[T]) -> tuple[list[T], list[T], int]:
    """The records to add and to update, in file order, and how many are unchanged."""
    existing = {sheet.key(r): r for r in stored}
    added = [r for r in records if sheet.key(r) not in existing]
    updated = [
        r
        for r in records
        if (old := existing.get(sheet.key(r))) is not None and sheet.as_stored(r, old) != old
    ]
    return added, updated, len(records) - len(added) - len(updated)


async def _save_in_parts(
    sheet: _Sheet[T], store: Store, records: list[T], path: Path, by: str
) -> str:
    """Write what the file adds or changes, IMPORT_PART records a write, each part with an
    audit entry of its own; the summary. A failure says how many got in: the parts before it,
    whole (importing the file again finishes the job)."""
    added, updated, unchanged = _changes(sheet, records, await sheet.load(store))
    summary = (
        f"imported {_count(len(records), sheet.thing, sheet.things)} from {path.name}: "
        f"{len(added)} added, {len(updated)} updated, {unchanged} unchanged"
    )
    to_write = {sheet.key(r) for r in [*added, *updated]}
    changed = [r for r in records if sheet.key(r) in to_write]
    parts = math.ceil(len(changed) / IMPORT_PART)
    writing = Progress(f"importing {sheet.things}", len(changed), quiet=parts <= 1)
    now, done = utc_now(), 0
    try:
        for number, start in enumerate(range(0, len(changed), IMPORT_PART), start=1):
            part = changed[start : start + IMPORT_PART]
            what = summary if parts == 1 else f"{summary} (part {number} of {parts})"
            await sheet.save(store, part, by, what, now)
            done += len(part)
            writing(done)
    except BaseException as error:
        writing.end()
        stopped = (
            f"the import stopped after writing {done:,} of the {len(changed):,} "
            f"{sheet.things} to add or update, in file order; the rest are not in: "
            "import the file again once that is fixed"
        )
        if isinstance(error, StoreError):
            raise StoreError(f"{error}; {stopped}") from None
        print(f"devpath: {stopped}", file=sys.stderr)
        raise
    writing.end()
    return summary


def _export(sheet: _Sheet[T], args: argparse.Namespace) -> int:
    settings = load_settings(slack=False)
    load_content(settings.content_dir)  # a broken content directory stops here, as elsewhere
    records = _stored(settings, sheet)
    text = sheet.write(records)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8", newline="") as file:
            file.write(text)
    except OSError as error:
        raise UsageError(f"{args.output}: cannot write it ({error.strerror})") from None
    print(f"exported {_count(len(records), sheet.thing, sheet.things)} to {args.output}")
    return 0


def _count(number: int, thing: str, things: str | None = None) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {things or thing + 's'}"


def _stored(settings: Settings, sheet: _Sheet[T]) -> list[T]:
    """The mentors (or coaches) in the database; none when there is no database yet (and
    none is made)."""
    return _with_existing_store(settings, sheet.load) or []


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"{path}: cannot read it ({error.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UsageError(
            f"{path}: line {line}: not UTF-8 text; save it as CSV UTF-8 and try again"
        ) from None


def read_answers_file(path: Path, content: Content) -> Answers:
    """A JSON object of question id to option value (a list of values for multi questions)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"{path}: cannot read it ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise UsageError(f"{path}: line {error.lineno}: {error.msg}") from None
    if not isinstance(raw, dict):
        raise UsageError(f"{path}: should be a JSON object of question id to answer")
    questionnaire = content.questionnaire
    if all(isinstance(v, (str, list)) for v in raw.values()):
        given = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in raw.items()}
        raw = {k: list(v) for k, v in in_current_terms(given).items()}
    unknown = [key for key in raw if questionnaire.question(key) is None]
    missing = [q.id for q in questionnaire.questions if not q.optional and q.id not in raw]
    if unknown and missing:
        # A file written for an earlier questionnaire: say in one line what it lacks.
        raise UsageError(
            f"{path}: written for an earlier questionnaire: {_quoted(unknown)} no longer "
            f"asked; missing: {_quoted(missing)} (examples/ has files in today's shape)"
        )
    if unknown:
        known = ", ".join(q.id for q in questionnaire.questions)
        raise UsageError(f"{path}: unknown question '{unknown[0]}' (questions: {known})")
    picked = {key: [value] if isinstance(value, str) else value for key, value in raw.items()}
    answers: dict[str, tuple[str, ...]] = {}
    for number in range(1, len(questionnaire.steps) + 1):
        if any(
            not isinstance(v, list) or not all(isinstance(x, str) for x in v)
            for v in picked.values()
        ):
            raise UsageError(f"{path}: every answer should be an option value or a list of them")
        step_answers, errors = check_step(questionnaire, number, picked)
        if errors:
            question_id, problem = next(iter(errors.items()))
            question = questionnaire.question(question_id)
            assert question is not None
            choices = ", ".join(o.value for o in question.options)
            raise UsageError(f"{path}: question '{question_id}': {problem} (choices: {choices})")
        answers.update(step_answers)
    return answers


def _quoted(ids: list[str]) -> str:
    return ", ".join(f"'{i}'" for i in ids)


def ask(content: Content, input_fn: Callable[[str], str], out: TextIO) -> Answers:
    questionnaire = content.questionnaire
    total = len(questionnaire.steps)
    answers: dict[str, tuple[str, ...]] = {}
    out.write("devpath: coaching or mentoring? A few questions, then your recommendation.\n")
    for number, step in enumerate(questionnaire.steps, start=1):
        out.write(f"\n== Step {number} of {total}: {step.title} ==\n")
        for question in step.questions:
            answers[question.id] = _ask_one(question, input_fn, out)
    return {k: v for k, v in answers.items() if v}


def _ask_one(question: Question, input_fn: Callable[[str], str], out: TextIO) -> tuple[str, ...]:
    out.write(f"\n{question.label}\n")
    if question.hint:
        out.write(f"  ({question.hint})\n")
    for index, choice in enumerate(question.options, start=1):
        out.write(f"  {index}. {choice.label}\n")
    many = question.kind == "multi"
    prompt = "Numbers, separated by commas" if many else "Number"
    prompt += " (Enter to skip): " if question.optional else ": "
    while True:
        try:
            reply = input_fn(prompt).strip()
        except EOFError:
            raise UsageError("no answer given (input ended); use --answers FILE.json") from None
        if not reply and question.optional:
            return ()
        picked = _pick(reply, len(question.options), many)
        if picked is not None:
            return tuple(question.options[i - 1].value for i in picked)
        count = len(question.options)
        out.write(
            f"  Please type {'one or more numbers' if many else 'a number'} from 1 to {count}.\n"
        )


def _pick(reply: str, count: int, many: bool) -> list[int] | None:
    parts = [p.strip() for p in reply.replace(" ", ",").split(",") if p.strip()]
    if not parts or (len(parts) > 1 and not many):
        return None
    if not all(p.isdigit() and 1 <= int(p) <= count for p in parts):
        return None
    return list(dict.fromkeys(int(p) for p in parts))


def render_recommendation(content: Content, rec: Recommendation) -> str:
    """The result in the terminal, in the same words as in Slack (bot/screens/result.py)."""
    said = advice(content, rec)
    lines: list[str] = ["", f"*** {said.title} ***", said.how_sure, "", said.summary]
    for heading, reasons in said.why:
        lines += ["", f"{heading}:", *(f"  - {r}" for r in reasons)]
    for heading, items in (("Also in your answers", said.also), (PULLS, said.against)):
        if items:
            *named, note = items
            lines += ["", f"{heading}:", *(f"  - {item}" for item in named), f"  {note}"]
    if said.decide:
        lines += ["", "What would decide it:", *(f"  - {item}" for item in said.decide)]
    for heading, steps in said.steps:
        lines += ["", f"{heading}:", *(f"  {i}. {s}" for i, s in enumerate(steps, start=1))]
    if said.together:
        lines += ["", said.together]
    return "\n".join(lines)
