"""Loads and checks the content in conversations/: the questionnaire and the result texts.

A broken file stops the bot with one line that names the file, the question and the problem.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields
from datetime import time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.domain.coaching import (
    Budget,
    Choice,
    CoachArea,
    CoachingRules,
    CoachRules,
    CoachWeights,
    Timeframe,
)
from bot.domain.durations import parse_duration
from bot.domain.feedback import FEWEST_GIVERS, MOST_GIVERS, SCALE, Behaviour, FeedbackRules
from bot.domain.matching import MatchingRules, Seniority, Weights
from bot.domain.mentoring import MentoringRules
from bot.domain.nudges import Cadence, WorkingHours
from bot.domain.questionnaire import Option, Question, Questionnaire, Step
from bot.domain.recommendation import Path as RecommendedPath
from bot.domain.recommendation import Thresholds

QUESTIONNAIRE_FILE = "questionnaire.yml"
RESULTS_FILE = "results.yml"
MATCHING_FILE = "matching.yml"
NUDGES_FILE = "nudges.yml"
COACHES_FILE = "coaches.yml"
FEEDBACK_FILE = "feedback.yml"
FEEDBACK_TEXTS = ("ask", "reminder", "thanks")
COACHING_FILE = "coaching.yml"
MENTORING_FILE = "mentoring.yml"
ACCESS_FILE = "access.yml"  # optional: without it, guests are refused in the words below
ACCESS_TEXTS = {
    "guest": "devpath is for the members of this workspace, and guest accounts cannot use it "
    "here. If you think you should have access, ask your program admin.",
    "external": "devpath serves the members of the workspace it is installed in, and your "
    "account belongs to another organisation.",
    "unknown": "devpath could not check your account with Slack just now. Nothing is lost: "
    "please try again in a minute.",
}
GUESTS = ("refused", "allowed")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Each kind of nudge and the duration key that times it (None: timed from elsewhere: the
# mid-point half-way through an engagement, a coach's reminder from coaching.yml).
NUDGE_TIMING: dict[str, str | None] = {
    "reach_out": "after",
    "answer_request": "before_lapse",
    "did_you_meet": "after",
    "check_in": "every",
    "coaching_goals": "after",
    "coaching_midpoint": None,
    "coaching_review": "before_end",
    "gentle_reminder": "after",
    "coaching_offer": None,
}
# The questions mentor matching reads; mentors pick from the same options.
MATCHED_QUESTIONS = {"field": "single", "topics": "multi", "career_stage": "single"}
# The parts each path has in results.yml: (text keys, list keys), all required.
RESULT_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "coaching": (
        ("title", "tentative_title", "summary", "also", "against", "tip"),
        ("next_steps",),
    ),
    "mentoring": (
        ("title", "tentative_title", "summary", "also", "against", "tip"),
        ("next_steps",),
    ),
    "both": (("title", "summary", "together"), ("with_a_coach", "with_a_mentor")),
    "not_sure": (("title", "summary"), ("decide", "next_steps")),
}
THRESHOLDS = ("need", "clear_need", "acknowledge")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
_VALUE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,149}$")
MAX_WEIGHT = 5


class ContentError(Exception):
    """A content file cannot be used; the message is one line for the operator."""


@dataclass(frozen=True)
class PathText:
    """What results.yml says for one path; which parts a path has is in RESULT_KEYS."""

    title: str
    summary: str
    next_steps: tuple[str, ...] = ()
    tentative_title: str | None = None  # a single path whose advice is mixed
    also: str | None = None  # after the other side's needs, for a single path
    against: str | None = None  # after a preference that points the other way
    tip: str | None = None  # what would tip a mixed result
    with_a_coach: tuple[str, ...] = ()  # both: the steps side by side ...
    with_a_mentor: tuple[str, ...] = ()
    together: str | None = None  # ... and how the two work together
    decide: tuple[str, ...] = ()  # not sure yet: the questions that would decide it

    def heading(self, confidence_label: str) -> str:
        """The title, never claiming more than the advice is sure of."""
        if confidence_label == "mixed" and self.tentative_title:
            return self.tentative_title
        return self.title


@dataclass(frozen=True)
class NudgeContent:
    cadence: Cadence
    hours: WorkingHours
    per_minute: int
    texts: dict[str, str]
    last_of_kind: str


@dataclass(frozen=True)
class FeedbackContent:
    rules: FeedbackRules
    texts: dict[str, str]  # FEEDBACK_TEXTS, with {person} and {closes} to fill in


@dataclass(frozen=True)
class AccessRules:
    """Who besides the workspace's full members may use devpath, and what the others read."""

    guests_allowed: bool = False
    texts: dict[str, str] = field(default_factory=lambda: dict(ACCESS_TEXTS))


