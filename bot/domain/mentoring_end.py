"""The middle and the end of a mentoring relationship: when a pair looks at risk, who may end
it and how it ended, and each person's close-out.

Pure: the flows gather the intro and its check-ins from the store, these functions decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Literal

from bot.domain.intros import Intro
from bot.domain.mentoring import MentoringRules, agreement_of
from bot.domain.nudges import Nudge

# What `Intro.end_reason` holds when nobody typed a reason; an early end keeps the reason typed.
DONE = ""  # one of the two clicked We're done (an early end always has a typed reason)
AGREED_END = "agreed end"  # the agreement's end passed (ended_by is "")
Ending = Literal["done", "agreed end", "early"]
Signal = Literal["low_scores", "ignored"]
SCORES = ("1", "2", "3", "4", "5")
CLOSEOUT_NOTE_MOST = 500
REASON_MOST = 500

NOT_YOURS = "This mentoring is not one I can find for you."
ENDED_ALREADY = "This mentoring has ended already: nothing more to do here."
NOT_ENDED = "This mentoring is still going: a close-out comes once it ends."
CLOSED_OUT = "You already closed this out. Thank you!"


def other_of(intro: Intro, user_id: str) -> str:
    """The other person of the pair, from this person's side."""
    return intro.mentor_id if user_id == intro.mentee_id else intro.mentee_id


def in_pair(intro: Intro, user_id: str) -> bool:
    return user_id in (intro.mentee_id, intro.mentor_id)


def why_not_end(intro: Intro | None, user_id: str) -> str | None:
    """None when this person may end the mentoring now, else why not, in their words."""
    if intro is None or not in_pair(intro, user_id):
        return NOT_YOURS
    if intro.state != "accepted":
        return ENDED_ALREADY
    return None


def why_not_close_out(intro: Intro | None, user_id: str) -> str | None:
    """None when this person may give their close-out now (once, after the end)."""
    if intro is None or not in_pair(intro, user_id):
        return NOT_YOURS
    if intro.state != "ended":
        return NOT_ENDED
    if user_id in intro.closeouts:
        return CLOSED_OUT
    return None


def how_ended(intro: Intro) -> Ending:
    if not intro.ended_by:
        return "agreed end"
    return "done" if not intro.end_reason else "early"


def agreed_end_passed(intro: Intro, now: datetime) -> bool:
    """An accepted intro whose confirmed agreement's end has come."""
    agreement = agreement_of(intro)
    return (
        intro.state == "accepted"
        and agreement is not None
        and agreement.ends_at is not None
        and agreement.ends_at <= now
    )


def goals_of(intro: Intro | None) -> tuple[str, ...]:
    """The agreement's goals, once both confirmed it (a proposal is not yet what they agreed)."""
    if intro is None:
        return ()
    agreement = agreement_of(intro)
    return agreement.goals if agreement is not None and agreement.confirmed(intro) else ()


def goal_ratings(typed: Mapping[str, str], goals: int) -> dict[str, str] | None:
    """Each goal's rating ("goal_0": "4", ...), or None when one is missing or not 1 to 5."""
    ratings = {f"goal_{n}": typed.get(f"goal_{n}", "") for n in range(goals)}
    return ratings if goals and all(r in SCORES for r in ratings.values()) else None


def closeout_record(goals: str, recommend: str, note: str, now: datetime) -> dict[str, str]:
    return {"goals": goals, "recommend": recommend, "note": note, "at": now.isoformat()}


def closeout_problems(goals: str, recommend: str, note: str) -> dict[str, str]:
    """What is wrong with a close-out, by field; {} when it may be stored."""
    problems = {}
    if goals not in SCORES:
        problems["goals"] = "Please pick how far you got, from 1 to 5."
    if recommend not in ("yes", "no"):
        problems["recommend"] = "Please answer yes or no."
    if len(note) > CLOSEOUT_NOTE_MOST:
        problems["note"] = f"Please keep it to {CLOSEOUT_NOTE_MOST} characters."
    return problems


def at_risk_signal(
    check_ins: Iterable[Nudge],
    pair: tuple[str, str],
    rules: MentoringRules,
    now: datetime,
    answer_within: timedelta,
) -> Signal | None:
    """Why this pair looks at risk, or None.

    - "low_scores": the pair's latest `low_in_a_row` check-in scores (both people's, in the
      order the check-ins came) are all at or under `low_score`.
    - "ignored": each of the two left their latest `ignored_in_a_row` check-ins unanswered,
      each for at least `answer_within` (a check-in sent a moment ago is not ignored yet).
    """
    mine = [n for n in check_ins if n.kind == "check_in" and n.sent_at is not None]
    scored = sorted(
        (n for n in mine if n.answer.get("score") in SCORES),
        key=lambda n: n.sent_at or n.due_at,
    )
    latest = scored[-rules.low_in_a_row :] if rules.low_in_a_row > 0 else []
    full = len(latest) == rules.low_in_a_row and bool(latest)
    if full and all(int(n.answer["score"]) <= rules.low_score for n in latest):
        return "low_scores"
    if rules.ignored_in_a_row > 0 and all(
        _ignored(mine, person, rules.ignored_in_a_row, now - answer_within) for person in pair
    ):
        return "ignored"
    return None


def _ignored(check_ins: list[Nudge], person: str, count: int, sent_by: datetime) -> bool:
    theirs = sorted(
        (n for n in check_ins if n.user_id == person),
        key=lambda n: n.sent_at or n.due_at,
        reverse=True,
    )[:count]
    return len(theirs) == count and all(
        n.answered_at is None and n.sent_at is not None and n.sent_at <= sent_by for n in theirs
    )


def signal_words(signal: str, rules: MentoringRules) -> str:
    """The signal as admins read it: what was seen, never what anyone wrote."""
    if signal == "low_scores":
        return (
            f"{rules.low_in_a_row} check-in scores in a row at {rules.low_score} out of 5 or under"
        )
    return f"both left their latest {rules.ignored_in_a_row} check-ins unanswered"
