"""devpath nudges list and run-due, as an operator runs them."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.content import default_content_dir, load_content
from bot.domain.nudges import new_nudge
from bot.domain.recommendation import recommend
from bot.domain.records import Response
from bot.store import Store
from tests.answers import MENTORING
from tests.conftest import CliDatabase
from tests.fakes import FakeSlack

NOW = datetime.now(UTC)


def seed(database: CliDatabase) -> None:
    """Mia got a recommendation a while ago and did nothing: her gentle reminder is due."""

    async def work(store: Store) -> None:
        content = load_content()
        answers = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in MENTORING.items()}
        rec = recommend(content.questionnaire, answers, content.thresholds)
        then = NOW - timedelta(weeks=2)
        response_id = await store.add_response(Response("U1", answers, rec, "v", then))
        await store.add_nudges(
            [
                new_nudge("U1", "gentle_reminder", NOW - timedelta(minutes=5), then, response_id),
                new_nudge("U1", "check_in", NOW + timedelta(days=3), NOW, "I1"),
            ]
        )

    database.seed(work)


def test_list_shows_what_is_coming(database, capsys):
    seed(database)
    with pytest.raises(SystemExit) as done:
        main(["nudges", "list"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "gentle_reminder" in out and "check_in" in out and "2 nudges coming up" in out


def test_list_and_run_due_without_a_database_make_none(database, monkeypatch, capsys):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-t")
    for argv, said in (
        (["nudges", "list"], "no nudges"),
        (["nudges", "run-due"], "sent 0"),
    ):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 0
        assert capsys.readouterr().out == f"{said}: there is no database at {database.shown} yet\n"
    assert not database.exists()


def test_run_due_needs_a_token(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DEVPATH_DB", str(tmp_path / "devpath.json"))
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    with pytest.raises(SystemExit) as done:
        main(["nudges", "run-due"])
    assert done.value.code == 2
    assert capsys.readouterr().err.strip() == (
        "devpath: SLACK_BOT_TOKEN: missing; nudges are sent through Slack"
    )


async def test_run_due_sends_what_is_due_once(tmp_path, database):
    await asyncio.to_thread(seed, database)
    slack = FakeSlack()
    api = await slack.start()
    slack.add_user("U1")
    # Content whose working hours are every hour of every day, so the test runs any time.
    content = tmp_path / "content"
    shutil.copytree(
        default_content_dir(), content, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    nudges = content / "nudges.yml"
    text = nudges.read_text().replace('start: "09:00"', 'start: "00:00"')
    text = text.replace('end: "17:00"', 'end: "23:59"').replace(
        "[mon, tue, wed, thu, fri]", "[mon, tue, wed, thu, fri, sat, sun]"
    )
    nudges.write_text(text)
    env = {
        **os.environ,  # DEVPATH_DB, and DATABASE_URL on PostgreSQL
        "DEVPATH_CONTENT": str(content),
        "SLACK_API_URL": api,
        "SLACK_BOT_TOKEN": "xoxb-t",
    }
    env.pop("SLACK_APP_TOKEN", None)
    devpath = Path(sys.executable).parent / "devpath"
    try:
        for expected in ("sent 1", "sent 0"):
            process = await asyncio.create_subprocess_exec(
                devpath,
                "nudges",
                "run-due",
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await process.communicate()
            assert process.returncode == 0, err.decode()
            assert out.decode().startswith(expected)
    finally:
        await slack.close()
    (message,) = slack.called("chat.postMessage")
    assert "gentle reminder" in message["text"]
