"""How often each outcome comes out, over answer sets drawn uniformly from every possible one.

Run from the repository root:

    .venv/bin/python -m bench.outcomes                  # 200,000 answer sets
    .venv/bin/python -m bench.outcomes --quick          # 2,000 answer sets (CI smoke)
    .venv/bin/python -m bench.outcomes --sets 1000000 --seed 7

Every possible answer set is one choice per single question and one non-empty choice of
options per pick-many question (an optional question may also be left empty). There are
millions of them, so the script draws a uniform sample with `random.Random(seed)`: each answer
set is as likely as any other. With 200,000 sets a share is good to about ±0.2 points (95 %).

It prints the share of each path, and within each path the share of each confidence word, and
exits non-zero if a recommendation cites an answer the person did not give.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter

from bot.content import load_content
from bot.domain.questionnaire import Answers, Question, Questionnaire
from bot.domain.recommendation import recommend


def draw(questionnaire: Questionnaire, rng: random.Random) -> Answers:
    answers: dict[str, tuple[str, ...]] = {}
    for question in questionnaire.questions:
        values = _pick(question, rng)
        if values:
            answers[question.id] = values
    return answers


def _pick(question: Question, rng: random.Random) -> tuple[str, ...]:
    values = [o.value for o in question.options]
    if question.kind == "single":
        if question.optional and rng.randrange(len(values) + 1) == len(values):
            return ()
        return (rng.choice(values),)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=200_000, help="answer sets to draw")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--quick", action="store_true", help="2,000 answer sets (CI smoke)")
    args = parser.parse_args(argv)
    total = 2_000 if args.quick else args.sets
    content = load_content()
    questionnaire = content.questionnaire
    rng = random.Random(args.seed)
    paths: Counter[str] = Counter()
    words: Counter[tuple[str, str]] = Counter()
    untrue = 0
    started = time.perf_counter()
    for _ in range(total):
        answers = draw(questionnaire, rng)
        rec = recommend(questionnaire, answers, content.thresholds)
        paths[rec.path] += 1
        words[(rec.path, rec.confidence_label)] += 1
        untrue += not cited_answers_given(questionnaire, answers, rec)
    seconds = time.perf_counter() - started
    print(f"content {questionnaire.version}: {total:,} answer sets (seed {args.seed})")
    print(f"{'path':<12}{'share':>8}   confidence within the path")
    for path, count in paths.most_common():
        within = ", ".join(
            f"{word} {n / count:.0%}"
            for (p, word), n in sorted(words.items(), key=lambda item: -item[1])
            if p == path
        )
        print(f"{path:<12}{count / total:>8.1%}   {within}")
    print(f"{total / seconds:,.0f} recommendations a second")
    if untrue:
        print(f"FAIL: {untrue} recommendations cite an answer that was not given", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
