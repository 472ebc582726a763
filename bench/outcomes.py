"""How often each outcome comes out, over answer sets drawn uniformly from every possible one.

Run from the repository root:

    .venv/bin/python -m bench.outcomes                  # 200,000 answer sets
    .venv/bin/python -m bench.outcomes --quick          # 2,000 answer sets (CI smoke)
    .venv/bin/python -m bench.outcomes --sets 1000000 --seed 7
    .venv/bin/python -m bench.outcomes --picks-at-most 2   # topics as people tick them

Every possible answer set is one choice per single question and one non-empty choice of
options per pick-many question (an optional question may also be left empty). There are
millions of them, so the script draws a uniform sample with `random.Random(seed)`: each answer
set is as likely as any other. With 200,000 sets a share is good to about ±0.2 points (95 %).

It prints the share of each path, and within each path the share of each confidence word; how
many answer sets hold a strong need answer (weight 3 or more) on each side, which is why
"both" is common among answer sets drawn at random; and how many people of the framework table
(tests/domain/framework_cases.py) get the path the framework gives them. It exits non-zero if a
recommendation cites an answer the person did not give.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter

from bot.content import Content, load_content
from bot.domain.questionnaire import Answers, Question, Questionnaire
from bot.domain.recommendation import recommend


def draw(questionnaire: Questionnaire, rng: random.Random, most: int | None = None) -> Answers:
    answers: dict[str, tuple[str, ...]] = {}
    for question in questionnaire.questions:
        values = _pick(question, rng, most)
        if values:
            answers[question.id] = values
    return answers


def _pick(question: Question, rng: random.Random, most: int | None) -> tuple[str, ...]:
    values = [o.value for o in question.options]
    if question.kind == "single":
        if question.optional and rng.randrange(len(values) + 1) == len(values):
            return ()
        return (rng.choice(values),)
    while most is not None:  # uniform among the subsets of 1 to `most` options
        chosen = tuple(v for v in values if rng.random() < 0.5)
        if 1 <= len(chosen) <= most:
            return chosen
    while True:  # a uniform subset; the empty one only where the question is optional
        chosen = tuple(v for v in values if rng.random() < 0.5)
        if chosen or question.optional:
            return chosen


def cited_answers_given(questionnaire: Questionnaire, answers: Answers, rec: object) -> bool:
    """Every reason quotes the label of an answer the person gave to the question it names."""
    for reason in getattr(rec, "reasons", ()):
        question = questionnaire.question(reason.question_id)
        if question is None:
            return False
        labels = {o.label for v in answers.get(question.id, ()) if (o := question.option(v))}
        if reason.answer not in labels:
            return False
    return True


def strong_on_each_side(questionnaire: Questionnaire, answers: Answers) -> bool:
    """The answer set holds a need answer of weight 3 or more for coaching and for mentoring."""
    strong = {
        side
        for q in questionnaire.questions
        if getattr(q, "weighs", "need") == "need"
        for v in answers.get(q.id, ())
        if (o := q.option(v)) is not None
        for side in ("coaching", "mentoring")
        if o.weight(side) >= 3
    }
    return len(strong) == 2


def framework_agreement(content: Content) -> tuple[int, int] | None:
    """People of the framework table who get their framework path; None for content it was
    not written for."""
    try:
        from tests.domain.framework_cases import CASES
    except ImportError:
        return None
    questionnaire = content.questionnaire
    if any(questionnaire.question(q) is None for q in CASES[0].answers):
        return None
    agree = sum(
        recommend(questionnaire, c.answers, content.thresholds).path == c.path for c in CASES
    )
    return agree, len(CASES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=200_000, help="answer sets to draw")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--quick", action="store_true", help="2,000 answer sets (CI smoke)")
    parser.add_argument(
        "--picks-at-most",
        type=int,
        metavar="N",
        help="pick-many questions get 1 to N options (as people answer them), not any subset",
    )
    args = parser.parse_args(argv)
    total = 2_000 if args.quick else args.sets
    content = load_content()
    questionnaire = content.questionnaire
    rng = random.Random(args.seed)
    paths: Counter[str] = Counter()
    words: Counter[tuple[str, str]] = Counter()
    untrue = strong = 0
    started = time.perf_counter()
    for _ in range(total):
        answers = draw(questionnaire, rng, args.picks_at_most)
        rec = recommend(questionnaire, answers, content.thresholds)
        paths[rec.path] += 1
        words[(rec.path, rec.confidence_label)] += 1
        untrue += not cited_answers_given(questionnaire, answers, rec)
        strong += strong_on_each_side(questionnaire, answers)
    seconds = time.perf_counter() - started
    picks = f", pick-many at most {args.picks_at_most}" if args.picks_at_most else ""
    print(f"content {questionnaire.version}: {total:,} answer sets (seed {args.seed}{picks})")
    print(f"{'path':<12}{'share':>8}   confidence within the path")
    for path, count in paths.most_common():
        within = ", ".join(
            f"{word} {n / count:.0%}"
            for (p, word), n in sorted(words.items(), key=lambda item: -item[1])
            if p == path
        )
        print(f"{path:<12}{count / total:>8.1%}   {within}")
    print(f"answer sets with a strong need answer on each side: {strong / total:.1%}")
    agreement = framework_agreement(content)
    if agreement is not None:
        print(f"framework table: {agreement[0]} of {agreement[1]} people get the framework's path")
    print(f"{total / seconds:,.0f} recommendations a second")
    if untrue:
        print(f"FAIL: {untrue} recommendations cite an answer that was not given", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