@dataclass(frozen=True)
class Content:
    questionnaire: Questionnaire
    thresholds: Thresholds
    paths: dict[RecommendedPath, PathText]
    matching: MatchingRules
    nudges: NudgeContent
    coaches: CoachRules
    feedback: FeedbackContent
    coaching: CoachingRules
    access: AccessRules = field(default_factory=AccessRules)
    mentoring: MentoringRules = field(default_factory=MentoringRules)

    @property
    def version(self) -> str:
        return self.questionnaire.version

    def options_of(self, question_id: str) -> tuple[Option, ...]:
        question = self.questionnaire.question(question_id)
        return question.options if question else ()

    @property
    def labels(self) -> dict[str, str]:
        """Field and topic values to the words people read."""
        return {o.value: o.label for q in ("field", "topics") for o in self.options_of(q)}


def default_content_dir() -> Path:
    return Path(str(resources.files("bot.conversations")))


def load_content(directory: Path | None = None) -> Content:
    directory = directory or default_content_dir()
    q_raw, q_digest = _read(directory, QUESTIONNAIRE_FILE)
    r_raw, r_digest = _read(directory, RESULTS_FILE)
    digest = hashlib.sha256(q_digest + r_digest).hexdigest()[:8]
    questionnaire = _Checker(_display(directory, QUESTIONNAIRE_FILE)).questionnaire(q_raw, digest)
    thresholds, paths = _Checker(_display(directory, RESULTS_FILE)).results(r_raw)
    m_raw, _ = _read(directory, MATCHING_FILE)
    matching = _Checker(_display(directory, MATCHING_FILE)).matching(m_raw, questionnaire)
    n_raw, _ = _read(directory, NUDGES_FILE)
    nudges = _Checker(_display(directory, NUDGES_FILE)).nudges(n_raw)
    if nudges.cadence.answer_before_lapse >= matching.intro_expires_after:
        raise ContentError(
            f"{_display(directory, NUDGES_FILE)}: kind 'answer_request' before_lapse should be "
            f"shorter than intros expires_after in {MATCHING_FILE}"
        )
    c_raw, _ = _read(directory, COACHES_FILE)
    coaches = _Checker(_display(directory, COACHES_FILE)).coaches(c_raw, questionnaire)
    f_raw, _ = _read(directory, FEEDBACK_FILE)
    feedback = _Checker(_display(directory, FEEDBACK_FILE)).feedback(f_raw)
    g_raw, _ = _read(directory, COACHING_FILE)
    coaching = _Checker(_display(directory, COACHING_FILE)).coaching(g_raw, questionnaire)
    access = AccessRules()
    if (directory / ACCESS_FILE).exists():
        a_raw, _ = _read(directory, ACCESS_FILE)
        access = _Checker(_display(directory, ACCESS_FILE)).access(a_raw)
    mentoring = MentoringRules()
    if (directory / MENTORING_FILE).exists():
        r_raw, _ = _read(directory, MENTORING_FILE)
        mentoring = _Checker(_display(directory, MENTORING_FILE)).mentoring(r_raw)
    return Content(
        questionnaire,
        thresholds,
        paths,
        matching,
        nudges,
        coaches,
        feedback,
        coaching,
        access,
        mentoring,
    )


def _display(directory: Path, name: str) -> str:
    if directory == default_content_dir():
        return f"conversations/{name}"
    return str(directory / name)


def _read(directory: Path, name: str) -> tuple[Any, bytes]:
    path = directory / name
    shown = _display(directory, name)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ContentError(f"{shown}: cannot read it ({error.strerror})") from None
    try:
        return yaml.safe_load(data), data
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise ContentError(f"{shown}: {where}{problem}") from None


