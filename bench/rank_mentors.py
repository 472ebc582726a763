"""Benchmark: ranking a pool of mentors for one mentee with `rank_mentors`.

Run from the repository root:

    .venv/bin/python -m bench.rank_mentors              # 10,000 mentors, 50 runs
    .venv/bin/python -m bench.rank_mentors --quick      # 1,000 mentors, 5 runs (CI smoke)

The pool is built deterministically (random.Random(42)) over the content's real fields, topics
and seniority values. In the same run a plain baseline ranking is timed over the same pool, so
the report can give the cost of the full scoring as a ratio, which is steadier than raw
milliseconds on a noisy machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Mapping

from bot.content import Content, load_content
from bot.domain.matching import Mentee, Mentor, rank_mentors

SEED = 42
TARGET_MS = 20.0
# A fixed moment, so timezone offsets (and daylight saving) do not depend on the day it runs.
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
TIMEZONES = (
    "Europe/London",  # DST
    "Europe/Berlin",  # DST
    "Europe/Helsinki",  # DST
    "America/New_York",  # DST
    "America/Chicago",  # DST
    "America/Los_Angeles",  # DST
    "America/Sao_Paulo",  # no DST since 2019
    "Asia/Kolkata",  # no DST, half-hour offset
    "Asia/Singapore",  # no DST
    "Asia/Tokyo",  # no DST
    "Australia/Sydney",  # DST, southern hemisphere
    "Australia/Adelaide",  # DST, half-hour offset
    "Africa/Lagos",  # no DST
    "Asia/Dubai",  # no DST
    "Pacific/Auckland",  # DST
    "UTC",
)
MENTEE_ANSWERS: dict[str, tuple[str, ...]] = {
    "field": ("engineering",),
    "topics": ("leadership", "career_transition", "networking"),
    "career_stage": ("early_career",),
}
MENTEE_TIMEZONE = "Europe/Berlin"


def build_pool(
    content: Content, size: int, rng: random.Random
) -> tuple[list[Mentor], dict[str, int], set[str]]:
    """Mentors, how many mentees each has now, and the ids the mentee must not be offered."""
    fields = [o.value for o in content.options_of("field")]
    topics = [o.value for o in content.options_of("topics")]
    seniorities = [s.value for s in content.matching.seniority]
    mentors: list[Mentor] = []
    mentees_now: dict[str, int] = {}
    for index in range(size):
        user_id = f"U{index:08d}"
        capacity = rng.randint(1, 4)
        mentors.append(
            Mentor(
                user_id=user_id,
                name=f"Mentor {rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}{index}",
                timezone=rng.choice(TIMEZONES) if rng.random() > 0.05 else None,
                fields=tuple(rng.sample(fields, rng.choice((1, 1, 1, 2)))),
                topics=tuple(rng.sample(topics, rng.randint(1, 4))),
                seniority=rng.choice(seniorities),
                capacity=capacity,
                bio="",
                active=rng.random() >= 0.10,  # ~10 % paused
            )
        )
        roll = rng.random()
        if roll < 0.15:
            mentees_now[user_id] = capacity  # already full
        elif roll < 0.55:
            mentees_now[user_id] = rng.randint(0, capacity - 1)
    excluded = {m.user_id for m in rng.sample(mentors, min(20, size))}
    return mentors, mentees_now, excluded


def baseline_rank(
    mentee: Mentee,
    mentors: list[Mentor],
    mentees_now: Mapping[str, int],
    excluded: set[str],
    count: int,
) -> list[Mentor]:
    """The plainest ranking one writes first: active with a free place, field match plus
    shared topics, sorted. No seniority, timezone, capacity share or reasons."""
    wanted = set(mentee.topics)
    scored = []
    for mentor in mentors:
        if not mentor.active or mentor.user_id in excluded:
            continue
        if mentor.capacity - mentees_now.get(mentor.user_id, 0) <= 0:
            continue
        score = (mentee.field in mentor.fields) + len(wanted.intersection(mentor.topics))
        if score:
            scored.append((-score, mentor.user_id, mentor))
    scored.sort()
    return [item[2] for item in scored[:count]]


def time_ms(call: Callable[[], object], repeat: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return statistics.median(ordered), p90, ordered[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="1,000 mentors, 5 runs (CI smoke)")
    args = parser.parse_args(argv)
    size, repeat = (1_000, 5) if args.quick else (args.mentors, args.repeat)

    content = load_content()
    rules, labels = content.matching, content.labels
    mentors, mentees_now, excluded = build_pool(content, size, random.Random(SEED))
    mentee = rules.mentee("UMENTEE", MENTEE_ANSWERS, MENTEE_TIMEZONE)

    def full() -> list:
        return rank_mentors(mentee, mentors, mentees_now, excluded, rules, labels, NOW)

    def plain() -> list:
        return baseline_rank(mentee, mentors, mentees_now, excluded, rules.matches_shown)

    first, second = full(), full()
    deterministic = [(m.mentor.user_id, m.score, m.reason) for m in first] == [
        (m.mentor.user_id, m.score, m.reason) for m in second
    ]
    at_most = len(first) <= 3

    warmup = 1 if args.quick else 3
    # Interleave the two so drifting machine load hits both alike.
    full_ms: list[float] = []
    plain_ms: list[float] = []
    for _ in range(repeat):
        full_ms += time_ms(full, 1, warmup)
        plain_ms += time_ms(plain, 1, warmup)
        warmup = 0

    f_med, f_p90, f_min = summary(full_ms)
    b_med, b_p90, b_min = summary(plain_ms)
    active = sum(m.active for m in mentors)
    print(f"rank_mentors benchmark — {dt.date.today().isoformat()}")
    print(
        f"machine: {platform.platform()}, {platform.machine()}, "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"pool: {size} mentors ({active} active, {len(excluded)} excluded, "
        f"{sum(1 for m in mentors if mentees_now.get(m.user_id, 0) >= m.capacity)} full), "
        f"{repeat} runs, seed {SEED}"
    )
    print()
    print(f"| {'':<22} | median ms | p90 ms | min ms |")
    print(f"|{'-' * 24}|----------:|-------:|-------:|")
    print(f"| {'rank_mentors':<22} | {f_med:9.2f} | {f_p90:6.2f} | {f_min:6.2f} |")
    print(f"| {'baseline (plain sort)':<22} | {b_med:9.2f} | {b_p90:6.2f} | {b_min:6.2f} |")
    print()
    print(f"ratio of medians (rank_mentors / baseline): {f_med / b_med:.1f}x")
    print(f"deterministic (two calls equal): {'yes' if deterministic else 'NO'}")
    print(f"matches returned: {len(first)} (at most 3: {'yes' if at_most else 'NO'})")
    if size == 10_000:
        verdict = "met" if f_med < TARGET_MS else "NOT met"
        print(f"target median < {TARGET_MS:g} ms with 10,000 mentors: {verdict}")
    return 0 if deterministic and at_most else 1


if __name__ == "__main__":
    sys.exit(main())
