"""devpath round preview, as a program admin runs it in a terminal: an open round shows what
matching now would give, a matched one what is stored; --csv writes it; a wrong name is one
line and a non-zero exit."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.cli import main
from bot.content import load_content
from bot.domain.matching import Mentor
from bot.domain.recommendation import recommend
from bot.domain.records import Response
from bot.domain.rounds import Pair, Round
from bot.store import Store
from tests.answers import MENTORING

NOW = datetime.now(UTC)
GRACE = Mentor("U2", "Grace Hopper", None, ("engineering",), ("networking",), "senior", 1)
ALAN = Mentor("U3", "Alan Turing", None, ("design",), ("networking",), "senior", 1)


def seed(database, state: str = "open") -> Round:
    """Mia and Sam wait for a mentor; Grace and Alan have a place each."""

    async def work(store: Store) -> Round:
        content = load_content()
        answers = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in MENTORING.items()}
        rec = recommend(content.questionnaire, answers, content.thresholds)
        for person in ("U1", "U5"):
            await store.add_response(Response(person, answers, rec, "v", NOW))
        await store.save_mentors([GRACE, ALAN], "UADMIN", "added", NOW)
        found = Round("R1", "Spring cohort", "UADMIN", NOW, NOW + timedelta(days=7))
        found = replace(found, joined=("U1", "U5"))
        if state == "matched":
            found = replace(
                found,
                state="matched",
                proposal=(Pair("U1", "U2", 70.5, "Both in Engineering"),),
                unmatched={"U5": "every mentor who fits gave their places to others"},
                first_come_total=60.0,
            )
        await store.add_round(found)
        return found

    return database.seed(work)


def run(*argv: str) -> int:
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    return int(done.value.code or 0)


def test_an_open_round_shows_what_matching_now_would_give(database, capsys):
    seed(database)
    assert run("round", "preview", "spring COHORT") == 0
    out = capsys.readouterr().out
    assert "Spring cohort: not matched yet" in out
    assert "2 pairs" in out and "first come on the same people" in out
    assert "Grace Hopper (U2)" in out and "Alan Turing (U3)" in out
    assert "Both in Engineering" in out
    # Nothing was stored: the round is still open, with no proposal.
    found = database.read(lambda store: store.round_named("Spring cohort"))
    assert found.state == "open" and found.proposal == ()


def test_a_matched_round_as_csv(database, capsys, tmp_path):
    seed(database, "matched")
    assert run("round", "preview", "Spring cohort", "--csv") == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows == [
        ["mentee_id", "mentor_id", "mentor_name", "score", "reason"],
        ["U1", "U2", "Grace Hopper", "70.5", "Both in Engineering"],
        ["U5", "", "", "", "every mentor who fits gave their places to others"],
    ]
    target = tmp_path / "round.csv"
    assert run("round", "preview", "Spring cohort", "--csv", "-o", str(target)) == 0
    assert "wrote the Spring cohort round (1 pair)" in capsys.readouterr().out
    assert target.read_text().startswith("mentee_id,")
    assert run("round", "preview", "Spring cohort") == 0
    out = capsys.readouterr().out
    assert "Spring cohort: matched" in out and "+17.5%" in out and "unmatched (1)" in out


def test_a_round_nobody_made_is_one_line_and_exit_2(database, capsys):
    seed(database)
    assert run("round", "preview", "Autumn") == 2
    err = capsys.readouterr().err
    assert err.strip() == "devpath: no round called 'Autumn': `/devpath round` starts one"