class _Checker:
    """Checks one file; every complaint names the file and where in it."""

    def __init__(self, shown: str) -> None:
        self.shown = shown

    def fail(self, where: str, problem: str) -> ContentError:
        return ContentError(
            f"{self.shown}: {where}: {problem}" if where else f"{self.shown}: {problem}"
        )

    def mapping(self, value: Any, where: str, allowed: set[str], required: set[str]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, "should be a mapping of keys to values")
        unknown = sorted(set(map(str, value)) - allowed)
        if unknown:
            raise self.fail(
                where, f"unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})"
            )
        missing = sorted(required - set(value))
        if missing:
            raise self.fail(where, f"'{missing[0]}' is missing")
        return value

    def text(self, value: Any, where: str, most: int) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "should be some text")
        if len(value) > most:
            raise self.fail(where, f"is {len(value)} characters; at most {most} fit in Slack")
        return value.strip()

    def number(self, value: Any, where: str, low: float, high: float, whole: bool = False) -> float:
        kinds = (int,) if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
            kind = "a whole number" if whole else "a number"
            raise self.fail(where, f"should be {kind} from {low:g} to {high:g}, not {value!r}")
        return value

    def questionnaire(self, raw: Any, digest: str) -> Questionnaire:
        top = self.mapping(raw, "", {"version", "axes", "steps"}, {"version", "axes", "steps"})
        version = self.text(str(top["version"]), "version", 50)
        axes = top["axes"]
        if not isinstance(axes, dict) or not axes:
            raise self.fail("axes", "should map each axis id to its name")
        axes = {str(k): self.text(v, f"axis '{k}'", 75) for k, v in axes.items()}
        steps_raw = top["steps"]
        if not isinstance(steps_raw, list) or not 1 <= len(steps_raw) <= 6:
            raise self.fail("steps", "should be a list of 1 to 6 steps")
        seen: set[str] = set()
        steps = []
        for number, step_raw in enumerate(steps_raw, start=1):
            where = f"step {number}"
            step_raw = self.mapping(step_raw, where, {"title", "questions"}, {"title", "questions"})
            questions_raw = step_raw["questions"]
            if not isinstance(questions_raw, list) or not 1 <= len(questions_raw) <= 20:
                raise self.fail(where, "should have a list of 1 to 20 questions")
            questions = []
            for index, question_raw in enumerate(questions_raw, start=1):
                question = self.question(question_raw, f"{where}, question {index}", axes)
                if question.id in seen:
                    raise self.fail(f"question '{question.id}'", "the id is used twice")
                seen.add(question.id)
                questions.append(question)
            steps.append(
                Step(self.text(step_raw["title"], f"{where} title", 100), tuple(questions))
            )
        return Questionnaire(f"{version}+{digest}", axes, tuple(steps))

    def question(self, raw: Any, where: str, axes: dict[str, str]) -> Question:
        keys = {"id", "label", "axis", "kind", "options", "optional", "hint", "cap", "weighs"}
        raw = self.mapping(raw, where, keys, {"id", "label", "axis", "kind", "options"})
        qid = raw["id"]
        if not isinstance(qid, str) or not _ID.match(qid):
            raise self.fail(where, f"id {qid!r} should be lowercase letters, digits and _")
        where = f"question '{qid}'"
        if raw["axis"] not in axes:
            raise self.fail(where, f"axis '{raw['axis']}' is not one of {', '.join(axes)}")
        kind = raw["kind"]
        if kind not in ("single", "multi"):
            raise self.fail(where, f"kind should be single or multi, not {kind!r}")
        options_raw = raw["options"]
        if not isinstance(options_raw, list) or not 2 <= len(options_raw) <= 100:
            raise self.fail(where, "should have a list of 2 to 100 options")
        options = tuple(
            self.option(o, f"{where}, option {i}") for i, o in enumerate(options_raw, 1)
        )
        values = [o.value for o in options]
        if len(set(values)) != len(values):
            twice = next(v for v in values if values.count(v) > 1)
            raise self.fail(where, f"option value '{twice}' is used twice")
        cap = raw.get("cap")
        if cap is not None:
            if kind != "multi":
                raise self.fail(where, "cap only applies to multi questions")
            cap = int(self.number(cap, f"{where} cap", 1, 50, whole=True))
        optional = raw.get("optional", False)
        if not isinstance(optional, bool):
            raise self.fail(where, "optional should be true or false")
        hint = self.text(raw["hint"], f"{where} hint", 2000) if "hint" in raw else None
        weighs = raw.get("weighs", "need")
        if weighs not in ("need", "preference"):
            raise self.fail(where, f"weighs should be need or preference, not {weighs!r}")
        return Question(
            id=qid,
            label=self.text(raw["label"], f"{where} label", 2000),
            axis=raw["axis"],
            kind=kind,
            options=options,
            optional=optional,
            hint=hint,
            cap=cap,
            weighs=weighs,
        )

    def option(self, raw: Any, where: str) -> Option:
        keys = {"value", "label", "coaching", "mentoring", "reason"}
        keys |= {"coaching_reason", "mentoring_reason"}
        raw = self.mapping(raw, where, keys, {"value", "label"})
        value = raw["value"]
        if not isinstance(value, str) or not _VALUE.match(value):
            raise self.fail(where, f"value {value!r} should be lowercase letters, digits, _ or -")
        where = f"{where} '{value}'"
        weights = {
            side: int(self.number(raw.get(side, 0), f"{where} {side}", 0, MAX_WEIGHT, True))
            for side in ("coaching", "mentoring")
        }
        texts = {
            key: self.text(raw[key], f"{where} {key}", 500) if key in raw else None
            for key in ("reason", "coaching_reason", "mentoring_reason")
        }
        self.reasons_fit(where, weights, texts)
        return Option(
            value=value,
            label=self.text(raw["label"], f"{where} label", 75),
            coaching=weights["coaching"],
            mentoring=weights["mentoring"],
            reason=texts["reason"],
            coaching_reason=texts["coaching_reason"],
            mentoring_reason=texts["mentoring_reason"],
        )

    def reasons_fit(
        self, where: str, weights: dict[str, int], texts: dict[str, str | None]
    ) -> None:
        """A reason is shown only for the side it was written for, so every weight needs one,
        and an answer weighing on both sides needs one for each."""
        weighing = [side for side, weight in weights.items() if weight > 0]
        for side in ("coaching", "mentoring"):
            if texts[f"{side}_reason"] is not None and side not in weighing:
                raise self.fail(where, f"{side}_reason given, but the {side} weight is 0")
        if texts["reason"] is not None and len(weighing) != 1:
            raise self.fail(
                where,
                "reason fits an answer that weighs on one side; "
                "give coaching_reason and mentoring_reason instead"
                if weighing
                else "reason given, but the answer weighs 0 on both sides",
            )
        for side in weighing:
            if texts[f"{side}_reason"] is None and (texts["reason"] is None or len(weighing) > 1):
                raise self.fail(where, f"weighs toward {side}, so it needs a reason for {side}")

    def results(self, raw: Any) -> tuple[Thresholds, dict[RecommendedPath, PathText]]:
        keys = {"thresholds", "how_to_request_coach", "paths"}
        top = self.mapping(raw, "", keys, keys)
        names = set(THRESHOLDS)
        limits = self.mapping(top["thresholds"], "thresholds", names, names)
        thresholds = Thresholds(
            **{k: int(self.number(v, f"thresholds {k}", 1, 100, True)) for k, v in limits.items()}
        )
        if thresholds.clear_need < thresholds.need:
            raise self.fail("thresholds", "clear_need should be at least need")
        how_to = self.text(top["how_to_request_coach"], "how_to_request_coach", 1000)
        paths_raw = self.mapping(top["paths"], "paths", set(RESULT_KEYS), set(RESULT_KEYS))
        paths: dict[RecommendedPath, PathText] = {}
        for name, body in paths_raw.items():
            where = f"path '{name}'"
            text_keys, list_keys = RESULT_KEYS[name]
            wanted = set(text_keys) | set(list_keys)
            body = self.mapping(body, where, wanted, wanted)
            parts: dict[str, Any] = {
                key: self.text(body[key], f"{where} {key}", 150 if key.endswith("title") else 1500)
                for key in text_keys
            }
            for key in list_keys:
                lines = body[key]
                if not isinstance(lines, list) or not 1 <= len(lines) <= 8:
                    raise self.fail(where, f"{key} should be a list of 1 to 8 lines")
                parts[key] = tuple(
                    self.text(line, f"{where} {key} {i}", 300).replace(
                        "{how_to_request_coach}", how_to
                    )
                    for i, line in enumerate(lines, 1)
                )
            paths[name] = PathText(**parts)
        return thresholds, paths

    def matching(self, raw: Any, questionnaire: Questionnaire) -> MatchingRules:
        keys = {"weights", "seniority", "mentee_levels", "matches_shown", "intros"}
        top = self.mapping(raw, "", keys, keys)
        matched: dict[str, Question] = {}
        for question_id, kind in MATCHED_QUESTIONS.items():
            question = questionnaire.question(question_id)
            if question is None or question.kind != kind:
                raise self.fail(
                    "", f"matching needs a {kind} question '{question_id}' in {QUESTIONNAIRE_FILE}"
                )
            matched[question_id] = question
        names = {f.name for f in fields(Weights)}
        weights_raw = self.mapping(top["weights"], "weights", names, names)

        def weight(name: str, low: float = 0) -> float:
            return self.number(weights_raw[name], f"weights {name}", low, 1000)

        weights = Weights(
            field=weight("field"),
            topic=weight("topic"),
            # How many shared topics score: a count, so a whole number.
            topics_counted=int(
                self.number(weights_raw["topics_counted"], "weights topics_counted", 0, 1000, True)
            ),
            seniority=weight("seniority"),
            timezone=weight("timezone"),
            timezone_far_hours=weight("timezone_far_hours", 1),
            capacity=weight("capacity"),
        )
        levels_raw = top["seniority"]
        if not isinstance(levels_raw, list) or not 1 <= len(levels_raw) <= 10:
            raise self.fail("seniority", "should be a list of 1 to 10 levels")
        seniority = []
        for index, level_raw in enumerate(levels_raw, 1):
            where = f"seniority {index}"
            level_raw = self.mapping(
                level_raw, where, {"value", "label", "level"}, {"value", "label", "level"}
            )
            value = level_raw["value"]
            if not isinstance(value, str) or not _VALUE.match(value):
                raise self.fail(
                    where, f"value {value!r} should be lowercase letters, digits, _ or -"
                )
            seniority.append(
                Seniority(
                    value,
                    self.text(level_raw["label"], f"{where} label", 75),
                    int(self.number(level_raw["level"], f"{where} level", 0, 100, True)),
                )
            )
        stages = {o.value for o in matched["career_stage"].options}
        levels = self.mapping(top["mentee_levels"], "mentee_levels", stages, stages)
        mentee_levels = {
            k: int(self.number(v, f"mentee_levels {k}", 0, 100, True)) for k, v in levels.items()
        }
        intros = self.mapping(
            top["intros"],
            "intros",
            {"expires_after", "kickoff", "ask_limit", "ask_window"},
            {"expires_after", "kickoff", "ask_limit", "ask_window"},
        )
        expires = self.duration(intros["expires_after"], "intros expires_after")
        ask_window = self.duration(intros["ask_window"], "intros ask_window")
        return MatchingRules(
            weights=weights,
            seniority=tuple(seniority),
            mentee_levels=mentee_levels,
            matches_shown=int(self.number(top["matches_shown"], "matches_shown", 1, 10, True)),
            intro_expires_after=expires,
            kickoff=self.text(intros["kickoff"], "intros kickoff", 2500),
            ask_limit=int(self.number(intros["ask_limit"], "intros ask_limit", 1, 100, True)),
            ask_window=ask_window,
        )

    def coaches(self, raw: Any, questionnaire: Questionnaire) -> CoachRules:
        keys = {"areas", "languages", "timezones", "weights", "coaches_shown"}
        top = self.mapping(raw, "", keys | {"show_without_area"}, keys)
        asked = questionnaire.question("topics")  # load_content's matching check made sure
        topics = {o.value for o in asked.options} if asked else set()
        areas = []
        for index, area_raw in enumerate(self.items(top["areas"], "areas", 1, 100), 1):
            where = f"area {index}"
            area_raw = self.mapping(
                area_raw, where, {"value", "label", "topics", "words"}, {"value", "label"}
            )
            value = self.value(area_raw["value"], where)
            where = f"area '{value}'"
            served = tuple(self.words(area_raw.get("topics", []), f"{where} topics", 75))
            if unknown := [t for t in served if t not in topics]:
                raise self.fail(
                    where,
                    f"topic '{unknown[0]}' is not a value of the topics question in "
                    f"{QUESTIONNAIRE_FILE}",
                )
            words = tuple(self.words(area_raw.get("words", []), f"{where} words", 50))
            areas.append(
                CoachArea(value, self.text(area_raw["label"], f"{where} label", 75), served, words)
            )
        languages = []
        for index, raw_language in enumerate(self.items(top["languages"], "languages", 1, 100), 1):
            where = f"language {index}"
            raw_language = self.mapping(raw_language, where, {"value", "label"}, {"value", "label"})
            value = self.value(raw_language["value"], where)
            languages.append(
                Choice(value, self.text(raw_language["label"], f"language '{value}' label", 75))
            )
        for what, found in (("area", areas), ("language", languages)):
            values = [c.value for c in found]
            if len(set(values)) != len(values):
                twice = next(v for v in values if values.count(v) > 1)
                raise self.fail(f"{what}s", f"{what} value '{twice}' is used twice")
        timezones = tuple(self.words(top["timezones"], "timezones", 100))
        if not 1 <= len(timezones) <= 100:
            raise self.fail("timezones", "should be a list of 1 to 100 timezone names")
        for name in timezones:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise self.fail(
                    "timezones", f"'{name}' is not a timezone name (like Europe/London)"
                ) from None
        names = {f.name for f in fields(CoachWeights)}
        weights_raw = self.mapping(top["weights"], "weights", names, names)

        def weight(name: str, low: float = 0) -> float:
            return self.number(weights_raw[name], f"weights {name}", low, 1000)

        counted = self.number(weights_raw["areas_counted"], "weights areas_counted", 0, 10, True)
        show_without_area = top.get("show_without_area", False)
        if not isinstance(show_without_area, bool):
            raise self.fail("show_without_area", "should be true or false")
        return CoachRules(
            areas=tuple(areas),
            languages=tuple(languages),
            timezones=timezones,
            weights=CoachWeights(
                area=weight("area"),
                areas_counted=int(counted),
                language=weight("language"),
                timezone=weight("timezone"),
                timezone_far_hours=weight("timezone_far_hours", 1),
                capacity=weight("capacity"),
            ),
            coaches_shown=int(self.number(top["coaches_shown"], "coaches_shown", 1, 10, True)),
            show_without_area=show_without_area,
        )

    def items(self, value: Any, where: str, low: int, high: int) -> list[Any]:
        if not isinstance(value, list) or not low <= len(value) <= high:
            raise self.fail(where, f"should be a list of {low} to {high} items")
        return value

    def value(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not _VALUE.match(value):
            raise self.fail(where, f"value {value!r} should be lowercase letters, digits, _ or -")
        return value

    def words(self, value: Any, where: str, most: int) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
            raise self.fail(where, "should be a list of words")
        return [self.text(w, where, most) for w in value]

    def duration(self, value: Any, where: str) -> timedelta:
        try:
            return parse_duration(str(value))
        except ValueError as error:
            raise self.fail(where, str(error)) from None

    def nudges(self, raw: Any) -> NudgeContent:
        keys = {"working_hours", "pacing", "snooze", "last_of_kind", "kinds"}
        top = self.mapping(raw, "", keys, keys)
        hours_raw = self.mapping(
            top["working_hours"],
            "working_hours",
            {"start", "end", "days"},
            {"start", "end", "days"},
        )
        start, end = (self.clock_time(hours_raw[k], f"working_hours {k}") for k in ("start", "end"))
        if end <= start:
            raise self.fail("working_hours", "end should be later than start")
        days_raw = hours_raw["days"]
        if not isinstance(days_raw, list) or not days_raw or any(d not in DAYS for d in days_raw):
            raise self.fail("working_hours days", f"should be a list of {', '.join(DAYS)}")
        pacing = self.mapping(top["pacing"], "pacing", {"per_minute"}, {"per_minute"})
        kinds = self.mapping(top["kinds"], "kinds", set(NUDGE_TIMING), set(NUDGE_TIMING))
        timing: dict[str, timedelta] = {}
        texts: dict[str, str] = {}
        for kind, key in NUDGE_TIMING.items():
            keys = {key, "text"} if key else {"text"}
            body = self.mapping(kinds[kind], f"kind '{kind}'", keys, keys)
            if key:
                timing[kind] = self.duration(body[key], f"kind '{kind}' {key}")
            texts[kind] = self.text(body["text"], f"kind '{kind}' text", 2000)
        return NudgeContent(
            cadence=Cadence(
                reach_out_after=timing["reach_out"],
                answer_before_lapse=timing["answer_request"],
                did_you_meet_after=timing["did_you_meet"],
                check_in_every=timing["check_in"],
                coaching_goals_after=timing["coaching_goals"],
                coaching_review_before_end=timing["coaching_review"],
                gentle_after=timing["gentle_reminder"],
                snooze=self.duration(top["snooze"], "snooze"),
            ),
            hours=WorkingHours(start, end, frozenset(DAYS.index(d) for d in days_raw)),
            per_minute=int(self.number(pacing["per_minute"], "pacing per_minute", 1, 600, True)),
            texts=texts,
            last_of_kind=self.text(top["last_of_kind"], "last_of_kind", 300),
        )

    def mentoring(self, raw: Any) -> MentoringRules:
        keys = {"join_needs_approval", "agreement", "at_risk", "meeting"}
        top = self.mapping(raw, "", keys, keys)
        approval = top["join_needs_approval"]
        if not isinstance(approval, bool):
            raise self.fail("join_needs_approval", "should be true or false")
        both = {"meet_every", "runs_for"}
        agreement = self.mapping(top["agreement"], "agreement", both, both)
        choices: dict[str, tuple[Choice, ...]] = {}
        for name in ("meet_every", "runs_for"):
            found = []
            for index, item in enumerate(self.items(agreement[name], name, 1, 10), 1):
                where = f"agreement {name} {index}"
                item = self.mapping(item, where, {"value", "label"}, {"value", "label"})
                self.duration(item["value"], f"{where} value")
                found.append(Choice(str(item["value"]), self.text(item["label"], where, 75)))
            choices[name] = tuple(found)
        risk_keys = {"low_score", "low_in_a_row", "ignored_in_a_row"}
        risk = self.mapping(top["at_risk"], "at_risk", risk_keys, risk_keys)
        meeting = self.mapping(
            top["meeting"], "meeting", {"length", "suggestions"}, {"length", "suggestions"}
        )
        return MentoringRules(
            join_needs_approval=approval,
            meet_every=choices["meet_every"],
            runs_for=choices["runs_for"],
            low_score=int(self.number(risk["low_score"], "at_risk low_score", 1, 4, True)),
            low_in_a_row=int(
                self.number(risk["low_in_a_row"], "at_risk low_in_a_row", 1, 10, True)
            ),
            ignored_in_a_row=int(
                self.number(risk["ignored_in_a_row"], "at_risk ignored_in_a_row", 1, 10, True)
            ),
            meeting_length=self.duration(meeting["length"], "meeting length"),
            meeting_suggestions=int(
                self.number(meeting["suggestions"], "meeting suggestions", 1, 5, True)
            ),
        )

    def access(self, raw: Any) -> AccessRules:
        top = self.mapping(raw, "", {"guests", "texts"}, {"guests"})
        guests = top["guests"]
        if guests not in GUESTS:
            raise self.fail("guests", f"should be 'refused' or 'allowed', not {guests!r}")
        given = self.mapping(top.get("texts") or {}, "texts", set(ACCESS_TEXTS), set())
        texts = {k: self.text(v, f"texts {k}", 500) for k, v in given.items()}
        return AccessRules(guests == "allowed", {**ACCESS_TEXTS, **texts})

    def feedback(self, raw: Any) -> FeedbackContent:
        keys = {"behaviours", "scale", "minimum_answers", "remind_after", "closes_after", "texts"}
        top = self.mapping(raw, "", keys, keys)
        listed = top["behaviours"]
        if not isinstance(listed, list) or not 1 <= len(listed) <= 10:
            raise self.fail("behaviours", "should be a list of 1 to 10 behaviours")
        behaviours: list[Behaviour] = []
        for index, item in enumerate(listed, 1):
            where = f"behaviour {index}"
            item = self.mapping(item, where, {"value", "label"}, {"value", "label"})
            value = item["value"]
            if not isinstance(value, str) or not _ID.match(value):
                raise self.fail(where, f"value {value!r} should be lowercase letters, digits and _")
            if any(b.value == value for b in behaviours):
                raise self.fail(where, f"value '{value}' is used twice")
            behaviours.append(Behaviour(value, self.text(item["label"], f"{where} label", 150)))
        steps = {str(step) for step in SCALE}
        given = top["scale"]
        given = {str(k): v for k, v in given.items()} if isinstance(given, dict) else given
        scale_raw = self.mapping(given, "scale", steps, steps)
        scale = {int(k): self.text(v, f"scale {k}", 60) for k, v in sorted(scale_raw.items())}
        minimum = top["minimum_answers"]
        if isinstance(minimum, int) and not isinstance(minimum, bool) and minimum < FEWEST_GIVERS:
            raise self.fail(
                "minimum_answers",
                f"should be at least {FEWEST_GIVERS}: with fewer, a person could tell who said "
                "what",
            )
        minimum = int(self.number(minimum, "minimum_answers", FEWEST_GIVERS, MOST_GIVERS, True))
        remind = self.duration(top["remind_after"], "remind_after")
        closes = self.duration(top["closes_after"], "closes_after")
        if remind >= closes:
            raise self.fail("remind_after", "should be shorter than closes_after")
        wanted = set(FEEDBACK_TEXTS)
        texts_raw = self.mapping(top["texts"], "texts", wanted, wanted)
        texts = {k: self.text(texts_raw[k], f"texts {k}", 2000) for k in FEEDBACK_TEXTS}
        return FeedbackContent(
            FeedbackRules(tuple(behaviours), scale, minimum, remind, closes), texts
        )

    def clock_time(self, value: Any, where: str) -> time:
        try:
            return time.fromisoformat(str(value))
        except ValueError:
            raise self.fail(where, f"{value!r} is not a time like 09:00") from None

    def coaching(self, raw: Any, questionnaire: Questionnaire) -> CoachingRules:
        keys = {
            "timeframes",
            "manager_knows",
            "budget",
            "offer",
            "extend_by",
            "kickoff",
            "decline_frame",
            "goal_hints",
        }
        top = self.mapping(raw, "", keys, keys)
        timeframes = tuple(
            Timeframe(value, label, self.duration(extra["duration"], f"timeframe '{value}'"))
            for value, label, extra in self.choices(top["timeframes"], "timeframes", {"duration"})
        )
        manager = tuple(
            (value, label)
            for value, label, _ in self.choices(top["manager_knows"], "manager_knows", set())
        )
        kinds = {"per_quarter", "seats"}
        budget_raw = self.mapping(top["budget"], "budget", kinds, set())
        if len(budget_raw) > 1:
            raise self.fail("budget", "give per_quarter or seats, not both")
        budget = Budget(
            **{
                k: int(self.number(v, f"budget {k}", 0, 100000, True))
                for k, v in budget_raw.items()
            }
        )
        offer = self.mapping(
            top["offer"],
            "offer",
            {"expires_after", "remind_before"},
            {"expires_after", "remind_before"},
        )
        expires = self.duration(offer["expires_after"], "offer expires_after")
        remind = self.duration(offer["remind_before"], "offer remind_before")
        if remind >= expires:
            raise self.fail("offer", "remind_before should be shorter than expires_after")
        decline = self.text(top["decline_frame"], "decline_frame", 1500)
        if "{reason}" not in decline:
            raise self.fail("decline_frame", "should say where the reason goes: {reason}")
        known = {o.value for q in questionnaire.questions for o in q.options}
        hints_raw = top["goal_hints"]
        if not isinstance(hints_raw, dict):
            raise self.fail("goal_hints", "should map answer values to goal hints")
        hints = {}
        for value, hint in hints_raw.items():
            if value not in known:
                raise self.fail(
                    f"goal_hints '{value}'", f"is not an answer in {QUESTIONNAIRE_FILE}"
                )
            hints[str(value)] = self.text(hint, f"goal_hints '{value}'", 150)
        return CoachingRules(
            timeframes=timeframes,
            manager_knows=manager,
            budget=budget,
            offer_expires_after=expires,
            remind_before_lapse=remind,
            extend_by=self.duration(top["extend_by"], "extend_by"),
            kickoff=self.text(top["kickoff"], "kickoff", 2500),
            decline_frame=decline,
            goal_hints=hints,
        )

    def choices(
        self, raw: Any, where: str, more: set[str]
    ) -> list[tuple[str, str, dict[str, Any]]]:
        """A list of 1 to 10 options, each a value and a label (and `more` keys)."""
        if not isinstance(raw, list) or not 1 <= len(raw) <= 10:
            raise self.fail(where, "should be a list of 1 to 10 choices")
        found: list[tuple[str, str, dict[str, Any]]] = []
        for index, item in enumerate(raw, 1):
            at = f"{where} {index}"
            keys = {"value", "label"} | more
            item = self.mapping(item, at, keys, keys)
            value = str(item["value"])
            if not _VALUE.match(value) or value in (v for v, _, _ in found):
                raise self.fail(
                    at, f"value {value!r} should be unique lowercase letters, digits, _ or -"
                )
            found.append((value, self.text(item["label"], f"{at} label", 75), item))
        return found
