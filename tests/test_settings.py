"""The environment an operator sets: sensible defaults, and one line per bad variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

HTTP = {"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_SIGNING_SECRET": "secret"}


def test_defaults() -> None:
    settings = load_settings(HTTP)
    assert settings.port == 3000
    assert settings.db_path == Path("data/devpath.json")
    assert settings.api_url == "https://slack.com/api/"
    assert settings.admins == frozenset()
    assert settings.match_channel is None
    assert settings.content_dir is None
    assert settings.socket_mode is False


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://localhost:8080/api", "http://localhost:8080/api/"),
        ("https://slack.example/api/", "https://slack.example/api/"),
    ],
)
def test_api_url_always_ends_with_a_slash(given: str, expected: str) -> None:
    assert load_settings({**HTTP, "SLACK_API_URL": given}).api_url == expected


def test_good_values_are_read() -> None:
    settings = load_settings(
        {
            **HTTP,
            "PORT": "8080",
            "DEVPATH_DB": "/var/lib/devpath/db.json",
            "DEVPATH_ADMINS": "U012AB3CD, W0456",
            "DEVPATH_MATCH_CHANNEL": "C012AB3CD",
        }
    )
    assert settings.port == 8080
    assert settings.db_path == Path("/var/lib/devpath/db.json")
    assert settings.admins == {"U012AB3CD", "W0456"}
    assert settings.match_channel == "C012AB3CD"


def test_socket_mode_when_app_token_is_set() -> None:
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert settings.socket_mode is True
    assert settings.signing_secret is None


def test_offline_mode_needs_no_tokens() -> None:
    settings = load_settings({}, slack=False)
    assert settings.bot_token is None
    assert settings.db_path == Path("data/devpath.json")


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        pytest.param({}, "SLACK_BOT_TOKEN", id="bot-token-missing"),
        pytest.param({**HTTP, "SLACK_BOT_TOKEN": "xoxp-1"}, "SLACK_BOT_TOKEN", id="user-token"),
        pytest.param({**HTTP, "SLACK_APP_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN", id="bad-app-token"),
        pytest.param(
            {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET", id="http-without-secret"
        ),
        pytest.param({**HTTP, "PORT": "abc"}, "PORT", id="port-not-a-number"),
        pytest.param({**HTTP, "PORT": "70000"}, "PORT", id="port-too-big"),
        pytest.param({**HTTP, "PORT": "0"}, "PORT", id="port-zero"),
        pytest.param({**HTTP, "SLACK_API_URL": "ftp://x"}, "SLACK_API_URL", id="api-url-ftp"),
        pytest.param({**HTTP, "DEVPATH_ADMINS": "bob"}, "DEVPATH_ADMINS", id="admin-name"),
        pytest.param(
            {**HTTP, "DEVPATH_MATCH_CHANNEL": "#general"},
            "DEVPATH_MATCH_CHANNEL",
            id="channel-name",
        ),
        pytest.param(
            {**HTTP, "DATABASE_URL": "mysql://db/devpath"}, "DATABASE_URL", id="database-url"
        ),
        pytest.param(
            {**HTTP, "DEVPATH_CONTENT": "/no/such/dir"}, "DEVPATH_CONTENT", id="content-missing"
        ),
    ],
)
def test_each_bad_variable_is_named_first(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    message = str(caught.value)
    assert message.startswith(f"{variable}: ")
    assert "\n" not in message


@pytest.mark.parametrize(
    "url", ["postgres://db/devpath", "postgresql://me:secret@db.example:5432/devpath"]
)
def test_a_postgresql_url_selects_the_server_backend(url: str) -> None:
    assert load_settings({"DATABASE_URL": url}, slack=False).database_url == url


def test_a_bad_database_url_never_shows_its_password() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"DATABASE_URL": "mysql://me:hunter2@db/x"}, slack=False)
    assert str(caught.value).startswith("DATABASE_URL: ") and "hunter2" not in str(caught.value)


def test_python_m_bot_with_empty_environment_prints_one_line(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "SLACK_BOT_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_short_backoff_is_not_stretched_by_jitter():
    from bot.app import ScaledJitter

    waits = [ScaledJitter().recalculate(0.01) for _ in range(200)]
    assert all(0.005 <= wait <= 0.015 for wait in waits)
