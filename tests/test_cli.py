"""`devpath try`: the questionnaire in a terminal, from a file or typed in."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import UsageError, ask, main
from bot.content import Content
from tests.answers import COACHING, MENTORING
from tests.conftest import CliDatabase


def write_json(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def run(*argv: str) -> int:
    with pytest.raises(SystemExit) as caught:
        main(list(argv))
    code = caught.value.code
    assert isinstance(code, int)
    return code


@pytest.mark.parametrize(
    ("answers", "title", "path"),
    [
        (COACHING, "Executive coaching fits you now", "coaching"),
        (MENTORING, "Mentoring fits you now", "mentoring"),
    ],
)
def test_try_with_answers_file_prints_and_stores_recommendation(
    tmp_path: Path,
    database: CliDatabase,
    capsys: pytest.CaptureFixture[str],
    answers: dict,
    title: str,
    path: str,
) -> None:
    file = write_json(tmp_path, answers)

    assert run("try", "--answers", str(file), "--user", "alice") == 0

    out = capsys.readouterr().out
    assert title in out
    assert "Why:" in out
    assert "Next steps:" in out
    assert "  1. " in out
    assert f"Saved in {database.shown} as cli:alice." in out
    history = database.read(lambda store: store.responses("cli:alice"))
    assert [r.recommendation.path for r in history] == [path]
    assert history[0].answers["topics"] == tuple(answers["topics"])


def test_every_try_is_kept_as_history(tmp_path: Path, database: CliDatabase) -> None:
    coaching = write_json(tmp_path, COACHING)
    assert run("try", "--answers", str(coaching), "--user", "bo") == 0
    mentoring = write_json(tmp_path, MENTORING)
    assert run("try", "--answers", str(mentoring), "--user", "bo") == 0

    history = database.read(lambda store: store.responses("cli:bo"))
    assert [r.recommendation.path for r in history] == [
        "coaching",
        "mentoring",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('{\n  "focus": "performance",\n  oops\n}\n', ["line 3"], id="invalid-json"),
        pytest.param(
            json.dumps({**COACHING, "fokus": "performance"}),
            ["unknown question 'fokus'", "focus"],
            id="unknown-question",
        ),
        pytest.param(
            json.dumps({**COACHING, "focus": "perfomance"}),
            ["question 'focus'", "choices: performance, development, both_focus"],
            id="unknown-option",
        ),
        pytest.param(
            json.dumps({**COACHING, "results": 3}),
            ["option value or a list"],
            id="number-instead-of-value",
        ),
        pytest.param(
            json.dumps({**COACHING, "focus": ["performance", "development"]}),
            ["question 'focus'", "just one"],
            id="two-values-for-single",
        ),
        pytest.param(
            json.dumps({k: v for k, v in COACHING.items() if k != "results"}),
            ["question 'results'", "answer this one"],
            id="question-missing",
        ),
        pytest.param(json.dumps(["performance"]), ["JSON object"], id="not-an-object"),
    ],
)
def test_bad_answers_file_exits_2_with_one_line(
    tmp_path: Path,
    database: CliDatabase,
    capsys: pytest.CaptureFixture[str],
    text: str,
    expected: list[str],
) -> None:
    file = tmp_path / "answers.json"
    file.write_text(text, encoding="utf-8")

    assert run("try", "--answers", str(file)) == 2

    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"devpath: {file}: ")
    for fragment in expected:
        assert fragment in lines[0]
    assert captured.out == ""
    assert not database.exists()


def test_missing_answers_file_exits_2(
    tmp_path: Path, database: CliDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.json"
    assert run("try", "--answers", str(missing)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{missing}: cannot read it" in err


def scripted(replies: list[str]) -> tuple[Callable[[str], str], list[str]]:
    remaining = list(replies)

    def input_fn(prompt: str) -> str:
        if not remaining:
            raise EOFError
        return remaining.pop(0)

    return input_fn, remaining


def numbers(content: Content, answers: dict) -> list[str]:
    """What a person types for these answers: option numbers, comma-separated when many."""
    replies = []
    for question in content.questionnaire.questions:
        values = answers[question.id]
        values = [values] if isinstance(values, str) else values
        position = {o.value: i for i, o in enumerate(question.options, start=1)}
        replies.append(",".join(str(position[v]) for v in values))
    return replies


def test_ask_reasks_after_an_invalid_reply_and_reads_comma_lists(content: Content) -> None:
    replies = numbers(content, COACHING)
    assert any("," in r for r in replies), "the multi question takes a comma list"
    first = content.questionnaire.questions[0]
    too_big = str(len(first.options) + 1)
    input_fn, remaining = scripted([too_big, "1,2", *replies])
    out = io.StringIO()

    answers = ask(content, input_fn=input_fn, out=out)

    expected = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in COACHING.items()}
    assert answers == expected
    assert remaining == []
    shown = out.getvalue()
    assert shown.count(f"Please type a number from 1 to {len(first.options)}.") == 2
    assert f"== Step 1 of {len(content.questionnaire.steps)}: " in shown


def test_ask_turns_end_of_input_into_usage_error(content: Content) -> None:
    input_fn, _ = scripted(numbers(content, MENTORING)[:3])
    with pytest.raises(UsageError, match="input ended"):
        ask(content, input_fn=input_fn, out=io.StringIO())


def test_console_script_runs(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("devpath")
    assert script.is_file(), "pip install -e . installs the devpath command"
    file = write_json(tmp_path, COACHING)
    db = tmp_path / "db" / "devpath.json"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DEVPATH_")) and k != "DATABASE_URL"
    }
    env["DEVPATH_DB"] = str(db)

    result = subprocess.run(
        [str(script), "try", "--answers", str(file), "--user", "ci"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 0, result.stderr
    assert "Executive coaching fits you now" in result.stdout
    assert db.is_file()
