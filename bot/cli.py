"""The devpath command: serve the bot, or try the questionnaire in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.content import Content, ContentError, load_content
from bot.deps import Deps, utc_now
from bot.domain.questionnaire import Answers, Question, check_step
from bot.domain.recommendation import Recommendation, recommend
from bot.domain.records import Response
from bot.settings import SettingsError, load_settings
from bot.store import Store, StoreError


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
    trial.set_defaults(run=_try)
    return parser


def _serve(_: argparse.Namespace) -> int:
    from bot.app import build_app
    from bot.server import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = load_settings()
    content = load_content(settings.content_dir)
    store = Store.open(settings.db_path)
    try:
        app = build_app(Deps(settings, content, store))
        asyncio.run(serve(app, settings))
    finally:
        store.close()
    return 0


def _try(args: argparse.Namespace) -> int:
    settings = load_settings(slack=False)
    content = load_content(settings.content_dir)
    if args.answers is not None:
        answers = read_answers_file(args.answers, content)
    else:
        answers = ask(content, input_fn=input, out=sys.stdout)
    rec = recommend(content.questionnaire, answers, content.thresholds)
    user_id = f"cli:{args.user or getpass.getuser()}"
    store = Store.open(settings.db_path)
    try:
        response = Response(user_id, answers, rec, content.version, utc_now())
        asyncio.run(store.add_response(response))
    finally:
        store.close()
    print(render_recommendation(content, rec))
    print(f"\nSaved in {settings.db_path} as {user_id}.")
    return 0


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
    unknown = [key for key in raw if questionnaire.question(key) is None]
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
    text = content.paths[rec.path]
    lines: list[Any] = [
        "",
        f"*** {text.title} ***",
        f"How sure: {rec.confidence_label} ({rec.confidence:.0%}); your answers lean "
        f"{rec.coaching:.0%} to coaching and {rec.mentoring:.0%} to mentoring.",
        "",
        text.summary,
        "",
        "Why:",
        *(f"  - {r.axis}: {r.text} (you said “{r.answer}”)" for r in rec.reasons),
        "",
        "Next steps:",
        *(f"  {i}. {s}" for i, s in enumerate(text.next_steps, start=1)),
    ]
    return "\n".join(lines)
